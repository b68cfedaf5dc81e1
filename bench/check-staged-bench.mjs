#!/usr/bin/env node
/**
 * The staged path of `dbsafe-hooks check` (what pre-commit runs) in a large repository: it must
 * cost what the commit changes, not what the repository holds. One repo with --migrations committed
 * migration files and --others other files; scenarios measured interleaved, median of --reps runs,
 * as ratios against `node -e 0` (the floor for anything written in Node) measured in the same run:
 *   empty       nothing staged
 *   code        one non-migration file staged
 *   one-new     one new migration staged
 *   one-edit    one committed migration modified (read twice: HEAD blob and staged blob)
 *   many-new    --many new migrations staged (one diff-index, one cat-file --batch)
 *   many-disk   the same files through `check --worktree <files>` (read from disk), for comparison
 *
 * Usage: npm run build && node bench/check-staged-bench.mjs [--migrations 3000] [--others 5000] [--many 300] [--reps 9]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
const OTHERS = opt('others', 5000);
const MANY = opt('many', 300);
const REPS = opt('reps', 9);

const env = {};
for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
Object.assign(env, {
  GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', NO_COLOR: '1',
});

function run(cwd, cmd, cmdArgs, okCodes = [0]) {
  const r = spawnSync(cmd, cmdArgs, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (!okCodes.includes(r.status)) throw new Error(`${cmd} ${cmdArgs.join(' ')} → ${r.status}: ${r.stderr}`);
  return r;
}

const migration = (i) =>
  `-- migration ${i}\nCREATE TABLE t${i} (\n  id bigint PRIMARY KEY,\n  name text NOT NULL,\n  created_at timestamptz DEFAULT now()\n);\nCREATE INDEX t${i}_name_idx ON t${i} (name);\nALTER TABLE t${i} ADD COLUMN note text;\n`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-bench-staged-'));
try {
  run(dir, 'git', ['init', '-q', '-b', 'main']);
  mkdirSync(path.join(dir, 'db/migrations'), { recursive: true });
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  for (let i = 0; i < MIGRATIONS; i++) writeFileSync(path.join(dir, `db/migrations/${String(i).padStart(5, '0')}_m.sql`), migration(i));
  for (let i = 0; i < OTHERS; i++) writeFileSync(path.join(dir, `src/file${i}.ts`), `export const x${i} = ${i};\n`);
  writeFileSync(path.join(dir, '.dbsaferc.json'), JSON.stringify({ migrations: [{ glob: 'db/migrations/*.sql' }] }));
  run(dir, 'git', ['add', '-A']);
  run(dir, 'git', ['commit', '-q', '-m', 'init']);

  const manyFiles = Array.from({ length: MANY }, (_, i) => `db/migrations/new_${String(i).padStart(4, '0')}.sql`);
  const reset = () => {
    run(dir, 'git', ['reset', '-q', '--hard', 'HEAD']);
    run(dir, 'git', ['clean', '-q', '-fd', 'db', 'src']);
  };
  const scenarios = {
    baseline: { setup: () => {}, cmd: [process.execPath, ['-e', '0']] },
    empty: { setup: reset, cmd: [process.execPath, [CLI, 'check']] },
    code: {
      setup: () => {
        reset();
        writeFileSync(path.join(dir, 'src/file1.ts'), 'export const x1 = 2;\n');
        run(dir, 'git', ['add', 'src/file1.ts']);
      },
      cmd: [process.execPath, [CLI, 'check']],
    },
    'one-new': {
      setup: () => {
        reset();
        writeFileSync(path.join(dir, 'db/migrations/99999_new.sql'), migration(99999));
        run(dir, 'git', ['add', 'db/migrations/99999_new.sql']);
      },
      cmd: [process.execPath, [CLI, 'check']],
    },
    'one-edit': {
      setup: () => {
        reset();
        writeFileSync(path.join(dir, 'db/migrations/00042_m.sql'), `${migration(42)}-- edited\n`);
        run(dir, 'git', ['add', 'db/migrations/00042_m.sql']);
      },
      cmd: [process.execPath, [CLI, 'check']],
    },
    'many-new': {
      setup: () => {
        reset();
        manyFiles.forEach((file, i) => writeFileSync(path.join(dir, file), migration(50000 + i)));
        run(dir, 'git', ['add', 'db/migrations']);
      },
      cmd: [process.execPath, [CLI, 'check']],
    },
    'many-disk': {
      setup: () => {
        reset();
        manyFiles.forEach((file, i) => writeFileSync(path.join(dir, file), migration(50000 + i)));
      },
      cmd: [process.execPath, [CLI, 'check', '--worktree', ...manyFiles]],
    },
  };

  const times = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]));
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, scenario] of Object.entries(scenarios)) {
      scenario.setup();
      const start = process.hrtime.bigint();
      const r = spawnSync(scenario.cmd[0], scenario.cmd[1], { cwd: dir, env, stdio: 'ignore' });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== 0) throw new Error(`${name}: exit ${r.status}`);
      times[name].push(ms);
    }
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const base = median(times.baseline);
  console.log(`repo: ${MIGRATIONS} migrations + ${OTHERS} other files; many = ${MANY}; ${REPS} interleaved runs; node ${process.version}; ${os.cpus().length} CPUs`);
  console.log('| scenario | median ms | × node -e 0 |');
  console.log('|---|---|---|');
  for (const name of Object.keys(scenarios)) {
    const m = median(times[name]);
    console.log(`| ${name} | ${m.toFixed(0)} | ${(m / base).toFixed(2)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
