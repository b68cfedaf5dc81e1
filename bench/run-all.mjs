#!/usr/bin/env node
// `npm run bench`: the benchmarks that need no database server and no corpus, one after the other, each
// printing its own table (ratios against a baseline measured in the same run). The others need servers
// (backup-bench, backup-bench-other, restore-bench, gate-bench) or ../shared/corpus (corpus-bench,
// check-corpus): each file's first lines say how to run it; bench/RESULTS.md has their results.
// Usage: npm run build && npm run bench
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const QUICK = [
  ['hooks-bench.mjs', '15'],
  ['guard-bench.mjs', '7'],
  ['policy.mjs'],
  ['readers-bench.mjs', '500', '2'],
];
let failed = 0;
for (const [file, ...args] of QUICK) {
  process.stdout.write(`\n## ${file} ${args.join(' ')}\n`);
  const run = spawnSync(process.execPath, [path.join(here, file), ...args], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
