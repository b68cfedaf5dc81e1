#!/usr/bin/env node
// Hook speed: what a developer waits for on `git commit`.
//   A. commit with no migration staged, dbsafe hooks installed  vs  commit with an empty pre-commit hook
//   B. commit with one small migration staged, dbsafe hooks installed  vs  `node -e 0`
//      (a CREATE TABLE; a view; an approved DROP TABLE, which blocks nothing but is reported; a DO block
//      with PERFORM, inside the parser-free subset since session 14; a DO block with an approved UPDATE, inside
//      it since session 17; and, for comparison, the same UPDATE in a loop, which needs both of libpg-query's
//      parsers: outside the subset)
// All variants are measured interleaved in one run; medians of many repetitions; ratios reported.
// Usage: npm run build && node bench/hooks-bench.mjs [repetitions=40] [--files N] [--history N]
//   --files N: every repository also holds N committed code files (80 per directory) and N/15 committed
//   migrations, as a big application repository does (git's own work grows with the repository).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'dbsafe-hooks.js');
const args = process.argv.slice(2);
const filesAt = args.indexOf('--files');
const EXTRA_FILES = filesAt === -1 ? 0 : Number(args.splice(filesAt, 2)[1]);
// --history N: more variants, repositories with N committed migrations (each creates a table and an index)
// whose staged migration drops one of those indexes (the hook reads the names of the whole history, cached),
// or creates a table (nothing to resolve), and the same repository with an empty hook
const historyAt = args.indexOf('--history');
const HISTORY = historyAt === -1 ? 0 : Number(args.splice(historyAt, 2)[1]);
const REPS = Number(args[0] ?? 40);

const env = {};
for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
Object.assign(env, {
  GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
});

function sh(cwd, cmd, args) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function repo(kind) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `dbsafe-bench-${kind}-`));
  sh(dir, 'git', ['init', '-q', '-b', 'main']);
  writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n.dbsafe/\n');
  writeFileSync(path.join(dir, '.dbsaferc.json'), JSON.stringify({
    migrations: [{ glob: ['db/migrations/**/*.sql'], format: 'sql' }], gate: { enabled: false },
  }));
  mkdirSync(path.join(dir, 'db', 'migrations'), { recursive: true });
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  for (let i = 0; i < EXTRA_FILES; i++) {
    const sub = path.join(dir, 'lib', `m${Math.floor(i / 80)}`);
    if (i % 80 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `f${i}.js`), `export const x = ${i};\n`);
    if (i % 15 === 0) writeFileSync(path.join(dir, 'db', 'migrations', `0_${i}_existing.sql`), `CREATE TABLE e${i} (id int);\n`);
  }
  if (kind.startsWith('history')) {
    for (let i = 0; i < HISTORY; i++) {
      writeFileSync(path.join(dir, 'db', 'migrations', `h${String(i).padStart(5, '0')}.sql`), `CREATE TABLE h${i} (id bigint PRIMARY KEY, name text NOT NULL);\nCREATE INDEX h${i}_name_idx ON h${i} (name);\n`);
    }
  }
  if (kind === 'empty' || kind === 'history-empty') {
    const hook = path.join(dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\nexit 0\n');
    chmodSync(hook, 0o755);
  } else {
    mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(CLI, path.join(dir, 'node_modules', '.bin', 'dbsafe-hooks'));
    sh(dir, process.execPath, [CLI, 'install']);
  }
  sh(dir, 'git', ['add', '.']);
  sh(dir, 'git', ['commit', '-q', '--no-verify', '-m', 'init']);
  if (kind.startsWith('history')) sh(dir, 'git', ['gc', '-q']); // packed, as in a clone
  return dir;
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
function time(cwd, cmd, args) {
  const start = nowMs();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  const ms = nowMs() - start;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const dirs = { empty: repo('empty'), code: repo('dbsafe'), migration: repo('dbsafe'), view: repo('dbsafe'), drop: repo('dbsafe'), doBlock: repo('dbsafe'), doUpdate: repo('dbsafe'), parsed: repo('dbsafe'), ...(HISTORY ? { history: repo('history'), historyCreate: repo('history-create'), historyEmpty: repo('history-empty') } : {}) };
const samples = { empty: [], code: [], migration: [], view: [], drop: [], doBlock: [], doUpdate: [], parsed: [], ...(HISTORY ? { history: [], historyCreate: [], historyEmpty: [] } : {}), node: [] };
let n = 0;
for (let i = 0; i < REPS + 3; i++) {
  n++;
  // stage the change for each variant (not timed), then time the commits back to back
  writeFileSync(path.join(dirs.empty, 'src', `f${n}.js`), `export const x = ${n};\n`);
  sh(dirs.empty, 'git', ['add', 'src']);
  writeFileSync(path.join(dirs.code, 'src', `f${n}.js`), `export const x = ${n};\n`);
  sh(dirs.code, 'git', ['add', 'src']);
  writeFileSync(path.join(dirs.migration, 'db', 'migrations', `${String(n).padStart(4, '0')}_t${n}.sql`), `CREATE TABLE t${n} (id int primary key, name text);\n`);
  sh(dirs.migration, 'git', ['add', 'db']);
  const stage = (dir, name, sql) => {
    writeFileSync(path.join(dirs[dir], 'db', 'migrations', `${String(n).padStart(4, '0')}_${name}${n}.sql`), sql);
    sh(dirs[dir], 'git', ['add', 'db']);
  };
  stage('view', 'v', `CREATE VIEW v${n} AS SELECT id, name FROM t WHERE id > ${n};\n`);
  // a drop with its override marker: the hook reads it, reports the override, and lets the commit through
  stage('drop', 'd', `-- dbsafe:allow drop-table(legacy${n}) -- replaced by t${n} in release ${n}\nDROP TABLE legacy${n};\n`);
  // outside the parser-free subset: libpg-query is loaded
  stage('doBlock', 'f', `DO $$ BEGIN PERFORM ${n}; END $$;\n`);
  // an approved UPDATE in a DO block: inside the subset since session 17 (PL/pgSQL blocks around its statements)
  stage('doUpdate', 'w', `DO $$ BEGIN\n  -- dbsafe:allow update-all(t) -- backfill ${n}\n  UPDATE t SET n = ${n};\nEND $$;\n`);
  // the same in a loop: outside the subset, both of libpg-query's parsers are loaded
  stage('parsed', 'u', `DO $$ BEGIN\n  FOR i IN 1..2 LOOP\n    -- dbsafe:allow update-all(t) -- backfill ${n}\n    UPDATE t SET n = ${n};\n  END LOOP;\nEND $$;\n`);
  // names no table: its table comes from the history (h<n> created it thousands of files earlier; a warning)
  if (HISTORY) {
    stage('history', 'x', `DROP INDEX h${n % HISTORY}_name_idx;\n`);
    // the same repository, a migration that names everything it touches: the history is not read
    stage('historyCreate', 'x', `CREATE TABLE n${n} (id int primary key, name text);\n`);
    stage('historyEmpty', 'x', `DROP INDEX h${n % HISTORY}_name_idx;\n`);
  }
  const t = {
    empty: time(dirs.empty, 'git', ['commit', '-q', '-m', `c${n}`]),
    code: time(dirs.code, 'git', ['commit', '-q', '-m', `c${n}`]),
    migration: time(dirs.migration, 'git', ['commit', '-q', '-m', `c${n}`]),
    view: time(dirs.view, 'git', ['commit', '-q', '-m', `c${n}`]),
    drop: time(dirs.drop, 'git', ['commit', '-q', '-m', `c${n}`]),
    doBlock: time(dirs.doBlock, 'git', ['commit', '-q', '-m', `c${n}`]),
    doUpdate: time(dirs.doUpdate, 'git', ['commit', '-q', '-m', `c${n}`]),
    parsed: time(dirs.parsed, 'git', ['commit', '-q', '-m', `c${n}`]),
    ...(HISTORY
      ? {
          history: time(dirs.history, 'git', ['commit', '-q', '-m', `c${n}`]),
          historyCreate: time(dirs.historyCreate, 'git', ['commit', '-q', '-m', `c${n}`]),
          historyEmpty: time(dirs.historyEmpty, 'git', ['commit', '-q', '-m', `c${n}`]),
        }
      : {}),
    node: time(ROOT, process.execPath, ['-e', '0']),
  };
  if (i >= 3) for (const key of Object.keys(t)) samples[key].push(t[key]); // 3 warm-up rounds
}
for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });

