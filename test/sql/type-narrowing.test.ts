import { describe, expect, it } from 'vitest';
import { isNarrowing } from '../../src/sql/type-narrowing.js';
import { read } from './helpers.js';
import { readFixture } from '../readers/helpers.js';

describe('narrowing type changes (both types known)', () => {
  it.each([
    ['sa.String(length=16)', 'sa.String(length=8)', true],
    ['sa.String(length=8)', 'sa.String(length=16)', false],
    ['sa.NUMERIC(precision=12, scale=2)', 'sa.Integer()', true],
    ['sa.Integer()', 'sa.BigInteger()', false],
    ['sa.BigInteger()', 'sa.Integer()', true],
    ['Text', 'VarChar(50)', true],
    ['VarChar(50)', 'Text', false],
    ['models.CharField(max_length=100)', 'models.CharField(max_length=32, unique=True)', true],
    ['sa.Integer()', 'sa.String(length=50)', false],
    ['Decimal(65,30)', 'Decimal(10,2)', true],
    ['varchar(10)', 'varchar(5)', true],
    // MySQL sizes: tinyint 1 byte, smallint 2, mediumint 3, int 4
    ['smallint', 'tinyint', true],
    ['int', 'mediumint', true],
    ['tinyint', 'smallint', false],
  ])('%s → %s: %s', (from, to, expected) => {
    expect(isNarrowing(from, to)).toBe(expected);
  });

  it('says nothing when a type is not understood', () => {
    expect(isNarrowing('sa.Foo()', 'sa.Integer()')).toBeUndefined();
    expect(isNarrowing(undefined, 'sa.Integer()')).toBeUndefined();
  });

  it('marks Alembic existing_type → type_ and Prisma "cast from … to …" changes', async () => {
    const alembic = await readFixture('alembic/3f2a9c1d7e4b_drop_legacy.py');
    expect(alembic.find((o) => o.kind === 'alter-column-type')!.flags.narrowing).toBe(true);
    const prisma = await readFixture('prisma/migrations/20240301120000_drop_bio/migration.sql');
    expect(prisma.find((o) => o.kind === 'alter-column-type')!.flags).toMatchObject({ oldType: 'Text', narrowing: true });
  });
});

/**
 * One decision for both spellings: libpg-query's names (what the PostgreSQL reader sees after a CREATE TABLE in
 * the same file) and the written names ORMs use. They used to be two functions that disagreed on the rows marked
 * "was": an int2 fits numeric(5); a float loses its fraction in an int; an int8 loses digits in a float4.
 */
describe('narrowing: the PostgreSQL reader and the written-type readers agree', () => {
  const cases: Array<[from: string, to: string, narrowing: boolean]> = [
    ['smallint', 'numeric(5)', false], // was true for written types
    ['integer', 'numeric(10)', false], // was true for written types
    ['integer', 'numeric(9)', true],
    ['bigint', 'numeric(18)', true],
    ['double precision', 'integer', true], // was "cannot tell" in the PostgreSQL reader
    ['real', 'bigint', true], // was "cannot tell" in the PostgreSQL reader
    ['bigint', 'real', true], // was false for written types
    ['integer', 'real', true], // was false for written types
    ['integer', 'double precision', false],
    ['smallint', 'real', false],
    ['double precision', 'real', true],
    ['real', 'double precision', false],
    ['integer', 'bigint', false],
    ['bigint', 'integer', true],
    ['varchar(10)', 'varchar(5)', true],
    ['varchar(5)', 'text', false],
    ['text', 'integer', true],
    ['integer', 'text', false],
    ['integer', 'varchar(11)', false],
    ['bigint', 'varchar(19)', true],
    ['numeric(12,2)', 'numeric(12,1)', true],
    ['numeric(12,2)', 'numeric', false],
    ['timestamptz', 'date', true],
    ['date', 'timestamp', false],
    ['boolean', 'integer', true],
  ];

  it.each(cases)('%s → %s: %s', async (from, to, expected) => {
    expect(isNarrowing(from.replace(/ /g, '_'), to.replace(/ /g, '_'))).toBe(expected);
    const ops = await read(`CREATE TABLE t (c ${from});\nALTER TABLE t ALTER COLUMN c TYPE ${to};`, 'postgres');
    expect(ops.find((op) => op.kind === 'alter-column-type')?.flags.narrowing).toBe(expected);
  });
});
