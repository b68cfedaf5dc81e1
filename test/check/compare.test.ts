import { describe, expect, it } from 'vitest';
import { preexistingOperations } from '../../src/check/compare.js';
import type { Operation } from '../../src/model/operation.js';

const drop = (name: string, statement = `DROP TABLE ${name};`, line = 1): Operation => ({
  kind: 'drop-table',
  target: { type: 'table', name, written: name },
  file: 'm.sql',
  line,
  column: 1,
  direction: 'up',
  flags: {},
  statement,
  statementLine: line,
});

describe('preexistingOperations', () => {
  it('a whitespace edit keeps an old drop old', () => {
    const now = [drop('users', 'DROP   TABLE\n  users ;', 7)];
    expect(preexistingOperations(now, [[drop('users')]]).has(now[0]!)).toBe(true);
  });

  it('a new drop in an old file is new', () => {
    const now = [drop('users'), drop('orders')];
    const old = preexistingOperations(now, [[drop('users')]]);
    expect([...old].map((o) => o.target?.name)).toEqual(['users']);
  });

  it('counts as a multiset: a second identical drop is new', () => {
    const now = [drop('users'), drop('users', 'DROP TABLE users;', 9)];
    const old = preexistingOperations(now, [[drop('users')]]);
    expect(old.size).toBe(1);
    expect(old.has(now[0]!)).toBe(true);
  });

  it('for a merge, an operation any parent had is old', () => {
    const now = [drop('a'), drop('b'), drop('c')];
    const old = preexistingOperations(now, [[drop('a')], [drop('b')]]);
    expect([...old].map((o) => o.target?.name).sort()).toEqual(['a', 'b']);
  });

  it('a different statement on the same object is new', () => {
    const now = [drop('users', 'DROP TABLE users CASCADE;')];
    expect(preexistingOperations(now, [[drop('users')]]).size).toBe(0);
  });
});
