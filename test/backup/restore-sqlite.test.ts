import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { interruptRestore, checkKilledRestore, expectEveryRestoreStep, killAtEveryStep, logEntries } from './helpers.js';

/** restore / rollback on real SQLite files through the built CLI. */

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite) {
  if (process.env.CI) throw new Error('CI: sqlite3 CLI missing');
  process.stderr.write('\n!!!!! SKIPPING SQLite restore tests: the sqlite3 CLI is missing !!!!!\n\n');
}

const sqlite = (file: string, sql: string) => {
  const r = spawnSync('sqlite3', ['-bail', '-batch', file], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
};
/** Every object's definition and every row, in a stable text form. */
const contents = (file: string) => sqlite(file, '.dump');

let repos: TestRepo[] = [];
afterEach(() => {
  for (const repo of repos) repo.cleanup();
  repos = [];
});

const SCHEMA = `PRAGMA journal_mode=WAL;
CREATE TABLE users(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, avatar BLOB);
CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total REAL);
CREATE TABLE events(kind TEXT, at TEXT);
CREATE INDEX orders_user ON orders(user_id);
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
CREATE TRIGGER users_ai AFTER INSERT ON users BEGIN INSERT INTO events VALUES ('user', 'now'); END;
INSERT INTO users(name, avatar) VALUES ('ada 😀', x'00ff10'), ('bob', NULL);
INSERT INTO orders(user_id, total) VALUES (1, 120.5), (2, 1e308), (1, -0.0);
INSERT INTO events VALUES ('dup', 'x'), ('dup', 'x');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO events SELECT 'bulk', printf('%08d', i) FROM n;`;

const MANGLE = `DROP VIEW big_orders; DROP TABLE orders; DELETE FROM events WHERE rowid % 3 = 0; UPDATE users SET name = 'mangled';
CREATE TABLE stray(x); INSERT INTO stray VALUES (1);`;

function sqliteRepo() {
  const repo = makeRepo();
  repos.push(repo);
  const db = path.join(repo.dir, 'dev.db');
  sqlite(db, SCHEMA);
  repo.write('.dbsaferc.json', JSON.stringify({ databases: { dev: { url: 'sqlite:dev.db' } } }));
  return Object.assign(repo, { db, cli: (...args: string[]) => runCli(args, { cwd: repo.dir }) });
}

function backupVerified(repo: ReturnType<typeof sqliteRepo>, ...args: string[]): string {
  const r = repo.cli('backup', '--verify', '--json', ...args);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return JSON.parse(r.stdout).id;
}

describe.skipIf(!hasSqlite)('restore on SQLite (real sqlite3 CLI)', { timeout: 120_000 }, () => {
  beforeAll(() => {
    if (!existsSync(path.join(process.cwd(), 'dist', 'cli.cjs'))) throw new Error('run `npm run build` first (tests use the built CLI)');
  });

  it('round trip: after dropping and mangling tables, restore --latest --yes gives back exactly the backup; the safety backup undoes it', () => {
    const repo = sqliteRepo();
    const original = contents(repo.db);
    const id = backupVerified(repo);
    sqlite(repo.db, MANGLE);
    const mangled = contents(repo.db);

    const r = repo.cli('restore', '--latest', '--yes');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(contents(repo.db)).toBe(original);
    expect(sqlite(repo.db, 'PRAGMA integrity_check; PRAGMA journal_mode;')).toBe('ok\nwal');
    expect(r.stdout).toContain(`from backup ${id}`);
    const safety = /safety backup (\S+) of/.exec(r.stderr)?.[1];
    expect(safety, r.stderr).toBeTruthy();
    expect(r.stderr).toContain(`npx dbsafe-hooks restore ${safety} dev --yes`);
    expect(r.stdout).toMatch(/verified\s+a recent verification from the log/);

    // the log records the restore; status shows it
    const restore = logEntries(repo.dir).filter((e) => e.event === 'restore');
    expect(restore).toHaveLength(1);
    expect(restore[0]).toMatchObject({ instance: 'dev', backupId: id, safetyBackupId: safety, result: 'restored', verification: 'reused' });
    const status = repo.cli('status');
    expect(status.stdout).toMatch(new RegExp(`restored\\s+${id}.*safety ${safety}`));
    // the previous file is kept beside the database
    expect(readdirSync(repo.dir).some((n) => n.startsWith('dev.db.dbsafe-prev-'))).toBe(true);

    // the safety backup (pinned, verified) puts the mangled state back: the restore is undone
    const safetyManifest = logEntries(repo.dir).find((e) => e.event === 'backup' && e.backupId === safety);
    expect(safetyManifest).toMatchObject({ pinned: true });
    const undo = repo.cli('restore', safety!, 'dev', '--yes');
    expect(undo.code, undo.stderr).toBe(0);
    expect(contents(repo.db)).toBe(mangled);
    // --latest skips safety backups: it still means the newest deliberate backup
    const again = repo.cli('restore', '--latest', '--yes', '--drop-previous');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`from backup ${id}`);
    expect(contents(repo.db)).toBe(original);
  });

  it('a restore in the same second as an earlier one keeps that one\'s previous state: its file is never replaced', () => {
    const repo = sqliteRepo();
    backupVerified(repo);
    sqlite(repo.db, MANGLE);
    // the previous state is named by the second the restore starts: an earlier restore's file for this second and
    // the next few is already there (what two restores in one second leave)
    const stamp = (at: number) => new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').toLowerCase();
    const now = Date.now();
    const earlier = [0, 1, 2, 3, 4, 5].map((s) => path.join(repo.dir, `dev.db.dbsafe-prev-${stamp(now + s * 1000)}`));
    for (const file of earlier) writeFileSync(file, 'the state an earlier restore kept\n');
    const r = repo.cli('restore', '--latest', '--yes');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const file of earlier) expect(readFileSync(file, 'utf8')).toBe('the state an earlier restore kept\n');
    const kept = readdirSync(repo.dir).filter((n) => n.startsWith('dev.db.dbsafe-prev-') && !earlier.includes(path.join(repo.dir, n)));
    expect(kept).toHaveLength(1);
    // the mangled state this restore replaced is in its own file
    expect(sqlite(path.join(repo.dir, kept[0]!), 'SELECT count(*) FROM stray')).toBe('1');
  });

  it('without a terminal --yes is required; an unknown id is exit 2; nothing is touched either way', () => {
    const repo = sqliteRepo();
    backupVerified(repo);
    sqlite(repo.db, MANGLE);
    const before = contents(repo.db);
    const noYes = repo.cli('restore', '--latest');
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/no terminal to confirm on/);
    expect(noYes.stderr).toMatch(/--yes/);
    const unknown = repo.cli('restore', '20990101T000000Z-abcdef', '--yes');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No backup "20990101T000000Z-abcdef"/);
    expect(unknown.stderr).not.toMatch(/at .*\.js/);
    const secret = repo.cli('restore', '--latest', '--yes', '--into', 'postgres://u:hunter2@localhost/db');
    expect(secret.code).toBe(2);
    expect(secret.stderr).toMatch(/--into must not contain a password/);
    expect(secret.stderr).not.toContain('hunter2');
    const neither = repo.cli('restore', '--yes');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/Name the backup to restore, or pass --latest/);
    expect(contents(repo.db)).toBe(before);
    expect(logEntries(repo.dir).filter((e) => e.event === 'restore' || (e.event === 'backup' && e.pinned))).toHaveLength(0);
  });

  it('an artifact damaged after its verification is refused (exit 1) and the database is untouched', () => {
    const repo = sqliteRepo();
    const id = backupVerified(repo);
    sqlite(repo.db, MANGLE);
    const before = contents(repo.db);
    const artifact = path.join(repo.dir, '.dbsafe', 'backups', 'dev', id, 'db.sqlite.gz');
    const size = statSync(artifact).size;
    // flip bytes in place: same size, so only the re-hash can tell
    const fd = spawnSync('sh', ['-c', `printf 'XXXX' | dd of='${artifact}' bs=1 seek=${Math.floor(size / 2)} conv=notrunc 2>/dev/null`]);
    expect(fd.status).toBe(0);
    const r = repo.cli('restore', id, '--yes');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/does not verify \(checksum-mismatch\)/);
    expect(contents(repo.db)).toBe(before);
    expect(logEntries(repo.dir).filter((e) => e.event === 'failed').pop()).toMatchObject({ backupId: id, failure: 'checksum-mismatch' });
    expect(logEntries(repo.dir).some((e) => e.event === 'restore')).toBe(false);
  });

  it('refuses while another process holds the database open, naming it', async () => {
    const repo = sqliteRepo();
    backupVerified(repo);
    const holder = spawn('sqlite3', [repo.db], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      holder.stdin.write('SELECT count(*) FROM users;\n');
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const r = repo.cli('restore', '--latest', '--yes');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`open in another process: pid ${holder.pid} \\(sqlite3\\)`));
      expect(logEntries(repo.dir).some((e) => e.event === 'restore')).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a stale -wal with committed frames is folded into the kept previous file, never replayed into the restored one', async () => {
    const repo = sqliteRepo();
    const original = contents(repo.db);
    backupVerified(repo);
    // a writer that dies without checkpointing leaves its committed rows only in dev.db-wal
    const writer = spawn('sqlite3', [repo.db], { stdio: ['pipe', 'pipe', 'pipe'] });
    writer.stdin.write("PRAGMA wal_autocheckpoint = 0; INSERT INTO users(name) VALUES ('only in wal'); SELECT 'written';\n");
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer.once('close', resolve));
    expect(statSync(`${repo.db}-wal`).size).toBeGreaterThan(0);

    const r = repo.cli('restore', '--latest', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(contents(repo.db)).toBe(original);
    const previous = readdirSync(repo.dir).find((n) => n.startsWith('dev.db.dbsafe-prev-'))!;
    expect(sqlite(path.join(repo.dir, previous), "SELECT count(*) FROM users WHERE name = 'only in wal';")).toBe('1');
    // and the safety backup has the row too
    const safety = /safety backup (\S+) of/.exec(r.stderr)![1]!;
    expect(repo.cli('restore', safety, 'dev', '--yes').code).toBe(0);
    expect(sqlite(repo.db, "SELECT count(*) FROM users WHERE name = 'only in wal';")).toBe('1');
  });

  it.each([
    ['kill -9', 'SIGKILL' as const, 128],
    ['Ctrl-C', 'SIGINT' as const, 2], // interrupted runs exit 2 (docs/backup.md)
  ])('%s mid-restore leaves the database as it was or as the backup; the printed safety command restores it; no side file', async (_name, signal, code) => {
    const repo = sqliteRepo();
    const original = contents(repo.db);
    backupVerified(repo);
    sqlite(repo.db, MANGLE);
    const mangled = contents(repo.db);
    // interrupted right after the safety backup is announced: the restore itself is under way
    const run = await interruptRestore(['--latest', '--yes', '--reverify'], { cwd: repo.dir, signal });
    expect(run.code).toBe(code);
    expect([original, mangled]).toContain(contents(repo.db));
    expect(sqlite(repo.db, 'PRAGMA integrity_check;')).toBe('ok');
    if (signal === 'SIGINT') expect(readdirSync(repo.dir).filter((n) => n.includes('dbsafe-new'))).toEqual([]);
    // the lock is free and the printed command puts the state before back
    const undo = repo.cli(...run.undoArgs());
    expect(undo.code, undo.stderr).toBe(0);
    expect(contents(repo.db)).toBe(mangled);
    expect(readdirSync(repo.dir).filter((n) => n.includes('dbsafe-new'))).toEqual([]);
  });

  it('kill -9 between every two steps: the database is as it was or as the backup, the printed command undoes it, the next restore works', () => {
    const repo = sqliteRepo();
    const original = contents(repo.db);
    const id = backupVerified(repo);
    const mangle = () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(repo.db + suffix, { force: true });
      sqlite(repo.db, SCHEMA + MANGLE);
    };
    mangle();
    const mangled = contents(repo.db);
    const run = killAtEveryStep(['restore', id, '--yes', '--reverify'], {
      cwd: repo.dir,
      prepare: () => contents(repo.db) !== mangled && mangle(),
      afterKill: (kill) => {
        expect(sqlite(repo.db, 'PRAGMA integrity_check;')).toBe('ok');
        checkKilledRestore({ original, mangled }, () => contents(repo.db), repo.cli)(kill);
      },
    });
    expectEveryRestoreStep(run);
    expect(contents(repo.db)).toBe(original);
    expect(readdirSync(repo.dir).filter((n) => n.includes('dbsafe-new'))).toEqual([]);
    const tmp = path.join(repo.dir, '.git', 'dbsafe', 'tmp');
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
  });

  it('--schema-only restores every definition with empty tables; --into a new path leaves the source alone', () => {
    const repo = sqliteRepo();
    const id = backupVerified(repo);
    const before = contents(repo.db);
    const copy = path.join(repo.dir, 'rehearsal.db');
    const r = repo.cli('restore', id, '--yes', '--schema-only', '--into', 'rehearsal.db');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/safety\s+none: the target did not exist/);
    expect(sqlite(copy, "SELECT type || ' ' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY 1;")).toBe(
      sqlite(repo.db, "SELECT type || ' ' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY 1;"),
    );
    expect(sqlite(copy, 'SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM events);')).toBe('0');
    expect(contents(repo.db)).toBe(before);
  });

  it('a backup is not restored over another database unless the target is named', () => {
    const repo = sqliteRepo();
    const id = backupVerified(repo);
    sqlite(path.join(repo.dir, 'other.db'), 'CREATE TABLE keep(x); INSERT INTO keep VALUES (1);');
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { dev: { url: 'sqlite:other.db' } } }));
    const refused = repo.cli('restore', id, '--yes');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/now points at sqlite:.*other\.db, not at sqlite:.*dev\.db/);
    expect(refused.stderr).toMatch(/--into dev/);
    expect(sqlite(path.join(repo.dir, 'other.db'), 'SELECT count(*) FROM keep;')).toBe('1');
    const named = repo.cli('restore', id, '--yes', '--into', 'dev');
    expect(named.code, named.stderr).toBe(0);
    expect(sqlite(path.join(repo.dir, 'other.db'), "SELECT count(*) FROM sqlite_schema WHERE name = 'keep';")).toBe('0');
  });
});

