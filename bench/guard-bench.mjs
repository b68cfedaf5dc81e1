#!/usr/bin/env node
// Guard pass-through cost: a command that is not destructive, run directly and through
// `dbsafe-hooks guard -- <command>`, in a repository with a configured SQLite database.
//   node CLI via npx   `npx --no -- tsc --version` (a real node CLI started the way prisma, drizzle-kit,
//                      knex, sequelize and typeorm are: the usual shape of a database command in a JS project)
//   node CLI direct    `node_modules/.bin/tsc --version`
//   native client      `sqlite3 data/dev.db 'SELECT count(*) FROM users'`
// Direct and guarded runs are interleaved; medians of REPS; ratio = guarded / direct (same run).
// Usage: npm run build && node bench/guard-bench.mjs [repetitions=7]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'dbsafe-hooks.js');
const REPS = Number(process.argv[2] ?? 7);

const dir = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-guard-bench-'));
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const sh = (cmd, args) => {
  const result = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${result.stderr}`);
  return result;
};
sh('git', ['init', '-q']);
writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench', private: true }));
writeFileSync(path.join(dir, '.dbsaferc.json'), JSON.stringify({ databases: { dev: { url: 'sqlite:data/dev.db' } } }));
mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
symlinkSync(path.join(ROOT, 'node_modules', 'typescript'), path.join(dir, 'node_modules', 'typescript'));
symlinkSync('../typescript/bin/tsc', path.join(dir, 'node_modules', '.bin', 'tsc'));
mkdirSync(path.join(dir, 'data'));
sh('sqlite3', ['data/dev.db', "CREATE TABLE users (id INTEGER PRIMARY KEY); INSERT INTO users VALUES (1);"]);

const CASES = [
  ['node CLI via npx', ['npx', '--no', '--', 'tsc', '--version']],
  ['node CLI direct', ['node_modules/.bin/tsc', '--version']],
  ['native client', ['sqlite3', 'data/dev.db', 'SELECT count(*) FROM users']],
];

function time(argv) {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { cwd: dir, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// warm-up (and the guard's validated-config cache)
for (const [, argv] of CASES) {
  const direct = time(argv);
  const guarded = time([process.execPath, CLI, 'guard', '--', ...argv]);
  if (direct.stdout !== guarded.stdout) throw new Error(`output differs for ${argv.join(' ')}`);
}
const rows = [];
for (const [name, argv] of CASES) {
  const direct = [];
  const guarded = [];
  for (let rep = 0; rep < REPS; rep++) {
    direct.push(time(argv).ms);
    guarded.push(time([process.execPath, CLI, 'guard', '--', ...argv]).ms);
  }
  rows.push({ name, command: argv.join(' '), direct: median(direct), guarded: median(guarded) });
}
console.log(`| command | direct | guarded | guarded / direct | added |`);
console.log(`|---|---|---|---|---|`);
for (const row of rows) {
  console.log(`| ${row.name}: \`${row.command}\` | ${row.direct.toFixed(0)} ms | ${row.guarded.toFixed(0)} ms | ${(row.guarded / row.direct).toFixed(2)} | ${(row.guarded - row.direct).toFixed(0)} ms |`);
}
console.log(`\nmedians of ${REPS} interleaved runs; load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}; node ${process.version}`);
rmSync(dir, { recursive: true, force: true });
