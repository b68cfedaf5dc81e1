import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(PROJECT_ROOT, 'bin', 'dbsafe-hooks.js');

/**
 * Environment for git and the CLI in test repos: the variables git sets for hooks (GIT_DIR,
 * GIT_INDEX_FILE...) are removed so a test run from inside a hook never touches this repository,
 * and identity/config are fixed so results do not depend on the developer's ~/.gitconfig.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('GIT_') || key === 'FORCE_COLOR' || key === 'NO_COLOR') continue;
    env[key] = value;
  }
  return {
    ...env,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...extra,
  };
}

const created: string[] = [];

/**
 * A fresh temporary directory, removed after the test file (test/helpers/setup.ts), whether or not the
 * test removes it itself.
 */
export function tempDir(prefix = 'dbsafe-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Remove every directory tempDir() created in this test file (the setup file's afterAll). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface TestRepo {
  dir: string;
  git(...args: string[]): string;
  write(relPath: string, content: string | Buffer): void;
  cleanup(): void;
}

/** A real git repository in a temp dir, on branch main. */
export function makeRepo(options: { objectFormat?: 'sha1' | 'sha256' } = {}): TestRepo {
  const dir = tempDir();
  const env = cleanEnv();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main', ...(options.objectFormat ? [`--object-format=${options.objectFormat}`] : []));
  return {
    dir,
    git,
    write(relPath, content) {
      const full = path.join(dir, relPath);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Leave `file` in a merge conflict (stages 1, 2 and 3 in the index): main and a branch both change it. */
export function mergeConflict(r: TestRepo, file: string): void {
  const env = cleanEnv();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: r.dir, env, encoding: 'utf8' });
  git('checkout', '-q', '-b', 'other');
  r.write(file, 'CREATE TABLE other (id int);\n');
  git('commit', '-q', '-am', 'other');
  git('checkout', '-q', 'main');
  r.write(file, 'CREATE TABLE mine (id int);\n');
  git('commit', '-q', '-am', 'mine');
  try {
    git('merge', '-q', 'other');
  } catch {
    // the conflict is the point
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (bin/dbsafe-hooks.js → dist/) as a user would. */
export function runCli(args: string[], options: { cwd: string; input?: string; env?: NodeJS.ProcessEnv }): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    env: cleanEnv(options.env),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
