import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestChecksum } from '../../src/backup/manifest.js';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { skipUnless, startPostgres, TEST_PASSWORD, type PgServer } from '../helpers/servers.js';
import { childrenOf, logEntries, startCli, waitUntil } from './helpers.js';

/**
 * What PostgreSQL verify proves and what a backup survives, on a real PostgreSQL 15: definitions,
 * large objects, sequences, comments and policies are compared; interrupted verifies record
 * nothing; real databases with unusual materialized views back up; failures name their first
 * cause; secret files never outlive a killed run outside `.git/dbsafe/tmp`.
 */

const skip = skipUnless('postgres');

let pg: PgServer;
let repo: TestRepo;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });

const SCHEMA = String.raw`
CREATE TABLE docs (id serial PRIMARY KEY, owner text NOT NULL, body text, file oid);
COMMENT ON TABLE docs IS 'customer documents';
COMMENT ON COLUMN docs.body IS 'markdown';
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY docs_owner ON docs USING (owner = current_user);
INSERT INTO docs (owner, body, file) SELECT 'u' || g, 'text ' || g, lo_from_bytea(0, convert_to(repeat('x', g * 100), 'UTF8')) FROM generate_series(1, 5) g;
CREATE SEQUENCE invoice_no START 1000;
SELECT nextval('invoice_no') FROM generate_series(1, 7);
CREATE TABLE big (id int PRIMARY KEY, payload text);
INSERT INTO big SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 150000) g;
`;

function manifestOf(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
}

