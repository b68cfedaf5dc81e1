import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { skipUnless, startMariadb, TEST_PASSWORD, type MariaServer } from '../helpers/servers.js';
import { allText, backupDirs, childrenOf, logEntries, logText, startCli, waitUntil } from './helpers.js';

/** MariaDB for real: mariadb-dump --single-transaction, restore with the mariadb client into scratch. */

const skip = skipUnless('mariadb');

let db: MariaServer;
let repo: TestRepo;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });

const TRICKY = String.raw`
CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) CHARACTER SET utf8mb4, avatar BLOB, score DOUBLE, created TIMESTAMP(6) NULL) ENGINE=InnoDB;
INSERT INTO users (name, avatar, score, created) VALUES ('ada 😀', UNHEX('00FF00DEADBEEF'), 1e308, '2024-03-10 01:59:59.123456'), ('quote '' \\ backslash', '', -0.0, NULL), ('𝔘𝔫𝔦𝔠𝔬𝔡𝔢', NULL, 0.1, '2038-01-19 03:14:07');
CREATE TABLE nopk (a INT, b TEXT) ENGINE=InnoDB;
INSERT INTO nopk VALUES (1, 'dup'), (1, 'dup'), (1, 'dup'), (2, NULL);
CREATE INDEX nopk_a ON nopk (a);
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(50)) ENGINE=InnoDB;
CREATE VIEW named_users AS SELECT id, name FROM users WHERE name IS NOT NULL;
CREATE TRIGGER users_ai AFTER INSERT ON users FOR EACH ROW INSERT INTO audit (what) VALUES ('user');
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
CREATE PROCEDURE bump() UPDATE users SET score = score + 1;
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM audit;
CREATE SEQUENCE ticket_seq START WITH 100;
CREATE TABLE legacy (id INT PRIMARY KEY, v TEXT) ENGINE=MyISAM;
INSERT INTO legacy VALUES (1, 'old');
`;

