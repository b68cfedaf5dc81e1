import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { CLI, cleanEnv, type CliResult } from '../helpers/repo.js';

/** Start the built CLI without waiting (for concurrency, kill and signal tests). */
export function startCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr })));
  return { child, result };
}

/** Direct children of a process (from /proc), with their argv. */
export function childrenOf(pid: number): Array<{ pid: number; argv: string[] }> {
  const out: Array<{ pid: number; argv: string[] }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      out.push({ pid: Number(name), argv: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean) });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

export async function waitUntil<T>(probe: () => T | undefined | false, timeoutMs = 30_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Backup directories (complete or not) of an instance. */
export function backupDirs(repoDir: string, instance: string): string[] {
  const root = path.join(repoDir, '.dbsafe', 'backups', instance);
  return existsSync(root) ? readdirSync(root).sort() : [];
}

export function logText(repoDir: string): string {
  const file = path.join(repoDir, '.git', 'dbsafe', 'log.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

export function logEntries(repoDir: string): Array<Record<string, any>> {
  return logText(repoDir)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Every file under a directory, recursively, as text (to search for leaked secrets). */
export function allText(dir: string): string {
  if (!existsSync(dir)) return '';
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true } as any) as any[]) {
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isFile()) text += readFileSync(full).toString('latin1');
  }
  return text;
}

/**
 * Start `restore …`, wait until `ready()` (e.g. the side database exists) or the safety backup is announced,
 * send `signal`, and return the exit code and stderr (which holds the printed undo command).
 */
export async function interruptRestore(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; signal: NodeJS.Signals; ready?: () => boolean },
): Promise<{ code: number; stderr: string; undoArgs: () => string[] }> {
  const run = startCli(['restore', ...args], options);
  let stderr = '';
  run.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitUntil(() => (options.ready ? options.ready() : /safety backup \S+ of/.test(stderr)), 120_000);
  run.child.kill(options.signal);
  const { code } = await run.result;
  const undoArgs = () => /to undo this restore: npx dbsafe-hooks (restore .*)$/m.exec(stderr)![1]!.split(' ');
  return { code, stderr, undoArgs };
}

/**
 * A kill -9 between every two steps: run the CLI with DBSAFE_KILL_AT_STEP = 1, 2, … (src/backup/kill-point.ts)
 * until a run is not killed. `prepare()` puts the database back before each run; `afterKill()` checks what the
 * kill left behind. Returns the stages the runs were killed at and the run that completed.
 */
export function killAtEveryStep(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; prepare(): void; afterKill(kill: { step: number; stage: string; stderr: string }): void; maxSteps?: number },
): { stages: string[]; completed: CliResult } {
  const stages: string[] = [];
  for (let step = 1; step <= (options.maxSteps ?? 80); step++) {
    options.prepare();
    const run = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd, env: cleanEnv({ ...options.env, DBSAFE_KILL_AT_STEP: String(step) }), input: '', encoding: 'utf8' });
    if (run.signal !== 'SIGKILL') return { stages, completed: { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr } };
    const stage = /killed as "(.*)" began/.exec(run.stderr)?.[1];
    if (!stage) throw new Error(`step ${step}: killed, but not by DBSAFE_KILL_AT_STEP:\n${run.stderr}`);
    stages.push(stage);
    options.afterKill({ step, stage, stderr: run.stderr });
  }
  throw new Error(`still killed after ${options.maxSteps ?? 80} steps: ${stages.join(' | ')}`);
}

/**
 * What a kill -9 of a restore may leave (for killAtEveryStep): the database as it was (`mangled`) or as the
 * backup (`original`), never a third state; once restored, the undo command was printed, and it puts back
 * the state before.
 */
export function checkKilledRestore(states: { original: string; mangled: string }, contents: () => string, cli: (...args: string[]) => CliResult) {
  return ({ stage, stderr }: { stage: string; stderr: string }) => {
    const now = contents();
    expect([states.original, states.mangled], `killed as "${stage}" began`).toContain(now);
    const undo = /to undo this restore: npx dbsafe-hooks (restore .*)$/m.exec(stderr)?.[1];
    if (now === states.original) expect(undo, `restored without a way back, killed as "${stage}" began`).toBeTruthy();
    if (undo) {
      const r = cli(...undo.split(' '));
      expect(r.code, `${stage}: ${r.stderr}`).toBe(0);
      expect(contents()).toBe(states.mangled);
    }
  };
}

/** A restore run through killAtEveryStep was killed at the safety backup, at the swap and after it, then completed. */
export function expectEveryRestoreStep({ stages, completed }: { stages: string[]; completed: CliResult }): void {
  expect(stages.some((s) => /^safety backup of/.test(s))).toBe(true);
  expect(stages.some((s) => /^swapping/.test(s))).toBe(true);
  expect(stages.at(-1)).toBe('recording the restore in the log');
  expect(completed.code, completed.stderr).toBe(0);
}
