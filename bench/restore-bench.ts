// restore and dry-run against the bare engine tools, in one run (ratios, not absolute times):
//   PostgreSQL restore: `dbsafe-hooks restore <id> --into <new database>` vs createdb + pg_restore --single-transaction + ALTER DATABASE RENAME
//     (a new target: no safety backup is taken; the safety backup is a `backup --verify`, timed on its own)
//   PostgreSQL dry-run: `dbsafe-hooks dry-run -- psql … DROP COLUMN` vs by hand: createdb + pg_restore + count(*) of every
//     table + the migration + count(*) again + dropdb
//   MariaDB restore: `restore --into <new schema>` vs CREATE DATABASE + `gunzip -c dump.sql.gz | mariadb <db>`
//   SQLite restore: `restore --into <new file>` vs `sqlite3 new.db ".restore plain.db"` (plain.db: the backup decompressed)
//   SQLite dry-run: `dry-run -- sqlite3 … DROP COLUMN` vs by hand: decompress + count(*) + the migration + count(*) + rm
//   peak RSS of the dbsafe-hooks process (GNU time %M)
// Run (root; PostgreSQL 15, MariaDB, sqlite3, GNU time; after `npm run build`):
//   npx tsx bench/restore-bench.ts [--scale 10] [--rows 400000] [--runs 3] [--only postgres|mariadb|sqlite]
// Servers come from test/helpers/servers.ts (127.0.0.1, random ports) and are stopped at the end.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, cleanEnv } from '../test/helpers/repo.js';
import { PG_BIN, startMariadb, startPostgres } from '../test/helpers/servers.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SCALE = Number(arg('--scale', '10'));
const ROWS = Number(arg('--rows', '400000'));
const RUNS = Number(arg('--runs', '3'));
const ONLY = arg('--only', '');
const wanted = (engine: string) => !ONLY || ONLY === engine;

