import { writeSync } from 'node:fs';

/**
 * stdout that fails under a command (`dbsafe-hooks doctor | head -1` closes it: EPIPE; a full disk behind
 * `> file`: ENOSPC). Node reports it as an unhandled 'error' event: a stack trace and exit 1. Said in words
 * instead, and the exit code becomes 2 (what was asked was not shown whole). The command is not stopped: a
 * restore or a backup whose output nobody reads any more still finishes its work or its rollback. Set up for
 * every command by cli-main.ts; `check`'s report writer stops at the first failed write.
 */
let failed = false;

/** `what`: how the message names what was being written (`output`, `report`). */
export function watchStdout(what = 'output'): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    // the command may already have set its code (its last write fails after it returned)
    process.exitCode = exitCodeWithOutput(Number(process.exitCode ?? 0));
    const why = error.code === 'EPIPE' ? 'its reader closed it before the end' : error.message;
    try {
      writeSync(2, `dbsafe-hooks: the ${what} could not be written to stdout (${error.code ?? 'error'}): ${why}\n`);
    } catch {
      /* stderr is gone too: the exit code still says it */
    }
  });
}

/** Whether a write to stdout has failed (the rest of the output is not worth producing). */
export function stdoutFailed(): boolean {
  return failed;
}

/** The command's exit code, or 2 when its output could not be written. */
export function exitCodeWithOutput(code: number): number {
  return failed ? Math.max(code, 2) : code;
}
