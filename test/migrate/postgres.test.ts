import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { PG_BIN, skipUnless, startPostgres, type PgServer } from '../helpers/servers.js';
import { logEntries } from '../backup/helpers.js';
import { safeMigrateRestoreCases } from '../helpers/safe-migrate-cases.js';

/** migrate / dry-run / safe-migrate against a real PostgreSQL 15 (password auth over TCP). */

const skip = skipUnless('postgres');

let pg: PgServer;
let repo: TestRepo;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });
const psql = path.join(PG_BIN, 'psql');

const SEED = `
DROP SCHEMA public CASCADE; CREATE SCHEMA public;
CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2), legacy_total text);
INSERT INTO orders SELECT g, g * 1.25, CASE WHEN g % 4 = 0 THEN 'x' || g END FROM generate_series(1, 5000) g;
CREATE TABLE logs (id serial PRIMARY KEY, msg text);
INSERT INTO logs (msg) VALUES ('a'), ('b');
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
`;

/** Objects and every row, to compare the database with itself before. */
const fingerprint = () =>
  pg.sql(
    'app',
    `SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public';
     SELECT count(*), sum(hashtextextended(o::text, 0)) FROM orders o;
     SELECT count(*), sum(hashtextextended(l::text, 0)) FROM logs l;`,
  );

describe.skipIf(skip)('migrate, dry-run and safe-migrate on PostgreSQL 15', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    pg = await startPostgres();
    pg.sql('postgres', 'CREATE DATABASE app');
  });
  afterAll(async () => {
    await pg?.stop();
  });
  beforeEach(() => {
    pg.sql('app', SEED);
    repo?.cleanup();
    repo = makeRepo();
    repo.write('.dbsaferc.json', JSON.stringify({ migrations: [{ glob: 'db/*.sql' }], databases: { app: { url: 'env:APP_URL' } } }));
    env = { APP_URL: pg.url('app'), REAL_URL: pg.url('app'), PATH: `${PG_BIN}:${process.env.PATH}` };
    const b = cli('backup', '--verify');
    expect(b.code, b.stderr).toBe(0);
  });

  it('dropping a 5,000-row table: the ledger says 5,000 rows lost and blocks; a marker accepts it and the acceptance is logged', () => {
    repo.write('db/2_drop.sql', 'DROP VIEW big_orders;\nDROP TABLE orders;\n');
    const r = cli('dry-run', 'db/2_drop.sql');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/orders\s+table dropped: 5,000 rows lost\s+NOT ACCEPTED/);
    expect(r.stdout).toMatch(/big_orders\s+view dropped\s+NOT ACCEPTED/);
    repo.write('db/2_drop.sql', '-- dbsafe:allow drop-table(public.orders), drop-view(big_orders) -- archived to the warehouse on Monday\nDROP VIEW big_orders;\nDROP TABLE orders;\n');
    const accepted = cli('dry-run', 'db/2_drop.sql');
    expect(accepted.code, accepted.stdout + accepted.stderr).toBe(0);
    expect(logEntries(repo.dir).filter((e) => e.event === 'dry-run').pop()).toMatchObject({ ok: true, accepted: expect.arrayContaining([expect.objectContaining({ object: 'orders', by: 'db/2_drop.sql:1' })]) });
    // no scratch database is left on the server
    expect(pg.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbsafe_%'").trim()).toBe('0');
  });

  it('a command gets the copy through APP_URL: dropped column values, values changed by a type change; the real database is untouched', () => {
    const before = fingerprint();
    const sql = 'DROP VIEW big_orders; ALTER TABLE orders DROP COLUMN legacy_total; ALTER TABLE orders ALTER COLUMN total TYPE int USING total::int; DELETE FROM logs;';
    const r = cli('dry-run', '--json', '--', 'sh', '-c', 'psql -X -q -v ON_ERROR_STOP=1 "$APP_URL" -c "$1"', 'sh', sql);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.migration, r.stderr).toEqual({ ok: true });
    expect(out.ledger.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'column-dropped', object: 'orders.legacy_total', values: 1250 }),
        expect.objectContaining({ kind: 'type-changed', object: 'orders.total', from: 'numeric(10,2)', to: 'integer', changed: true }),
        expect.objectContaining({ kind: 'rows-deleted', object: 'logs', rows: 2 }),
        expect.objectContaining({ kind: 'view-dropped', object: 'big_orders' }),
      ]),
    );
    expect(out.realDatabase).toEqual({ schemaChanged: false, writesSeen: false, unexplainedWrites: false });
    expect(fingerprint()).toBe(before);
  });

  it('a runner that ignores the scratch URL and changes the real database is refused (exit 2)', () => {
    const r = cli('dry-run', '--', 'sh', '-c', 'psql -X -q "$REAL_URL" -c "ALTER TABLE logs ADD COLUMN x int"');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/REFUSED: the REAL database's schema changed .* did not use APP_URL/);
  });

  it('the built-in runner: a file failing half-way rolls back whole (one transaction), the history records the rest', () => {
    const before = fingerprint();
    repo.write('db/1_ok.sql', 'CREATE INDEX orders_total ON orders (total);');
    repo.write('db/2_half.sql', 'CREATE TABLE audit (id int);\nINSERT INTO audit VALUES (1);\nDELETE FROM logs;\nINSERT INTO nosuch VALUES (1);\n');
    const r = cli('migrate', '--direct');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/2_half\.sql failed: relation "nosuch" does not exist/);
    expect(pg.sql('app', "SELECT to_regclass('audit') IS NULL, (SELECT count(*) FROM logs), (SELECT string_agg(version, ',') FROM dbsafe_schema_migrations)").trim()).toBe('t|2|1');
    // through safe-migrate (the default) the same file is stopped on the copy, before the real database
    pg.sql('app', SEED);
    const safe = cli('migrate');
    expect(safe.code).toBe(1);
    expect(safe.stderr).toMatch(/✗ dry-run\s+the migration failed on the copy/);
    expect(fingerprint()).toBe(before);
  });

  safeMigrateRestoreCases(() => ({
    repoDir: repo.dir,
    env,
    cli,
    fingerprint,
    sqlLine: (sql) => `psql -X -q -v ON_ERROR_STOP=1 "$APP_URL" -c '${sql}'`,
    halfSql: 'DELETE FROM logs; CREATE TABLE half (id int)',
    halfApplied: () => pg.sql('app', "SELECT to_regclass('half') IS NOT NULL").trim() === 't',
    reset: () => pg.sql('app', SEED),
    leftovers: () =>
      pg
        .sql('postgres', "SELECT string_agg(datname, ' ') FROM pg_database WHERE datname ~ '^dbsafe_(verify|dryrun)_|__dbsafe_new_'")
        .trim()
        .split(' ')
        .filter(Boolean),
  }));
});
