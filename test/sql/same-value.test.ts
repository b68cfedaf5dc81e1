import { describe, expect, it } from 'vitest';
import { read } from './helpers.js';

// A WHERE that holds for every row deletes every row. The readers find one when a value is compared with itself,
// or an OR covers both sides of a comparison or a test; the same value is often written two ways (quotes, case,
// `0` and `0.0`, parentheses, a cast), and each spelling must be read as that one value, in every dialect.

const alwaysTrue = async (sql: string, dialect: 'postgres' | 'mysql' | 'sqlite') =>
  (await read(sql, dialect)).map((op) => `${op.kind}${op.flags.whereAlwaysTrue ? ' (always true)' : ''}`);

describe('the same value written two ways', () => {
  const cases: Array<[string, Array<'postgres' | 'mysql' | 'sqlite'>]> = [
    ['DELETE FROM t WHERE x = x', ['postgres', 'mysql', 'sqlite']],
    ['DELETE FROM t WHERE x = (x)', ['postgres', 'mysql', 'sqlite']],
    ['DELETE FROM t WHERE `x` = x', ['mysql', 'sqlite']],
    ['DELETE FROM t WHERE "x" = x', ['postgres', 'sqlite']],
    ['DELETE FROM t WHERE x > 0 OR x <= 0.0', ['postgres', 'mysql', 'sqlite']],
    ['DELETE FROM t WHERE x > 0 OR x <= 00', ['postgres', 'mysql', 'sqlite']],
    ['DELETE FROM t WHERE x > 0 OR x <= -0', ['postgres', 'mysql', 'sqlite']],
    ['DELETE FROM t WHERE X IS NULL OR x IS NOT NULL', ['postgres', 'mysql', 'sqlite']],
    ['DELETE FROM t WHERE (x) IS NULL OR x IS NOT NULL', ['postgres', 'mysql', 'sqlite']],
    ['DELETE FROM t WHERE `x` IS NULL OR x IS NOT NULL', ['mysql', 'sqlite']],
    ['DELETE FROM t WHERE 1 = 1.0', ['postgres', 'mysql', 'sqlite']],
    ['UPDATE t SET a = 1 WHERE "x" > 0 OR x <= 0', ['postgres']],
    // the statement's own table qualifies the row's column
    ['DELETE FROM t WHERE t.x = x', ['postgres', 'mysql', 'sqlite']],
    ['DELETE FROM t WHERE t.x > 0 OR x <= 0', ['postgres', 'mysql', 'sqlite']],
    ['DELETE FROM t WHERE x IN (1, t.x)', ['postgres', 'mysql', 'sqlite']],
  ];
  for (const [sql, dialects] of cases) {
    for (const dialect of dialects) {
      it(`${dialect}: ${sql} holds for every row`, async () => {
        expect(await alwaysTrue(sql, dialect)).toEqual([`${sql.startsWith('UPDATE') ? 'update-all' : 'delete-all'} (always true)`]);
      });
    }
  }

  it.each<[string, 'postgres' | 'mysql' | 'sqlite']>([
    ["DELETE FROM t WHERE x > '0' OR x <= 0", 'postgres'],
    ['DELETE FROM t WHERE x > 0 OR y <= 0', 'mysql'],
    ['DELETE FROM t WHERE x > 0 OR x <= 1', 'sqlite'],
    ['DELETE FROM t WHERE x IS NULL OR y IS NOT NULL', 'mysql'],
    ['DELETE FROM t WHERE u.x = x', 'sqlite'],
    // MySQL reads "x" as a string (without ANSI_QUOTES): the rows where x is 'x'
    ['DELETE FROM t WHERE "x" = x', 'mysql'],
    ['DELETE FROM t WHERE lower(x) = lower(y)', 'postgres'],
  ])('restricting: %s (%s)', async (sql, dialect) => {
    expect(await alwaysTrue(sql, dialect)).toEqual([]);
  });
});

describe('a test OR its negation holds for every row (whose values are not NULL)', () => {
  const dialects = ['postgres', 'mysql', 'sqlite'] as const;
  it.each([
    'DELETE FROM t WHERE x > 1 OR NOT x > 1',
    'DELETE FROM t WHERE x > 1 OR NOT (x > 1)',
    'DELETE FROM t WHERE x IN (1, 2) OR x NOT IN (1, 2)',
    "DELETE FROM t WHERE x LIKE 'a%' OR x NOT LIKE 'a%'",
    'DELETE FROM t WHERE x BETWEEN 1 AND 2 OR x NOT BETWEEN 1 AND 2',
    'DELETE FROM t WHERE a = 1 OR b = 2 OR NOT a = 1',
    // comparisons with one constant that together cover every value
    'DELETE FROM t WHERE x < 1 OR x = 1 OR x > 1',
    "DELETE FROM t WHERE x <= 'm' OR x >= 'm'",
    'DELETE FROM t WHERE x > 5 OR x < 5 OR x = 5 OR y = 1',
  ])('%s', async (sql) => {
    for (const dialect of dialects) expect(await alwaysTrue(sql, dialect), dialect).toEqual(['delete-all (always true)']);
  });

  it.each([
    // a call may give another value each time it is called
    'DELETE FROM t WHERE random() > 0.5 OR NOT random() > 0.5',
    'DELETE FROM t WHERE x IN (1, 2) OR x NOT IN (1, 3)',
    "DELETE FROM t WHERE x LIKE 'a%' OR x NOT LIKE 'b%'",
    'DELETE FROM t WHERE x > 1 OR NOT y > 1',
    'DELETE FROM t WHERE x < 1 OR x > 1',
    'DELETE FROM t WHERE x < 1 OR x = 2 OR x > 1',
    'DELETE FROM t WHERE x < 1 OR y = 1 OR x > 1',
  ])('not: %s', async (sql) => {
    for (const dialect of dialects) expect(await alwaysTrue(sql, dialect), dialect).toEqual([]);
  });
});
