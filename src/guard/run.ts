import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { isatty } from 'node:tty';

/**
 * Run the command as if the guard were not there: stdio inherited (a terminal stays a terminal),
 * every catchable terminating signal sent to the guard is passed on to the child, and the guard
 * ends the way the child ended: its exit code, or killed by the same signal.
 */

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
/** A terminal sends these to its whole foreground process group: the child has them already. */
const FROM_TERMINAL = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT']);

export interface RunTarget {
  /** An argv run directly, or a shell line run by `/bin/sh -c`. */
  argv?: readonly string[];
  line?: string;
}

/** Resolves with the exit code to return, or never (the guard re-raises the child's signal). */
export function runCommand(target: RunTarget): Promise<number> {
  const [file, ...args] = target.line !== undefined ? ['/bin/sh', '-c', target.line] : [...(target.argv ?? [])];
  if (!file) return Promise.resolve(0);
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit' });
    const handlers = new Map<NodeJS.Signals, () => void>();
    const terminal = isatty(0);
    for (const signal of FORWARDED) {
      // the guard outlives the child either way: it must report how the child ended
      const handler = () => {
        if (terminal && FROM_TERMINAL.has(signal)) return;
        if (child.pid !== undefined && child.exitCode === null) child.kill(signal);
      };
      handlers.set(signal, handler);
      process.on(signal, handler);
    }
    const detach = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      detach();
      process.stderr.write(`dbsafe-hooks: could not run ${file}: ${error.code === 'ENOENT' ? 'command not found' : error.message}\n`);
      // as a shell does: 127 not found, 126 not executable
      resolve(error.code === 'ENOENT' ? 127 : 126);
    });
    child.on('exit', (code, signal) => {
      detach();
      if (signal) {
        // end the way the child ended, so the caller (a shell, an agent) sees the signal
        process.kill(process.pid, signal);
        // a signal that does not end this process (ignored, or SIGUSR1 taken by node's inspector):
        // once it had time to arrive, report it as a shell would
        setTimeout(() => resolve(128 + (constants.signals[signal] ?? 0)), 200);
        return;
      }
      resolve(code ?? 0);
    });
  });
}
