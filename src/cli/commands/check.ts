import { writeSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { stdoutFailed } from '../closed-output.js';
import type { CheckMode } from '../../check/run-check.js';
import { tuneForManyFiles } from '../../util/v8-tuning.js';
import { useColor } from '../../util/palette.js';

export interface CheckCommandOptions {
  staged?: boolean;
  all?: boolean;
  worktree?: boolean;
  base?: string;
  head?: string;
  format?: 'text' | 'json' | 'sarif' | 'github';
  config?: string;
}

/**
 * `dbsafe-hooks check [files...]`:
 *   (no flags)          what is staged in the git index (the commit being made)
 *   --staged <files>    the same, limited to these files (lint-staged, pre-commit framework)
 *   <files>             these files' content as staged in the index (read from disk when not in it)
 *   --worktree <files>  these files from disk
 *   --all               every migration file: the index plus untracked files
 *   --base <ref>        what changed in <ref>...HEAD (CI); --head <ref> instead of HEAD
 * Exit 0 nothing at error level, 1 blocked, 2 could not check.
 */
export async function run(files: string[] = [], options: CheckCommandOptions = {}): Promise<number> {
  const mode = chooseMode(files, options);
  tuneForManyFiles();
  const { runCheck } = await import('../../check/run-check.js');
  const result = await runCheck({
    cwd: process.cwd(),
    mode,
    configPath: options.config,
    only: mode.kind === 'staged' && files.length ? files : undefined,
    // many files (--all, --base, explicit lists): read them on every core
    workers: true,
  });
  const { reportPieces, exitCodeFor } = await import('../../reporters/index.js');
  const { VERSION } = await import('../../version.js');
  const format = options.format ?? 'text';
  for (const note of result.notes) process.stderr.write(`dbsafe-hooks: note: ${note}\n`);
  await writeInBatches(reportPieces(result, format, { color: format === 'text' && useColor(process.stdout), version: VERSION }));
  return exitCodeFor(result);
}

export function chooseMode(files: string[], options: CheckCommandOptions): CheckMode {
  const chosen = [options.staged && '--staged', options.all && '--all', options.base !== undefined && '--base'].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`${chosen.join(' and ')} cannot be combined`);
  if (options.head !== undefined && options.base === undefined) throw new UsageError('--head goes with --base <ref>');
  if (options.worktree && (options.staged || options.all || options.base !== undefined)) {
    throw new UsageError('--worktree goes with file paths only (it reads them from disk)');
  }
  if (options.all || options.base !== undefined) {
    if (files.length) throw new UsageError(`${options.all ? '--all' : '--base'} checks a whole set of files; do not also give file paths`);
    return options.all ? { kind: 'all' } : { kind: 'range', base: options.base!, head: options.head };
  }
  if (options.worktree) {
    if (!files.length) throw new UsageError('--worktree needs the migration files to read, e.g. `check --worktree db/migrations/*.sql`');
    return { kind: 'files', files, source: 'worktree' };
  }
  if (files.length && !options.staged) return { kind: 'files', files, source: 'index' };
  return { kind: 'staged' };
}

/**
 * A report of thousands of findings is written in batches of ~64 KB, never built whole, and to a pipe only as
 * fast as the reader takes it (a pipe's writes queue in memory otherwise): peak memory. A write that fails
 * (`| head` closed stdout) ends the report; cli/closed-output.ts says so and makes the exit code 2. A process
 * that ends while the report is still being handed to stdout says so on stderr instead of leaving an empty
 * report behind an exit code.
 */
async function writeInBatches(pieces: Iterable<string>): Promise<void> {
  // only while this function waits for stdout: a process that ends then says so (and fails)
  const cutShort = () => {
    writeSync(2, 'dbsafe-hooks: the report was cut short: the process ended before all of it reached stdout\n');
    process.exitCode = 2;
  };
  process.once('exit', cutShort);
  // resolves once the batch is handed over (or failed): the backpressure
  const write = (batch: string) => new Promise<void>((resolve) => process.stdout.write(batch, () => resolve()));
  try {
    let batch = '';
    for (const piece of pieces) {
      batch += piece;
      if (batch.length < 65536) continue;
      await write(batch);
      if (stdoutFailed()) return;
      batch = '';
    }
    await write(batch);
  } finally {
    process.off('exit', cutShort);
  }
}
