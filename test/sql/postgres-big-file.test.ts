import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/model/operation.js';
import { objectOf, read } from './helpers.js';

// A file over 1 MB is parsed in runs of statements (memory stays bounded per file): what it reports
// must be what the same statements report in a small file, at the same places.

/** Harmless statements: a schema dump's bulk, 1.2 MB. */
function filler(): { text: string; lines: number } {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 1.2 * 1024 * 1024; i++) {
    const group = `CREATE TABLE t_${i} (id bigint PRIMARY KEY, note text NOT NULL DEFAULT 'a;b');\nINSERT INTO t_${i} (id, note) VALUES (1, $q$x;y$q$);\n`;
    parts.push(group);
    size += group.length;
  }
  const text = parts.join('');
  return { text, lines: text.split('\n').length - 1 };
}

const TAIL = [
  'DROP TABLE accounts;',
  "DO $$ BEGIN DELETE FROM sessions; RAISE NOTICE 'done;'; END $$;",
  'CREATE TABLE broken (id int,,);',
  'ALTER TABLE users DROP COLUMN email, ALTER COLUMN name TYPE varchar(10);',
  'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$ BEGIN TRUNCATE audit; END; $body$;',
  '  UPDATE orders SET total = 0;',
].join('\n');

const shape = (ops: Operation[], lineShift = 0) => ops.map((op) => ({ kind: op.kind, object: objectOf(op), line: op.line - lineShift, column: op.column }));

describe('PostgreSQL files over 1 MB', () => {
  it('report the same operations at the same places as the statements in a small file', async () => {
    const { text, lines } = filler();
    const small = await read(TAIL, 'postgres');
    const big = await read(text + TAIL, 'postgres');
    expect(text.length).toBeGreaterThan(1024 * 1024);
    expect(shape(big, lines)).toEqual(shape(small));
    // the table above is not empty: every kind the tail holds is found
    expect(shape(small).map((op) => op.kind)).toEqual(expect.arrayContaining(['drop-table', 'delete-all', 'unparseable', 'drop-column', 'alter-column-type', 'truncate', 'update-all']));
  });

  it('find what sits before, between and after the bulk', async () => {
    const { text, lines } = filler();
    const ops = await read(`DROP TABLE first;\n${text}DROP TABLE middle;\n${text}DROP TABLE last;\n`, 'postgres');
    expect(shape(ops)).toEqual([
      { kind: 'drop-table', object: 'first', line: 1, column: 1 },
      { kind: 'drop-table', object: 'middle', line: lines + 2, column: 1 },
      { kind: 'drop-table', object: 'last', line: 2 * lines + 3, column: 1 },
    ]);
  });
});
