import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestChecksum } from '../../src/backup/manifest.js';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { PG_BIN, skipUnless, startPostgres, TEST_PASSWORD, type PgServer } from '../helpers/servers.js';
import { interruptRestore, checkKilledRestore, expectEveryRestoreStep, killAtEveryStep, logEntries, logText } from './helpers.js';

/** restore on a real PostgreSQL 15 cluster: new database beside the target, checked, renamed in. */

const skip = skipUnless('postgres');

let pg: PgServer;
let repo: TestRepo;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });

const SCHEMA = String.raw`
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id bigserial PRIMARY KEY, amount numeric(12,2), note text, blob bytea, ratio float8);
INSERT INTO billing.invoices (amount, note, blob, ratio) VALUES (10.50, 'emoji 😀', '\x00ff00', 'NaN'), (0, E'quote '' \\', '\x', '-0'), (-1, NULL, NULL, 'Infinity');
CREATE TABLE nopk (a int, b text);
INSERT INTO nopk VALUES (1, 'dup'), (1, 'dup'), (2, NULL);
CREATE SEQUENCE counter START 42; SELECT nextval('counter');
CREATE VIEW billing.paid AS SELECT * FROM billing.invoices WHERE amount > 0;
CREATE MATERIALIZED VIEW billing.totals AS SELECT count(*) AS n, sum(amount) AS s FROM billing.invoices;
CREATE FUNCTION billing.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, '') || '!'; RETURN NEW; END $$;
CREATE TRIGGER invoices_touch BEFORE INSERT ON billing.invoices FOR EACH ROW EXECUTE FUNCTION billing.touch();
CREATE TABLE big (id int PRIMARY KEY, payload text);
INSERT INTO big SELECT g, md5(g::text) || repeat(md5((g * 7)::text), 4) FROM generate_series(1, 60000) g;
`;

const MANGLE = `DROP VIEW billing.paid; DROP MATERIALIZED VIEW billing.totals; DROP TABLE nopk; UPDATE big SET payload = 'x' WHERE id % 2 = 0;
DELETE FROM billing.invoices WHERE amount < 0; CREATE TABLE stray (x int); SELECT setval('counter', 1000);`;

/** Objects, and per table its count and a row hash: equal text = same objects, counts and rows. */
function contents(database = 'app'): string {
  const objects = pg.sql(
    database,
    `SELECT string_agg(c.relkind::text || ' ' || n.nspname || '.' || c.relname, ',' ORDER BY n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('public', 'billing') AND c.relkind IN ('r','v','m','S','i');
     SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'billing';
     SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal;`,
  );
  const tables = pg.sql(database, `SELECT string_agg(quote_ident(n.nspname) || '.' || quote_ident(c.relname), ' ' ORDER BY n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public','billing') AND c.relkind IN ('r','m')`)
    .trim()
    .split(' ')
    .filter(Boolean);
  const rows = tables.map((t) => `${t}: ${pg.sql(database, `SELECT count(*) || ' ' || coalesce(sum(hashtextextended(x::text, 0)), 0) FROM ${t} x`).trim()}`);
  const sequence = pg.sql(database, `SELECT last_value FROM counter`).trim();
  return [objects.trim(), ...rows, `counter ${sequence}`].join('\n');
}

const databases = () => pg.sql('postgres', `SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database`).trim().split(' ');

function resetApp() {
  for (const name of databases().filter((d) => d.startsWith('app'))) pg.sql('postgres', `DROP DATABASE "${name}" WITH (FORCE)`);
  pg.sql('postgres', 'CREATE DATABASE app');
  pg.sql('app', SCHEMA);
}

function backupVerified(): string {
  const r = cli('backup', '--verify', '--json');
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return JSON.parse(r.stdout).id;
}

