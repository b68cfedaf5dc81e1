import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import { read } from './helpers.js';

const DIALECTS: Array<Dialect | 'mariadb'> = ['postgres', 'mysql', 'mariadb', 'sqlite'];

/** Deterministic pseudo-random generator so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FRAGMENTS = ["'", '"', '`', '$$', '$a$', '/*', '*/', '--', '#', ';', '(', ')', 'BEGIN', 'END', 'DROP', 'TABLE', 'DELETE',
  'FROM', 'WHERE', 'CREATE TRIGGER', 'DELIMITER //', '//', 'E\'', '\\', '\n', ' ', 'x', '1', '/*!50001', 'DO', 'EXECUTE', 'é', '🚀', '\r\n'];

describe('bad input never throws and never goes silent', () => {
  it.each(DIALECTS)('%s: random fragments of SQL syntax', async (dialect) => {
    const next = rng(42);
    for (let round = 0; round < 150; round++) {
      let text = '';
      const n = 1 + Math.floor(next() * 40);
      for (let k = 0; k < n; k++) text += FRAGMENTS[Math.floor(next() * FRAGMENTS.length)];
      const ops = await read(text, dialect);
      expect(Array.isArray(ops)).toBe(true);
      for (const op of ops) {
        expect(op.line).toBeGreaterThanOrEqual(1);
        expect(op.column).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it.each(DIALECTS)('%s: garbage text is unparseable (it blocks)', async (dialect) => {
    const ops = await read('Lorem ipsum dolor sit amet, consectetur adipiscing elit.\nSed do eiusmod tempor.', dialect);
    expect(ops.length).toBeGreaterThan(0);
    expect(ops.every((o) => o.kind === 'unparseable')).toBe(true);
  });

  it.each(DIALECTS)('%s: a destructive statement after an unterminated quote is not silently lost', async (dialect) => {
    const ops = await read("DROP TABLE a;\nUPDATE t SET x = 'oops WHERE id = 1;\nDROP TABLE b;", dialect);
    expect(ops[0]).toMatchObject({ kind: 'drop-table', target: { name: 'a' } });
    expect(ops[1]).toMatchObject({ kind: 'unparseable', line: 2, column: 18 });
  });

  it.each(DIALECTS)('%s: deeply nested parentheses do not recurse', async (dialect) => {
    const deep = 'SELECT ' + '('.repeat(50_000) + '1' + ')'.repeat(50_000) + ';\nDROP TABLE after_deep;';
    const ops = await read(deep, dialect);
    expect(ops.some((o) => o.kind === 'drop-table' && o.target?.name === 'after_deep')).toBe(true);
  });

  it.each(DIALECTS)('%s: a parser that runs out of stack on deep nesting gives unparseable, not a crash', async (dialect) => {
    const deep = '('.repeat(50_000) + 'SELECT 1' + ')'.repeat(50_000) + ';\nDROP TABLE after_deep;';
    const ops = await read(deep, dialect);
    expect(ops.map((o) => o.kind)).toEqual(['unparseable', 'drop-table']);
  });

  it.each(['postgres', 'mysql', 'sqlite'] as const)('%s: a multi-megabyte file is read, the last statement included', async (dialect) => {
    const line = "INSERT INTO events (id, payload) VALUES (1, 'x; y'); -- filler\n";
    const text = line.repeat(20_000) + 'DROP TABLE last_one;\n';
    const ops = await read(text, dialect);
    expect(ops).toMatchObject([{ kind: 'drop-table', line: 20_001, column: 1 }]);
  });

  it('control characters and NUL bytes are not a crash', async () => {
    for (const dialect of DIALECTS) {
      const ops = await read('SELECT 1;\u0000\u0001DROP TABLE x;\u0007\nDROP TABLE y;', dialect);
      expect(ops.length).toBeGreaterThan(0);
      expect(ops.at(-1)).toMatchObject({ kind: 'drop-table', target: { name: 'y' }, line: 2 });
    }
  });
});
