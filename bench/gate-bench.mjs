#!/usr/bin/env node
// Backup-gate speed: what the gate adds to a push that carries a migration.
//   baseline  `dbsafe-hooks --version` (node + CLI startup)
//   code      `dbsafe-hooks gate --base HEAD~1` over a code-only commit (the gate reads nothing)
//   gate N    `dbsafe-hooks gate --base HEAD~1` over a migration commit, with a hash-chained log of N
//             entries (N-2 old filler entries + one real SQLite `backup --verify`), gate passes
// Variants are interleaved in one run; medians of REPS; ratios against the baseline.
// Usage: npm run build && node bench/gate-bench.mjs [repetitions=15] [sizes=10,1000,10000]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'dbsafe-hooks.js');
const REPS = Number(process.argv[2] ?? 15);
const SIZES = (process.argv[3] ?? '10,1000,10000').split(',').map(Number);

const env = {};
for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_') && key !== 'DBSAFE_NOW') env[key] = value;
Object.assign(env, {
  GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
});

function run(cwd, cmd, args, okCodes = [0]) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (!okCodes.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r;
}

// the log's canonical form (src/backup/canonical-json.ts): keys sorted, no whitespace
function canonical(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).filter((k) => value[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}

/** N-2 filler entries: old backups of the same database (too old to count, artifacts never looked at). */
function writeFiller(logPath, count, fingerprint) {
  mkdirSync(path.dirname(logPath), { recursive: true, mode: 0o700 });
  let prev = '0'.repeat(64);
  const lines = [];
  const old = Date.now() - 400 * 86_400_000;
  for (let seq = 1; seq <= count; seq++) {
    const id = `filler-${Math.ceil(seq / 2)}`;
    const takenAt = new Date(old + seq * 60_000).toISOString();
    const entry = {
      v: 1, seq, ts: takenAt, event: seq % 2 ? 'backup' : 'verified', instance: 'dev', prev,
      backupId: id, engine: 'sqlite', fingerprint, artifact: `/nowhere/${id}/db.sqlite.gz`, size: 1234, sha256: 'ab'.repeat(32), takenAt,
      ...(seq % 2 ? {} : { level: 'restorable', tables: 1, rows: 2 }),
    };
    entry.hash = createHash('sha256').update(canonical(entry)).digest('hex');
    prev = entry.hash;
    lines.push(canonical(entry));
  }
  writeFileSync(logPath, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
  writeFileSync(logPath.replace(/\.jsonl$/, '.head'), JSON.stringify({ seq: count, hash: prev }), { mode: 0o600 });
}

function time(cwd, args, expectCode) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== expectCode) throw new Error(`${args.join(' ')}: exit ${r.status}, expected ${expectCode}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-gate-bench-'));
try {
  const code = path.join(tmp, 'code');
  const repo = path.join(tmp, 'repo');
  for (const dir of [code, repo]) {
    mkdirSync(dir);
    run(dir, 'git', ['init', '-q', '-b', 'main']);
    writeFileSync(path.join(dir, '.dbsaferc.json'), JSON.stringify({ databases: { dev: { url: 'sqlite:dev.db' } } }));
    writeFileSync(path.join(dir, '.gitignore'), '*.db\n.dbsafe/\n');
    run(dir, 'git', ['add', '-A']);
    run(dir, 'git', ['commit', '-q', '-m', 'init']);
  }
  writeFileSync(path.join(code, 'app.js'), 'console.log(1);\n');
  run(code, 'git', ['add', '-A']);
  run(code, 'git', ['commit', '-q', '-m', 'code']);
  run(repo, 'sqlite3', ['dev.db', 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES (\'a\'), (\'b\');']);
  mkdirSync(path.join(repo, 'db', 'migrations'), { recursive: true });
  writeFileSync(path.join(repo, 'db', 'migrations', '001.sql'), 'CREATE TABLE orders (id INTEGER);\n');
  run(repo, 'git', ['add', '-A']);
  run(repo, 'git', ['commit', '-q', '-m', 'migration']);
  const logPath = path.join(repo, '.git', 'dbsafe', 'log.jsonl');

  // the real fingerprint, from a first real backup
  run(repo, process.execPath, [CLI, 'backup', 'dev', '--verify']);
  const status = JSON.parse(run(repo, process.execPath, [CLI, 'log', '--json'], [0, 1]).stdout);
  const entries = Array.isArray(status) ? status : status.entries;
  const fingerprint = entries.find((e) => e.event === 'verified').fingerprint;

  const rows = [];
  for (const size of SIZES) {
    writeFiller(logPath, Math.max(0, size - 2), fingerprint);
    run(repo, process.execPath, [CLI, 'backup', 'dev', '--verify']);
    const base = [], codeOnly = [], gate = [];
    for (let i = 0; i < REPS; i++) {
      base.push(time(repo, ['--version'], 0));
      codeOnly.push(time(code, ['gate', '--base', 'HEAD~1'], 0));
      gate.push(time(repo, ['gate', '--base', 'HEAD~1'], 0));
    }
    rows.push({ size, base: median(base), code: median(codeOnly), gate: median(gate) });
  }
  console.log(`node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${REPS} repetitions, medians`);
  console.log('| log entries | --version (baseline) | gate, code-only range | gate, migration range | code-only / baseline | migration / baseline |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.size} | ${r.base.toFixed(0)} ms | ${r.code.toFixed(0)} ms | ${r.gate.toFixed(0)} ms | ${(r.code / r.base).toFixed(2)} | ${(r.gate / r.base).toFixed(2)} |`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
