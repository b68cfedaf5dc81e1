#!/usr/bin/env node
// Backup/verify benchmark for MariaDB and SQLite, the counterpart of backup-bench.mjs (PostgreSQL), all in one run,
// bare tool and dbsafe alternating so cache state and background load hit both alike:
//   MariaDB backup: `mariadb-dump --single-transaction` (dbsafe's flags) | gzip -6 > file   vs `dbsafe-hooks backup`
//   MariaDB verify: `gunzip -c file | mariadb` into a fresh database + count(*) of every table vs `dbsafe-hooks verify`
//   SQLite backup:  `sqlite3 db "VACUUM INTO copy"` + gzip -6 of the copy                   vs `dbsafe-hooks backup`
//   SQLite verify:  gunzip into a scratch file + PRAGMA integrity_check + count(*)             vs `dbsafe-hooks verify`
//   memory: peak RSS (GNU time) of every dbsafe-hooks process
// Usage (as root: the scratch mariadbd runs as the mysql user; needs mariadbd, mariadb-dump, sqlite3, GNU time, the built CLI):
//   node bench/backup-bench-other.mjs [--engines mariadb,sqlite] [--maria-rows 1000000] [--sqlite-rows 2000000] [--runs 3]
// DBSAFE_CLI may point at a copy of the built CLI (so a rebuild of dist/ during the run changes nothing).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.DBSAFE_CLI ?? path.join(ROOT, 'bin', 'dbsafe-hooks.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ENGINES = arg('--engines', 'mariadb,sqlite').split(',');
const RUNS = Number(arg('--runs', '3'));
const MARIA_ROWS = Number(arg('--maria-rows', '1000000'));
const SQLITE_ROWS = Number(arg('--sqlite-rows', '2000000'));
const PASSWORD = 'bench-password';

const work = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-bench-other-'));
chmodSync(work, 0o755);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
function run(file, args, options = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} → ${r.status}\n${r.stderr}`);
  return r;
}
function timed(fn) {
  const t = process.hrtime.bigint();
  const out = fn();
  return { s: Number(process.hrtime.bigint() - t) / 1e9, out };
}
const sh = (script, options = {}) => run('bash', ['-o', 'pipefail', '-c', script], options);
const q = (text) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A repository whose config points at `url` (secrets only in the environment), and a runner for the CLI in it. */
function repoFor(name, url) {
  const repo = path.join(work, `repo-${name}`);
  mkdirSync(repo);
  run('git', ['init', '-q', repo]);
  writeFileSync(path.join(repo, '.dbsaferc.json'), JSON.stringify({ databases: { bench: { url: 'env:BENCH_URL' } }, backupDir: path.join(work, `backups-${name}`), keep: 100 }));
  const env = { ...process.env, BENCH_URL: url, XDG_STATE_HOME: path.join(work, 'state') };
  return (...args) => {
    const r = run('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', process.execPath, CLI, ...args, '--json'], { cwd: repo, env });
    return { json: JSON.parse(r.stdout), rssMB: Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)[1]) / 1024 };
  };
}

/** Alternate bare and dbsafe runs; returns medians, spreads and ratios. */
function measure(name, sizeMB, { bareBackup, bareVerify, cli }) {
  const row = { dump: [], backup: [], restore: [], verify: [], rss: [], level: undefined };
  for (let i = 0; i < RUNS; i++) {
    row.dump.push(timed(bareBackup).s);
    let id;
    row.backup.push(
      timed(() => {
        const b = cli('backup');
        row.rss.push(b.rssMB);
        id = b.json.id;
      }).s,
    );
    row.restore.push(bareVerify());
    row.verify.push(
      timed(() => {
        const v = cli('verify', id);
        if (!v.json.ok) throw new Error(`verify failed: ${JSON.stringify(v.json)}`);
        row.level = v.json.level;
        row.rss.push(v.rssMB);
      }).s,
    );
  }
  const summary = {
    engine: name,
    databaseMB: sizeMB,
    bareBackupS: median(row.dump),
    backupS: median(row.backup),
    backupRatio: median(row.backup) / median(row.dump),
    bareVerifyS: median(row.restore),
    verifyS: median(row.verify),
    verifyRatio: median(row.verify) / median(row.restore),
    peakRssMB: Math.max(...row.rss),
    level: row.level,
    raw: row,
  };
  console.error(JSON.stringify(summary));
  return summary;
}

async function mariadb() {
  const ids = { uid: Number(run('id', ['-u', 'mysql']).stdout), gid: Number(run('id', ['-g', 'mysql']).stdout) };
  const dir = path.join(work, 'maria');
  mkdirSync(dir, { mode: 0o700 });
  chownSync(dir, ids.uid, ids.gid);
  const data = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  run('mariadb-install-db', ['--no-defaults', '--user=mysql', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db']);
  spawnSync('chown', ['-R', 'mysql:mysql', dir]);
  chownSync(dir, ids.uid, ids.gid);
  const port = 33590 + Math.floor(Math.random() * 10);
  const mariadbd = existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd';
  const server = spawn(
    mariadbd,
    ['--no-defaults', '--user=mysql', `--datadir=${data}`, '--bind-address=127.0.0.1', `--port=${port}`, `--socket=${socket}`, `--pid-file=${path.join(dir, 'mysqld.pid')}`, `--log-error=${path.join(dir, 'error.log')}`, '--skip-log-bin', '--innodb-flush-log-at-trx-commit=0', '--innodb-buffer-pool-size=256M'],
    { stdio: 'ignore', cwd: '/' },
  );
  try {
    for (let i = 0; i < 100 && spawnSync('mariadb-admin', ['--no-defaults', `--socket=${socket}`, '-uroot', 'ping'], { stdio: 'ignore' }).status !== 0; i++) await new Promise((r) => setTimeout(r, 200));
    const sql = (text, db = '') => run('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '--batch', '--skip-column-names', ...(db ? [db] : [])], { input: text }).stdout.trim();
    sql(`CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT ALL PRIVILEGES ON *.* TO 'bench'@'127.0.0.1'; CREATE DATABASE benchdb;`);
    sql(
      `CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(64), c DATETIME, d TEXT) ENGINE=InnoDB;
       INSERT INTO t SELECT seq, seq % 1000, md5(seq), '2026-01-01' - INTERVAL seq SECOND, concat(md5(seq * 7), md5(seq * 11)) FROM seq_1_to_${MARIA_ROWS};
       CREATE TABLE u (id INT PRIMARY KEY, t_id INT, note VARCHAR(100), KEY (t_id)) ENGINE=InnoDB;
       INSERT INTO u SELECT seq, seq * 3 % ${MARIA_ROWS} + 1, concat('note ', seq) FROM seq_1_to_${Math.round(MARIA_ROWS / 4)};
       ANALYZE TABLE t, u;`,
      'benchdb',
    );
    const sizeMB = Math.round(Number(sql("SELECT sum(data_length + index_length) FROM information_schema.tables WHERE table_schema = 'benchdb'")) / 1e6);
    const defaults = path.join(dir, 'bench.cnf');
    writeFileSync(defaults, `[client]\nuser=bench\npassword=${PASSWORD}\nhost=127.0.0.1\nport=${port}\n`, { mode: 0o600 });
    const dumpFile = path.join(work, 'maria-baseline.sql.gz');
    const flags = '--single-transaction --quick --routines --events --triggers --hex-blob --default-character-set=utf8mb4 --no-tablespaces';
    return measure('MariaDB', sizeMB, {
      bareBackup: () => sh(`mariadb-dump --defaults-extra-file=${q(defaults)} ${flags} benchdb | gzip -6 > ${q(dumpFile)}`),
      bareVerify: () => {
        sql('DROP DATABASE IF EXISTS bench_restore; CREATE DATABASE bench_restore');
        const s = timed(() => {
          sh(`gunzip -c ${q(dumpFile)} | mariadb --defaults-extra-file=${q(defaults)} --default-character-set=utf8mb4 --binary-mode bench_restore`);
          for (const table of ['t', 'u']) run('mariadb', [`--defaults-extra-file=${defaults}`, '--batch', '--skip-column-names', 'bench_restore', '-e', `SELECT count(*) FROM ${table}`]);
        }).s;
        sql('DROP DATABASE bench_restore');
        return s;
      },
      cli: repoFor('maria', `mysql://bench:${PASSWORD}@127.0.0.1:${port}/benchdb`),
    });
  } finally {
    const done = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await done;
  }
}

