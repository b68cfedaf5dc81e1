import { adoptBackup } from '../../backup/adopt.js';
import { backupContext } from '../../backup/context.js';
import { palette, useColor } from '../../util/palette.js';

interface Options {
  reason?: string;
  json?: boolean;
  config?: string;
}

/** `dbsafe-hooks adopt <backup> [instance] --reason "…"`: exit 0 adopted, 2 refused or could not run. */
export async function run(backup: string, instance: string | undefined, options: Options): Promise<number> {
  const context = await backupContext(options);
  const outcome = await adoptBackup(context, { backup, instance, reason: options.reason ?? '' });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...outcome, logEntry: undefined }, null, 2)}\n`);
    return 0;
  }
  const c = palette(useColor());
  const lines = [
    `${c.yellow('adopted')} ${c.bold(outcome.instance)} ${outcome.backupId}: recorded in the log with your reason`,
    `  its age counts from ${outcome.takenAt}, the oldest of: ${Object.entries(outcome.timeSources).map(([source, at]) => `${source} ${at}`).join(', ')}`,
    `  It is not gate evidence until verified: ${c.cyan(`npx dbsafe-hooks verify ${outcome.backupId}`)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