const work = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-restore-bench-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function sh(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} → ${r.status}\n${r.stderr}`);
  return r.stdout;
}
function timed(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}
/** The CLI under GNU time: seconds and peak RSS (MB). */
function cli(repo: string, env: NodeJS.ProcessEnv, args: string[], okCodes = [0]): { s: number; rssMB: number } {
  let r: ReturnType<typeof spawnSync> | undefined;
  const s = timed(() => {
    r = spawnSync('/usr/bin/time', ['-f', 'RSS_KB %M', process.execPath, CLI, ...args], { cwd: repo, env: cleanEnv(env), encoding: 'utf8', maxBuffer: 1 << 26 });
  });
  if (!okCodes.includes(r!.status ?? -1)) throw new Error(`dbsafe-hooks ${args.join(' ')} → ${r!.status}\n${String(r!.stdout)}\n${String(r!.stderr)}`);
  return { s, rssMB: Math.round(Number(/RSS_KB (\d+)/.exec(String(r!.stderr))?.[1] ?? 0) / 1024) };
}
function repoWith(name: string, config: unknown): string {
  const dir = path.join(work, name);
  sh('git', ['init', '-q', dir]);
  writeFileSync(path.join(dir, '.dbsaferc.json'), JSON.stringify(config));
  return dir;
}
function backup(repo: string, env: NodeJS.ProcessEnv): { id: string; artifact: string } {
  const r = spawnSync(process.execPath, [CLI, 'backup', '--verify', '--json'], { cwd: repo, env: cleanEnv(env), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const id = JSON.parse(r.stdout).id as string;
  const dir = path.join(repo, '.dbsafe', 'backups', 'app', id);
  const artifact = path.join(dir, readdirSync(dir).find((n) => n !== 'manifest.json')!);
  return { id, artifact };
}

interface Row {
  what: string;
  dbsafe: number[];
  bare: number[];
  rss: number[];
  note: string;
}
const rows: Row[] = [];
let settle: () => void = () => undefined;
function compare(what: string, note: string, dbsafe: (i: number) => { s: number; rssMB: number }, bare: (i: number) => void, after: (i: number) => void = () => undefined) {
  const row: Row = { what, dbsafe: [], bare: [], rss: [], note };
  for (let i = 0; i < RUNS; i++) {
    // alternate which goes first, and write out the dirty pages of the previous run before each timed
    // one (CHECKPOINT + sync): otherwise the second run pays for the first one's gigabyte of writes
    const runBare = () => {
      settle();
      row.bare.push(timed(() => bare(i)));
    };
    const runDbsafe = () => {
      settle();
      const d = dbsafe(i);
      row.dbsafe.push(d.s);
      row.rss.push(d.rssMB);
    };
    if (i % 2 === 0) {
      runBare();
      runDbsafe();
    } else {
      runDbsafe();
      runBare();
    }
    after(i);
  }
  rows.push(row);
  process.stderr.write(`${what}: dbsafe ${median(row.dbsafe).toFixed(2)} s, bare ${median(row.bare).toFixed(2)} s\n`);
}

const pg = await startPostgres({ ports: [55580, 55589] });
const maria = wanted('mariadb') ? await startMariadb() : undefined;
settle = () => {
  pg.sql('postgres', 'CHECKPOINT');
  sh('sync', []);
};
try {
  // PostgreSQL: pgbench data
  pg.sql('postgres', 'CREATE DATABASE bench');
  sh(path.join(PG_BIN, 'pgbench'), ['-i', '-q', '-s', String(SCALE), '-h', pg.socketDir, '-p', String(pg.port), '-U', 'postgres', 'bench']);
  const pgSize = Math.round(Number(pg.sql('postgres', "SELECT pg_database_size('bench')").trim()) / 1e6);
  const pgEnv = { APP_URL: pg.url('bench'), NEW_URL: '', PATH: `${PG_BIN}:${process.env.PATH}` };
  const pgRepo = repoWith('pg', { migrations: [{ glob: 'db/*.sql' }], databases: { app: { url: 'env:APP_URL' } } });
  const pgBackup = timed(() => undefined);
  const safety = cli(pgRepo, pgEnv, ['backup', '--verify']);
  const { id, artifact } = backup(pgRepo, pgEnv);
  const pgTool = (file: string, args: string[]) => sh(path.join(PG_BIN, file), ['-h', pg.socketDir, '-p', String(pg.port), '-U', 'postgres', ...args]);
  const tables = pg.sql('bench', "SELECT string_agg(quote_ident(relname), ' ') FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace").trim().split(' ');
  const countAll = (db: string) => pg.sql(db, tables.map((t) => `SELECT count(*) FROM ${t};`).join('\n'));
  compare(
    `PostgreSQL restore (pgbench -s ${SCALE}, ${pgSize} MB)`,
    'new database beside the target, checked (objects, exact counts), renamed in',
    (i) => cli(pgRepo, { ...pgEnv, NEW_URL: pg.url(`new_d${i}`) }, ['restore', id, '--into', 'env:NEW_URL', '--yes']),
    (i) => {
      pgTool('createdb', [`side_b${i}`]);
      pgTool('pg_restore', ['--exit-on-error', '--single-transaction', '-d', `side_b${i}`, artifact]);
      pg.sql('postgres', `ALTER DATABASE side_b${i} RENAME TO new_b${i}`);
    },
    (i) => pg.sql('postgres', `DROP DATABASE new_d${i}; DROP DATABASE new_b${i};`),
  );
  const migration = 'ALTER TABLE pgbench_accounts DROP COLUMN filler';
  compare(
    'PostgreSQL dry-run (DROP COLUMN on the copy, loss ledger)',
    'newest verified backup restored into scratch, migrated, ledger, scratch dropped',
    () => cli(pgRepo, pgEnv, ['dry-run', '--accept-loss', 'pgbench_accounts.filler', '--reason', 'benchmark run only', '--', 'sh', '-c', `psql -X -q "$APP_URL" -c '${migration}'`]),
    (i) => {
      pgTool('createdb', [`scratch_b${i}`]);
      pgTool('pg_restore', ['--exit-on-error', '--single-transaction', '-d', `scratch_b${i}`, artifact]);
      countAll(`scratch_b${i}`);
      pg.sql(`scratch_b${i}`, migration);
      countAll(`scratch_b${i}`);
      pg.sql('postgres', `DROP DATABASE scratch_b${i}`);
    },
  );
  void pgBackup;

  if (maria) {
    // MariaDB
    maria.sql(`CREATE DATABASE app; USE app; CREATE TABLE orders (id INT PRIMARY KEY, customer INT, total DECIMAL(10,2), note VARCHAR(100)) ENGINE=InnoDB;
      INSERT INTO orders SELECT seq, seq % 1000, seq * 1.25, REPEAT(MD5(seq), 2) FROM seq_1_to_${ROWS};`);
    const mEnv = { APP_URL: maria.url('app'), NEW_URL: '' };
    const mRepo = repoWith('maria', { dialect: 'mariadb', databases: { app: { url: 'env:APP_URL' } } });
    const m = backup(mRepo, mEnv);
    compare(
      `MariaDB restore (${ROWS.toLocaleString('en')} rows)`,
      'side schema loaded and checked, one RENAME TABLE into the (new) target',
      (i) => cli(mRepo, { ...mEnv, NEW_URL: maria.url(`new_d${i}`) }, ['restore', m.id, '--into', 'env:NEW_URL', '--yes']),
      (i) => {
        maria.sql(`CREATE DATABASE new_b${i}`);
        sh('sh', ['-c', `gunzip -c '${m.artifact}' | mariadb --no-defaults -S '${maria.socket}' -uroot --binary-mode new_b${i}`]);
      },
      (i) => maria.sql(`DROP DATABASE new_d${i}; DROP DATABASE new_b${i};`),
    );

  }
  if (wanted('sqlite')) {
    // SQLite
    const sRepo = repoWith('sqlite', { dialect: 'sqlite', migrations: [{ glob: 'db/*.sql' }], databases: { app: { url: 'env:DATABASE_URL' } } });
    const db = path.join(sRepo, 'app.db');
    sh('sqlite3', [db], {
      input: `CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, total REAL, note TEXT);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS}) INSERT INTO orders SELECT i, i % 1000, i * 1.25, hex(randomblob(16)) FROM n;`,
    });
    const sEnv = { DATABASE_URL: 'sqlite:app.db' };
    const s = backup(sRepo, sEnv);
    const plain = path.join(work, 'plain.db');
    sh('sh', ['-c', `gunzip -c '${s.artifact}' > '${plain}'`]);
    compare(
      `SQLite restore (${ROWS.toLocaleString('en')} rows)`,
      'decompressed beside the target, integrity_check + counts, fsynced, renamed',
      (i) => cli(sRepo, sEnv, ['restore', s.id, '--into', path.join(work, `new_d${i}.db`), '--yes']),
      (i) => sh('sqlite3', [path.join(work, `new_b${i}.db`), `.restore '${plain}'`]),
      (i) => {
        rmSync(path.join(work, `new_d${i}.db`), { force: true });
        rmSync(path.join(work, `new_b${i}.db`), { force: true });
      },
    );
    compare(
      'SQLite dry-run (DROP COLUMN on the copy, loss ledger)',
      'newest verified backup decompressed, migrated, ledger, removed',
      () => cli(sRepo, sEnv, ['dry-run', '--accept-loss', 'orders.note', '--reason', 'benchmark run only', '--', 'sh', '-c', 'sqlite3 "${DATABASE_URL#sqlite:}" "ALTER TABLE orders DROP COLUMN note"']),
      (i) => {
        const copy = path.join(work, `scratch_b${i}.db`);
        sh('sh', ['-c', `gunzip -c '${s.artifact}' > '${copy}'`]);
        sh('sqlite3', [copy, 'SELECT count(*) FROM orders;']);
        sh('sqlite3', [copy, 'ALTER TABLE orders DROP COLUMN note;']);
        sh('sqlite3', [copy, 'SELECT count(*) FROM orders;']);
        rmSync(copy);
      },
    );
  }
  void copyFileSync;

  const lines = [
    `restore / dry-run vs the bare tools (${RUNS} runs each, medians, alternating; ${os.cpus().length} cores, shared machine; ${new Date().toISOString().slice(0, 16)} UTC)`,
    '',
    '| what | dbsafe-hooks | bare tools | ratio | peak RSS | dbsafe-hooks does |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${median(r.dbsafe).toFixed(2)} s | ${median(r.bare).toFixed(2)} s | ${(median(r.dbsafe) / median(r.bare)).toFixed(2)}x | ${Math.max(...r.rss)} MB | ${r.note} |`),
    '',
    'Every run (s), dbsafe-hooks / bare:',
    ...rows.map((r) => `- ${r.what}: ${r.dbsafe.map((x) => x.toFixed(2)).join(', ')} / ${r.bare.map((x) => x.toFixed(2)).join(', ')}`),
    '',
    `Safety backup (a \`backup --verify\` of the PostgreSQL database, taken before a restore over an existing database): ${safety.s.toFixed(2)} s, peak RSS ${safety.rssMB} MB.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await pg.stop();
  await maria?.stop();
  rmSync(work, { recursive: true, force: true });
}
