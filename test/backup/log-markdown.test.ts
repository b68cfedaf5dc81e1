import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { logEntries } from './helpers.js';

/**
 * The readable backup log (`log --format markdown [-o file]`) and `status [instance | --all]`, from real
 * SQLite backups in a real repository: two instances, a verified and an unverified backup, a waiver.
 */

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite) {
  if (process.env.CI) throw new Error('CI: sqlite3 CLI missing');
  process.stderr.write('\n!!!!! SKIPPING the backup log markdown tests: the sqlite3 CLI is missing (apt-get install sqlite3) !!!!!\n\n');
}

function sqlite(file: string, sql: string): void {
  const r = spawnSync('sqlite3', ['-bail', '-batch', file], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

let repo: TestRepo;
const cli = (...args: string[]) => runCli(args, { cwd: repo.dir });
let commit: string;

describe.skipIf(!hasSqlite)('log --format markdown, status --all', () => {
  beforeAll(() => {
    repo = makeRepo();
    sqlite(path.join(repo.dir, 'app.db'), 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users(name) VALUES (\'a\'), (\'b\');');
    sqlite(path.join(repo.dir, 'audit.db'), 'CREATE TABLE events(at TEXT);');
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { app: { url: 'sqlite:app.db', default: true }, audit: { url: 'sqlite:audit.db' } } }));
    repo.write('.gitignore', '*.db\n.dbsafe/\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'init');
    commit = repo.git('rev-parse', 'HEAD');
    for (const args of [
      ['backup', 'app', '--verify', '--reason', 'before migration 0042 | drop legacy'],
      ['backup', 'audit', '--reason', 'nightly'],
      ['waive', '--reason', 'hotfix, backup server down', '--for', '1h', '--instance', 'audit'],
    ]) {
      const r = cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });

  it('one row per backup, oldest first: date, instance, reason, id, size, commit, verified', () => {
    const result = cli('log', '--format', 'markdown');
    expect(result.code, result.stderr).toBe(0);
    const backups = logEntries(repo.dir).filter((e) => e.event === 'backup');
    expect(backups).toHaveLength(2);
    const rows = result.stdout.split('## Waivers')[0]!.split('\n').filter((line) => line.startsWith('| 2'));
    expect(rows).toHaveLength(2);
    const [app, audit] = backups;
    expect(rows[0]).toContain(`| app | before migration 0042 \\| drop legacy | \`${app!.backupId}\` |`);
    expect(rows[0]).toContain(`\`${commit.slice(0, 12)}\``);
    expect(rows[0]).toMatch(/\| yes \([a-z-]+, \d{4}-\d\d-\d\d\) \|$/);
    expect(rows[0]).toMatch(/^\| \d{4}-\d\d-\d\d \d\d:\d\d UTC \|/);
    expect(rows[1]).toContain(`| audit | nightly | \`${audit!.backupId}\` |`);
    expect(rows[1]).toMatch(/\| no \|$/);
    // a size a person reads, matching the log's byte count
    expect(rows[0]).toMatch(/\| \d+(\.\d)? (B|KB) \|/);
    expect(result.stdout).toContain('| Date | Instance | Reason | Backup | Size | Git commit | Verified |');
    expect(result.stdout).toContain('## Waivers of the pre-push backup gate');
    expect(result.stdout).toMatch(/\| audit \| hotfix, backup server down \| \d{4}-/);
    // nothing local in a file meant to be committed
    expect(result.stdout).not.toContain(repo.dir);
  });

  it('-o writes the file (creating its folder), readable by the team, and says where', () => {
    const result = cli('log', '--format', 'markdown', '-o', 'backups/backup_log.md');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('wrote backups/backup_log.md');
    const file = path.join(repo.dir, 'backups', 'backup_log.md');
    expect(readFileSync(file, 'utf8')).toBe(cli('log', '--format', 'markdown').stdout);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    // regenerating gives the same bytes (no timestamps): a committed log changes only when backups do
    cli('log', '--format', 'markdown', '-o', 'backups/backup_log.md');
    expect(readFileSync(file, 'utf8')).toBe(cli('log', '--format', 'markdown').stdout);
  });

  it('--json and --format json agree; --json with --format markdown is a usage error', () => {
    expect(JSON.parse(cli('log', '--json').stdout)).toEqual(JSON.parse(cli('log', '--format', 'json').stdout));
    const both = cli('log', '--json', '--format', 'markdown');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('cannot be combined');
    const unknown = cli('log', '--format', 'html');
    expect(unknown.code).toBe(2);
  });

  it('status --all lists every instance; status <instance> only that one; an unknown name lists the configured ones', () => {
    const all = cli('status', '--all');
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^app \(default\): 1 backup/m);
    expect(all.stdout).toMatch(/^audit: 1 backup/m);
    expect(cli('status').stdout).toBe(all.stdout);
    const one = JSON.parse(cli('status', 'audit', '--json').stdout);
    expect(one.instances.map((i: { instance: string }) => i.instance)).toEqual(['audit']);
    const unknown = cli('status', 'prod');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No database instance "prod"');
    expect(unknown.stderr).toContain('Configured instances: app, audit');
    const both = cli('status', 'app', '--all');
    expect(both.code).toBe(2);
  });

  it('a broken chain: the file is still written, says so first, and the exit code is 1', () => {
    const logFile = path.join(repo.dir, '.git', 'dbsafe', 'log.jsonl');
    appendFileSync(logFile, '{"not": "an entry"}\n');
    const result = cli('log', '--format', 'markdown', '-o', 'backups/backup_log.md');
    expect(result.code).toBe(1);
    const text = readFileSync(path.join(repo.dir, 'backups', 'backup_log.md'), 'utf8');
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n').length;
    expect(text).toContain(`**The log's hash chain is broken at line ${lines} (malformed)**`);
    expect(text.indexOf('hash chain is broken')).toBeLessThan(text.indexOf('| Date |'));
    expect(existsSync(logFile)).toBe(true);
  });
});
