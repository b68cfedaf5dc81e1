// Reading cost per migration format (bench/readers-run.ts), bundled the way tsup builds the CLI
// (esbuild, ESM) so the figures are those of the shipped code.
// Run: node bench/readers-bench.mjs [files-per-format=2000] [rounds=3]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const dir = mkdtempSync(path.join(root, 'bench', '.tmp-readers-'));
try {
  const outfile = path.join(dir, 'readers-run.mjs');
  await build({ entryPoints: [path.join(root, 'bench', 'readers-run.ts')], bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', splitting: false, outfile });
  const result = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
