import { describe, expect, it } from 'vitest';
import { isNarrowing } from '../../src/readers/type-narrowing.js';
import { readFixture } from './helpers.js';

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
