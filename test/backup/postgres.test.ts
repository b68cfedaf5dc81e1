import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { PG_BIN, skipUnless, startPostgres, TEST_PASSWORD, type PgServer } from '../helpers/servers.js';
import { allText, backupDirs, childrenOf, logEntries, logText, startCli, waitUntil } from './helpers.js';

/** PostgreSQL 15 for real: a scratch cluster on 127.0.0.1 with password (scram) auth over TCP. */

const skip = skipUnless('postgres');

let pg: PgServer;
let repo: TestRepo;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });
const encodedPassword = encodeURIComponent(TEST_PASSWORD);

const TRICKY = String.raw`
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id bigserial PRIMARY KEY, amount numeric(12,2), paid_at timestamptz, note text, blob bytea, ratio float8, m money, span interval);
INSERT INTO billing.invoices (amount, paid_at, note, blob, ratio, m, span) VALUES
  (10.50, '2024-03-10 01:59:59-05', 'emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '\x00ff00deadbeef', 'NaN', 12.34, '1 day 02:00'),
  (0, '2024-11-03 01:30:00 America/New_York', E'quote '' and \\ backslash\nnewline', '\x', 'Infinity', -1, '-3 months'),
  (-1, NULL, '', NULL, '-Infinity', 0, '0'),
  (99999.99, 'infinity', 'tab	in', decode(repeat('ab', 5000), 'hex'), '-0', 1e6, '1 year');
CREATE TABLE nopk (a int, b text);
INSERT INTO nopk VALUES (1, 'dup'), (1, 'dup'), (1, 'dup'), (2, NULL);
CREATE SEQUENCE counter START 42; SELECT nextval('counter');
CREATE VIEW billing.paid AS SELECT * FROM billing.invoices WHERE paid_at IS NOT NULL;
CREATE MATERIALIZED VIEW billing.totals AS SELECT count(*) AS n, sum(amount) AS s FROM billing.invoices;
CREATE FUNCTION billing.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, '') || '!'; RETURN NEW; END $$;
CREATE TRIGGER invoices_touch BEFORE INSERT ON billing.invoices FOR EACH ROW EXECUTE FUNCTION billing.touch();
CREATE TABLE measurements (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO measurements VALUES (1, '2024-05-01'), (2, '2024-06-01');
CREATE INDEX nopk_a ON nopk (a);
CREATE TABLE big (id int PRIMARY KEY, payload text);
INSERT INTO big SELECT g, md5(g::text) || repeat(md5((g * 7)::text), 6) FROM generate_series(1, 200000) g;
`;

