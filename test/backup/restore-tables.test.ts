import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { PG_BIN, skipUnless, startMariadb, startPostgres, type MariaServer, type PgServer } from '../helpers/servers.js';
import { logEntries } from './helpers.js';

/**
 * `restore --tables`: only the named tables come back (definitions, indexes, triggers, data), what
 * depends on them is stated and keeps working, every other table is left exactly as it is; a safety
 * backup is taken first; a name the backup does not have is bad input (exit 2). On all three engines.
 */

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite && process.env.CI) throw new Error('CI: sqlite3 CLI missing');
const skipPg = skipUnless('postgres');
const skipMaria = skipUnless('mariadb');

function repoFor(env: NodeJS.ProcessEnv, url: string, extra: Record<string, unknown> = {}) {
  const repo = makeRepo();
  repo.write('.dbsaferc.json', JSON.stringify({ ...extra, databases: { app: { url } } }));
  const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });
  const backup = () => {
    const r = cli('backup', '--verify', '--json');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    return JSON.parse(r.stdout).id as string;
  };
  return { repo, cli, backup };
}

function expectSafetyAndLog(repo: TestRepo, out: string, tables: string[]) {
  expect(out).toMatch(/safety backup \S+ of .*to undo this restore: npx dbsafe-hooks restore \S+ app --yes/);
  expect(logEntries(repo.dir).filter((e) => e.event === 'restore').pop()).toMatchObject({ result: 'restored', onlyTables: tables, safetyBackupId: expect.any(String) });
}

