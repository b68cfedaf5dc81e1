import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Operation } from '../../src/model/operation.js';
import { readPostgresSubset } from '../../src/sql/pg-subset.js';
import { bodyMayAct } from '../../src/sql/plpgsql-scan.js';
import { readPostgres } from '../../src/sql/postgres.js';
import { OpSink } from '../../src/sql/sink.js';

// Shared by the tests of the parser-free PostgreSQL subset (src/sql/pg-subset.ts).

export const root = path.resolve(import.meta.dirname, '../..');

/** The full PostgreSQL reader (libpg-query), without readSql's subset path, in readSql's order. */
export async function fullRead(text: string): Promise<Operation[]> {
  const sink = new OpSink(text, { path: 'migrations/test.sql', dialect: 'postgres', direction: 'up', startLine: 1, startColumn: 1 });
  await readPostgres(sink);
  return sink.ops.sort((a, b) => a.line - b.line || a.column - b.column);
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Every quoted string in a test file: the SQL those tests were written for. */
export function literalsOf(testFile: string): string[] {
  const source = readFileSync(path.join(root, testFile), 'utf8');
  const found = new Set<string>();
  for (const m of source.matchAll(/`([^`$\\]{6,})`|'((?:[^'\\\n]|\\.){6,})'/g)) found.add((m[1] ?? m[2]!).replace(/\\n/g, '\n').replace(/\\'/g, "'"));
  return [...found];
}

/** A seeded generator of mutants: tokens dropped, doubled, swapped, or foreign words inserted. */
export function mutants(source: string, count: number, foreign: string[], seed = 4242): string[] {
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const pieces = source.split(/(\s+|(?=[(),;.])|(?<=[(),;.]))/).filter((p) => p.trim() !== '');
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const mutant = [...pieces];
    for (let k = 0; k <= random(3); k++) {
      const at = random(mutant.length);
      const how = random(4);
      if (how === 0) mutant.splice(at, 1);
      else if (how === 1) mutant.splice(at, 0, mutant[at]!);
      else if (how === 2) [mutant[at], mutant[(at + 1) % mutant.length]] = [mutant[(at + 1) % mutant.length]!, mutant[at]!];
      else mutant.splice(at, 0, foreign[random(foreign.length)]!);
    }
    out.push(mutant.join(' '));
  }
  return out;
}

/** The subset accepts the text and finds nothing in it: readSql returns [] without loading the parser. */
export function isHarmlessPostgres(text: string): boolean {
  return readPostgresSubset(text, bodyMayAct)?.every((statement) => statement.ops.length === 0) ?? false;
}
