import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, cleanEnv, makeRepo, runCli, tempDir, type CliResult, type TestRepo } from '../helpers/repo.js';

/**
 * A real repository with a local bare remote and the pre-push hook installed by `dbsafe-hooks
 * install`, the CLI reachable as node_modules/.bin/dbsafe-hooks (as after `npm i -D dbsafe-hooks`).
 * Pushes are real `git push` runs; time is injected with DBSAFE_NOW, never slept.
 */
export interface GatedRepo {
  repo: TestRepo;
  dir: string;
  remote: string;
  logPath: string;
  /** `git push …` through the installed hook. */
  push(args: string[], env?: NodeJS.ProcessEnv): CliResult;
  cli(args: string[], env?: NodeJS.ProcessEnv): CliResult;
  commit(files: Record<string, string>, message: string): string;
  /** The oid the remote has for a ref, or '' when it has none. */
  remoteOid(ref: string): string;
  writeConfig(config: unknown): void;
  cleanup(): void;
}

export function sqliteDb(file: string, sql = 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES (\'a@example.com\'), (\'b@example.com\');'): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const result = spawnSync('sqlite3', [file, sql], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`sqlite3 failed: ${result.stderr}`);
}

export function makeGatedRepo(config: unknown): GatedRepo {
  const repo = makeRepo();
  const remoteDir = tempDir('dbsafe-remote-');
  const remote = path.join(remoteDir, 'remote.git');
  spawnSync('git', ['init', '-q', '--bare', remote], { env: cleanEnv() });
  const bin = path.join(repo.dir, 'node_modules', '.bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'dbsafe-hooks'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(path.join(bin, 'dbsafe-hooks'), 0o755);
  repo.write('.gitignore', 'node_modules/\n*.db\n');
  repo.write('.dbsaferc.json', JSON.stringify(config, null, 2));
  repo.write('src/app.js', 'console.log(1);\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'initial');
  repo.git('remote', 'add', 'origin', remote);
  repo.git('push', '-q', 'origin', 'main');
  // CI is set when the suite runs in CI, and install (rightly) does nothing there unless told to
  const install = runCli(['install'], { cwd: repo.dir, env: { CI: '', DBSAFE: '' } });
  if (install.code !== 0) throw new Error(`install failed: ${install.stderr}`);
  if (!existsSync(path.join(repo.dir, '.git', 'hooks', 'pre-push'))) throw new Error(`install wrote no pre-push hook: ${install.stdout}${install.stderr}`);
  if (spawnSync('git', ['status', '--porcelain'], { cwd: repo.dir, encoding: 'utf8', env: cleanEnv() }).stdout.trim()) {
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'install dbsafe-hooks');
  }
  // the log's witness outside the repository (backup/log-witness.ts) goes with the test repository
  const stateEnv = { XDG_STATE_HOME: path.join(remoteDir, 'state') };
  const gated: GatedRepo = {
    repo,
    dir: repo.dir,
    remote,
    logPath: path.join(repo.dir, '.git', 'dbsafe', 'log.jsonl'),
    push(args, env = {}) {
      const result = spawnSync('git', ['push', ...args], { cwd: repo.dir, env: cleanEnv({ ...stateEnv, ...env }), encoding: 'utf8' });
      return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    cli(args, env = {}) {
      return runCli(args, { cwd: repo.dir, env: { ...stateEnv, ...env } });
    },
    commit(files, message) {
      for (const [file, content] of Object.entries(files)) repo.write(file, content);
      repo.git('add', '-A');
      repo.git('commit', '-q', '-m', message);
      return repo.git('rev-parse', 'HEAD');
    },
    remoteOid(ref) {
      const result = spawnSync('git', ['rev-parse', '-q', '--verify', ref], { cwd: remote, env: cleanEnv(), encoding: 'utf8' });
      return result.status === 0 ? result.stdout.trim() : '';
    },
    writeConfig(next) {
      repo.write('.dbsaferc.json', JSON.stringify(next, null, 2));
    },
    cleanup() {
      repo.cleanup();
      rmSync(remoteDir, { recursive: true, force: true });
    },
  };
  return gated;
}

/** A verified backup taken through the real CLI; returns its log entries' backupId. */
export function backupVerified(gated: GatedRepo, instance = 'dev', env: NodeJS.ProcessEnv = {}): string {
  const result = gated.cli(['backup', instance, '--verify', '--json'], env);
  if (result.code !== 0) throw new Error(`backup --verify failed (exit ${result.code}): ${result.stderr}`);
  const verified = logEntries(gated).filter((entry) => entry.event === 'verified');
  const last = verified[verified.length - 1];
  if (!last) throw new Error('backup --verify wrote no verified entry');
  return String(last.backupId);
}

export function logEntries(gated: GatedRepo): Array<Record<string, unknown>> {
  if (!existsSync(gated.logPath)) return [];
  return readFileSync(gated.logPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Every file and directory of dbsafe's state (.git/dbsafe and the backup dir) with a hash of its content: proof the gate wrote nothing. */
export function stateSnapshot(gated: GatedRepo): Record<string, string> {
  const snapshot: Record<string, string> = {};
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const key = path.relative(gated.dir, full);
      if (entry.isDirectory()) {
        snapshot[key] = 'dir';
        walk(full);
      } else snapshot[key] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(path.dirname(gated.logPath));
  walk(path.join(gated.dir, '.dbsafe'));
  return snapshot;
}

export function hoursFromNow(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString();
}

/** The `Fix:` lines of a gate report. */
export function fixLines(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('Fix:')).map((line) => line.replace(/^.*Fix: /, ''));
}