describe.skipIf(skip)('PostgreSQL backup and verify (real PostgreSQL 15)', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    pg = await startPostgres();
    pg.sql('postgres', 'CREATE DATABASE app');
    pg.sql('app', TRICKY);
    repo = makeRepo();
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { app: { url: 'env:APP_DATABASE_URL' } } }));
    repo.git('add', '.dbsaferc.json');
    repo.git('commit', '-qm', 'config');
    env = { APP_DATABASE_URL: pg.url('app') };
  });
  afterAll(async () => {
    await pg?.stop();
    repo?.cleanup();
  });

  it('round-trips tricky data: backup --verify restores every object and exact count; secrets appear nowhere', async () => {
    const old = process.umask(0);
    let result;
    try {
      result = cli('backup', '--verify', '--json', '--reason', 'round trip');
    } finally {
      process.umask(old);
    }
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.verify).toMatchObject({ ok: true, level: 'schema-equal' });
    const manifest = JSON.parse(readFileSync(path.join(out.dir, 'manifest.json'), 'utf8'));
    expect(manifest.engine).toBe('postgres');
    expect(manifest.client.version).toMatch(/^15\./);
    expect(manifest.server.version).toMatch(/^15\./);
    expect(manifest.snapshot.id).toMatch(/^[0-9A-F]+-[0-9A-F]+-\d+$/);
    expect(manifest.database.url).toBe(`postgres://postgres:***@127.0.0.1:${pg.port}/app`);
    expect(manifest.annotations.git.commit).toBe(repo.git('rev-parse', 'HEAD'));
    const tables = Object.fromEntries(manifest.expected.tables.map((t: any) => [t.name, t.rows]));
    expect(tables).toMatchObject({ 'billing.invoices': 4, 'public.nopk': 4, 'public.measurements_2024': 2, 'public.big': 200000 });
    // a restore re-runs a materialized view's query: its rows are not the dump's to count
    expect(tables['billing.totals']).toBeUndefined();
    const kinds = manifest.expected.objects.map((o: any) => `${o.kind} ${o.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'view billing.paid',
        'materialized view billing.totals',
        'sequence public.counter',
        'function billing.touch()',
        'trigger billing.invoices.invoices_touch',
        'index public.nopk_a',
        'table public.measurements',
        'schema billing',
      ]),
    );
    expect(statSync(out.artifact).mode & 0o777).toBe(0o600);
    expect(statSync(out.dir).mode & 0o777).toBe(0o700);
    // the scratch database is gone
    expect(pg.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbsafe_verify_%'").trim()).toBe('0');
    for (const text of [result.stdout, result.stderr, logText(repo.dir), allText(path.join(repo.dir, '.dbsafe')), cli('log').stdout, cli('status').stdout]) {
      expect(text).not.toContain(TEST_PASSWORD);
      expect(text).not.toContain(encodedPassword);
    }
  });

  it('the password never appears in a child\'s argv or environment; a dump killed mid-stream leaves no backup and no log entry', async () => {
    const before = logEntries(repo.dir).length;
    const run = startCli(['backup'], { cwd: repo.dir, env });
    const dump = await waitUntil(() => childrenOf(run.child.pid!).find((c) => c.argv.some((a) => a.startsWith('--snapshot='))), 20_000, 2);
    const cmdline = readFileSync(`/proc/${dump.pid}/cmdline`, 'utf8');
    const environ = readFileSync(`/proc/${dump.pid}/environ`, 'utf8');
    expect(cmdline).toContain('--snapshot=');
    expect(cmdline).not.toContain(TEST_PASSWORD);
    expect(environ).not.toContain(TEST_PASSWORD);
    expect(environ).toMatch(/PGPASSFILE=/);
    process.kill(dump.pid, 'SIGKILL');
    const result = await run.result;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pg_dump was killed by SIGKILL/);
    expect(result.stderr + result.stdout).not.toContain(TEST_PASSWORD);
    expect(backupDirs(repo.dir, 'app').filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(logEntries(repo.dir)).toHaveLength(before);
    // the passfile was removed
    expect(existsSync(environ.split('\0').find((v) => v.startsWith('PGPASSFILE='))!.slice('PGPASSFILE='.length))).toBe(false);
  });

  it('a pg_dump that fails after writing part of the archive is caught (exit code checked, nothing published)', () => {
    const shim = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-shim-'));
    try {
      for (const tool of ['pg_restore', 'psql']) writeFileSync(path.join(shim, tool), `#!/bin/sh\nexec ${PG_BIN}/${tool} "$@"\n`, { mode: 0o755 });
      writeFileSync(path.join(shim, 'pg_dump'), `#!/bin/sh\ncase "$1" in --version) exec ${PG_BIN}/pg_dump "$@";; esac\n${PG_BIN}/pg_dump "$@" | head -c 4096\nexit 1\n`, { mode: 0o755 });
      const before = backupDirs(repo.dir, 'app');
      const r = runCli(['backup'], { cwd: repo.dir, env: { ...env, DBSAFE_PG_BIN: shim } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/pg_dump exited with code 1/);
      expect(backupDirs(repo.dir, 'app')).toEqual(before);
    } finally {
      rmSync(shim, { recursive: true, force: true });
    }
  });

  it('a pg_dump older than the server is refused with both versions named', () => {
    const shim = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-shim-'));
    try {
      writeFileSync(path.join(shim, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 12.22"\n', { mode: 0o755 });
      chmodSync(path.join(shim, 'pg_dump'), 0o755);
      const r = runCli(['backup'], { cwd: repo.dir, env: { ...env, DBSAFE_PG_BIN: shim } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/pg_dump is too old/);
      expect(r.stderr).toContain('12.22');
      expect(r.stderr).toMatch(/PostgreSQL 15\.\d+/);
      expect(r.stderr).toMatch(/postgresql-client-15|DBSAFE_PG_BIN/);
    } finally {
      rmSync(shim, { recursive: true, force: true });
    }
  });

  it('a concurrent writer during backup still verifies exactly (counts taken in the dump\'s own snapshot)', async () => {
    pg.sql('app', 'CREATE TABLE IF NOT EXISTS hits (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())');
    const pgMod = (await import('pg')).default;
    const writer = new pgMod.Client({ connectionString: pg.url('app') });
    await writer.connect();
    let writing = true;
    let inserted = 0;
    const loop = (async () => {
      while (writing) {
        await writer.query('INSERT INTO hits DEFAULT VALUES');
        inserted++;
      }
    })();
    try {
      await waitUntil(() => inserted > 20);
      const run = startCli(['backup', '--json'], { cwd: repo.dir, env });
      const result = await run.result;
      expect(result.code, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout);
      const atInsertStop = inserted;
      writing = false;
      await loop;
      const manifest = JSON.parse(readFileSync(path.join(out.dir, 'manifest.json'), 'utf8'));
      const expectedHits = manifest.expected.tables.find((t: any) => t.name === 'public.hits').rows;
      expect(expectedHits).toBeGreaterThan(0);
      expect(expectedHits).toBeLessThan(atInsertStop); // the live table kept growing after the snapshot
      const verify = cli('verify', out.id, '--json');
      expect(verify.code, verify.stdout).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    } finally {
      writing = false;
      await loop.catch(() => undefined);
      await writer.end();
    }
  });

  it('two backups at once: the second gets a lock error, the first completes and verifies', async () => {
    const a = startCli(['backup', '--json'], { cwd: repo.dir, env });
    await waitUntil(() => childrenOf(a.child.pid!).find((c) => c.argv.some((x) => x.startsWith('--snapshot='))), 20_000, 2);
    const b = await startCli(['backup', '--json'], { cwd: repo.dir, env }).result;
    const first = await a.result;
    expect(first.code, first.stderr).toBe(0);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/Another backup of instance "app" is running \(pid \d+/);
    const verify = cli('verify', JSON.parse(first.stdout).id);
    expect(verify.code, verify.stdout).toBe(0);
    expect(cli('log').code).toBe(0);
  });

  it('verify refuses a scratch database it did not create, and leaves it alone', () => {
    const out = JSON.parse(cli('backup', '--json').stdout);
    const scratch = `dbsafe_verify_${out.id.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
    pg.sql('postgres', `CREATE DATABASE ${scratch}`);
    pg.sql(scratch, 'CREATE TABLE precious (x int); INSERT INTO precious VALUES (1)');
    const before = logEntries(repo.dir).length;
    const r = cli('verify', out.id, '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists and was not created by dbsafe-hooks: refusing to touch it/);
    // a refusal is not a verdict on the backup: nothing logged
    expect(logEntries(repo.dir)).toHaveLength(before);
    expect(pg.sql(scratch, 'SELECT count(*) FROM precious').trim()).toBe('1');
    pg.sql('postgres', `DROP DATABASE ${scratch}`);
  });

  it('Ctrl-C during verify drops the scratch database and records no verified entry', async () => {
    const out = JSON.parse(cli('backup', '--json').stdout);
    const before = logEntries(repo.dir).filter((e) => e.event === 'verified').length;
    const run = startCli(['verify', out.id], { cwd: repo.dir, env });
    await waitUntil(() => childrenOf(run.child.pid!).find((c) => c.argv.includes('--exit-on-error')), 20_000, 2);
    process.kill(run.child.pid!, 'SIGINT');
    const result = await run.result;
    expect(result.code).toBe(2);
    expect(pg.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbsafe_verify_%'").trim()).toBe('0');
    expect(logEntries(repo.dir).filter((e) => e.event === 'verified')).toHaveLength(before);
  });

  it('a damaged custom-format archive fails verify (checksum), a truncated one too (size), with the failure logged', () => {
    const out = JSON.parse(cli('backup', '--json').stdout);
    const buf = readFileSync(out.artifact);
    buf[Math.floor(buf.length / 2)] ^= 0x55;
    writeFileSync(out.artifact, buf);
    let r = cli('verify', out.id, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).reason).toBe('checksum-mismatch');
    writeFileSync(out.artifact, buf.subarray(0, buf.length >> 1));
    r = cli('verify', out.id, '--json');
    expect(JSON.parse(r.stdout).reason).toBe('size-mismatch');
    expect(logEntries(repo.dir).pop()).toMatchObject({ event: 'failed', failure: 'size-mismatch' });
  });

  it('verifyUrl restores on the configured scratch server (here: the same cluster through its maintenance database)', () => {
    const scratchRepo = makeRepo();
    try {
      scratchRepo.write('.dbsaferc.json', JSON.stringify({ databases: { app: { url: 'env:APP_DATABASE_URL' } }, verifyUrl: 'env:SCRATCH_URL' }));
      const r = runCli(['backup', '--verify', '--json'], { cwd: scratchRepo.dir, env: { ...env, SCRATCH_URL: pg.url('postgres') } });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(JSON.parse(r.stdout).verify).toMatchObject({ ok: true });
      expect(r.stdout + r.stderr).not.toContain(TEST_PASSWORD);
    } finally {
      scratchRepo.cleanup();
    }
  });

  it('rowHashes: content-equal verify, with no false mismatch when the source database renders values differently (settings pinned)', () => {
    pg.sql('postgres', 'CREATE DATABASE drift');
    pg.sql(
      'drift',
      String.raw`CREATE TABLE v (t timestamptz, f float8, b bytea, m money, i interval, d date);
      INSERT INTO v VALUES (now(), 0.1 + 0.2, '\x00ff', 12.5, '1 day 2 hours', '2024-02-29'), ('2024-11-03 01:30-04', 'NaN', '\x', -1, '-1 month', 'infinity');
      INSERT INTO v SELECT * FROM v; -- duplicate rows: a XOR of row hashes would cancel them, a SUM does not
      ALTER DATABASE drift SET TimeZone = 'America/New_York'; ALTER DATABASE drift SET DateStyle = 'SQL, DMY';
      ALTER DATABASE drift SET extra_float_digits = 0; ALTER DATABASE drift SET bytea_output = 'escape'; ALTER DATABASE drift SET IntervalStyle = 'sql_standard';`,
    );
    const hashRepo = makeRepo();
    try {
      hashRepo.write('.dbsaferc.json', JSON.stringify({ databases: { drift: { url: 'env:DRIFT_URL', rowHashes: true } } }));
      const r = runCli(['backup', '--verify', '--json'], { cwd: hashRepo.dir, env: { DRIFT_URL: pg.url('drift') } });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.verify).toMatchObject({ ok: true, level: 'content-equal' });
      const manifest = JSON.parse(readFileSync(path.join(out.dir, 'manifest.json'), 'utf8'));
      expect(manifest.expected.tables[0]).toMatchObject({ name: 'public.v', rows: 4, hash: expect.stringMatching(/^-?\d+$/) });
      expect(manifest.expected.tables[0].hash).not.toBe('0');
      expect(logEntries(hashRepo.dir).pop()).toMatchObject({ event: 'verified', level: 'content-equal' });
    } finally {
      hashRepo.cleanup();
    }
  });

  it('a wrong password is a clear error that does not echo it, and leaves nothing behind', () => {
    const before = backupDirs(repo.dir, 'app');
    const r = runCli(['backup'], { cwd: repo.dir, env: { APP_DATABASE_URL: pg.url('app').replace(encodedPassword, 'wrong-pass-xyz') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Could not connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
    expect(r.stderr).not.toContain('wrong-pass-xyz');
    expect(backupDirs(repo.dir, 'app')).toEqual(before);
  });
});
