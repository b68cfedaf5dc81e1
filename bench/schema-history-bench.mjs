#!/usr/bin/env node
/**
 * The cost of resolving names from the migration history in the pre-commit path (`check`, staged):
 * one repo with --migrations committed migrations (each creates a table and an index); scenarios
 * interleaved, median of --reps runs, as ratios against `node -e 0` measured in the same run:
 *   one-new      one small new migration staged, no DROP INDEX: the history is never read
 *   drop-cold    one small migration with `DROP INDEX` of an index created 3,000 files earlier,
 *                no cache: every migration blob is read and scanned once
 *   drop-warm    the same with the per-blob cache from the run before (the usual case)
 * The repository is packed (`git gc`), as a clone is.
 *
 * With --django: the repository holds the corpus's real Django migrations (../shared/corpus/django,
 * copied into --migrations / 551 app trees so that the history has at least that many files; in a
 * temp dir, never in the project), and the staged migration is one `RemoveField` of a model an earlier
 * migration of its app created, so the reader must read the app's history (check/django-history.ts):
 *   one-new      a staged CreateModel: nothing assumed, the history is never read
 *   drop-cold    RemoveField, no cache: the app's folder is listed and its migrations tokenized once
 *   drop-warm    the same with the app's per-blob cache (.git/dbsafe/django-apps)
 *
 * Usage: npm run build && node bench/schema-history-bench.mjs [--migrations 3000] [--reps 5] [--django]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'dbsafe-hooks.js');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const MIGRATIONS = opt('migrations', 3000);
const REPS = opt('reps', 5);
const DJANGO = args.includes('--django');
const CORPUS_DJANGO = path.resolve(ROOT, '..', 'shared', 'corpus', 'django');

const env = {};
for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
Object.assign(env, {
  GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', NO_COLOR: '1',
});

function run(cwd, cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} → ${r.status}: ${r.stderr}`);
  return r;
}

const migration = (i) =>
  `-- migration ${i}\nCREATE TABLE t${i} (\n  id bigint PRIMARY KEY,\n  name text NOT NULL\n);\nCREATE INDEX t${i}_name_idx ON t${i} (name);\n`;

/** Every file under a folder, relative to it. */
function filesUnder(root, rel = '') {
  return readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(root, path.join(rel, e.name)) : [path.join(rel, e.name)]));
}

/** Real Django migrations, copied until there are `MIGRATIONS`; returns the staged file and a model its app created. */
function djangoHistory(dir) {
  const real = filesUnder(CORPUS_DJANGO).filter((f) => /\/migrations\/\d{4}_[^/]*\.py$/.test(f));
  for (let copy = 0; copy * real.length < MIGRATIONS; copy++) cpSync(CORPUS_DJANGO, path.join(dir, `copy${copy}`), { recursive: true });
  const first = real.find((f) => /CreateModel\(\s*name=['"]\w+/.test(readFileSync(path.join(CORPUS_DJANGO, f), 'utf8')));
  const model = /CreateModel\(\s*name=['"](\w+)/.exec(readFileSync(path.join(CORPUS_DJANGO, first), 'utf8'))[1];
  const staged = path.join('copy0', path.dirname(first), '9999_bench.py');
  return { count: real.length * Math.ceil(MIGRATIONS / real.length), staged, model };
}

const djangoMigration = (op) => `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        ${op},\n    ]\n`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-bench-history-'));
try {
  run(dir, 'git', ['init', '-q', '-b', 'main']);
  let target = 'db/migrations/99999_new.sql';
  let texts = { plain: migration(99999), drop: 'DROP INDEX t42_name_idx;\n' };
  let total = MIGRATIONS;
  if (DJANGO) {
    const history = djangoHistory(dir);
    target = history.staged;
    total = history.count;
    texts = { plain: djangoMigration("migrations.CreateModel(name='BenchNew', fields=[('id', models.AutoField(primary_key=True))])"), drop: djangoMigration(`migrations.RemoveField(model_name='${history.model.toLowerCase()}', name='id')`) };
    writeFileSync(path.join(dir, '.dbsaferc.json'), JSON.stringify({ migrations: [{ glob: '**/migrations/*.py', format: 'django' }] }));
  } else {
    mkdirSync(path.join(dir, 'db/migrations'), { recursive: true });
    for (let i = 0; i < MIGRATIONS; i++) writeFileSync(path.join(dir, `db/migrations/${String(i).padStart(5, '0')}_m.sql`), migration(i));
    writeFileSync(path.join(dir, '.dbsaferc.json'), JSON.stringify({ migrations: [{ glob: 'db/migrations/*.sql' }], protected: { tables: ['t42'] } }));
  }
  run(dir, 'git', ['add', '-A']);
  run(dir, 'git', ['commit', '-q', '-m', 'init']);
  run(dir, 'git', ['gc', '-q']); // packed, as in a clone: 3,000 loose objects cost git more than the scan
  const cache = path.join(dir, '.git', 'dbsafe', DJANGO ? 'django-apps' : 'schema-names.txt');
  const stage = (text) => {
    run(dir, 'git', ['reset', '-q', '--hard', 'HEAD']);
    rmSync(path.join(dir, target), { force: true });
    writeFileSync(path.join(dir, target), text);
    run(dir, 'git', ['add', target]);
  };
  const scenarios = {
    baseline: { setup: () => {}, cmd: [process.execPath, ['-e', '0']], code: 0 },
    'one-new': { setup: () => stage(texts.plain), cmd: [process.execPath, [CLI, 'check']], code: 0 },
    'drop-cold': {
      setup: () => {
        stage(texts.drop);
        rmSync(cache, { force: true, recursive: true });
      },
      cmd: [process.execPath, [CLI, 'check']],
      code: 1, // t42 is protected: its index drop blocks; the Django column drop is an error by default
    },
    'drop-warm': { setup: () => stage(texts.drop), cmd: [process.execPath, [CLI, 'check']], code: 1 },
  };
  const times = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]));
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, scenario] of Object.entries(scenarios)) {
      scenario.setup();
      const start = process.hrtime.bigint();
      const r = spawnSync(scenario.cmd[0], scenario.cmd[1], { cwd: dir, env, stdio: 'ignore' });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== scenario.code) throw new Error(`${name}: exit ${r.status}`);
      times[name].push(ms);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(times.baseline);
  console.log(`${total} committed ${DJANGO ? 'real Django' : 'SQL'} migrations, ${REPS} reps (interleaved), medians; node -e 0 = ${base.toFixed(0)} ms`);
  console.log('| scenario | ms | × node -e 0 |\n|---|---|---|');
  for (const name of Object.keys(scenarios)) console.log(`| ${name} | ${median(times[name]).toFixed(0)} | ${(median(times[name]) / base).toFixed(2)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
