#!/usr/bin/env node
// The test run behind `npm test`. With coverage on (DBSAFE_COVERAGE=1, the default when CI=true) it
// measures both halves of the code: what tests import in-process (vitest's v8 provider) and what runs
// in the built CLI the tests spawn (NODE_V8_COVERAGE, inherited by every child, mapped from dist/ back
// to src/ through the build's source maps by c8). Most tests spawn the CLI, so in-process coverage alone
// reported 0% for git/, cli/ and most of backup/. Prints one per-folder table; no threshold.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const coverage = process.env.DBSAFE_COVERAGE === '1' || (process.env.DBSAFE_COVERAGE !== '0' && process.env.CI === 'true');
const extraArgs = process.argv.slice(2);

if (!coverage) {
  const run = spawnSync(bin('vitest'), ['run', ...extraArgs], { cwd: root, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const out = path.join(root, 'coverage');
const raw = path.join(out, 'raw');
rmSync(out, { recursive: true, force: true });
mkdirSync(raw, { recursive: true });

const tests = spawnSync(
  bin('vitest'),
  [
    'run',
    '--coverage.enabled',
    '--coverage.provider=v8',
    '--coverage.reporter=json',
    `--coverage.reportsDirectory=${path.join(out, 'in-process')}`,
    '--coverage.reportOnFailure',
    '--coverage.include=src/**',
    ...extraArgs,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_V8_COVERAGE: raw } },
);

try {
  printTable(mergedCoverage());
} catch (error) {
  // The table is information, never the verdict: the tests' exit code stands.
  console.error(`coverage: no table (${error.message})`);
}
process.exit(tests.status ?? 1);

/** In-process coverage merged with the spawned CLI's, as an istanbul coverage map of src/ files. */
function mergedCoverage() {
  keepOnlyBuiltCli(raw);
  const subprocess = path.join(out, 'subprocess');
  const report = spawnSync(
    bin('c8'),
    ['report', '--temp-directory', raw, '--reports-dir', subprocess, '--reporter', 'json', '--src', root, '--include', 'src/**', '--exclude-after-remap', '--all', 'false'],
    { cwd: root, encoding: 'utf8' },
  );
  if (report.status !== 0) throw new Error(`c8 report failed: ${report.stderr.trim()}`);
  const require = createRequire(path.join(root, 'node_modules', 'c8', 'package.json'));
  const { createCoverageMap } = require('istanbul-lib-coverage');
  const map = createCoverageMap({});
  for (const file of [path.join(out, 'in-process', 'coverage-final.json'), path.join(subprocess, 'coverage-final.json')]) {
    try {
      map.merge(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      console.error(`coverage: ${path.relative(root, file)} is missing; the table shows the other half only`);
    }
  }
  return map;
}

/**
 * The raw V8 dumps hold every script each process ran: vitest's own workers included, whose src/*.ts are
 * vite-transformed code c8 cannot map. Those halves come from vitest's provider; keep the built CLI only.
 */
function keepOnlyBuiltCli(dir) {
  const dist = `file://${path.join(root, 'dist')}/`;
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    let dump;
    try {
      dump = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // a child killed mid-write (the signal and interruption tests) leaves a dump cut short: skip it
      rmSync(file);
      continue;
    }
    dump.result = dump.result.filter((script) => script.url.startsWith(dist));
    if (dump.result.length) writeFileSync(file, JSON.stringify(dump));
    else rmSync(file);
  }
}

function printTable(map) {
  const folders = new Map();
  for (const file of map.files()) {
    const relative = path.relative(path.join(root, 'src'), file);
    if (relative.startsWith('..')) continue;
    const parts = relative.split(path.sep);
    const folder = parts.length > 1 ? parts[0] : '(root)';
    const lines = map.fileCoverageFor(file).toSummary().lines;
    const sum = folders.get(folder) ?? { total: 0, covered: 0, files: 0 };
    sum.total += lines.total;
    sum.covered += lines.covered;
    sum.files += 1;
    folders.set(folder, sum);
  }
  const rows = [...folders].sort(([a], [b]) => a.localeCompare(b));
  const all = rows.reduce((acc, [, s]) => ({ total: acc.total + s.total, covered: acc.covered + s.covered, files: acc.files + s.files }), { total: 0, covered: 0, files: 0 });
  const pct = (s) => (s.total ? ((100 * s.covered) / s.total).toFixed(1) : '-').padStart(6);
  console.log('\nLine coverage of src/ by folder (in-process tests + the spawned CLI):');
  console.log(`  ${'folder'.padEnd(12)} ${'files'.padStart(5)} ${'lines'.padStart(7)} ${'%'.padStart(6)}`);
  for (const [folder, s] of [...rows, ['all', all]]) console.log(`  ${folder.padEnd(12)} ${String(s.files).padStart(5)} ${String(s.total).padStart(7)} ${pct(s)}`);
}
