import { backupContext } from '../../backup/context.js';
import { progressLine } from '../../backup/format.js';
import { verifyBackup } from '../../backup/verify.js';
import { UsageError } from '../../errors.js';
import { palette, useColor } from '../../util/palette.js';
import { stageReporter } from '../stages.js';

interface Options {
  latest?: boolean;
  json?: boolean;
  config?: string;
}

/** `dbsafe-hooks verify [backup|--latest] [instance]`: exit 0 verified, 1 failed verification, 2 could not run. */
export async function run(backup: string | undefined, instance: string | undefined, options: Options): Promise<number> {
  const context = await backupContext(options);
  // `verify dev` and `verify --latest dev`: a lone argument naming an instance means its newest backup
  if (backup && !instance && Object.hasOwn(context.config.databases, backup) && !/^\d{8}T\d{6}Z-/.test(backup)) {
    instance = backup;
    backup = undefined;
  }
  if (options.latest && backup) throw new UsageError('Give either a backup or --latest, not both');
  const progress = progressLine(Boolean(process.stderr.isTTY) && !options.json);
  const outcome = await verifyBackup(context, { backup, instance, latest: options.latest, lock: true, onStage: stageReporter(progress) });
  progress.done();
  const c = palette(useColor());
  for (const warning of outcome.warnings) process.stderr.write(`dbsafe-hooks: ${c.red(c.bold('WARNING'))}: ${warning}\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...outcome, logEntry: undefined }, null, 2)}\n`);
    return outcome.ok ? 0 : 1;
  }
  const lines = outcome.ok
    ? [`${c.green('verified')} ${c.bold(outcome.instance)} ${outcome.backupId} (level ${outcome.level}, ${(outcome.durationMs / 1000).toFixed(1)} s)`, `  ${outcome.message}`]
    : [`${c.red('verify FAILED')} ${c.bold(outcome.instance)} ${outcome.backupId}: ${outcome.reason}`, `  ${outcome.message}`];
  if (outcome.ok && outcome.checks?.length) lines.push(`  compared: ${outcome.checks.join(', ')}`);
  for (const difference of outcome.differences.slice(0, 50)) lines.push(`    ${difference}`);
  if (outcome.differences.length > 50) lines.push(`    … and ${outcome.differences.length - 50} more`);
  if (outcome.approximateCounts) lines.push(`  ${c.yellow('note')}: some counts are approximate (MySQL tables written to during the dump)`);
  if (!outcome.ok) lines.push(`  The failure is recorded in the log. Take a new backup: ${c.cyan('npx dbsafe-hooks backup --verify')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return outcome.ok ? 0 : 1;
}
