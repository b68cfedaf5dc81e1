import { backupContext, takeBackup } from '../../backup/backup.js';
import { formatBytes, progressLine } from '../../backup/format.js';
import { palette, useColor } from '../../util/palette.js';

interface Options {
  verify?: boolean;
  pin?: boolean;
  reason?: string;
  json?: boolean;
  config?: string;
}

/** `dbsafe-hooks backup [instance] [--verify] [--reason …] [--json]`: exit 0 ok, 1 verify failed, 2 could not back up. */
export async function run(instance: string | undefined, options: Options): Promise<number> {
  // warm the module cache while git and the config are read (the engine is imported right after)
  const warm = import('../../backup/engines/index.js').catch(() => undefined);
  const context = await backupContext(options);
  await warm;
  const progress = progressLine(Boolean(process.stderr.isTTY) && !options.json);
  let stage = '';
  const outcome = await takeBackup(context, {
    instance,
    reason: options.reason,
    verify: options.verify,
    pinned: options.pin,
    onStage: (text) => {
      stage = text;
      progress.update(`${text}…`);
    },
    onProgress: (bytes) => progress.update(`${stage}: ${formatBytes(bytes)} written`),
    warn: (message) => {
      progress.done();
      if (!options.json) process.stderr.write(`warning: ${message}\n`);
    },
  });
  progress.done();
  const ok = !outcome.verify || outcome.verify.ok;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ok, ...outcome, verify: outcome.verify && { ...outcome.verify, logEntry: undefined } }, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  const c = palette(useColor());
  const lines = [
    `${c.green('backup')} ${c.bold(outcome.instance)} ${outcome.id}`,
    `  artifact  ${outcome.artifact} (${formatBytes(outcome.bytes)}, sha256 ${outcome.sha256.slice(0, 16)}…)`,
    `  snapshot  ${outcome.takenAt}${options.pin ? ' (pinned: never pruned)' : ''}`,
    `  contents  ${outcome.tables} tables, ${outcome.rows} rows${outcome.approximateCounts ? ' (some counts approximate: the tables changed during the dump)' : ''}`,
  ];
  if (outcome.verify) {
    lines.push(
      outcome.verify.ok
        ? `  verified  ${c.green('yes')}: ${outcome.verify.message}`
        : `  verified  ${c.red('FAILED')} (${outcome.verify.reason}): ${outcome.verify.message}`,
    );
    for (const difference of outcome.verify.differences.slice(0, 30)) lines.push(`            ${difference}`);
  } else {
    lines.push(`  verified  not yet: run ${c.cyan(`npx dbsafe-hooks verify ${outcome.id}`)}`);
  }
  if (outcome.pruned.length) lines.push(`  pruned    ${outcome.pruned.join(', ')}`);
  if (outcome.pruneRefused) lines.push(`  ${c.yellow('retention')} ${outcome.pruneRefused}`);
  for (const warning of outcome.warnings) lines.push(`  ${c.yellow('warning')}   ${warning}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return ok ? 0 : 1;
}
