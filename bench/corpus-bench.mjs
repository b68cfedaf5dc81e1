#!/usr/bin/env node
/**
 * `check` on REAL migrations: the third-party corpus in ../shared/corpus (read from there, never copied
 * into the repository). In one run, paired and interleaved (the order rotates every round), medians and
 * the spread (min-max) of N rounds, each tool a fresh process under /usr/bin/time -v:
 *
 *   1. the PostgreSQL .sql files (dialect postgres): `check --worktree --format json` against the raw
 *      single-thread libpg-query parseSync of the same files (bench/check-raw-parse.mjs: the floor) and
 *      Squawk (squawk-cli, a native binary; installed for the benchmark only, outside package.json:
 *      `npm i --prefix /tmp/squawk squawk-cli`, or into the gitignored bench/node_modules);
 *   2. per format, every file of that format: ms per file and per MB, and against the raw parse where
 *      the files are plain PostgreSQL SQL (fewer rounds: --format-runs);
 *   3. the whole corpus in one `check` (peak RSS must not grow with the number of files);
 *   4. with --big: one generated ~9.9 MB SQL file (under the 10 MB limit) in a temp dir: peak RSS bounded
 *      per file (minutes with a build before the big-file fix: --format-runs 1).
 *
 * `--before <bin/dbsafe-hooks.js of another build>` adds that build to every comparison in the same
 * rounds (the before/after table of bench/RESULTS.md); the two builds' JSON outputs are also compared
 * byte for byte on the whole corpus.
 *
 * Usage: npm run build && node bench/corpus-bench.mjs [--runs 7] [--format-runs 3] [--before path]
 *          [--corpus path] [--squawk path] [--skip formats,whole] [--big]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const runs = Number(opt('runs', '7'));
const formatRuns = Number(opt('format-runs', '3'));
const skip = new Set(opt('skip', '').split(',').filter(Boolean));
const corpus = path.resolve(opt('corpus', [path.resolve(root, '../shared/corpus'), '/work/shared/corpus'].find((p) => existsSync(path.join(p, 'files.jsonl'))) ?? ''));
if (!existsSync(path.join(corpus, 'files.jsonl'))) throw new Error('corpus not found: pass --corpus <dir with files.jsonl>');
const after = path.join(root, 'bin', 'dbsafe-hooks.js');
if (!existsSync(path.join(root, 'dist', 'cli.cjs'))) throw new Error('build first: npm run build');
const before = opt('before', undefined);
const squawk = opt('squawk', ['/tmp/squawk/node_modules/.bin/squawk', path.join(here, 'node_modules/.bin/squawk')].find((p) => existsSync(p)));
const rawParse = path.join(here, 'check-raw-parse.mjs');
const config = path.join(corpus, 'dbsaferc.json');
// the corpus may sit inside another checkout: git's discovery stops above it (plain `--worktree` run)
const env = { ...process.env, NO_COLOR: '1', GIT_CEILING_DIRECTORIES: path.dirname(corpus) };

const entries = readFileSync(path.join(corpus, 'files.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const sizeOf = (files) => files.reduce((sum, file) => sum + statSync(path.join(corpus, file)).size, 0);

/** One process under GNU time: wall (ms, our clock), CPU (user + sys, s), peak RSS (MB), exit code. */
function measure(cmd, cmdArgs, cwd, stdout) {
  const timeFile = path.join(os.tmpdir(), `dbsafe-corpus-bench-${process.pid}.txt`);
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', '-o', timeFile, cmd, ...cmdArgs], {
    cwd, env, stdio: ['ignore', stdout ? 'pipe' : 'ignore', 'pipe'], maxBuffer: 512 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const t = readFileSync(timeFile, 'utf8');
  rmSync(timeFile, { force: true });
  const num = (re) => Number(re.exec(t)?.[1] ?? NaN);
  return {
    wall,
    cpu: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
    rss: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
    exit: num(/Exit status: (\d+)/),
    stdout: r.stdout,
    stderr: String(r.stderr ?? '').slice(-300),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;

function checkTool(name, bin, files, cwd = corpus) {
  return { name, cmd: process.execPath, args: [bin, 'check', '--worktree', '--config', config, '--format', 'json', ...files], cwd };
}

/** Interleaved rounds (the order rotates so that no tool always runs first); samples per tool. */
function rounds(tools, n) {
  const samples = tools.map(() => []);
  for (let round = 0; round < n; round++) {
    for (let k = 0; k < tools.length; k++) {
      const i = (k + round) % tools.length;
      const m = measure(tools[i].cmd, tools[i].args, tools[i].cwd ?? corpus);
      if (m.exit > 1) process.stderr.write(`${tools[i].name}: exit ${m.exit} ${m.stderr}\n`);
      samples[i].push(m);
    }
  }
  return samples;
}

function table(title, tools, samples, files, bytes) {
  const base = samples[0];
  const baseWall = median(base.map((m) => m.wall));
  const baseCpu = median(base.map((m) => m.cpu));
  const lines = [`### ${title}`, '', `${files} files, ${(bytes / 1e6).toFixed(2)} MB, ${samples[0].length} rounds (medians; spread = min-max)`, '',
    `| tool | wall ms | spread | × ${tools[0].name} (wall) | CPU s | × (CPU) | ms/file (wall) | ms/MB (wall) | peak RSS MB | exit |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  tools.forEach((tool, i) => {
    const s = samples[i];
    const wall = median(s.map((m) => m.wall));
    const cpu = median(s.map((m) => m.cpu));
    lines.push(`| ${tool.name} | ${wall.toFixed(0)} | ${spread(s.map((m) => m.wall))} | ${(wall / baseWall).toFixed(2)} | ${cpu.toFixed(2)} | ${(cpu / baseCpu).toFixed(2)} | ${(wall / files).toFixed(3)} | ${(wall / (bytes / 1e6)).toFixed(0)} | ${median(s.map((m) => m.rss)).toFixed(0)} | ${[...new Set(s.map((m) => m.exit))].join('/')} |`);
  });
  console.log(`${lines.join('\n')}\n`);
}

console.log(`# corpus-bench ${new Date().toISOString()} node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

// 1. PostgreSQL .sql files: check vs the raw parse vs Squawk
{
  const files = entries.filter((e) => e.dialect === 'postgres' && e.file.endsWith('.sql')).map((e) => e.file);
  const tools = [
    { name: 'raw parseSync', cmd: process.execPath, args: [rawParse, ...files] },
    checkTool('check (after)', after, files),
  ];
  if (before) tools.push(checkTool('check (before)', before, files));
  if (squawk) tools.push({ name: 'squawk', cmd: squawk, args: files });
  else console.log('Squawk not found: `npm i --prefix /tmp/squawk squawk-cli` (skipped)\n');
  table('PostgreSQL SQL files of the corpus', tools, rounds(tools, runs), files.length, sizeOf(files));
}

// 2. per format
if (!skip.has('formats')) {
  const formats = [...new Set(entries.map((e) => e.format))];
  const rows = ['### Per format (whole corpus, every file of the format)', '', `${formatRuns} rounds, medians of wall time (ms); raw parse only where the files are PostgreSQL SQL`, '',
    `| format | files | MB | check wall ms | ms/file | ms/MB | check CPU s | raw parse wall ms | raw CPU s | check / raw (CPU) |${before ? ' before wall ms | before CPU s | after / before (CPU) |' : ''}`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|${before ? '---:|---:|---:|' : ''}`];
  for (const format of formats) {
    const group = entries.filter((e) => e.format === format);
    const files = group.map((e) => e.file);
    const pgSql = group.filter((e) => e.dialect === 'postgres' && e.file.endsWith('.sql')).map((e) => e.file);
    const tools = [checkTool('check (after)', after, files)];
    if (pgSql.length === files.length) tools.push({ name: 'raw', cmd: process.execPath, args: [rawParse, ...files] });
    if (before) tools.push(checkTool('check (before)', before, files));
    const samples = rounds(tools, formatRuns);
    const wall = (i) => median(samples[i].map((m) => m.wall));
    const cpu = (i) => median(samples[i].map((m) => m.cpu));
    const mb = sizeOf(files) / 1e6;
    const raw = tools.findIndex((t) => t.name === 'raw');
    const prev = tools.findIndex((t) => t.name === 'check (before)');
    rows.push(`| ${format} | ${files.length} | ${mb.toFixed(2)} | ${wall(0).toFixed(0)} | ${(wall(0) / files.length).toFixed(2)} | ${(wall(0) / mb).toFixed(0)} | ${cpu(0).toFixed(2)} | ${raw < 0 ? '–' : wall(raw).toFixed(0)} | ${raw < 0 ? '–' : cpu(raw).toFixed(2)} | ${raw < 0 ? '–' : (cpu(0) / cpu(raw)).toFixed(2)} |${prev < 0 ? '' : ` ${wall(prev).toFixed(0)} | ${cpu(prev).toFixed(2)} | ${(cpu(0) / cpu(prev)).toFixed(2)} |`}`);
  }
  console.log(`${rows.join('\n')}\n`);
}

// 3. the whole corpus in one run (+ the two builds' outputs compared byte for byte)
if (!skip.has('whole')) {
  const files = entries.map((e) => e.file);
  const tools = [checkTool('check (after)', after, files)];
  if (before) tools.push(checkTool('check (before)', before, files));
  table('Whole corpus, one `check`', tools, rounds(tools, Math.max(1, formatRuns)), files.length, sizeOf(files));
  if (before) {
    const a = measure(process.execPath, checkTool('', after, files).args, corpus, true).stdout;
    const b = measure(process.execPath, checkTool('', before, files).args, corpus, true).stdout;
    console.log(`JSON output on the whole corpus: ${Buffer.compare(a, b) === 0 ? 'byte-identical' : 'DIFFERENT'} (${a.length} bytes)\n`);
  }
}

// 4. one large generated SQL file: peak memory per file
if (args.includes('--big')) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-big-'));
  try {
    // a schema dump with seed data: tables, rows, and one destructive statement in 50 groups
    const chunk = (i) => `CREATE TABLE t_${i} (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());\nINSERT INTO t_${i} (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');\n${i % 50 === 0 ? `ALTER TABLE t_${i} DROP COLUMN name;\n` : `CREATE INDEX t_${i}_name ON t_${i} (name);\n`}`;
    const parts = [];
    let size = 0;
    for (let i = 0; size < 9.9 * 1024 * 1024; i++) {
      const c = chunk(i);
      parts.push(c);
      size += c.length;
    }
    writeFileSync(path.join(dir, 'big.sql'), parts.join(''));
    writeFileSync(path.join(dir, 'dbsaferc.json'), JSON.stringify({ dialect: 'postgres', migrations: [{ glob: '*.sql', format: 'sql' }] }));
    const bigTool = (name, bin) => ({ name, cmd: process.execPath, args: [bin, 'check', '--worktree', '--config', path.join(dir, 'dbsaferc.json'), '--format', 'json', 'big.sql'], cwd: dir });
    const tools = [{ name: 'raw parseSync', cmd: process.execPath, args: [rawParse, 'big.sql'], cwd: dir }, bigTool('check (after)', after)];
    if (before) tools.push(bigTool('check (before)', before));
    table(`One generated SQL file of ${(size / 1e6).toFixed(1)} MB (${parts.length * 3} statements)`, tools, rounds(tools, Math.max(1, Math.min(3, formatRuns))), 1, size);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