function sqlite() {
  const db = path.join(work, 'bench.sqlite');
  run('sqlite3', [
    db,
    `PRAGMA journal_mode=WAL;
     CREATE TABLE t (id INTEGER PRIMARY KEY, a INT, b TEXT, c TEXT, d TEXT);
     WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${SQLITE_ROWS})
     INSERT INTO t SELECT n, n % 1000, hex(randomblob(16)), datetime(1700000000 - n, 'unixepoch'), 'row ' || n || ' ' || hex(randomblob(24)) FROM s;
     CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INT REFERENCES t(id), note TEXT);
     INSERT INTO u SELECT id, id, 'note ' || id FROM t WHERE id % 4 = 0;
     CREATE INDEX u_t ON u(t_id);`,
  ]);
  const sizeMB = Math.round(statSync(db).size / 1e6);
  const copy = path.join(work, 'sqlite-baseline.sqlite');
  const gz = `${copy}.gz`;
  const scratch = path.join(work, 'sqlite-scratch.sqlite');
  return measure('SQLite', sizeMB, {
    bareBackup: () => {
      rmSync(copy, { force: true });
      run('sqlite3', [db, `VACUUM INTO '${copy}'`]);
      sh(`gzip -6 -c ${q(copy)} > ${q(gz)} && rm ${q(copy)}`);
    },
    bareVerify: () => {
      const s = timed(() => {
        sh(`gunzip -c ${q(gz)} > ${q(scratch)}`);
        run('sqlite3', [scratch, 'PRAGMA integrity_check; SELECT count(*) FROM t; SELECT count(*) FROM u;']);
      }).s;
      rmSync(scratch, { force: true });
      return s;
    },
    cli: repoFor('sqlite', `sqlite:${db}`),
  });
}

try {
  const results = [];
  if (ENGINES.includes('mariadb')) results.push(await mariadb());
  if (ENGINES.includes('sqlite')) results.push(sqlite());
  console.log('| engine | data | bare backup | dbsafe backup | ratio (spread bare / dbsafe) | bare restore + count | dbsafe verify | ratio (spread bare / dbsafe) | level | peak RSS dbsafe |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|');
  for (const r of results) {
    console.log(
      `| ${r.engine} | ${r.databaseMB} MB | ${r.bareBackupS.toFixed(2)} s | ${r.backupS.toFixed(2)} s | **${r.backupRatio.toFixed(3)}x** (${spread(r.raw.dump)} / ${spread(r.raw.backup)} s) | ${r.bareVerifyS.toFixed(2)} s | ${r.verifyS.toFixed(2)} s | **${r.verifyRatio.toFixed(3)}x** (${spread(r.raw.restore)} / ${spread(r.raw.verify)} s) | ${r.level} | ${r.peakRssMB.toFixed(0)} MB |`,
    );
  }
  console.log(`\n(medians of ${RUNS} alternating runs; ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.cpus()[0]?.model ?? ''})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