describe.skipIf(skip)('MariaDB backup and verify (real MariaDB)', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    db = await startMariadb();
    db.sql('CREATE DATABASE shop CHARACTER SET utf8mb4');
    db.sql(TRICKY, 'shop');
    repo = makeRepo();
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { shop: { url: 'env:SHOP_URL' } } }));
    env = { SHOP_URL: db.url('shop') };
  });
  afterAll(async () => {
    await db?.stop();
    repo?.cleanup();
  });

  it('round-trips tricky data with routines, events, triggers, views and a sequence; warns about MyISAM; no secret anywhere', () => {
    const old = process.umask(0);
    let r;
    try {
      r = cli('backup', '--verify', '--json');
    } finally {
      process.umask(old);
    }
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.verify).toMatchObject({ ok: true, level: 'restorable' });
    expect(out.warnings.join('\n')).toMatch(/legacy uses MyISAM/);
    const manifest = JSON.parse(readFileSync(path.join(out.dir, 'manifest.json'), 'utf8'));
    expect(manifest.engine).toBe('mariadb');
    expect(manifest.server.flavor).toBe('mariadb');
    expect(manifest.options.compression).toMatch(/gzip/);
    expect(Object.fromEntries(manifest.expected.tables.map((t: any) => [t.name, t.rows]))).toMatchObject({ users: 3, nopk: 4, audit: 0, legacy: 1 });
    const objects = manifest.expected.objects.map((o: any) => `${o.kind} ${o.name}`);
    expect(objects).toEqual(
      expect.arrayContaining(['view named_users', 'trigger users.users_ai', 'routine FUNCTION twice', 'routine PROCEDURE bump', 'event nightly', 'sequence ticket_seq', 'index nopk.nopk_a']),
    );
    expect(statSync(out.artifact).mode & 0o777).toBe(0o600);
    expect(db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'dbsafe_verify_%'").trim()).toBe('0');
    for (const text of [r.stdout, r.stderr, logText(repo.dir), allText(path.join(repo.dir, '.dbsafe'))]) expect(text).not.toContain(TEST_PASSWORD);
  });

  it('the password never appears in mariadb-dump\'s argv; a dump killed mid-stream leaves no backup and no log entry', async () => {
    db.sql('CREATE TABLE big (id INT PRIMARY KEY, payload TEXT) ENGINE=InnoDB', 'shop');
    db.sql(
      "INSERT INTO big SELECT seq, REPEAT(MD5(seq), 8) FROM seq_1_to_150000",
      'shop',
    );
    const before = logEntries(repo.dir).length;
    const dirs = backupDirs(repo.dir, 'shop');
    const run = startCli(['backup'], { cwd: repo.dir, env });
    const dump = await waitUntil(() => childrenOf(run.child.pid!).find((c) => c.argv.includes('--single-transaction')), 20_000, 2);
    const cmdline = readFileSync(`/proc/${dump.pid}/cmdline`, 'utf8');
    expect(cmdline).toMatch(/--defaults-extra-file=/);
    expect(cmdline).not.toContain(TEST_PASSWORD);
    expect(readFileSync(`/proc/${dump.pid}/environ`, 'utf8')).not.toContain(TEST_PASSWORD);
    process.kill(dump.pid, 'SIGKILL');
    const result = await run.result;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/killed by SIGKILL|Dump completed/);
    expect(backupDirs(repo.dir, 'shop')).toEqual(dirs);
    expect(logEntries(repo.dir)).toHaveLength(before);
    db.sql('DROP TABLE big', 'shop');
  });

  it('counts of tables written during the dump are marked approximate and verify checks the range', async () => {
    db.sql('CREATE TABLE IF NOT EXISTS hits (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB', 'shop');
    const mysql = (await import('mysql2/promise')).default;
    const writer = await mysql.createConnection({ uri: db.url('shop') });
    let writing = true;
    let inserted = 0;
    const loop = (async () => {
      while (writing) {
        await writer.query('INSERT INTO hits () VALUES ()');
        inserted++;
      }
    })();
    try {
      await waitUntil(() => inserted > 10);
      const result = await startCli(['backup', '--verify', '--json'], { cwd: repo.dir, env }).result;
      expect(result.code, result.stderr + result.stdout).toBe(0);
      const out = JSON.parse(result.stdout);
      const manifest = JSON.parse(readFileSync(path.join(out.dir, 'manifest.json'), 'utf8'));
      const hits = manifest.expected.tables.find((t: any) => t.name === 'hits');
      expect(hits).toMatchObject({ approximate: true, approximateWhy: expect.stringMatching(/^written to while the dump ran: \d+ rows before it, \d+ after$/) });
      expect(manifest.expected.tables.find((t: any) => t.name === 'legacy')).toMatchObject({ approximate: true, approximateWhy: expect.stringMatching(/^MyISAM table: /) });
      expect(hits.max).toBeGreaterThan(hits.min);
      expect(manifest.expected.tables.find((t: any) => t.name === 'users')).toEqual({ name: 'users', rows: 3 });
      expect(out.verify).toMatchObject({ ok: true, approximateCounts: true });
      expect(logEntries(repo.dir).pop()).toMatchObject({ event: 'verified', approximateCounts: true });
    } finally {
      writing = false;
      await loop.catch(() => undefined);
      await writer.end();
    }
  });

  it('a scratch database it did not create is refused and left alone; once it is gone verify succeeds', () => {
    const out = JSON.parse(cli('backup', '--json').stdout);
    const scratch = `dbsafe_verify_${out.id.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
    db.sql(`CREATE DATABASE ${scratch}`);
    const r = cli('verify', out.id, '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists and was not created by dbsafe-hooks/);
    expect(db.sql(`SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${scratch}'`).trim()).toBe('1');
    db.sql(`DROP DATABASE ${scratch}`);
    const ok = cli('verify', out.id, '--json');
    expect(ok.code, ok.stdout).toBe(0);
  });

  it('system-versioned tables keep their history (--dump-history), counted with it; transaction-precise versioning is refused', () => {
    db.sql(
      `CREATE TABLE prices (id INT PRIMARY KEY, amount INT) WITH SYSTEM VERSIONING;
       INSERT INTO prices VALUES (1, 10); UPDATE prices SET amount = 11 WHERE id = 1; UPDATE prices SET amount = 12 WHERE id = 1;`,
      'shop',
    );
    const r = cli('backup', '--verify', '--json');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(r.stdout);
    const manifest = JSON.parse(readFileSync(path.join(out.dir, 'manifest.json'), 'utf8'));
    expect(manifest.expected.objects).toContainEqual({ kind: 'versioned table', name: 'prices' });
    expect(manifest.expected.tables.find((t: any) => t.name === 'prices')).toMatchObject({ rows: 3 }); // 1 current + 2 past versions
    expect(out.verify).toMatchObject({ ok: true });

    db.sql(
      `CREATE TABLE ledger (id INT PRIMARY KEY, v INT,
         s BIGINT UNSIGNED GENERATED ALWAYS AS ROW START INVISIBLE, e BIGINT UNSIGNED GENERATED ALWAYS AS ROW END INVISIBLE,
         PERIOD FOR SYSTEM_TIME (s, e)) ENGINE=InnoDB WITH SYSTEM VERSIONING;`,
      'shop',
    );
    const dirs = backupDirs(repo.dir, 'shop');
    const refused = cli('backup');
    expect(refused.code).toBe(2);
    expect(refused.stderr, refused.stderr).toContain('Refusing to back up: ledger uses transaction-precise system versioning');
    expect(backupDirs(repo.dir, 'shop')).toEqual(dirs);
    db.sql('DROP TABLE ledger; DROP TABLE prices;', 'shop');
  });
});
