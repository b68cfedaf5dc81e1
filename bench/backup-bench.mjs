#!/usr/bin/env node
// Backup/verify benchmark against a real PostgreSQL 15 (pgbench data), all in one run:
//   backup: `dbsafe-hooks backup` wall time vs a bare `pg_dump -Fc -f file` of the same database
//   verify: `dbsafe-hooks verify` wall time vs a bare `pg_restore` into a fresh database + count(*) of every table
//   memory: peak RSS (VmHWM via GNU time) of the dbsafe-hooks process at two database sizes
// Usage (as root, needs /usr/lib/postgresql/15/bin, GNU time, the built CLI):
//   node bench/backup-bench.mjs [--scales 15,60] [--runs 3]
// The scratch cluster listens on 127.0.0.1:55590-55599 and is stopped (and deleted) at the end.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// DBSAFE_CLI: a copy of the built CLI, so rebuilding dist/ during a long run cannot change what is measured
const CLI = process.env.DBSAFE_CLI ?? path.join(ROOT, 'bin', 'dbsafe-hooks.js');
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SCALES = arg('--scales', '15,60').split(',').map(Number);
const RUNS = Number(arg('--runs', '3'));
const RSS_ROWS = arg('--rss-rows', '1500000,6000000').split(',').map(Number);
const PASSWORD = 'bench-password';
// --compare-cli <bin/dbsafe-hooks.js of another build> (e.g. the commit before a change): its backup and verify
// alternate with ours on the same database, in their own repository, so what a change costs is measured in one run
const COMPARE_CLI = arg('--compare-cli', undefined);

const ids = { uid: Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout), gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout) };
const work = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-bench-'));
chmodSync(work, 0o755);
const data = path.join(work, 'pg');
mkdirSync(data, { mode: 0o700 });
chownSync(data, ids.uid, ids.gid);
const sock = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-bench-sock-'));
chownSync(sock, ids.uid, ids.gid);
const port = 55590 + Math.floor(Math.random() * 10);

