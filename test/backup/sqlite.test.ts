import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manifestChecksum } from '../../src/backup/manifest.js';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { allText, backupDirs, logEntries, logText } from './helpers.js';

/** SQLite: the embedded default (no server). Also the engine-independent verify/log/retention behaviour. */

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite) {
  if (process.env.CI) throw new Error('CI: sqlite3 CLI missing');
  process.stderr.write('\n!!!!! SKIPPING SQLite backup tests: the sqlite3 CLI is missing (apt-get install sqlite3) !!!!!\n\n');
}

const sqlite = (file: string, sql: string) => {
  const r = spawnSync('sqlite3', ['-bail', '-batch', file], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
};

let repos: TestRepo[] = [];
afterEach(() => {
  for (const repo of repos) repo.cleanup();
  repos = [];
});

function sqliteRepo(config: Record<string, unknown> = {}): TestRepo & { db: string; cli(...args: string[]): ReturnType<typeof runCli> } {
  const repo = makeRepo();
  repos.push(repo);
  const db = path.join(repo.dir, 'dev.db');
  sqlite(
    db,
    `PRAGMA journal_mode=WAL;
     CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL, avatar BLOB);
     CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total REAL);
     CREATE TABLE events(kind TEXT, at TEXT);
     CREATE INDEX orders_user ON orders(user_id);
     CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
     CREATE TRIGGER users_ai AFTER INSERT ON users BEGIN INSERT INTO events VALUES ('user', datetime('now')); END;
     INSERT INTO users(name, avatar) VALUES ('ada 😀', x'00ff10'), ('bob', NULL);
     INSERT INTO orders(user_id, total) VALUES (1, 120.5), (2, 1e308), (1, -0.0);
     INSERT INTO events VALUES ('dup', 'x'), ('dup', 'x');`,
  );
  repo.write('.dbsaferc.json', JSON.stringify({ databases: { dev: { url: 'sqlite:dev.db' } }, ...config }));
  return Object.assign(repo, { db, cli: (...args: string[]) => runCli(args, { cwd: repo.dir }) });
}

function backupJson(repo: ReturnType<typeof sqliteRepo>, ...args: string[]) {
  const r = repo.cli('backup', '--json', ...args);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return JSON.parse(r.stdout);
}

describe.skipIf(!hasSqlite)('SQLite backup and verify (real sqlite3 CLI)', { timeout: 120_000 }, () => {
  beforeAll(() => {
    if (!existsSync(path.join(process.cwd(), 'dist', 'cli.cjs'))) throw new Error('run `npm run build` first (tests use the built CLI)');
  });

  it('the README flow works in a fresh repository: backup --verify, status, log', () => {
    const repo = sqliteRepo();
    const r = repo.cli('backup', '--verify');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verified\s+yes/);
    const status = repo.cli('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/dev \(default\): 1 backup/);
    expect(status.stdout).toMatch(/verified/);
    expect(status.stdout).toMatch(/log chain intact/);
    const log = repo.cli('log');
    expect(log.code).toBe(0);
    expect(log.stdout).toMatch(/backup\s+dev/);
    expect(log.stdout).toMatch(/verified\s+dev/);
    // backups are never committed by accident
    expect(repo.git('status', '--porcelain', '--untracked-files=all')).not.toMatch(/backups/);
  });

  it('keeps rows committed to the WAL but not checkpointed (a file copy would lose them)', async () => {
    const repo = sqliteRepo();
    // a writer keeps the database open so its committed rows stay in dev.db-wal
    const writer = spawn('sqlite3', [repo.db], { stdio: ['pipe', 'pipe', 'inherit'] });
    writer.stdin.write(
      `PRAGMA wal_autocheckpoint=0;\nBEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<1000) INSERT INTO events SELECT 'wal', i FROM n; COMMIT;\nSELECT 'done';\n`,
    );
    await new Promise<void>((resolve) => writer.stdout.on('data', (d: Buffer) => d.toString().includes('done') && resolve()));
    try {
      expect(statSync(`${repo.db}-wal`).size).toBeGreaterThan(0);
      // what a naive copy of the main file sees: the committed rows are missing
      const naive = path.join(repo.dir, 'naive-copy.db');
      copyFileSync(repo.db, naive);
      expect(Number(sqlite(naive, "SELECT count(*) FROM events WHERE kind = 'wal';"))).toBe(0);
      const result = backupJson(repo, '--verify');
      expect(result.verify.ok).toBe(true);
      const manifest = JSON.parse(readFileSync(path.join(result.dir, 'manifest.json'), 'utf8'));
      expect(manifest.expected.tables.find((t: any) => t.name === 'events').rows).toBe(1004);
    } finally {
      writer.stdin.end();
      await new Promise((r) => writer.on('close', r));
    }
  });

  it('writes artifacts 0600 and directories 0700 whatever the umask, and the manifest last with everything recorded', () => {
    const repo = sqliteRepo();
    const old = process.umask(0);
    let result;
    try {
      result = backupJson(repo, '--reason', 'before the big migration');
    } finally {
      process.umask(old);
    }
    expect(statSync(result.dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.dirname(result.dir)).mode & 0o777).toBe(0o700);
    expect(statSync(result.artifact).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(result.dir, 'manifest.json')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(repo.dir, '.git', 'dbsafe', 'log.jsonl')).mode & 0o777).toBe(0o600);
    const manifest = JSON.parse(readFileSync(path.join(result.dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      formatVersion: 1,
      engine: 'sqlite',
      status: 'complete',
      annotations: { reason: 'before the big migration', git: { branch: 'main', dirty: expect.any(Boolean) } },
      artifact: { file: 'db.sqlite.gz', bytes: result.bytes, sha256: result.sha256 },
    });
    expect(manifest.client.version).toMatch(/^3\./);
    expect(manifest.database.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.expected.tables).toEqual([
      { name: 'events', rows: 4 }, // 2 rows + 2 from the trigger
      { name: 'orders', rows: 3 },
      { name: 'users', rows: 2 },
    ]);
    expect(manifest.expected.objects).toEqual(
      expect.arrayContaining([
        { kind: 'view', name: 'big_orders' },
        { kind: 'trigger', name: 'users_ai' },
        { kind: 'index', name: 'orders_user' },
      ]),
    );
  });

  describe('every kind of damage fails verify with its own reason, logged as failed', () => {
    const cases: Array<[string, (dir: string, artifact: string, other: { dir: string; artifact: string }) => void, string]> = [
      ['a flipped byte in the middle', (_d, a) => {
        const buf = readFileSync(a);
        buf[Math.floor(buf.length / 2)] ^= 0xff;
        writeFileSync(a, buf);
      }, 'checksum-mismatch'],
      ['truncation to half', (_d, a) => truncateSync(a, Math.floor(statSync(a).size / 2)), 'size-mismatch'],
      ['truncation to 0 bytes', (_d, a) => truncateSync(a, 0), 'size-mismatch'],
      ['one byte appended', (_d, a) => appendFileSync(a, 'x'), 'size-mismatch'],
      ['another backup\'s artifact swapped in', (_d, a, other) => copyFileSync(other.artifact, a), 'swapped-artifact'],
      ['the artifact deleted', (_d, a) => unlinkSync(a), 'missing-artifact'],
      ['the manifest deleted', (d) => unlinkSync(path.join(d, 'manifest.json')), 'missing-manifest'],
      ['the manifest corrupted', (d) => writeFileSync(path.join(d, 'manifest.json'), '{"formatVersion": 1, '), 'manifest-unreadable'],
      ['an expected count edited in the manifest', (d) => {
        const file = path.join(d, 'manifest.json');
        writeFileSync(file, readFileSync(file, 'utf8').replace('"rows": 3', '"rows": 4'));
      }, 'manifest-tampered'],
      ['an expected count edited and the manifest checksum recomputed', (d) => {
        const file = path.join(d, 'manifest.json');
        const m = JSON.parse(readFileSync(file, 'utf8'));
        m.expected.tables[1].rows = 4;
        m.checksum = manifestChecksum(m);
        writeFileSync(file, JSON.stringify(m));
      }, 'manifest-tampered'],
    ];
    it.each(cases)('%s', (_name, damage, reason) => {
      const repo = sqliteRepo();
      const other = backupJson(repo);
      sqlite(repo.db, "INSERT INTO events VALUES ('more', 'rows');");
      const target = backupJson(repo);
      damage(target.dir, target.artifact, other);
      const r = repo.cli('verify', target.id, '--json');
      expect(r.code, r.stderr).toBe(1);
      const outcome = JSON.parse(r.stdout);
      expect(outcome).toMatchObject({ ok: false, reason });
      const last = logEntries(repo.dir).pop()!;
      expect(last).toMatchObject({ event: 'failed', failure: reason, backupId: target.id });
      expect(logEntries(repo.dir).some((e) => e.event === 'verified')).toBe(false);
    });
  });

  it('log: an edited, a deleted and a reordered line are each reported with their own reason (exit 1)', () => {
    const repo = sqliteRepo();
    for (let i = 0; i < 3; i++) backupJson(repo, '--verify');
    const file = path.join(repo.dir, '.git', 'dbsafe', 'log.jsonl');
    const original = logText(repo.dir);
    const lines = original.split('\n').filter(Boolean);
    expect(repo.cli('log').code).toBe(0);

    writeFileSync(file, `${[lines[0], lines[1]!.replace('"level":"restorable"', '"level":"forged"'), ...lines.slice(2)].join('\n')}\n`);
    let r = repo.cli('log');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/CHAIN BROKEN at line 2: edited/);

    writeFileSync(file, `${[lines[0], ...lines.slice(2)].join('\n')}\n`);
    r = repo.cli('log');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/CHAIN BROKEN at line 2: deleted/);

    writeFileSync(file, `${[lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n')}\n`);
    r = repo.cli('log', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).chain).toMatchObject({ ok: false, reason: 'reordered', brokenAt: 2 });
    expect(repo.cli('status').stdout).toMatch(/CHAIN BROKEN/);

    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`);
    expect(JSON.parse(repo.cli('log', '--json').stdout).chain.reason).toBe('truncated');

    writeFileSync(file, original);
    expect(repo.cli('log').code).toBe(0);
  });

  it('retention keeps the newest N, never the newest verified one, and logs what it pruned', () => {
    const repo = sqliteRepo({ keep: 2 });
    const first = backupJson(repo, '--verify');
    const ids = [first.id];
    for (let i = 0; i < 3; i++) ids.push(backupJson(repo).id);
    const left = backupDirs(repo.dir, 'dev').filter((n) => !n.startsWith('.'));
    expect(left.sort()).toEqual([ids[0], ids[2], ids[3]].sort());
    expect(logEntries(repo.dir).filter((e) => e.event === 'pruned').map((e) => e.backupId)).toEqual([ids[1]]);
  });

  it('refuses to prune when the new backup is suspiciously small', () => {
    const repo = sqliteRepo({ keep: 1 });
    sqlite(repo.db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<20000) INSERT INTO events SELECT hex(randomblob(32)), i FROM n;");
    const a = backupJson(repo);
    const b = backupJson(repo);
    expect(b.pruned).toEqual([a.id]);
    sqlite(repo.db, 'DELETE FROM events; VACUUM;');
    const c = backupJson(repo);
    expect(c.pruned).toEqual([]);
    expect(c.pruneRefused).toMatch(/less than 50%/);
    expect(backupDirs(repo.dir, 'dev')).toEqual(expect.arrayContaining([b.id, c.id]));
  });

  it('a failed backup (database file missing) leaves no backup directory and no log entry', () => {
    const repo = sqliteRepo();
    rmSync(repo.db);
    rmSync(`${repo.db}-wal`, { force: true });
    rmSync(`${repo.db}-shm`, { force: true });
    const r = repo.cli('backup');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(backupDirs(repo.dir, 'dev').filter((n) => !n.startsWith('.gitignore'))).toEqual([]);
    expect(logText(repo.dir)).toBe('');
  });

  it('a full disk fails the backup cleanly and leaves the older backups intact', () => {
    const mnt = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-full-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]).status !== 0) {
      process.stderr.write('\n!!!!! SKIPPING the disk-full test: cannot mount a small tmpfs here (needs root) !!!!!\n\n');
      rmSync(mnt, { recursive: true, force: true });
      return;
    }
    try {
      const repo = sqliteRepo({ backupDir: mnt });
      const good = backupJson(repo);
      sqlite(repo.db, 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<3000) INSERT INTO events SELECT hex(randomblob(600)), i FROM n;');
      const before = logEntries(repo.dir).length;
      const r = repo.cli('backup');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/full|ENOSPC|no space/i);
      expect(readdirSync(path.join(mnt, 'dev')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
      expect(logEntries(repo.dir)).toHaveLength(before);
      const verify = repo.cli('verify', good.id, '--json');
      expect(verify.code, verify.stdout).toBe(0);
    } finally {
      spawnSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('config: a literal password is refused without echoing it; a missing env var and no instance are clear errors', () => {
    const repo = sqliteRepo();
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { prod: { url: 'postgres://app:hunter2secret@db.example.com/app' } } }));
    let r = repo.cli('backup');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/contains a password/);
    expect(r.stderr).toMatch(/env:DATABASE_URL/);
    expect(r.stderr + r.stdout).not.toContain('hunter2secret');

    repo.write('.dbsaferc.json', JSON.stringify({ databases: { prod: { url: 'env:DBSAFE_TEST_UNSET_VAR' } } }));
    r = repo.cli('backup');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DBSAFE_TEST_UNSET_VAR, which is not set/);

    repo.write('.dbsaferc.json', JSON.stringify({}));
    r = repo.cli('backup');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No database instance is configured/);

    repo.write('.dbsaferc.json', JSON.stringify({ databases: { a: { url: 'a.db' }, b: { url: 'b.db' } } }));
    r = repo.cli('backup');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/none is the default/);
  });

  it('status --json reports each instance, and nothing secret ends up in the backup tree', () => {
    const repo = sqliteRepo();
    backupJson(repo, '--verify');
    const status = JSON.parse(repo.cli('status', '--json').stdout);
    expect(status.chain).toEqual({ ok: true });
    expect(status.instances[0]).toMatchObject({ instance: 'dev', default: true, backups: 1, latest: { verified: true, artifactPresent: true } });
    expect(allText(path.join(repo.dir, '.dbsafe'))).not.toMatch(/password/i);
  });

  it.runIf(process.getuid?.() === 0)('a full backup disk says "no space left on <dir>" and leaves nothing; a full disk during verify is no verdict', () => {
    const repo = sqliteRepo();
    sqlite(repo.db, 'CREATE TABLE filler(x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000) INSERT INTO filler SELECT randomblob(1000) FROM c;');
    const small = path.join(repo.dir, 'small');
    mkdirSync(small);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', small]);
    if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs here: ${mounted.stderr}`);
    try {
      repo.write('.dbsaferc.json', JSON.stringify({ databases: { dev: { url: 'sqlite:dev.db' } }, backupDir: 'small' }));
      const r = repo.cli('backup');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Backup failed: no space left on ${small}/dev\n`);
      expect(readdirSync(path.join(small, 'dev'))).toEqual([]);
    } finally {
      spawnSync('umount', [small]);
    }
    // verify decompresses its scratch copy under .git/dbsafe/tmp: fill that instead
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { dev: { url: 'sqlite:dev.db' } } }));
    const out = backupJson(repo, '--verify');
    const tmp = path.join(repo.dir, '.git', 'dbsafe', 'tmp');
    mkdirSync(tmp, { recursive: true });
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0700', 'tmpfs', tmp]).status).toBe(0);
    try {
      const before = logText(repo.dir);
      const v = repo.cli('verify', out.id);
      expect(v.code).toBe(2);
      expect(v.stderr).toContain(`no space left on ${tmp}/`);
      // a full disk says nothing about the backup: its verification still stands
      expect(logText(repo.dir)).toBe(before);
    } finally {
      spawnSync('umount', [tmp]);
    }
  });
});
