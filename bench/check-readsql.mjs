#!/usr/bin/env node
/**
 * In one process, over the same files: the raw libpg-query parse (the floor) and dbsafe-hooks'
 * readSql (the SQL detection core, from the built package), warm, fastest of 3 alternating passes.
 * Prints CPU ms of each.
 * Run by bench/check-bench.mjs; the CLI figures there add process start, git and the rules.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(fileURLToPath(new URL('../package.json', import.meta.url)));
const { loadModule, parseSync } = require('libpg-query');
const { readSql } = await import(new URL('../dist/index.js', import.meta.url).href);

const texts = process.argv.slice(2).map((file) => readFileSync(file, 'utf8'));
await loadModule();
await readSql('SELECT 1;', { path: 'warm-up.sql', dialect: 'postgres' }); // loads the reader modules
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// warm-up pass over everything (WASM tier-up, JIT), then alternate timed passes; keep the fastest
let operations = 0;
for (const text of texts) parseSync(text);
for (const text of texts) operations += (await readSql(text, { path: 'bench.sql', dialect: 'postgres' })).length;
let parse = Infinity;
let read = Infinity;
for (let round = 0; round < 3; round++) {
  let t = cpu();
  for (const text of texts) parseSync(text);
  parse = Math.min(parse, cpu() - t);
  t = cpu();
  for (const text of texts) await readSql(text, { path: 'bench.sql', dialect: 'postgres' });
  read = Math.min(read, cpu() - t);
}
process.stdout.write(JSON.stringify({ files: texts.length, operations, parseMs: Math.round(parse), readSqlMs: Math.round(read), ratio: +(read / parse).toFixed(2) }) + '\n');
