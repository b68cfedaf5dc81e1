import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { skipUnless, startMariadb, type MariaServer } from '../helpers/servers.js';
import { safeMigrateRestoreCases } from '../helpers/safe-migrate-cases.js';

/** migrate / dry-run / safe-migrate against a real MariaDB: the ledger, DDL's implicit commit stated, the automatic restore. */

const skip = skipUnless('mariadb');

let db: MariaServer;
let repo: TestRepo;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });

const SEED = `
DROP DATABASE IF EXISTS app; CREATE DATABASE app CHARACTER SET utf8mb4; USE app;
CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2), legacy_total VARCHAR(20)) ENGINE=InnoDB;
INSERT INTO orders SELECT seq, seq * 1.25, IF(seq % 4 = 0, CONCAT('x', seq), NULL) FROM seq_1_to_5000;
CREATE TABLE logs (id INT AUTO_INCREMENT PRIMARY KEY, msg TEXT) ENGINE=InnoDB;
INSERT INTO logs (msg) VALUES ('a'), ('b');
`;

describe.skipIf(skip)('migrate, dry-run and safe-migrate on MariaDB', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    db = await startMariadb();
  });
  afterAll(async () => {
    await db?.stop();
  });
  beforeEach(() => {
    db.sql(SEED);
    repo?.cleanup();
    repo = makeRepo();
    repo.write('.dbsaferc.json', JSON.stringify({ dialect: 'mariadb', migrations: [{ glob: 'db/*.sql' }], databases: { app: { url: 'env:APP_URL' } } }));
    env = { APP_URL: db.url('app') };
    const b = cli('backup', '--verify');
    expect(b.code, b.stderr).toBe(0);
  });

  it('dropping a 5,000-row table: 5,000 rows lost, blocked; a dropped column counts its non-null values; a marker accepts', () => {
    repo.write('db/2_drop.sql', 'DROP TABLE orders;\n');
    const r = cli('dry-run', 'db/2_drop.sql');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/orders\s+table dropped: 5,000 rows lost\s+NOT ACCEPTED/);
    repo.write('db/2_drop.sql', '-- dbsafe:allow drop-column(orders.legacy_total) -- copied into order_notes last week\nALTER TABLE orders DROP COLUMN legacy_total;\n');
    const accepted = cli('dry-run', 'db/2_drop.sql');
    expect(accepted.code, accepted.stdout + accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(/orders\.legacy_total\s+column dropped: 1,250 non-null values lost\s+accepted/);
    expect(db.sql("SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'dbsafe\\_%'").trim()).toBe('0');
    expect(db.sql('SELECT count(*) FROM orders', 'app').trim()).toBe('5000');
  });

  it('the runner says when DDL committed before a failure (partial) and rolls a DML-only file back whole', () => {
    repo.write('db/1_dml.sql', "DELETE FROM logs;\nINSERT INTO nosuch VALUES (1);\n");
    const dml = cli('migrate', '--direct');
    expect(dml.code).toBe(1);
    expect(dml.stdout).not.toMatch(/stay applied/);
    expect(db.sql('SELECT count(*) FROM logs', 'app').trim()).toBe('2');
    repo.write('db/1_dml.sql', 'CREATE TABLE audit (id INT);\nINSERT INTO nosuch VALUES (1);\n');
    const ddl = cli('migrate', '--direct');
    expect(ddl.code).toBe(1);
    expect(ddl.stdout).toMatch(/1_dml\.sql failed \(statements before it were DDL, which MySQL\/MariaDB commit at once: they stay applied\)/);
    expect(db.sql("SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'audit'").trim()).toBe('1');
  });

  it('a runner that ignores the scratch URL and changes the real database is refused (exit 2)', () => {
    const r = cli('dry-run', '--', 'sh', '-c', `mariadb --no-defaults -S '${db.socket}' -uroot app -e 'ALTER TABLE logs ADD COLUMN x INT'`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/REFUSED: the REAL database's schema changed .* did not use APP_URL/);
  });

  safeMigrateRestoreCases(() => ({
    repoDir: repo.dir,
    env,
    cli,
    fingerprint: () =>
      db.sql(
        `SELECT GROUP_CONCAT(CONCAT(TABLE_NAME, ':', TABLE_TYPE) ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app';
         SELECT count(*), SUM(CRC32(CONCAT_WS('|', id, total, legacy_total))) FROM orders;
         SELECT count(*), SUM(CRC32(CONCAT_WS('|', id, msg))) FROM logs;`,
        'app',
      ),
    sqlLine: (sql) => `mariadb --no-defaults -S '${db.socket}' -uroot "\${APP_URL##*/}" -e '${sql}'`,
    halfSql: 'DELETE FROM logs; CREATE TABLE half (id INT)',
    halfApplied: () => db.sql("SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'half'").trim() === '1',
    reset: () => db.sql(SEED),
    leftovers: () =>
      db
        .sql("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'dbsafe\\_%' OR SCHEMA_NAME LIKE '%\\_\\_dbsafe\\_new\\_%'")
        .trim()
        .split('\n')
        .filter(Boolean),
  }));
});
