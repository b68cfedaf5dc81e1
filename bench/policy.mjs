// Bundles bench/policy-run.ts the way tsup builds the CLI (esbuild, ESM, no keepNames) and runs it,
// so the figures are those of the shipped code, not of an on-the-fly TypeScript loader.
// Run: node bench/policy.mjs [statements=40000]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
// Inside the project so the bundle resolves the project's packages (ESM ignores NODE_PATH); removed after.
const dir = mkdtempSync(path.join(root, 'bench', '.tmp-policy-'));
try {
  const outfile = path.join(dir, 'policy-run.mjs');
  await build({
    entryPoints: [path.join(root, 'bench', 'policy-run.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outfile,
  });
  const result = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], {
    stdio: 'inherit',
    cwd: root,
  });
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
