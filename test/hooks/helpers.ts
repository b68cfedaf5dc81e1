import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, cleanEnv, makeRepo, runCli, tempDir, type TestRepo } from '../helpers/repo.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run git (or anything) in a test repo without throwing: hooks decide the exit code. */
export function run(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Run {
  const result = spawnSync(command, args, { cwd, env: cleanEnv(env), encoding: 'utf8', input: input ?? '' });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export const git = (cwd: string, ...args: string[]) => run(cwd, 'git', args);

/** Link the built CLI where an npm install would put it. */
export function linkBin(dir: string): void {
  mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(CLI, path.join(dir, 'node_modules', '.bin', 'dbsafe-hooks'));
}

/** Tests install hooks even when the test run itself is in CI. */
export const NO_CI = { CI: '', DBSAFE: '' };

export const DEFAULT_CONFIG = {
  migrations: [{ glob: ['db/migrations/**/*.sql'], format: 'sql' }],
  dialect: 'postgres',
  gate: { enabled: false },
};

export interface HookRepo extends TestRepo {
  commit(...args: string[]): Run;
  push(...args: string[]): Run;
}

/**
 * A repository with the hooks installed the way a user would: node_modules/.bin linked, a
 * .dbsaferc.json, `dbsafe-hooks install`, and a first commit (unless `initial: false`).
 */
export function hookRepo(options: { config?: object; initial?: boolean; objectFormat?: 'sha1' | 'sha256' } = {}): HookRepo {
  const repo = makeRepo({ objectFormat: options.objectFormat });
  linkBin(repo.dir);
  repo.write('.dbsaferc.json', JSON.stringify(options.config ?? DEFAULT_CONFIG, null, 2));
  repo.write('.gitignore', 'node_modules/\n.dbsafe/\n');
  const installed = runCli(['install'], { cwd: repo.dir, env: NO_CI });
  if (installed.code !== 0) throw new Error(`install failed: ${installed.stderr}`);
  const hookRepo: HookRepo = {
    ...repo,
    commit: (...args) => run(repo.dir, 'git', ['commit', '-q', ...args]),
    push: (...args) => run(repo.dir, 'git', ['push', '-q', ...args]),
  };
  if (options.initial !== false) {
    repo.write('README.md', 'hello\n');
    repo.git('add', '.dbsaferc.json', '.gitignore', 'README.md');
    const first = hookRepo.commit('-m', 'initial');
    if (first.code !== 0) throw new Error(`initial commit failed: ${first.stderr}`);
  }
  return hookRepo;
}

/** A bare repository to push to. */
export function bareRemote(objectFormat: 'sha1' | 'sha256' = 'sha1'): { dir: string; cleanup(): void } {
  const dir = tempDir('dbsafe-remote-');
  run(dir, 'git', ['init', '-q', '--bare', '-b', 'main', `--object-format=${objectFormat}`]);
  return { dir, cleanup: () => spawnSync('rm', ['-rf', dir]) };
}

export const DROP = 'DROP TABLE users;\n';
export const CREATE = 'CREATE TABLE users (id int);\n';
export const APPROVED_DROP = '-- dbsafe:allow drop-table(users) -- users moved to accounts in release 42\nDROP TABLE users;\n';

export function writeFile(dir: string, rel: string, content: string | Buffer): void {
  const full = path.join(dir, rel);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
}