function run(file, args, options = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} → ${r.status}\n${r.stderr}`);
  return r;
}
const asPg = { ...ids, cwd: '/' };
const psql = (db, sql) => run(`${BIN}/psql`, ['-X', '-qAt', '-h', sock, '-p', String(port), '-U', 'postgres', '-d', db, '-c', sql]).stdout.trim();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timed(fn) {
  const t = process.hrtime.bigint();
  const out = fn();
  return { s: Number(process.hrtime.bigint() - t) / 1e9, out };
}

let server;
const pwfile = path.join(sock, 'pw');
writeFileSync(pwfile, PASSWORD);
chownSync(pwfile, ids.uid, ids.gid);
try {
  run(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync'], asPg);
  server = spawn(`${BIN}/postgres`, ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${sock}`, '-c', 'shared_buffers=1GB', '-c', 'max_wal_size=4GB', '-c', 'fsync=off'], { ...asPg, stdio: 'ignore' });
  for (let i = 0; i < 100 && spawnSync(`${BIN}/pg_isready`, ['-h', sock, '-p', String(port), '-q']).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));

  const env = { ...process.env, PGPASSWORD: PASSWORD, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres' };
  const results = [];
  for (const scale of SCALES) {
    const db = `bench_s${scale}`;
    psql('postgres', `CREATE DATABASE ${db}`);
    const init = timed(() => run(`${BIN}/pgbench`, ['-i', '-q', '-s', String(scale), '-h', sock, '-p', String(port), '-U', 'postgres', db]));
    psql(db, 'VACUUM ANALYZE');
    const size = Number(psql(db, `SELECT pg_database_size('${db}')`));
    const tables = psql(db, "SELECT string_agg(quote_ident(relname), ',') FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace").split(',');
    // a repository whose config points at this database (the password only in the environment)
    const repo = path.join(work, `repo-${scale}`);
    mkdirSync(repo);
    run('git', ['init', '-q', repo]);
    writeFileSync(path.join(repo, '.dbsaferc.json'), JSON.stringify({ databases: { bench: { url: 'env:BENCH_URL' } }, backupDir: path.join(work, `backups-${scale}`), keep: 100 }));
    const cliEnv = { ...process.env, XDG_STATE_HOME: path.join(work, 'state'), BENCH_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${db}` };
    const dumpFile = path.join(work, 'baseline.pgc');
    const row = { scale, sizeMB: Math.round(size / 1e6), initS: init.s.toFixed(1), dump: [], backup: [], restore: [], restoreFull: [], verify: [], rss: [], compareBackup: [], compareVerify: [] };
    const compareRepo = path.join(work, `repo-compare-${scale}`);
    if (COMPARE_CLI) {
      mkdirSync(compareRepo);
      run('git', ['init', '-q', compareRepo]);
      writeFileSync(path.join(compareRepo, '.dbsaferc.json'), JSON.stringify({ databases: { bench: { url: 'env:BENCH_URL' } }, backupDir: path.join(work, `backups-compare-${scale}`), keep: 100 }));
    }
    for (let i = 0; i < RUNS; i++) {
      // baseline and dbsafe alternate so cache state and background load hit both alike
      rmSync(dumpFile, { force: true });
      row.dump.push(timed(() => run(`${BIN}/pg_dump`, ['-Fc', '-f', dumpFile, '-d', db], { env })).s);
      const b = timed(() => run('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', process.execPath, CLI, 'backup', '--json'], { cwd: repo, env: cliEnv }));
      row.backup.push(b.s);
      if (process.env.DBSAFE_TRACE) console.error(b.out.stderr);
      row.rss.push(Number(/MAXRSS_KB=(\d+)/.exec(b.out.stderr)[1]) / 1024);
      const id = JSON.parse(b.out.stdout).id;

      // Two baselines: the (pg_restore + count(*), database created and dropped untimed) and the
      // whole manual procedure verify automates (create + restore + count + drop: DROP DATABASE forces a
      // checkpoint that flushes the restored files, so it is not free).
      const create = timed(() => psql('postgres', 'CREATE DATABASE bench_restore TEMPLATE template0'));
      const restore = timed(() => {
        run(`${BIN}/pg_restore`, ['--exit-on-error', '--no-owner', '--no-privileges', '--single-transaction', '-d', 'bench_restore', dumpFile], { env });
        for (const t of tables) psql('bench_restore', `SELECT count(*) FROM ONLY ${t}`);
      });
      row.restore.push(restore.s);
      const drop = timed(() => psql('postgres', 'DROP DATABASE bench_restore'));
      row.restoreFull.push(create.s + restore.s + drop.s);
      const v = timed(() => run('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', process.execPath, CLI, 'verify', id, '--json'], { cwd: repo, env: cliEnv }));
      const verdict = JSON.parse(v.out.stdout);
      if (!verdict.ok) throw new Error(`verify failed: ${v.out.stdout}`);
      row.level = verdict.level;
      row.verify.push(v.s);
      if (process.env.DBSAFE_TRACE) console.error(v.out.stderr);
      row.rss.push(Number(/MAXRSS_KB=(\d+)/.exec(v.out.stderr)[1]) / 1024);
      if (COMPARE_CLI) {
        const cb = timed(() => run(process.execPath, [COMPARE_CLI, 'backup', '--json'], { cwd: compareRepo, env: cliEnv }));
        row.compareBackup.push(cb.s);
        const cv = timed(() => run(process.execPath, [COMPARE_CLI, 'verify', JSON.parse(cb.out.stdout).id, '--json'], { cwd: compareRepo, env: cliEnv }));
        row.compareVerify.push(cv.s);
      }
    }
    const summary = {
      scale,
      databaseMB: row.sizeMB,
      pgDumpS: median(row.dump),
      backupS: median(row.backup),
      backupRatio: median(row.backup) / median(row.dump),
      pgRestoreCountS: median(row.restore),
      verifyS: median(row.verify),
      verifyRatio: median(row.verify) / median(row.restore),
      manualVerifyS: median(row.restoreFull),
      verifyVsManualRatio: median(row.verify) / median(row.restoreFull),
      peakRssMB: Math.max(...row.rss),
      artifactMB: Math.round(Number(readFileSync(dumpFile).length) / 1e6),
      verifyLevel: row.level,
      ...(COMPARE_CLI ? { compareBackupS: median(row.compareBackup), compareBackupRatio: median(row.compareBackup) / median(row.dump), compareVerifyS: median(row.compareVerify), compareVerifyRatio: median(row.compareVerify) / median(row.restore) } : {}),
      spread: { dump: [Math.min(...row.dump), Math.max(...row.dump)], backup: [Math.min(...row.backup), Math.max(...row.backup)], restore: [Math.min(...row.restore), Math.max(...row.restore)], verify: [Math.min(...row.verify), Math.max(...row.verify)] },
      raw: row,
    };
    results.push(summary);
    console.error(JSON.stringify(summary));
    psql('postgres', `DROP DATABASE ${db}`);
  }
  // memory with much data flowing through dbsafe: random (incompressible) bytea at two sizes
  const rss = [];
  const probeRepo = path.join(work, 'repo-rss');
  mkdirSync(probeRepo);
  run('git', ['init', '-q', probeRepo]);
  writeFileSync(path.join(probeRepo, '.dbsaferc.json'), JSON.stringify({ databases: { probe: { url: 'env:BENCH_URL' } }, backupDir: path.join(work, 'backups-rss'), keep: 100 }));
  psql('postgres', 'CREATE DATABASE rss_probe');
  let rows = 0;
  for (const target of RSS_ROWS) {
    psql('rss_probe', `CREATE TABLE IF NOT EXISTS r (id int, payload bytea); INSERT INTO r SELECT g, decode(md5(random()::text) || md5(random()::text), 'hex') FROM generate_series(${rows + 1}, ${target}) g`);
    rows = target;
    const b = run('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', process.execPath, CLI, 'backup', '--json'], { cwd: probeRepo, env: { ...process.env, XDG_STATE_HOME: path.join(work, 'state'), BENCH_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/rss_probe` } });
    const out = JSON.parse(b.stdout);
    rss.push({ rows, artifactMB: Math.round(out.bytes / 1e6), peakRssMB: Math.round(Number(/MAXRSS_KB=(\d+)/.exec(b.stderr)[1]) / 1024) });
    console.error(JSON.stringify(rss[rss.length - 1]));
  }
  console.log('| pgbench scale | database | artifact | pg_dump -Fc | dbsafe backup | ratio | pg_restore + count(*) | dbsafe verify | ratio | create + restore + count + drop | ratio | peak RSS dbsafe |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    if (r.compareBackupS) console.log(`compare CLI: backup ${r.compareBackupS.toFixed(2)} s (${r.compareBackupRatio.toFixed(3)}x pg_dump), verify ${r.compareVerifyS.toFixed(2)} s (${r.compareVerifyRatio.toFixed(3)}x pg_restore + count)`);
    console.log(
      `| ${r.scale} | ${r.databaseMB} MB | ${r.artifactMB} MB | ${r.pgDumpS.toFixed(2)} s | ${r.backupS.toFixed(2)} s | **${r.backupRatio.toFixed(3)}x** | ${r.pgRestoreCountS.toFixed(2)} s | ${r.verifyS.toFixed(2)} s | **${r.verifyRatio.toFixed(3)}x** | ${r.manualVerifyS.toFixed(2)} s | **${r.verifyVsManualRatio.toFixed(3)}x** | ${r.peakRssMB.toFixed(0)} MB |`,
    );
  }
  console.log('\n| random bytea rows | artifact through dbsafe | peak RSS dbsafe backup |');
  console.log('|---:|---:|---:|');
  for (const r of rss) console.log(`| ${r.rows} | ${r.artifactMB} MB | ${r.peakRssMB} MB |`);
  console.log(`\n(medians of ${RUNS} alternating runs; ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.cpus()[0]?.model ?? ''})`);
} finally {
  if (server && server.exitCode === null) {
    const done = new Promise((r) => server.once('exit', r));
    process.kill(server.pid, 'SIGINT');
    await done;
  }
  rmSync(work, { recursive: true, force: true });
  rmSync(sock, { recursive: true, force: true });
}
