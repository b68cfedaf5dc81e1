import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, tempDir } from '../helpers/repo.js';
import { PG_BIN, skipUnless, startMariadb, startPostgres, type MariaServer, type PgServer } from '../helpers/servers.js';
import { startCli, waitUntil } from './helpers.js';

/**
 * restore when the machine fails under it, on the real engines: a full disk, a lost connection, a
 * server that restarts mid-restore. Each time the database is left as it was, the message names the
 * first cause, and a later restore works (leftovers swept).
 */

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite && process.env.CI) throw new Error('CI: sqlite3 CLI missing');
const canMount = process.getuid?.() === 0;
if (!canMount && process.env.CI) throw new Error('CI: the disk-full test mounts a small tmpfs and needs root');
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
  const start = (...args: string[]) => {
    const run = startCli(args, { cwd: repo.dir, env });
    let stderr = '';
    run.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return { ...run, stderr: () => stderr };
  };
  return { repo, cli, backup, start };
}

describe.skipIf(!hasSqlite || !canMount)('restore on a full disk (SQLite on a 3 MB tmpfs)', { timeout: 120_000 }, () => {
  const sqlite = (file: string, sql: string) => {
    const r = spawnSync('sqlite3', ['-bail', '-batch', file], { input: sql, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  let mount: string;
  beforeAll(() => {
    mount = mountTmpfs('3m');
  });
  afterAll(() => {
    if (mount) spawnSync('umount', [mount]);
  });

  it('no space for the restored copy: the database is as it was, the message says the disk is full, nothing is left beside it', () => {
    const db = path.join(mount, 'dev.db');
    sqlite(db, 'CREATE TABLE blobs(id INTEGER PRIMARY KEY, b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000) INSERT INTO blobs SELECT i, randomblob(150) FROM n;');
    const { cli, backup } = repoFor({}, `sqlite:${db}`);
    const id = backup();
    sqlite(db, 'DELETE FROM blobs WHERE id = 1;');
    const before = sqlite(db, 'SELECT count(*), sum(length(b)) FROM blobs;');
    const r = cli('restore', id, '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Could not write the restored copy .*no space left on device.*Nothing was swapped in/i);
    expect(r.stderr).toMatch(/Safety backup of the state before: \S+ \(npx dbsafe-hooks restore \S+ app --yes\)/);
    expect(sqlite(db, 'SELECT count(*), sum(length(b)) FROM blobs;')).toBe(before);
    expect(readdirSync(mount).filter((n) => n.includes('dbsafe'))).toEqual([]);
  });
});

describe.skipIf(skipPg)('restore on PostgreSQL 15: lost connection and server restart mid-restore', { timeout: 300_000 }, () => {
  let pg: PgServer;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });
  const contents = () => pg.sql('app', 'SELECT count(*) || \' \' || sum(hashtextextended(b::text, 0)) FROM big b').trim();
  const sides = () => pg.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'app\\_\\_dbsafe\\_%'").trim();
  /** The pg_restore session loading the side database, once it is there. */
  const loader = () => pg.sql('postgres', "SELECT pid FROM pg_stat_activity WHERE datname LIKE 'app\\_\\_dbsafe\\_new\\_%' AND state = 'active' LIMIT 1").trim();

  function setup() {
    pg.sql('postgres', 'DROP DATABASE IF EXISTS app WITH (FORCE); CREATE DATABASE app');
    pg.sql('app', 'CREATE TABLE big (id int PRIMARY KEY, payload text); INSERT INTO big SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 300000) g;');
    const fixture = repoFor({ APP_URL: pg.url('app'), PATH: `${PG_BIN}:${process.env.PATH}` }, 'env:APP_URL');
    const id = fixture.backup();
    pg.sql('app', 'DELETE FROM big WHERE id % 3 = 0;');
    return { ...fixture, id, before: contents() };
  }

  it('a lost connection (pg_terminate_backend of the loading session): app as it was, the first cause named, the side database dropped', async () => {
    const { start, id, before } = setup();
    const run = start('restore', id, '--yes');
    const pid = await waitUntil(() => loader(), 120_000, 50);
    pg.sql('postgres', `SELECT pg_terminate_backend(${pid})`);
    const r = await run.result;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Restoring into app__dbsafe_new_\S+ failed: pg_restore .*(terminating connection due to administrator command|server closed the connection unexpectedly).*Nothing was swapped in: app is as it was/s);
    expect(r.stderr).toMatch(/to undo this restore: npx dbsafe-hooks restore \S+ app --yes/);
    expect(contents()).toBe(before);
    expect(sides()).toBe('0');
  });

  it('a server restart (kill -9 of a backend: the postmaster restarts every session): app as it was, the cause named; the next restore sweeps the leftover and succeeds', async () => {
    const { start, cli, id, before } = setup();
    const run = start('restore', id, '--yes');
    const pid = await waitUntil(() => loader(), 120_000, 50);
    process.kill(Number(pid), 'SIGKILL');
    const r = await run.result;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Restoring into app__dbsafe_new_\S+ failed: pg_restore .*(server closed the connection unexpectedly|terminating connection because of crash of another server process)/s);
    await waitUntil(() => spawnSync(path.join(PG_BIN, 'pg_isready'), ['-h', pg.socketDir, '-p', String(pg.port), '-q']).status === 0, 60_000, 200);
    expect(contents()).toBe(before);
    const again = cli('restore', id, '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(pg.sql('app', 'SELECT count(*) FROM big').trim()).toBe('300000');
    expect(pg.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'app\\_\\_dbsafe\\_new%'").trim()).toBe('0');
  });
});

/** app on MariaDB with 300,000 rows, a verified backup of it, then a third of the rows deleted (the state a restore must keep if it fails). */
function mariaApp(db: MariaServer) {
  db.sql(`DROP DATABASE IF EXISTS app; CREATE DATABASE app; USE app;
    CREATE TABLE big (id INT PRIMARY KEY, payload TEXT) ENGINE=InnoDB;
    INSERT INTO big SELECT seq, REPEAT(MD5(seq), 8) FROM seq_1_to_300000;`);
  const fixture = repoFor({ APP_URL: db.url('app') }, 'env:APP_URL', { dialect: 'mariadb' });
  const id = fixture.backup();
  db.sql('DELETE FROM big WHERE id % 3 = 0', 'app');
  const contents = () => db.sql("SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', id, payload))) FROM big", 'app').trim();
  /** The connection loading the side schema, once there is one. */
  const loading = () => db.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE DB LIKE 'app\\_\\_dbsafe\\_new\\_%' AND COMMAND = 'Query' LIMIT 1").trim();
  return { ...fixture, id, contents, before: contents(), loading };
}

describe.skipIf(skipMaria)('restore on MariaDB: a lost connection mid-load', { timeout: 300_000 }, () => {
  let db: MariaServer;
  beforeAll(async () => {
    db = await startMariadb();
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('KILL of the loading connection: app as it was, the first cause named, the side schema dropped', async () => {
    const { start, id, contents, before, loading } = mariaApp(db);
    const run = start('restore', id, '--yes');
    const connection = await waitUntil(() => loading(), 120_000, 50);
    db.sql(`KILL ${connection}`);
    const r = await run.result;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Loading the dump into app__dbsafe_new_\S+ failed: mariadb .*(Lost connection|server has gone away|Connection was killed).*Nothing was swapped in/is);
    expect(contents()).toBe(before);
    expect(db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'app\\_\\_dbsafe\\_%'").trim()).toBe('0');
    expect(existsSync(db.socket)).toBe(true);
  });

  it('a server restart mid-load: app as it was, the cause named; the next restore sweeps the side schema and succeeds', async () => {
    const { start, cli, id, contents, before, loading } = mariaApp(db);
    const run = start('restore', id, '--yes');
    await waitUntil(() => loading(), 120_000, 50);
    await db.restart();
    const r = await run.result;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/failed: .*(Lost connection|server has gone away|shutdown in progress|Can't connect|ECONNREFUSED|ECONNRESET|closed).*/is);
    expect(r.stderr).toMatch(/to undo this restore: npx dbsafe-hooks restore \S+ app --yes/);
    expect(contents()).toBe(before);
    const again = cli('restore', id, '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(db.sql('SELECT COUNT(*) FROM big', 'app').trim()).toBe('300000');
    expect(db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'app\\_\\_dbsafe\\_new\\_%'").trim()).toBe('0');
  });
});

/** Fill what is left of a filesystem (fallocate: instant, no data written). */
function fillDisk(mount: string): string {
  const filler = path.join(mount, `filler-${Date.now()}`);
  const { bavail, bsize } = statfsSync(mount);
  const r = spawnSync('fallocate', ['-l', String(bavail * bsize), filler], { encoding: 'utf8' });
  // fallocate may stop a few blocks short of the end: top up with a write until the disk refuses
  spawnSync('sh', ['-c', `cat /dev/zero >> '${filler}'`]);
  if (r.status !== 0 && !existsSync(filler)) throw new Error(`fallocate: ${r.stderr}`);
  return filler;
}

function mountTmpfs(size: string): string {
  const parent = tempDir('dbsafe-full-');
  chmodSync(parent, 0o755); // the database servers run as their own users
  const mount = path.join(parent, 'disk');
  mkdirSync(mount);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', mount], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount: ${r.stderr}`);
  return mount;
}

describe.skipIf(skipPg || !canMount)('restore on PostgreSQL 15 when the disk fills up mid-load (cluster on a tmpfs)', { timeout: 300_000 }, () => {
  let pg: PgServer;
  let mount: string;
  beforeAll(async () => {
    mount = mountTmpfs('400m');
    // the WAL on another disk: the full disk stops pg_restore's writes to tables (an ERROR), not the WAL writer (a PANIC)
    pg = await startPostgres({ under: mount, walElsewhere: true });
  });
  afterAll(async () => {
    await pg?.stop();
    if (mount) spawnSync('umount', [mount]);
  });

  it('no space for the new database: app as it was, the message says the disk is full; with space again the next restore sweeps the side database and works', async () => {
    pg.sql('postgres', 'CREATE DATABASE app');
    pg.sql('app', 'CREATE TABLE big (id int PRIMARY KEY, payload text); INSERT INTO big SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 300000) g;');
    const { start, cli, backup } = repoFor({ APP_URL: pg.url('app'), PATH: `${PG_BIN}:${process.env.PATH}` }, 'env:APP_URL');
    const id = backup();
    pg.sql('app', 'DELETE FROM big WHERE id % 3 = 0;');
    const contents = () => pg.sql('app', "SELECT count(*) || ' ' || sum(hashtextextended(b::text, 0)) FROM big b").trim();
    const before = contents();
    const run = start('restore', id, '--yes');
    await waitUntil(() => pg.sql('postgres', "SELECT pid FROM pg_stat_activity WHERE datname LIKE 'app\\_\\_dbsafe\\_new\\_%' AND state = 'active' LIMIT 1").trim(), 120_000, 20);
    const filler = fillDisk(mount);
    const r = await run.result;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Restoring into app__dbsafe_new_\S+ failed: pg_restore .*(No space left on device|could not extend file).*Nothing was swapped in: app is as it was\. The database server's disk is full/s);
    expect(r.stderr).toMatch(/Safety backup of the state before: \S+ \(npx dbsafe-hooks restore \S+ app --yes\)/);
    // PostgreSQL itself may PANIC on a full disk (a write it cannot fail) and, when its crash recovery finds the
    // disk still full, stop: as an admin would, free the space and start it again when it does not answer
    rmSync(filler);
    const accepting = () => {
      try {
        return pg.sql('postgres', 'SELECT 1').trim() === '1';
      } catch {
        return false;
      }
    };
    if (!(await waitUntil(accepting, 20_000, 200).catch(() => false))) await pg.restart();
    expect(contents()).toBe(before);
    const again = cli('restore', id, '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(pg.sql('app', 'SELECT count(*) FROM big').trim()).toBe('300000');
    expect(pg.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'app\\_\\_dbsafe\\_new%'").trim()).toBe('0');
  });
});

describe.skipIf(skipMaria || !canMount)('restore on MariaDB when the disk fills up mid-load (server on a tmpfs)', { timeout: 300_000 }, () => {
  let db: MariaServer;
  let mount: string;
  beforeAll(async () => {
    mount = mountTmpfs('600m');
    db = await startMariadb({ under: mount });
  });
  afterAll(async () => {
    await db?.stop();
    if (mount) spawnSync('umount', [mount]);
  });

  it('no space for the side schema: app as it was, the message says the disk is full; with space again the next restore sweeps and works', async () => {
    const { start, cli, id, contents, before, loading } = mariaApp(db);
    const run = start('restore', id, '--yes');
    await waitUntil(() => loading(), 120_000, 20);
    const filler = fillDisk(mount);
    const r = await run.result;
    expect(r.code).toBe(2);
    // MariaDB words a full disk in several ways ("table is full", errno 28, or a COMMIT that fails with EPERM):
    // the load failed, nothing was swapped in, and the way back is printed
    expect(r.stderr).toMatch(/Loading the dump into app__dbsafe_new_\S+ failed: mariadb exited with code \d+: .*Nothing was swapped in/s);
    expect(r.stderr).toMatch(/Safety backup of the state before: \S+ \(npx dbsafe-hooks restore \S+ app --yes\)/);
    rmSync(filler);
    expect(contents()).toBe(before);
    const again = cli('restore', id, '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(db.sql('SELECT COUNT(*) FROM big', 'app').trim()).toBe('300000');
    expect(db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'app\\_\\_dbsafe\\_new\\_%'").trim()).toBe('0');
  });
});