describe.skipIf(!hasSqlite)('restore --tables on SQLite', { timeout: 120_000 }, () => {
  const sqlite = (file: string, sql: string) => {
    const r = spawnSync('sqlite3', ['-bail', '-batch', file], { input: sql, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  const SCHEMA = `PRAGMA journal_mode=WAL;
    CREATE TABLE users(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);
    CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total REAL);
    CREATE INDEX orders_user ON orders(user_id);
    CREATE TABLE audit(msg TEXT);
    CREATE TRIGGER orders_ai AFTER INSERT ON orders BEGIN INSERT INTO audit VALUES ('order'); END;
    CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
    INSERT INTO users(name) VALUES ('ada'), ('bob');
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO orders SELECT i, 1 + i % 2, i * 1.5 FROM n;`;

  it('brings back only the named tables (definition, index, trigger, AUTOINCREMENT, rows); the others keep their later changes; views keep working', () => {
    const { repo, cli, backup } = repoFor({}, 'sqlite:dev.db');
    const db = path.join(repo.dir, 'dev.db');
    sqlite(db, SCHEMA);
    const dump = (t: string) => sqlite(db, `.dump ${t}`);
    const [orders, users] = [dump('orders'), dump('users')];
    const id = backup();
    sqlite(db, `DELETE FROM orders WHERE id > 10; DROP INDEX orders_user; DROP TRIGGER orders_ai; ALTER TABLE orders ADD COLUMN junk TEXT;
      INSERT INTO users(name) VALUES ('cy'); INSERT INTO audit VALUES ('after the backup');`);
    const auditBefore = sqlite(db, 'SELECT count(*) FROM audit');
    const r = cli('restore', id, '--tables', 'orders', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(dump('orders')).toBe(orders);
    expect(sqlite(db, 'SELECT count(*) FROM big_orders')).toBe(String(500 - 66));
    // users was not named: it keeps the row added after the backup, audit its later row
    expect(dump('users')).not.toBe(users);
    expect(sqlite(db, "SELECT group_concat(name) FROM users")).toBe('ada,bob,cy');
    expect(sqlite(db, 'SELECT count(*) FROM audit')).toBe(auditBefore);
    expect(r.stdout).toMatch(/tables\s+only orders; nothing else was changed/);
    expect(r.stdout).toMatch(/depends\s+view big_orders reads them: kept/);
    expectSafetyAndLog(repo, r.stderr, ['orders']);
    expect(sqlite(db, 'PRAGMA integrity_check; PRAGMA foreign_key_check;')).toBe('ok');
  });

  it('a name the backup does not have, or --tables with --schema-only, is bad input (exit 2) and nothing is touched', () => {
    const { repo, cli, backup } = repoFor({}, 'sqlite:dev.db');
    const db = path.join(repo.dir, 'dev.db');
    sqlite(db, SCHEMA);
    const id = backup();
    sqlite(db, 'DELETE FROM orders;');
    const unknown = cli('restore', id, '--tables', 'orders,nosuch', '--yes');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/backup \S+ has no table "nosuch"/);
    expect(unknown.stderr).toMatch(/Its tables: audit, orders, users/);
    const both = cli('restore', id, '--tables', 'orders', '--schema-only', '--yes');
    expect(both.code).toBe(2);
    expect(sqlite(db, 'SELECT count(*) FROM orders')).toBe('0');
    expect(logEntries(repo.dir).filter((e) => e.event === 'restore')).toEqual([]);
  });
});

describe.skipIf(skipPg)('restore --tables on PostgreSQL 15', { timeout: 240_000 }, () => {
  let pg: PgServer;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });
  const SCHEMA = `
    CREATE SCHEMA shop;
    CREATE TABLE shop.customers (id serial PRIMARY KEY, name text);
    CREATE TABLE shop.orders (id serial PRIMARY KEY, customer_id int REFERENCES shop.customers(id), total numeric(10,2));
    CREATE INDEX orders_total ON shop.orders (total);
    CREATE TABLE shop.items (id serial PRIMARY KEY, order_id int NOT NULL REFERENCES shop.orders(id), sku text);
    CREATE TABLE shop.refunds (id serial PRIMARY KEY, order_id int REFERENCES shop.orders(id));
    CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE total > 100;
    CREATE VIEW shop.big_order_count AS SELECT count(*) AS n FROM shop.big_orders;
    INSERT INTO shop.customers (name) SELECT 'c' || g FROM generate_series(1, 20) g;
    INSERT INTO shop.orders (customer_id, total) SELECT 1 + g % 20, g * 1.5 FROM generate_series(1, 3000) g;
    INSERT INTO shop.items (order_id, sku) SELECT 1 + g % 3000, 'sku' || g FROM generate_series(1, 6000) g;
    INSERT INTO shop.refunds (order_id) VALUES (1), (2);`;
  const table = (t: string) => pg.sql('app', `SELECT count(*) || ' ' || sum(hashtextextended(x::text, 0)) FROM ${t} x`).trim();
  const definition = (t: string) =>
    pg.sql('app', `SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = '${t}'::regclass AND a.attnum > 0 AND NOT a.attisdropped`).trim();

  function setup() {
    pg.sql('postgres', 'DROP DATABASE IF EXISTS app WITH (FORCE); CREATE DATABASE app');
    pg.sql('app', SCHEMA);
    const env = { APP_URL: pg.url('app'), PATH: `${PG_BIN}:${process.env.PATH}` };
    return repoFor(env, 'env:APP_URL');
  }

  it('brings back orders and items with their index, sequences, foreign keys and rows; dependent views and FKs are stated and kept; customers keeps its later rows', () => {
    const { repo, cli, backup } = setup();
    const before = { orders: table('shop.orders'), items: table('shop.items'), ordersDef: definition('shop.orders') };
    const id = backup();
    pg.sql('app', `DELETE FROM shop.items WHERE id > 100; DELETE FROM shop.refunds; DELETE FROM shop.orders WHERE id > 200; DROP INDEX shop.orders_total;
      ALTER TABLE shop.orders ADD COLUMN junk int; INSERT INTO shop.customers (name) VALUES ('after the backup'); INSERT INTO shop.refunds (order_id) VALUES (5);`);
    const customers = table('shop.customers');
    const r = cli('restore', id, '--tables', 'orders,shop.items', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect({ orders: table('shop.orders'), items: table('shop.items'), ordersDef: definition('shop.orders') }).toEqual(before);
    expect(pg.sql('app', "SELECT to_regclass('shop.orders_total') IS NOT NULL, (SELECT n FROM shop.big_order_count), nextval('shop.orders_id_seq')").trim()).toBe('t|2934|3001');
    // not named: customers keeps the row added after the backup, refunds its own rows (its FK on orders was re-added)
    expect(table('shop.customers')).toBe(customers);
    expect(pg.sql('app', 'SELECT string_agg(order_id::text, \',\') FROM shop.refunds').trim()).toBe('5');
    expect(r.stdout).toMatch(/tables\s+only shop\.orders, shop\.items; nothing else was changed/);
    expect(r.stdout).toMatch(/depends\s+view shop\.big_orders reads them: recreated/);
    expect(r.stdout).toMatch(/depends\s+view shop\.big_order_count reads them: recreated/);
    expect(r.stdout).toMatch(/depends\s+foreign key refunds_order_id_fkey of shop\.refunds references them: re-added/);
    expectSafetyAndLog(repo, r.stderr, ['shop.orders', 'shop.items']);
    expect(pg.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'app\\_\\_dbsafe\\_new%'").trim()).toBe('0');
  });

  it('when a dependent foreign key no longer holds on the restored rows, nothing changes (one transaction) and the message names why', () => {
    const { cli, backup } = setup();
    const id = backup();
    pg.sql('app', 'INSERT INTO shop.orders (id, total) VALUES (9000, 1); INSERT INTO shop.refunds (order_id) VALUES (9000); DELETE FROM shop.items;');
    const before = [table('shop.orders'), table('shop.items'), table('shop.refunds')];
    const r = cli('restore', id, '--tables', 'shop.orders,shop.items', '--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Replacing shop\.orders, shop\.items failed \(insert or update on table "refunds" violates foreign key constraint .*\); the transaction was rolled back: app is as it was/);
    expect([table('shop.orders'), table('shop.items'), table('shop.refunds')]).toEqual(before);
  });

  it('a name in two schemas must be qualified (exit 2)', () => {
    const { cli, backup } = setup();
    pg.sql('app', 'CREATE TABLE public.orders (id int)');
    const id = backup();
    const r = cli('restore', id, '--tables', 'orders', '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"orders" matches public\.orders and shop\.orders .* name one with its schema/);
  });
});

describe.skipIf(skipMaria)('restore --tables on MariaDB', { timeout: 240_000 }, () => {
  let db: MariaServer;
  beforeAll(async () => {
    db = await startMariadb();
  });
  afterAll(async () => {
    await db?.stop();
  });
  const SCHEMA = `DROP DATABASE IF EXISTS app; CREATE DATABASE app CHARACTER SET utf8mb4; USE app;
    CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20)) ENGINE=InnoDB;
    CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT, total DECIMAL(10,2), KEY orders_total (total), FOREIGN KEY (customer_id) REFERENCES customers(id)) ENGINE=InnoDB;
    CREATE TABLE refunds (id INT AUTO_INCREMENT PRIMARY KEY, order_id INT, CONSTRAINT refunds_order FOREIGN KEY (order_id) REFERENCES orders(id)) ENGINE=InnoDB;
    CREATE TABLE audit (msg VARCHAR(20)) ENGINE=InnoDB;
    CREATE TRIGGER orders_ai AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit VALUES ('order');
    CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
    INSERT INTO customers (name) SELECT CONCAT('c', seq) FROM seq_1_to_20;
    INSERT INTO orders (customer_id, total) SELECT 1 + seq % 20, seq * 1.5 FROM seq_1_to_3000;
    INSERT INTO refunds (order_id) VALUES (1), (2);`;
  const table = (t: string) => db.sql(`SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', ${t === 'orders' ? 'id, customer_id, total' : 'id, name'}))) FROM ${t}`, 'app').trim();

  it('brings back orders (definition, index, trigger, rows); the view and the refunds FK keep pointing at it; customers keeps its later rows', () => {
    db.sql(SCHEMA);
    const { repo, cli, backup } = repoFor({ APP_URL: db.url('app') }, 'env:APP_URL', { dialect: 'mariadb' });
    const orders = table('orders');
    const createBefore = db.sql('SHOW CREATE TABLE orders', 'app').replace(/AUTO_INCREMENT=\d+ /, '');
    const id = backup();
    db.sql(`SET foreign_key_checks = 0; DELETE FROM orders WHERE id > 100; ALTER TABLE orders DROP INDEX orders_total, ADD COLUMN junk INT; DROP TRIGGER orders_ai;
      INSERT INTO customers (name) VALUES ('later');`, 'app');
    const customers = table('customers');
    const r = cli('restore', id, '--tables', 'orders', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(table('orders')).toBe(orders);
    expect(db.sql('SHOW CREATE TABLE orders', 'app').replace(/AUTO_INCREMENT=\d+ /, '')).toBe(createBefore);
    expect(db.sql("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'app' AND TRIGGER_NAME = 'orders_ai'").trim()).toBe('1');
    expect(db.sql('SELECT COUNT(*) FROM big_orders', 'app').trim()).toBe('2934');
    expect(table('customers')).toBe(customers);
    // the refunds FK still references app.orders (not a renamed copy), and holds
    expect(db.sql("SELECT REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = 'app' AND CONSTRAINT_NAME = 'refunds_order'").trim()).toBe('orders');
    expect(r.stdout).toMatch(/depends\s+foreign key refunds\.refunds_order references orders: kept/);
    expect(r.stdout).toMatch(/depends\s+view big_orders reads them: kept/);
    expectSafetyAndLog(repo, r.stderr, ['orders']);
    expect(db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'app\\_\\_dbsafe\\_new%'").trim()).toBe('0');
  });
});
