import { spawn, type ChildProcess } from 'node:child_process';
import { ClientError } from '../errors.js';
import { redactText } from './redact.js';

/**
 * Child processes for the engines: never a shell, an args array, stdin/stdout as streams so dumps
 * are never buffered, stderr kept (last 16 KB) and redacted before anyone sees it. Every child's
 * exit code is checked by the caller through `done`.
 */

export interface ChildRun {
  child: ChildProcess;
  /** Resolves when the process exited and its stdio closed; never rejects. */
  done: Promise<ChildExit>;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Redacted tail of stderr. */
  stderr: string;
  /** Set when the program could not be started (ENOENT…). */
  spawnError?: Error;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  stdin?: 'pipe' | 'ignore';
  stdout?: 'pipe' | 'ignore';
  /** Secrets to scrub from stderr besides URL-shaped passwords. */
  secrets?: Array<string | undefined>;
  cwd?: string;
}

/** Processes started and not yet exited: killed on SIGINT/SIGTERM by the cleanup handler. */
export const liveChildren = new Set<ChildProcess>();

export function startChild(file: string, args: string[], options: StartOptions = {}): ChildRun {
  const child = spawn(file, args, {
    env: options.env ?? process.env,
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'],
    cwd: options.cwd,
  });
  liveChildren.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-16_384);
  });
  const done = new Promise<ChildExit>((resolve) => {
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
      liveChildren.delete(child);
      resolve({ code: null, signal: null, stderr: '', spawnError });
    });
    child.once('close', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal, stderr: redactText(stderr, options.secrets ?? []).trim(), spawnError });
    });
  });
  return { child, done };
}

/** Run to completion collecting stdout (for small outputs only: versions, lists). */
export async function runCapture(
  file: string,
  args: string[],
  options: StartOptions & { input?: string } = {},
): Promise<ChildExit & { stdout: string }> {
  const run = startChild(file, args, { ...options, stdin: options.input === undefined ? 'ignore' : 'pipe' });
  let stdout = '';
  run.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  if (options.input !== undefined) {
    run.child.stdin?.on('error', () => undefined);
    run.child.stdin?.end(options.input);
  }
  const exit = await run.done;
  return { ...exit, stdout };
}

/** A one-line description of how a child failed, for error messages. */
export function describeExit(name: string, exit: ChildExit): string {
  if (exit.spawnError) return `${name} could not be started: ${exit.spawnError.message}`;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const lines = exit.stderr ? exit.stderr.split('\n') : [];
  const last = lines.slice(-5);
  // the first error names the cause (a lost connection); the tail may only be what followed it
  const first = lines.find((line) => /\b(error|ERROR|FATAL)\b/.test(line));
  const shown = first && !last.includes(first) ? [first, '…', ...last] : last;
  return `${name} ${how}${shown.length ? `: ${shown.join(' | ')}` : ''}`;
}

/**
 * A child that died of Ctrl-C / SIGTERM / SIGHUP (sent to the whole process group by a terminal, or
 * by us while cleaning up): pg_dump / pg_restore catch the signal and exit 1 saying "terminated by
 * user". Its failure says nothing about the backup.
 */
export function diedOfInterrupt(exit: ChildExit): boolean {
  return (exit.signal !== null && ['SIGINT', 'SIGTERM', 'SIGHUP'].includes(exit.signal)) || /terminated by user/.test(exit.stderr);
}

export function requireStarted(name: string, exit: ChildExit, hint: string): void {
  if (exit.spawnError && (exit.spawnError as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new ClientError(`${name} was not found`, { hint });
  }
}

/** Parse "pg_dump (PostgreSQL) 15.18 (Debian…)" / "mariadb-dump Ver 10.19 Distrib 10.11.19-MariaDB" / "3.40.1 …". */
export function parseVersion(text: string): { version: string; major: number } | undefined {
  const distrib = /Distrib\s+(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (distrib) return { version: `${distrib[1]}.${distrib[2]}.${distrib[3]}`, major: Number(distrib[1]) };
  const mysql = /Ver\s+(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (mysql && !/Distrib/.test(text)) return { version: `${mysql[1]}.${mysql[2]}.${mysql[3]}`, major: Number(mysql[1]) };
  const plain = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!plain) return undefined;
  return { version: plain[0], major: Number(plain[1]) };
}
