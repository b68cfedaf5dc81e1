import { backupContext } from '../../backup/context.js';
import { readLog, type LogEntry } from '../../backup/log.js';
import { palette, useColor } from '../../util/palette.js';

interface Options {
  json?: boolean;
  config?: string;
}

function describe(entry: LogEntry): string {
  const id = entry.backupId ? String(entry.backupId) : '';
  switch (entry.event) {
    case 'backup':
      return `${id} ${entry.size} bytes, ${entry.tables ?? '?'} tables, reason ${entry.reason}`;
    case 'adopted':
      return `${id} "${entry.reason ?? ''}", dated ${entry.takenAt} (its manifest claimed ${entry.claimedTakenAt})`;
    case 'verified':
      return `${id} level ${entry.level}${entry.approximateCounts ? ' (approximate counts)' : ''}${entry.recorded === false ? ' (not recorded in the log: no gate evidence)' : ''}`;
    case 'failed':
      return `${id} ${entry.stage ?? ''} ${entry.failure ?? ''}: ${entry.error ?? ''}`.trim();
    case 'pruned':
      return id;
    case 'waiver':
      return `${entry.reason ?? ''}${entry.expiresAt ? ` (until ${entry.expiresAt})` : ''}`;
    default:
      return id;
  }
}

/** `dbsafe-hooks log [--json]`: the log with its hash chain checked; exit 1 when the chain is broken. */
export async function run(options: Options): Promise<number> {
  const context = await backupContext(options);
  const { entries, chain, exists } = await readLog(context.logPath);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ path: context.logPath, chain, entries }, null, 2)}\n`);
    return chain.ok ? 0 : 1;
  }
  const c = palette(useColor());
  const lines: string[] = [];
  if (!exists) lines.push(c.dim(`no log yet (${context.logPath}): take a backup with \`npx dbsafe-hooks backup\``));
  for (const entry of entries) {
    const event = entry.event === 'failed' ? c.red(entry.event.padEnd(8)) : entry.event === 'verified' ? c.green(entry.event.padEnd(8)) : entry.event.padEnd(8);
    lines.push(`${String(entry.seq).padStart(4)}  ${entry.ts}  ${event}  ${entry.instance.padEnd(10)}  ${describe(entry)}`);
  }
  if (chain.ok) lines.push(c.green(`chain intact (${entries.length} entries)`));
  else lines.push(c.red(`CHAIN BROKEN at line ${chain.brokenAt}: ${chain.reason}: ${chain.message}`), `  The log ${context.logPath} was modified outside dbsafe-hooks; the pre-push gate will refuse until it is resolved.`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return chain.ok ? 0 : 1;
}
