#!/usr/bin/env node
/**
 * Benchmark of `dbsafe-hooks check --all` (the SQL detection core) on a large generated corpus of
 * realistic PostgreSQL migrations, against, in the same run and on the same files:
 *   (a) the raw libpg-query parse of the same bytes (the floor: bench/check-raw-parse.mjs),
 *   (b) Squawk (`squawk-cli`) and pgfence (`@flvmnt/pgfence`), installed for the benchmark only:
 *       npm install --prefix bench --no-save squawk-cli @flvmnt/pgfence
 * at two corpus sizes (same file size, twice the files) to show that peak memory does not grow with
 * the number of files. Wall time and peak RSS come from /usr/bin/time -v; each figure is the median
 * of --runs runs (default 3), runs interleaved so that machine load hits every tool alike.
 *
 * Also, in-process and warm (bench/check-readsql.mjs): readSql against parseSync on the same bytes.
 *
 * Usage: npm run build && node bench/check-bench.mjs [--files 2000,4000] [--runs 3]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './check-corpus.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const work = path.join(here, '.work');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const sizes = opt('files', '2000,4000').split(',').map(Number);
const runs = Number(opt('runs', '3'));

const bin = (name) => path.join(here, 'node_modules', '.bin', name);
const cli = path.join(root, 'bin', 'dbsafe-hooks.js');
if (!existsSync(path.join(root, 'dist'))) throw new Error('build first: npm run build');

/** Run a command under /usr/bin/time -v; returns wall seconds, peak RSS (MB) and the exit code. */
function measure(cmd, cmdArgs, cwd) {
  const timeFile = path.join(os.tmpdir(), `dbsafe-bench-time-${process.pid}.txt`);
  const r = spawnSync('/usr/bin/time', ['-v', '-o', timeFile, cmd, ...cmdArgs], {
    cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' },
  });
  const t = readFileSync(timeFile, 'utf8');
  rmSync(timeFile, { force: true });
  const wall = /Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/.exec(t);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(t)?.[1] ?? NaN) / 1024;
  // CPU time (user + system) is far less sensitive than wall time to other load on a shared machine
  const cpu = Number(/User time \(seconds\): ([\d.]+)/.exec(t)?.[1] ?? NaN) + Number(/System time \(seconds\): ([\d.]+)/.exec(t)?.[1] ?? NaN);
  const exit = Number(/Exit status: (\d+)/.exec(t)?.[1] ?? r.status);
  return { seconds, cpu, rss, exit, stderr: String(r.stderr ?? '').slice(-400) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function tools(dir, files) {
  const list = [
    { name: 'raw libpg-query parse (floor)', cmd: process.execPath, args: [path.join(here, 'check-raw-parse.mjs'), ...files] },
    { name: 'dbsafe-hooks check --all', cmd: process.execPath, args: [cli, 'check', '--all', '--format', 'json'] },
  ];
  if (existsSync(bin('squawk'))) list.push({ name: 'squawk', cmd: bin('squawk'), args: files });
  if (existsSync(bin('pgfence'))) list.push({ name: 'pgfence analyze', cmd: bin('pgfence'), args: ['analyze', '--format', 'sql', '--output', 'json', ...files] });
  return list;
}

const results = [];
const readSqlRows = [];
for (const count of sizes) {
  const dir = path.join(work, `corpus-${count}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { files, bytes, statements } = generateCorpus(dir, count);
  writeFileSync(path.join(dir, '.dbsaferc.json'), JSON.stringify({ migrations: [{ glob: 'db/migrations/*.sql', format: 'sql' }], dialect: 'postgres' }));
  const git = (...a) => execFileSync('git', a, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'corpus');
  const list = tools(dir, files);
  const samples = new Map(list.map((t) => [t.name, []]));
  for (let r = 0; r < runs; r++) {
    for (const t of list) {
      const m = measure(t.cmd, t.args, dir);
      samples.get(t.name).push(m);
      process.stderr.write(`${count} files, run ${r + 1}: ${t.name}: ${m.seconds.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU, ${m.rss.toFixed(0)} MB, exit ${m.exit}\n`);
    }
  }
  // the SQL reader alone, in-process and warm, against the parse of the same bytes
  const inproc = [];
  for (let r = 0; r < runs; r++) {
    const out = execFileSync(process.execPath, [path.join(here, 'check-readsql.mjs'), ...files], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    inproc.push(JSON.parse(out.trim().split('\n').pop()));
    process.stderr.write(`${count} files, run ${r + 1}: readSql in-process: ${JSON.stringify(inproc.at(-1))}\n`);
  }
  readSqlRows.push({ files: count, parseMs: median(inproc.map((x) => x.parseMs)), readSqlMs: median(inproc.map((x) => x.readSqlMs)), ratio: median(inproc.map((x) => x.ratio)), operations: inproc[0].operations });
  for (const t of list) {
    const s = samples.get(t.name);
    results.push({
      files: count, mb: bytes / 1e6, statements, tool: t.name, seconds: median(s.map((x) => x.seconds)), cpu: median(s.map((x) => x.cpu)),
      rss: median(s.map((x) => x.rss)), exits: [...new Set(s.map((x) => x.exit))].join('/'),
    });
  }
}

const lines = [
  '| files | MB | statements | tool | wall s | x raw (wall) | CPU s | x raw (CPU) | peak RSS MB | exit |',
  '|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
];
for (const r of results) {
  const floor = results.find((x) => x.files === r.files && x.tool.startsWith('raw'));
  lines.push(`| ${r.files} | ${r.mb.toFixed(1)} | ${r.statements} | ${r.tool} | ${r.seconds.toFixed(2)} | ${(r.seconds / floor.seconds).toFixed(2)} | ${r.cpu.toFixed(2)} | ${(r.cpu / floor.cpu).toFixed(2)} | ${r.rss.toFixed(0)} | ${r.exits} |`);
}
lines.push('', '| files | operations found | raw parse CPU ms | readSql CPU ms | readSql / raw parse |', '|---:|---:|---:|---:|---:|');
for (const r of readSqlRows) lines.push(`| ${r.files} | ${r.operations} | ${r.parseMs} | ${r.readSqlMs} | ${r.ratio.toFixed(2)} |`);
const table = lines.join('\n');
console.log(table);
writeFileSync(path.join(work, 'check-bench-results.md'), `${table}\n\nnode ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
