import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { backupContext } from '../../backup/context.js';
import { writeFileAtomic } from '../../backup/files.js';
import { FileError, UsageError } from '../../errors.js';
import { readLog, type LogEntry } from '../../backup/log.js';
import { witnessWarnings } from '../../backup/log-witness.js';
import { palette, useColor } from '../../util/palette.js';

interface Options {
  json?: boolean;
  format?: 'text' | 'json' | 'markdown';
  output?: string;
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
    case 'pin':
      return `${id} ${entry.pinned ? 'pinned' : 'unpinned'}`;
    case 'restore':
      return `${id} ${entry.result}${entry.schemaOnly ? ' (schema only)' : ''}${entry.safetyBackupId ? `, safety backup ${entry.safetyBackupId}` : ''}${entry.error ? `: ${entry.error}` : ''}`;
    case 'waiver':
      return `${entry.reason ?? ''}${entry.expiresAt ? ` (until ${entry.expiresAt})` : ''}`;
    case 'guard-approved':
    case 'guard-refused':
      return `${entry.command ?? ''}${entry.reason ? ` (${entry.reason})` : ''}`;
    default:
      return id;
  }
}

/**
 * `dbsafe-hooks log [--format text|json|markdown] [-o file]`: the log with its hash chain checked; exit 1
 * when the chain is broken (the markdown file is still written, saying so at its top).
 */
export async function run(options: Options): Promise<number> {
  const format = chooseFormat(options);
  const context = await backupContext(options);
  const { entries, chain, exists, witnesses } = await readLog(context.logPath);
  const code = chain.ok ? 0 : 1;
  const lastSeq = entries[entries.length - 1]?.seq ?? 0;
  const warnings = chain.ok ? witnessWarnings(witnesses, lastSeq) : [];
  if (format === 'json') return emit(options, `${JSON.stringify({ path: context.logPath, chain, witnesses, warnings, entries }, null, 2)}\n`, code);
  if (format === 'markdown') {
    const { logMarkdown } = await import('../../backup/log-markdown.js');
    return emit(options, logMarkdown(entries, chain), code);
  }
  const c = palette(!options.output && useColor());
  const lines: string[] = [];
  if (!exists) lines.push(c.dim(`no log yet (${context.logPath}): take a backup with \`npx dbsafe-hooks backup\``));
  for (const entry of entries) {
    const event = entry.event === 'failed' ? c.red(entry.event.padEnd(8)) : entry.event === 'verified' ? c.green(entry.event.padEnd(8)) : entry.event.padEnd(8);
    lines.push(`${String(entry.seq).padStart(4)}  ${entry.ts}  ${event}  ${entry.instance.padEnd(10)}  ${describe(entry)}`);
  }
  if (chain.ok) lines.push(c.green(`chain intact (${entries.length} entries)`), ...warnings.map((warning) => c.yellow(`warning: ${warning}`)));
  else lines.push(c.red(`CHAIN BROKEN at line ${chain.brokenAt}: ${chain.reason}: ${chain.message}`), `  The log ${context.logPath} was modified outside dbsafe-hooks; the pre-push gate will refuse until it is resolved.`);
  return emit(options, `${lines.join('\n')}\n`, code);
}

function chooseFormat(options: Options): 'text' | 'json' | 'markdown' {
  if (options.json && options.format && options.format !== 'json') throw new UsageError(`--json and --format ${options.format} cannot be combined`);
  return options.json ? 'json' : (options.format ?? 'text');
}

/** stdout, or the -o file: written whole (temporary file + rename), readable by the team (0644). */
function emit(options: Options, text: string, code: number): number {
  if (!options.output) {
    process.stdout.write(text);
    return code;
  }
  const file = path.resolve(options.output);
  const dir = path.dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(file, text, dir);
    chmodSync(file, 0o644);
  } catch (error) {
    throw new FileError(`Could not write ${file}: ${(error as Error).message}`, { hint: 'Choose a writable path with -o.' });
  }
  process.stderr.write(`dbsafe-hooks: wrote ${path.relative(process.cwd(), file) || file}\n`);
  return code;
}
