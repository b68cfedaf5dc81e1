import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { PROJECT_ROOT, runCli, type CliResult, type TestRepo } from '../helpers/repo.js';

/**
 * The CLI tests run the built CLI. `npm test` builds first; when a file is run alone on a fresh
 * checkout, build once (serialized with other builds by the lock).
 */
export function buildOnce(): void {
  if (existsSync(path.join(PROJECT_ROOT, 'dist', 'cli.cjs'))) return;
  execFileSync('flock', ['/tmp/dbsafe-build.lock', 'npm', 'run', 'build'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
}

/** Write files and commit them all (no hooks are installed in test repos). */
export function commit(repo: TestRepo, files: Record<string, string | Buffer>, message = 'commit'): void {
  for (const [file, content] of Object.entries(files)) repo.write(file, content);
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', message);
}

export interface JsonFinding {
  rule: string;
  severity: 'error' | 'warn';
  message: string;
  file: string;
  line: number;
  column: number;
  object?: string;
  detail?: string;
}

export function findingsOf(result: CliResult): JsonFinding[] {
  try {
    return JSON.parse(result.stdout).findings;
  } catch {
    throw new Error(`not JSON output (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Whatever happens, the user never sees a stack trace. */
export function noStackTrace(result: CliResult): void {
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
}

/** `dbsafe-hooks check --format json <args>` in the repository (or `cwd`), never with a stack trace. */
export function checkJson(repo: TestRepo, args: string[], cwd?: string): CliResult {
  const result = runCli(['check', '--format', 'json', ...args], { cwd: cwd ?? repo.dir });
  noStackTrace(result);
  return result;
}
