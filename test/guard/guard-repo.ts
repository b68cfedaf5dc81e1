import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, cleanEnv, makeRepo, runCli, tempDir, type CliResult, type TestRepo } from '../helpers/repo.js';

/**
 * A repository with a SQLite database configured as instance "dev", the CLI reachable as
 * node_modules/.bin/dbsafe-hooks, and fake `supabase`, `prisma`, `rails` executables on PATH that
 * record each run (so a test sees whether the guard let the command through).
 */
export interface GuardRepo {
  repo: TestRepo;
  dir: string;
  logPath: string;
  /** PATH with the fake tools first. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  cli(args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string }): CliResult;
  /** Run a command line on a pseudo-terminal (util-linux `script`), typing `typed` into it. */
  onTerminal(args: string[], typed: string, env?: NodeJS.ProcessEnv): CliResult;
  /** The fake tools' runs, one `name args…` line each. */
  ran(): string[];
  backup(verify?: boolean, env?: NodeJS.ProcessEnv): string;
  logEntries(): Array<Record<string, unknown>>;
  cleanup(): void;
}

export const CONFIG = { databases: { dev: { url: 'sqlite:data/dev.db' } } };

export function makeGuardRepo(config: unknown = CONFIG): GuardRepo {
  const repo = makeRepo();
  const fakeDir = tempDir('dbsafe-fake-bin-');
  const ranFile = path.join(fakeDir, 'ran.log');
  for (const tool of ['supabase', 'prisma', 'rails']) {
    const file = path.join(fakeDir, tool);
    writeFileSync(file, `#!/bin/sh\necho "${tool} $*" >> "${ranFile}"\necho "${tool} ran: $*"\nexit \${FAKE_EXIT:-0}\n`);
    chmodSync(file, 0o755);
  }
  const bin = path.join(repo.dir, 'node_modules', '.bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'dbsafe-hooks'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(path.join(bin, 'dbsafe-hooks'), 0o755);
  repo.write('package.json', JSON.stringify({ name: 'app', private: true, scripts: { 'db:reset': 'supabase db reset', build: 'echo built' } }, null, 2));
  repo.write('.gitignore', 'node_modules/\ndata/\n.dbsafe/\n');
  repo.write('.dbsaferc.json', JSON.stringify(config, null, 2));
  mkdirSync(path.join(repo.dir, 'data'), { recursive: true });
  const db = spawnSync('sqlite3', [path.join(repo.dir, 'data', 'dev.db'), "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('a@example.com');"], { encoding: 'utf8' });
  if (db.status !== 0) throw new Error(`sqlite3 failed: ${db.stderr}`);
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'initial');
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ PATH: `${fakeDir}:${process.env.PATH}`, CI: '', ...extra });
  const guardRepo: GuardRepo = {
    repo,
    dir: repo.dir,
    logPath: path.join(repo.dir, '.git', 'dbsafe', 'log.jsonl'),
    env,
    cli(args, options = {}) {
      return runCli(args, { cwd: repo.dir, env: env(options.env), input: options.input });
    },
    onTerminal(args, typed, extra = {}) {
      const line = [process.execPath, CLI, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
      const result = spawnSync('script', ['-qec', line, '/dev/null'], { cwd: repo.dir, env: cleanEnv(env(extra)), input: typed, encoding: 'utf8' });
      return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    ran() {
      return existsSync(ranFile) ? readFileSync(ranFile, 'utf8').split('\n').filter(Boolean) : [];
    },
    backup(verify = true, extra = {}) {
      const result = runCli(['backup', 'dev', ...(verify ? ['--verify'] : []), '--json'], { cwd: repo.dir, env: env(extra) });
      if (result.code !== 0) throw new Error(`backup failed: ${result.stderr}`);
      const id = (JSON.parse(result.stdout) as { id?: string }).id;
      if (!id) throw new Error(`no backup id in ${result.stdout}`);
      return id;
    },
    logEntries() {
      return existsSync(guardRepo.logPath) ? readFileSync(guardRepo.logPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) : [];
    },
    cleanup() {
      repo.cleanup();
    },
  };
  return guardRepo;
}

export function hoursFromNow(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString();
}
