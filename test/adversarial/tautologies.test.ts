/**
 * A WHERE that holds for every row deletes or updates every row, whatever it looks like: constants
 * (`2 > 1`, `NOT false`, `1 IN (1, 2)`) and conditions true by their meaning (`id = id`,
 * `x IS NULL OR x IS NOT NULL`). Each row is read the ways `check` reads SQL: PostgreSQL through the
 * parser-free subset or the parser, inside a DO block (the PL/pgSQL screen), MySQL and SQLite through
 * node-sql-parser. A condition that restricts rows stays a plain DELETE / UPDATE (no finding).
 */
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import { checkText } from './helpers.js';

interface Row {
  where: string;
  everyRow: boolean;
  /** Dialects where this row does not apply (syntax the dialect does not have). */
  not?: Dialect[];
}

const ROWS: Row[] = [
  // every row
  { where: 'id IS NULL OR id IS NOT NULL', everyRow: true },
  { where: 'id IS NOT NULL OR id IS NULL', everyRow: true },
  { where: '(id IS NULL) OR (id IS NOT NULL)', everyRow: true },
  { where: "name = 'x' OR id IS NULL OR id IS NOT NULL", everyRow: true },
  { where: 'active IS TRUE OR active IS NOT TRUE', everyRow: true, not: ['mysql', 'sqlite'] },
  { where: 'id = id', everyRow: true },
  { where: 'users.id = users.id', everyRow: true },
  { where: 'id >= id', everyRow: true },
  { where: "name = 'x' OR id = id", everyRow: true },
  { where: 'id IS NOT DISTINCT FROM id', everyRow: true, not: ['mysql', 'sqlite'] },
  { where: 'NOT false', everyRow: true },
  { where: 'NOT (1 = 2)', everyRow: true },
  { where: '2 > 1', everyRow: true },
  { where: '1 <= 1', everyRow: true },
  { where: '1 IN (1, 2)', everyRow: true },
  { where: '1 NOT IN (2, 3)', everyRow: true },
  { where: "'a' = 'a' AND 3 >= 2", everyRow: true },
  // rows chosen
  { where: 'id = 5', everyRow: false },
  { where: 'id IS NOT NULL', everyRow: false },
  { where: 'id IS NULL AND id IS NOT NULL', everyRow: false },
  { where: 'id IS NULL OR name IS NOT NULL', everyRow: false },
  { where: 'id <> id', everyRow: false },
  { where: 'id = other_id', everyRow: false },
  { where: 'random() = random()', everyRow: false, not: ['mysql', 'sqlite'] },
  { where: 'id = id AND created_at < now()', everyRow: false },
  { where: '1 > 2 OR id = 3', everyRow: false },
  { where: '1 IN (2, 3)', everyRow: false },
  { where: 'NOT (id = 5)', everyRow: false },
];

const READS: Array<{ name: string; dialect: Dialect; path: string; wrap: (statement: string) => string }> = [
  { name: 'PostgreSQL', dialect: 'postgres', path: 'db/migrations/002_cleanup.sql', wrap: (s) => `${s};\n` },
  { name: 'PostgreSQL, in a DO block', dialect: 'postgres', path: 'db/migrations/002_cleanup.sql', wrap: (s) => `DO $$\nBEGIN\n  ${s};\nEND\n$$;\n` },
  { name: 'MySQL', dialect: 'mysql', path: 'db/migrations/002_cleanup.sql', wrap: (s) => `${s};\n` },
  { name: 'SQLite', dialect: 'sqlite', path: 'db/migrations/002_cleanup.sql', wrap: (s) => `${s};\n` },
];

describe('a WHERE that holds for every row', () => {
  for (const read of READS) {
    const rows = ROWS.filter((row) => !row.not?.includes(read.dialect));
    it.each(rows)(`${read.name}: DELETE … WHERE $where → every row: $everyRow`, async ({ where, everyRow }) => {
      const { findings } = await checkText(read.path, read.wrap(`DELETE FROM users WHERE ${where}`), { dialect: read.dialect, format: 'sql' });
      expect(findings).toEqual(everyRow ? ['delete-all:error'] : []);
    });
    it.each(rows)(`${read.name}: UPDATE … WHERE $where → every row: $everyRow`, async ({ where, everyRow }) => {
      const { findings } = await checkText(read.path, read.wrap(`UPDATE users SET name = NULL WHERE ${where}`), { dialect: read.dialect, format: 'sql' });
      expect(findings).toEqual(everyRow ? ['update-all:error'] : []);
    });
  }
});
