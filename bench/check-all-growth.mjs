#!/usr/bin/env node
/**
 * How `check --all` grows with the number of migrations and of commits. Repositories of generated
 * PostgreSQL migrations (bench/check-corpus.mjs) committed in C commits, plus K code files (git's own
 * listing grows with the repository, not only with the migrations). Each repository is checked
 * --runs times (interleaved), medians of wall and CPU (user + sys, children included: git too).
 *
 * Usage: npm run build && node bench/check-all-growth.mjs [--files 1000,3000] [--commits 1,300] [--code 0] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './check-corpus.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'bin', 'dbsafe-hooks.js');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const sizes = opt('files', '1000,3000').split(',').map(Number);
const commitCounts = opt('commits', '1,300').split(',').map(Number);
const codeFiles = Number(opt('code', '0'));
const runs = Number(opt('runs', '3'));
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_'))), GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.com', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', NO_COLOR: '1' };
const git = (cwd, ...a) => {
  const r = spawnSync('git', a, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${a.join(' ')}: ${r.stderr}`);
};

function makeRepo(files, commits) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-all-'));
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(dir, '.dbsaferc.json'), JSON.stringify({ dialect: 'postgres', migrations: [{ glob: 'db/migrations/*.sql', format: 'flyway' }] }));
  for (let i = 0; i < codeFiles; i++) {
    const sub = path.join(dir, 'src', `m${Math.floor(i / 80)}`);
    if (i % 80 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `f${i}.js`), `export const x = ${i};\n`);
  }
  const { files: written } = generateCorpus(dir, files);
  // the same final tree, committed in `commits` steps (history length differs, the index does not)
  const per = Math.ceil(written.length / commits);
  git(dir, 'add', '.dbsaferc.json', ...(codeFiles ? ['src'] : []));
  for (let c = 0; c < commits; c++) {
    const part = written.slice(c * per, (c + 1) * per);
    if (part.length) git(dir, 'add', '--', ...part);
    git(dir, 'commit', '-q', '--allow-empty', '-m', `c${c}`);
  }
  return dir;
}

function measure(dir) {
  const timeFile = path.join(os.tmpdir(), `dbsafe-all-time-${process.pid}.txt`);
  const start = process.hrtime.bigint();
  spawnSync('/usr/bin/time', ['-v', '-o', timeFile, process.execPath, cli, 'check', '--all', '--format', 'json'], { cwd: dir, env, stdio: 'ignore' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const t = readFileSync(timeFile, 'utf8');
  rmSync(timeFile, { force: true });
  const n = (re) => Number(re.exec(t)?.[1] ?? NaN);
  return { wall, cpu: n(/User time \(seconds\): ([\d.]+)/) + n(/System time \(seconds\): ([\d.]+)/), rss: n(/Maximum resident set size \(kbytes\): (\d+)/) / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const repos = [];
for (const files of sizes) for (const commits of commitCounts) repos.push({ files, commits, dir: makeRepo(files, commits), samples: [] });
try {
  for (let r = 0; r < runs; r++) for (const repo of repos) repo.samples.push(measure(repo.dir));
  console.log(`check --all growth, ${new Date().toISOString()}, ${codeFiles} code files, ${runs} runs, load ${os.loadavg()[0].toFixed(1)}\n`);
  console.log('| migrations | commits | wall ms | CPU s | ms/file (CPU) | peak RSS MB |\n|---:|---:|---:|---:|---:|---:|');
  for (const repo of repos) {
    const cpu = median(repo.samples.map((s) => s.cpu));
    console.log(`| ${repo.files} | ${repo.commits} | ${median(repo.samples.map((s) => s.wall)).toFixed(0)} | ${cpu.toFixed(2)} | ${((cpu * 1000) / repo.files).toFixed(2)} | ${median(repo.samples.map((s) => s.rss)).toFixed(0)} |`);
  }
} finally {
  for (const repo of repos) rmSync(repo.dir, { recursive: true, force: true });
}