const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const ratioA = m.code / m.empty;
// B holds for every small migration inside the parser-free subset: the worst of the four counts
const ratioB = Math.max(m.migration, m.view, m.drop, m.doBlock) / m.node;
const out = {
  repetitions: REPS,
  committedFilesPerRepository: EXTRA_FILES,
  machine: `${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}, ${os.platform()} ${os.release()}, node ${process.version}, ${sh(ROOT, 'git', ['--version']).trim()}`,
  medianMs: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number(v.toFixed(1))])),
  ratios: {
    'no migration staged / empty hook (limit 1.3)': Number(ratioA.toFixed(2)),
    'one small CREATE TABLE migration / node -e 0': Number((m.migration / m.node).toFixed(2)),
    'one small view migration / node -e 0': Number((m.view / m.node).toFixed(2)),
    'one approved DROP TABLE migration / node -e 0': Number((m.drop / m.node).toFixed(2)),
    'B = the worst of those four (limit 2.2, issue 17)': Number(ratioB.toFixed(2)),
    'one DO block with PERFORM (parser-free subset) / node -e 0': Number((m.doBlock / m.node).toFixed(2)),
    'one DO block with an approved UPDATE (parser-free subset) / node -e 0': Number((m.doUpdate / m.node).toFixed(2)),
    'one DO block with an approved UPDATE in a loop (needs both parsers) / node -e 0': Number((m.parsed / m.node).toFixed(2)),
    ...(HISTORY
      ? {
          [`DROP INDEX resolved from ${HISTORY} committed migrations / node -e 0`]: Number((m.history / m.node).toFixed(2)),
          // the same commit with an empty hook costs more in that repository (a 3,000-entry tree is written): the hook's own share
          'the same, hook only: (history − same repository with an empty hook + empty) / node -e 0': Number(((m.history - m.historyEmpty + m.empty) / m.node).toFixed(2)),
          [`CREATE TABLE in the repository of ${HISTORY} migrations / node -e 0`]: Number((m.historyCreate / m.node).toFixed(2)),
          'the same, hook only': Number(((m.historyCreate - m.historyEmpty + m.empty) / m.node).toFixed(2)),
        }
      : {}),
  },
};
console.log(JSON.stringify(out, null, 2));
process.exitCode = ratioA <= 1.3 && ratioB <= 2.2 ? 0 : 1;
