#!/usr/bin/env node
/**
 * The floor for bench/check-bench.mjs: load libpg-query and parseSync every file given, nothing else
 * (no git, no rules, no output). A tool that reads SQL with the real parser cannot be faster than this.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// the project's libpg-query (18.x), not the one pgfence brings into bench/node_modules
const require = createRequire(fileURLToPath(new URL('../package.json', import.meta.url)));
const { loadModule, parseSync } = require('libpg-query');

await loadModule();
let statements = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    statements += parseSync(readFileSync(file, 'utf8')).stmts?.length ?? 0;
  } catch {
    failed++;
  }
}
process.stdout.write(`${statements} statements, ${failed} files failed to parse\n`);