describe.skipIf(skip)('PostgreSQL: verify proves more, and interruptions and failures say what happened', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    pg = await startPostgres();
    pg.sql('postgres', 'CREATE DATABASE app');
    pg.sql('app', SCHEMA);
    repo = makeRepo();
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { app: { url: 'env:APP_DATABASE_URL' } } }));
    repo.git('add', '.dbsaferc.json');
    repo.git('commit', '-qm', 'config');
    env = { APP_DATABASE_URL: pg.url('app'), XDG_STATE_HOME: path.join(repo.dir, '.state') };
  });
  afterAll(async () => {
    await pg?.stop();
    repo?.cleanup();
  });

  it('a restore that lost large objects, a sequence value, a comment and a policy (same row counts) fails verify, naming each; a good one reaches schema-equal', () => {
    const good = cli('backup', '--verify', '--json');
    expect(good.code, good.stderr + good.stdout).toBe(0);
    const goodOut = JSON.parse(good.stdout);
    expect(goodOut.verify).toMatchObject({ ok: true, level: 'schema-equal' });
    expect(goodOut.verify.checks).toEqual(expect.arrayContaining(['large objects (5, 1500 bytes)', 'sequence values (2)']));
    expect(cli('verify', goodOut.id).stdout).toMatch(/level schema-equal[\s\S]*compared: sha256, full restore into scratch, objects \(\d+\), row counts \(2 tables\), definitions \(\d+, digest [0-9a-f]{12}\)/);

    // the same database after losing what row counts do not see
    pg.sql('app', String.raw`
      SELECT lo_unlink(file) FROM docs; UPDATE docs SET file = NULL;
      SELECT setval('invoice_no', 1000);
      COMMENT ON COLUMN docs.body IS NULL;
      DROP POLICY docs_owner ON docs;
      UPDATE docs SET body = 'changed' WHERE id = 1;`);
    const lossy = JSON.parse(cli('backup', '--json').stdout);
    // its artifact under the good backup's expectations: a copy the log does not know (as after moving the log aside)
    const forged = path.join(path.dirname(lossy.dir), '20200101T000000Z-f0f0f0');
    cpSync(lossy.dir, forged, { recursive: true });
    const manifest = manifestOf(forged);
    manifest.id = path.basename(forged);
    manifest.expected = manifestOf(goodOut.dir).expected;
    manifest.checksum = manifestChecksum(manifest as any);
    writeFileSync(path.join(forged, 'manifest.json'), JSON.stringify(manifest));
    const r = cli('verify', path.basename(forged), '--json');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.reason).toBe('catalog-mismatch');
    expect(out.differences).toEqual(
      expect.arrayContaining([
        'large objects: expected 5, restored 0',
        'sequence public.invoice_no: last value 1000 after restore, expected 1006',
        'comment column body of table public.docs: missing after restore',
        'policy public.docs.docs_owner: missing after restore',
      ]),
    );
    // a changed value with equal counts is only caught by row hashes, and the level said so
    expect(out.differences.join('\n')).not.toContain('content');
    pg.sql('app', `CREATE POLICY docs_owner ON docs USING (owner = current_user); COMMENT ON COLUMN docs.body IS 'markdown'`);
  });

  it('materialized views WITH NO DATA or of random()/clock_timestamp() back up and verify (row hashes on)', () => {
    pg.sql('postgres', 'CREATE DATABASE views');
    pg.sql(
      'views',
      `CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 50);
       CREATE MATERIALIZED VIEW later AS SELECT id FROM t WITH NO DATA;
       CREATE MATERIALIZED VIEW noisy AS SELECT id, random() AS r, clock_timestamp() AS at FROM t;
       CREATE MATERIALIZED VIEW recent AS SELECT id FROM t WHERE clock_timestamp() > now() - interval '1 microsecond' * id;`,
    );
    const viewsRepo = makeRepo();
    try {
      viewsRepo.write('.dbsaferc.json', JSON.stringify({ databases: { views: { url: 'env:VIEWS_URL', rowHashes: true } } }));
      const r = runCli(['backup', '--verify', '--json'], { cwd: viewsRepo.dir, env: { VIEWS_URL: pg.url('views'), XDG_STATE_HOME: path.join(viewsRepo.dir, '.state') } });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.verify).toMatchObject({ ok: true, level: 'content-equal' });
      expect(manifestOf(out.dir).expected.tables.map((t: any) => t.name)).toEqual(['public.t']);
      expect(r.stderr).not.toContain('snapshot');
    } finally {
      viewsRepo.cleanup();
    }
  });

  it('a count the backup role may not read names the table, not the snapshot pg_dump then lost', () => {
    pg.sql('postgres', `CREATE ROLE clerk LOGIN PASSWORD '${TEST_PASSWORD.replace(/'/g, "''")}'`);
    pg.sql('app', 'CREATE TABLE payroll (x int); GRANT SELECT ON docs, big TO clerk; GRANT USAGE ON SEQUENCE invoice_no, docs_id_seq TO clerk');
    const r = runCli(['backup'], { cwd: repo.dir, env: { ...env, APP_DATABASE_URL: pg.url('app', 'clerk') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Backup failed: could not count the rows of public.payroll: permission denied for table payroll');
    expect(r.stderr).not.toContain('could not import the requested snapshot');
    pg.sql('app', 'DROP TABLE payroll');
  });

  it('an interrupted verify (Ctrl-C to the whole terminal group, or SIGTERM) records nothing and exits 2, every time', async () => {
    const out = JSON.parse(cli('backup', '--verify', '--json').stdout);
    for (const how of ['group-SIGINT', 'SIGTERM', 'group-SIGINT', 'SIGINT'] as const) {
      const before = logEntries(repo.dir).length;
      const run = startCli(['verify', out.id], { cwd: repo.dir, env });
      const restore = await waitUntil(() => childrenOf(run.child.pid!).find((c) => c.argv.includes('--exit-on-error')), 20_000, 2);
      if (how === 'group-SIGINT') {
        // a terminal's Ctrl-C reaches pg_restore too: it exits 1 "terminated by user", which is no verdict
        process.kill(restore.pid, 'SIGINT');
        process.kill(run.child.pid!, 'SIGINT');
      } else process.kill(run.child.pid!, how);
      const result = await run.result;
      expect(result.code, `${how}: ${result.stdout}${result.stderr}`).toBe(2);
      expect(logEntries(repo.dir), how).toHaveLength(before);
      expect(pg.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbsafe_verify_%'").trim()).toBe('0');
    }
    // the good verification still stands
    expect(logEntries(repo.dir).filter((e) => e.backupId === out.id).map((e) => e.event)).toEqual(['backup', 'verified']);
  });

  it('the passfile of a backup killed with -9 stays only in the private .git/dbsafe/tmp, and the next run sweeps it', async () => {
    const tmpRoot = path.join(repo.dir, '.git', 'dbsafe', 'tmp');
    const run = startCli(['backup'], { cwd: repo.dir, env });
    await waitUntil(() => childrenOf(run.child.pid!).find((c) => c.argv.some((a) => a.startsWith('--snapshot='))), 20_000, 2);
    process.kill(run.child.pid!, 'SIGKILL');
    await run.result;
    // (not /tmp: other processes on a shared machine make a count of /tmp's entries meaningless, so the
    // proof is that the one passfile the killed run wrote is here)
    const left = readdirSync(tmpRoot);
    expect(left).toHaveLength(1);
    expect(readFileSync(path.join(tmpRoot, left[0]!, 'pgpass'), 'utf8')).toContain(':'); // it is the passfile
    expect(statSync(tmpRoot).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(repo.dir, '.git', 'dbsafe')).mode & 0o777).toBe(0o700);
    expect(cli('backup').code).toBe(0);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('a missing pg_dump is "not found", not "too old"', () => {
    const r = runCli(['backup'], { cwd: repo.dir, env: { ...env, DBSAFE_PG_BIN: '/nonexistent/bin' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pg_dump was not found (looked in DBSAFE_PG_BIN=/nonexistent/bin)');
    expect(r.stderr).not.toMatch(/too old/);
  });

  it('a full disk says "no space left on <dir>", not the signal the dump was then killed with', () => {
    const mountPoint = path.join(repo.dir, 'small');
    mkdirSync(mountPoint);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=600k', 'tmpfs', mountPoint]);
    if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs here: ${mounted.stderr}`);
    const fullRepo = makeRepo();
    try {
      fullRepo.write('.dbsaferc.json', JSON.stringify({ databases: { app: { url: 'env:APP_DATABASE_URL' } }, backupDir: mountPoint }));
      const r = runCli(['backup'], { cwd: fullRepo.dir, env: { ...env, XDG_STATE_HOME: path.join(fullRepo.dir, '.state') } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Backup failed: no space left on ${mountPoint}/app\n`);
      expect(r.stderr).not.toMatch(/SIGTERM|SIGPIPE|terminated/);
      expect(readdirSync(path.join(mountPoint, 'app')).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    } finally {
      spawnSync('umount', [mountPoint]);
      fullRepo.cleanup();
      rmSync(mountPoint, { recursive: true, force: true });
    }
    expect(existsSync(mountPoint)).toBe(false);
  });
});
