import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MysqlDumpFilter } from '../../src/backup/export.js';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';

/** rollback (which backup and why) and export (plain SQL from an artifact) on SQLite; the MySQL line split on its own. */

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite && process.env.CI) throw new Error('CI: sqlite3 CLI missing');

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

function sqliteRepo() {
  const repo = makeRepo();
  repos.push(repo);
  const db = path.join(repo.dir, 'dev.db');
  sqlite(
    db,
    `CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); CREATE INDEX users_name ON users(name);
     CREATE TRIGGER t AFTER DELETE ON users BEGIN SELECT 1; END; CREATE VIEW v AS SELECT name FROM users;
     INSERT INTO users(name) VALUES ('ada'), ('line
break'), ('quote '' x');`,
  );
  repo.write('.dbsaferc.json', JSON.stringify({ databases: { dev: { url: 'sqlite:dev.db' } } }));
  return Object.assign(repo, { db, cli: (...args: string[]) => runCli(args, { cwd: repo.dir }) });
}

const idOf = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).id as string;
};

describe.skipIf(!hasSqlite)('rollback (SQLite)', { timeout: 120_000 }, () => {
  it('restores the newest VERIFIED backup, says which and why, and names the newer ones it skipped', () => {
    const repo = sqliteRepo();
    const good = idOf(repo.cli('backup', '--verify', '--json'));
    const state = sqlite(repo.db, '.dump');
    sqlite(repo.db, "DELETE FROM users WHERE name = 'ada';");
    const unverified = idOf(repo.cli('backup', '--json'));
    sqlite(repo.db, 'DROP TABLE users;');
    const r = repo.cli('rollback', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`rollback: backup ${good}`);
    expect(r.stderr).toMatch(/the newest verified backup of dev/);
    expect(r.stderr).toContain(`skipped newer: ${unverified} (not verified)`);
    expect(sqlite(repo.db, '.dump')).toBe(state);
    const entry = readFileSync(path.join(repo.dir, '.git', 'dbsafe', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event === 'restore').pop();
    expect(entry).toMatchObject({ backupId: good, result: 'restored', why: expect.stringMatching(/^rollback: the newest verified backup/) });
  });

  it('restores the backup taken before the last migration applied through dbsafe, not a newer one taken after it', () => {
    const repo = sqliteRepo();
    repo.write('.dbsaferc.json', JSON.stringify({ migrations: [{ glob: 'db/migrations/*.sql' }], databases: { dev: { url: 'sqlite:dev.db' } } }));
    const before = idOf(repo.cli('backup', '--verify', '--json'));
    const state = sqlite(repo.db, '.dump');
    repo.write('db/migrations/1_drop_view.sql', 'DROP VIEW v;\n');
    const migrated = repo.cli('migrate', '--direct');
    expect(migrated.code, migrated.stderr).toBe(0);
    const after = idOf(repo.cli('backup', '--verify', '--json'));
    const r = repo.cli('rollback', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`rollback: backup ${before}`);
    expect(r.stderr).toMatch(/taken before the last migration applied through dbsafe \(.*db\/migrations\/1_drop_view\.sql\)/);
    expect(r.stderr).toContain(`${after} (taken after the last migration)`);
    // the history table the runner added is the only difference: the view is back
    expect(sqlite(repo.db, "SELECT count(*) FROM sqlite_schema WHERE name = 'v';")).toBe('1');
    expect(sqlite(repo.db, '.dump').replace(/CREATE TABLE dbsafe_schema_migrations[^;]*;\n/, '')).toBe(state);
  });

  it('with no verified backup it refuses (exit 2) and touches nothing', () => {
    const repo = sqliteRepo();
    idOf(repo.cli('backup', '--json'));
    const before = sqlite(repo.db, '.dump');
    const r = repo.cli('rollback', '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no verified backup to roll back to .*not verified/);
    expect(sqlite(repo.db, '.dump')).toBe(before);
  });
});

describe.skipIf(!hasSqlite)('export --sql (SQLite)', { timeout: 120_000 }, () => {
  it('full, and schema-only + data-only loaded one after the other, rebuild the database exactly; -o writes 0600', () => {
    const repo = sqliteRepo();
    const id = idOf(repo.cli('backup', '--json'));
    const original = sqlite(repo.db, '.dump');
    const full = repo.cli('export', id, '--sql');
    expect(full.code, full.stderr).toBe(0);
    const fromFull = path.join(repo.dir, 'full.db');
    sqlite(fromFull, full.stdout);
    expect(sqlite(fromFull, '.dump')).toBe(original);

    expect(repo.cli('export', id, '--sql', '--schema-only', '-o', 'schema.sql').code).toBe(0);
    expect(repo.cli('export', id, '--sql', '--data-only', '-o', 'data.sql').code).toBe(0);
    expect(statSync(path.join(repo.dir, 'schema.sql')).mode & 0o777).toBe(0o600);
    const schema = readFileSync(path.join(repo.dir, 'schema.sql'), 'utf8');
    expect(schema).toMatch(/CREATE TABLE users/);
    expect(schema).not.toMatch(/INSERT INTO/);
    expect(readFileSync(path.join(repo.dir, 'data.sql'), 'utf8')).not.toMatch(/CREATE TABLE/);
    const split = path.join(repo.dir, 'split.db');
    sqlite(split, schema);
    sqlite(split, readFileSync(path.join(repo.dir, 'data.sql'), 'utf8'));
    expect(sqlite(split, '.dump')).toBe(original);
  });

  it('a damaged artifact is refused (exit 1) and no output file is left; both parts at once is a usage error', () => {
    const repo = sqliteRepo();
    const id = idOf(repo.cli('backup', '--json'));
    const artifact = path.join(repo.dir, '.dbsafe', 'backups', 'dev', id, 'db.sqlite.gz');
    spawnSync('sh', ['-c', `printf 'XX' | dd of='${artifact}' bs=1 seek=30 conv=notrunc 2>/dev/null`]);
    const r = repo.cli('export', id, '--sql', '-o', 'out.sql');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/damaged.*nothing exported/);
    expect(existsSync(path.join(repo.dir, 'out.sql'))).toBe(false);
    const both = repo.cli('export', id, '--sql', '--schema-only', '--data-only');
    expect(both.code).toBe(2);
  });
});

describe('the MySQL dump split (cases)', () => {
  const split = async (text: string, part: 'schema' | 'data') => {
    const filter = new MysqlDumpFilter(part);
    let out = '';
    filter.on('data', (d: Buffer | string) => (out += d.toString()));
    const done = new Promise((resolve) => filter.on('end', resolve));
    // cut mid-line on purpose: lines are reassembled across chunks
    filter.write(text.slice(0, 37));
    filter.end(text.slice(37));
    await done;
    return out;
  };
  const dump = [
    '/*M!999999\\- enable the sandbox mode */ ',
    '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;',
    'CREATE TABLE `t` (',
    '  `id` int(11) NOT NULL',
    ');',
    'LOCK TABLES `t` WRITE;',
    '/*!40000 ALTER TABLE `t` DISABLE KEYS */;',
    "INSERT INTO `t` VALUES (1),(2);",
    'INSERT INTO `t` VALUES (3,\'a;\'),',
    "(4,'CREATE TABLE x;\\n'),",
    '(5,NULL);',
    '/*!40000 ALTER TABLE `t` ENABLE KEYS */;',
    'UNLOCK TABLES;',
    'DELIMITER ;;',
    '/*!50003 CREATE*/ /*!50003 TRIGGER ti AFTER INSERT ON t FOR EACH ROW',
    'INSERT INTO audit VALUES (1) */;;',
    'DELIMITER ;',
    'SELECT SETVAL(`s`, 100, 0);',
    '-- Dump completed on 2026-12-05',
  ].join('\n');
  it('schema keeps definitions (trigger bodies included, even an INSERT line inside one) and drops rows', async () => {
    const out = await split(dump, 'schema');
    expect(out).toMatch(/CREATE TABLE `t`/);
    expect(out).toMatch(/^INSERT INTO audit VALUES \(1\) \*\/;;$/m);
    expect(out).not.toMatch(/INSERT INTO `t`|LOCK TABLES|SETVAL|DISABLE KEYS|\(4,|\(5,/);
    expect(out).toMatch(/sandbox mode/);
  });
  it('data keeps rows and the session settings, and no definition', async () => {
    const out = await split(dump, 'data');
    expect(out).toMatch(/INSERT INTO `t` VALUES \(1\),\(2\);/);
    expect(out).toMatch(/\(4,'CREATE TABLE x;\\n'\),\n\(5,NULL\);/);
    expect(out).toMatch(/LOCK TABLES `t` WRITE;/);
    expect(out).toMatch(/SELECT SETVAL/);
    expect(out).toMatch(/SET @OLD_CHARACTER_SET_CLIENT/);
    expect(out).not.toMatch(/^CREATE TABLE|TRIGGER|INSERT INTO audit/m);
  });
});