/** A psql session connected to `database`, kept open until killed. */
async function openSession(database: string) {
  const child = spawn(path.join(PG_BIN, 'psql'), ['-X', '-q', '-At', '-h', pg.socketDir, '-p', String(pg.port), '-U', 'postgres', '-d', database], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.write("SELECT 'connected';\n");
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return child;
}

describe.skipIf(skip)('restore on PostgreSQL 15', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    pg = await startPostgres();
    repo = makeRepo();
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { app: { url: 'env:APP_DATABASE_URL' } } }));
    env = { APP_DATABASE_URL: pg.url('app'), COPY_URL: pg.url('app_rehearsal') };
  });
  afterAll(async () => {
    await pg?.stop();
    repo?.cleanup();
  });

  it('round trip: restore --latest --yes gives back exactly the backup (objects, counts, row hashes, sequence); previous kept; logged; no secret anywhere', () => {
    resetApp();
    const original = contents();
    const id = backupVerified();
    pg.sql('app', MANGLE);
    pg.sql('postgres', "COMMENT ON DATABASE app IS 'orders of the shop'");
    const mangled = contents();
    expect(mangled).not.toBe(original);

    const r = cli('restore', '--latest', '--yes');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(contents()).toBe(original);
    // the restored database carries the target's comment, not the marker it had while it was a side database
    expect(pg.sql('postgres', "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'app'").trim()).toBe('orders of the shop');
    expect(r.stdout).toMatch(/renamed in one transaction \(atomic\)/);
    const previous = databases().find((d) => d.startsWith('app__dbsafe_prev_'));
    expect(previous).toBeTruthy();
    expect(contents(previous)).toBe(mangled);
    expect(databases().filter((d) => d.includes('__dbsafe_new_'))).toEqual([]);
    const safety = /safety backup (\S+) of/.exec(r.stderr)?.[1];
    const entry = logEntries(repo.dir).filter((e) => e.event === 'restore').pop();
    expect(entry).toMatchObject({ instance: 'app', backupId: id, safetyBackupId: safety, result: 'restored', previous });
    for (const text of [r.stdout, r.stderr, logText(repo.dir)]) {
      expect(text).not.toContain(TEST_PASSWORD);
      expect(text).not.toContain(encodeURIComponent(TEST_PASSWORD));
    }
    // the printed undo puts the state before the restore back
    const undo = cli('restore', safety!, 'app', '--yes', '--drop-previous');
    expect(undo.code, undo.stderr).toBe(0);
    expect(contents()).toBe(mangled);
  });

  it('a restore in the same second as an earlier one keeps that one\'s previous database and swaps under another name', () => {
    resetApp();
    backupVerified();
    pg.sql('app', MANGLE);
    // previous databases an earlier restore kept for this second and the next few (what two restores in one second leave)
    const stamp = (at: number) => new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').toLowerCase();
    const now = Date.now();
    const earlier = [0, 1, 2, 3, 4, 5].map((s) => `app__dbsafe_prev_${stamp(now + s * 1000)}`);
    for (const name of earlier) {
      pg.sql('postgres', `CREATE DATABASE "${name}"`);
      pg.sql(name, "CREATE TABLE kept AS SELECT 'an earlier restore' AS what");
    }
    const r = cli('restore', '--latest', '--yes');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const name of earlier) expect(pg.sql(name, 'SELECT what FROM kept').trim()).toBe('an earlier restore');
    const kept = databases().filter((d) => d.startsWith('app__dbsafe_prev_') && !earlier.includes(d));
    expect(kept).toHaveLength(1);
    expect(pg.sql(kept[0]!, 'SELECT count(*) FROM big WHERE payload = $$x$$').trim()).not.toBe('0');
    for (const name of [...earlier, ...kept]) pg.sql('postgres', `DROP DATABASE "${name}"`);
  });

  it('refuses while another session is connected; --terminate-connections ends it and swaps', async () => {
    resetApp();
    const original = contents();
    backupVerified();
    pg.sql('app', MANGLE);
    const session = await openSession('app');
    const safetyBackups = () => logEntries(repo.dir).filter((e) => e.event === 'backup' && e.pinned).length;
    const before = safetyBackups();
    try {
      const refused = cli('restore', '--latest', '--yes');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/1 other session is connected to database "app"/);
      expect(refused.stderr).toMatch(/--terminate-connections/);
      // refused before the safety backup: nothing was taken or touched
      expect(safetyBackups()).toBe(before);
      const done = cli('restore', '--latest', '--yes', '--terminate-connections', '--drop-previous');
      expect(done.code, done.stderr).toBe(0);
      expect(contents()).toBe(original);
      expect(databases().filter((d) => d.startsWith('app__'))).toEqual([]);
    } finally {
      session.kill('SIGKILL');
    }
  });

  it('a backup taken by a newer server major is refused before anything is touched (exit 2)', () => {
    resetApp();
    const id = backupVerified();
    const file = path.join(repo.dir, '.dbsafe', 'backups', 'app', id, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.server.version = '17.2';
    manifest.checksum = manifestChecksum(manifest);
    writeFileSync(file, JSON.stringify(manifest));
    const restores = () => logEntries(repo.dir).filter((e) => e.event === 'restore' || (e.event === 'backup' && e.pinned)).length;
    const before = restores();
    const r = cli('restore', id, '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/taken from PostgreSQL 17\.2; the target runs 15\./);
    expect(restores()).toBe(before);
  });

  it('kill -9 mid-restore leaves app as it was or as the backup; the printed command restores the state before; the side database is swept', async () => {
    resetApp();
    const original = contents();
    backupVerified();
    pg.sql('app', MANGLE);
    const mangled = contents();
    const run = await interruptRestore(['--latest', '--yes', '--reverify'], { cwd: repo.dir, env, signal: 'SIGKILL', ready: () => databases().some((d) => d.startsWith('app__dbsafe_new_')) });
    expect([original, mangled]).toContain(contents());
    const undo = cli(...run.undoArgs(), '--drop-previous');
    expect(undo.code, undo.stderr).toBe(0);
    expect(contents()).toBe(mangled);
    expect(databases().filter((d) => d.includes('__dbsafe_new_'))).toEqual([]);
  });

  it('kill -9 between every two steps: app is as it was or as the backup, the printed command undoes it, the next restore sweeps and works', () => {
    resetApp();
    const original = contents();
    const id = backupVerified();
    pg.sql('app', MANGLE);
    const mangled = contents();
    const run = killAtEveryStep(['restore', id, '--yes', '--reverify'], {
      cwd: repo.dir,
      env,
      prepare: () => {
        if (contents() === mangled) return;
        pg.sql('postgres', 'DROP DATABASE app WITH (FORCE); CREATE DATABASE app');
        pg.sql('app', SCHEMA + MANGLE);
      },
      afterKill: checkKilledRestore({ original, mangled }, contents, cli),
    });
    expectEveryRestoreStep(run);
    expect(contents()).toBe(original);
    expect(databases().filter((d) => d.includes('__dbsafe_new_'))).toEqual([]);
  });

  it('--schema-only --into an env:VAR database creates it with every definition and empty tables; app is untouched', () => {
    resetApp();
    const id = backupVerified();
    const before = contents();
    const r = cli('restore', id, '--yes', '--schema-only', '--into', 'env:COPY_URL');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(contents()).toBe(before);
    expect(pg.sql('app_rehearsal', `SELECT (SELECT count(*) FROM big) + (SELECT count(*) FROM billing.invoices) + (SELECT count(*) FROM nopk)`).trim()).toBe('0');
    expect(pg.sql('app_rehearsal', `SELECT count(*) FROM pg_trigger WHERE tgname = 'invoices_touch'`).trim()).toBe('1');
    expect(r.stdout + r.stderr).not.toContain(TEST_PASSWORD);
  });

  it('export --sql: the full dump, and schema-only then data-only, rebuild the database exactly (psql)', () => {
    resetApp();
    const id = backupVerified();
    const original = contents();
    for (const name of ['app_full', 'app_split']) pg.sql('postgres', `DROP DATABASE IF EXISTS ${name}; CREATE DATABASE ${name}`);
    const full = cli('export', id, '--sql');
    expect(full.code, full.stderr).toBe(0);
    pg.sql('app_full', full.stdout);
    expect(contents('app_full')).toBe(original);
    const schema = cli('export', id, '--sql', '--schema-only');
    const data = cli('export', id, '--sql', '--data-only');
    expect(schema.stdout).not.toMatch(/^COPY /m);
    expect(data.stdout).not.toMatch(/CREATE TABLE/);
    pg.sql('app_split', schema.stdout);
    pg.sql('app_split', data.stdout);
    pg.sql('app_split', 'REFRESH MATERIALIZED VIEW billing.totals');
    expect(contents('app_split')).toBe(original);
  });
});
