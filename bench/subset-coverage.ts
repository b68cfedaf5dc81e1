/**
 * How much of a real repository the parser-free PostgreSQL subset reads (src/sql/pg-subset.ts), and whether it
 * reads it right: over the PostgreSQL .sql files of ../shared/corpus (read where they are, nothing copied), each
 * file the subset accepts, and each statement of every file, is compared with the full reader (libpg-query); the
 * files it declines are grouped by the first statement it declines (what to teach it next, by files and bytes).
 * Files outside the subset load libpg-query in the hook (~30-40 ms more per commit on a fast machine).
 *
 *   npx tsx bench/subset-coverage.ts [--corpus dir] [--show "<group>"]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readPostgresSubset } from '../src/sql/pg-subset.js';
import { bodyMayAct } from '../src/sql/plpgsql-scan.js';
import { splitSql } from '../src/sql/split.js';
import { read } from '../test/sql/helpers.js';
import { fullRead } from '../test/sql/pg-subset-helpers.js';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const root = path.resolve(import.meta.dirname, '..');
const corpus = opt('corpus') ?? [path.resolve(root, '../shared/corpus'), '/work/shared/corpus'].find((dir) => existsSync(path.join(dir, 'files.jsonl')));
if (!corpus) throw new Error('corpus not found: pass --corpus <dir with files.jsonl>');

const files = readFileSync(path.join(corpus, 'files.jsonl'), 'utf8').trim().split('\n')
  .map((line) => JSON.parse(line) as { file: string; dialect: string })
  .filter((entry) => entry.dialect === 'postgres' && entry.file.endsWith('.sql'))
  .map((entry) => path.join(corpus, entry.file));

/** The first words of a statement, for grouping (`ALTER TABLE`, `CREATE OR REPLACE FUNCTION`…). */
function group(code: string): string {
  const words = code.replace(/--[^\n]*|\/\*[^]*?\*\//g, ' ').trim().split(/\s+/).slice(0, 4).map((w) => w.toUpperCase());
  const take = words[0] === 'CREATE' && words[1] === 'OR' ? 4 : words[0] === 'CREATE' || words[0] === 'ALTER' || words[0] === 'DROP' ? 2 : 1;
  return words.slice(0, take).join(' ').replace(/[("].*$/, '');
}

const same = async (text: string) => JSON.stringify(await read(text, 'postgres')) === JSON.stringify(await fullRead(text));
let accepted = 0;
let acceptedBytes = 0;
let totalBytes = 0;
let statements = 0;
const differ: string[] = [];
const declined = new Map<string, { files: number; bytes: number; examples: string[] }>();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  totalBytes += text.length;
  const pieces = splitSql(text, 'postgres').statements;
  if (readPostgresSubset(text, bodyMayAct)) {
    accepted++;
    acceptedBytes += text.length;
    if (!(await same(text))) differ.push(path.relative(corpus, file));
  } else {
    const first = pieces.find((s) => s.code.trim() && !readPostgresSubset(s.text, bodyMayAct));
    const key = first ? group(first.code) : '(the file as a whole)';
    const entry = declined.get(key) ?? { files: 0, bytes: 0, examples: [] };
    entry.files++;
    entry.bytes += text.length;
    entry.examples.push(`${path.relative(corpus, file)}: ${(first?.code ?? '').replace(/\s+/g, ' ').slice(0, 160)}`);
    declined.set(key, entry);
  }
  for (const piece of pieces) {
    if (!readPostgresSubset(piece.text, bodyMayAct)) continue;
    statements++;
    if (!(await same(piece.text))) differ.push(`${path.relative(corpus, file)}: ${piece.text.slice(0, 120)}`);
  }
}

console.log(`PostgreSQL .sql files: ${files.length} (${(totalBytes / 1e6).toFixed(2)} MB)`);
console.log(`inside the subset: ${accepted} files (${(acceptedBytes / 1e6).toFixed(2)} MB); statements accepted alone: ${statements}`);
console.log(`read differently from the full reader: ${differ.length}`);
for (const line of differ) console.log(`  DIFFERS ${line}`);
console.log('\ndeclined, by the first statement declined | files | KB');
for (const [key, entry] of [...declined].sort((a, b) => b[1].files - a[1].files)) console.log(`${key} | ${entry.files} | ${(entry.bytes / 1e3).toFixed(0)}`);
const show = opt('show');
if (show) for (const example of declined.get(show)?.examples ?? []) console.log(`  ${example}`);
if (differ.length) process.exitCode = 1;
