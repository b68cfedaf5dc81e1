import { describe, expect, it } from 'vitest';
import { resolveFormat } from '../../src/readers/index.js';
import { readFixture, rows } from './helpers.js';

describe('SQL-family readers', () => {
  it.each([
    ['prisma/migrations/20240301120000_drop_bio/migration.sql', 'prisma', ['up drop-constraint Post.Post_authorId_fkey @10', 'up drop-column User.bio @13', 'up alter-column-type User.name @14', 'up drop-table Post @17']],
    ['prisma/migrations/20240302120000_mysql/migration.sql', 'prisma', ['up drop-column Order.legacy @8']],
    ['prisma/migrations/20240303120000_sqlite/migration.sql', 'prisma', ['up drop-table Account @15', 'up rename-table new_Account @16']],
    ['prisma/migrations/20240304120000_enum_recreate/migration.sql', 'prisma', ['up drop-column Order.status @11']],
    ['drizzle/0003_wild_hulk.sql', 'drizzle', ['up drop-constraint users.users_org_id_orgs_id_fk @1', 'up drop-table sessions @3', 'up drop-column users.legacy_role @4', 'up alter-column-type posts.views @5']],
    ['drizzle/0004_mysql.sql', 'drizzle', ['up drop-index users.users_email_idx @1', 'up drop-table audit @2']],
    ['golang-migrate/000012_drop_tokens.up.sql', 'golang-migrate', ['up drop-table api_tokens @2']],
    ['golang-migrate/000012_drop_tokens.down.sql', 'golang-migrate', ['down drop-table api_tokens_v2 @1']],
    ['dbmate/20240301120000_drop_widgets.sql', 'dbmate', ['up drop-table widgets @2', 'up drop-column gadgets.color @3', 'down drop-table widgets_v2 @6']],
    ['goose/00042_drop_things.sql', 'dbmate', ['up drop-table things @3', 'down drop-table things_v2 @7']],
    ['sql-migrate/20240301_drop_gizmos.sql', 'dbmate', ['up drop-table gizmos @2', 'down drop-table gizmos_v2 @5']],
    ['flyway/V7__drop_legacy.sql', 'flyway', ['up drop-table legacy_orders @1']],
    ['flyway/U7__undo_drop_legacy.sql', 'flyway', ['down drop-table legacy_orders_v2 @1']],
    ['flyway/R__refresh_views.sql', 'flyway', ['up drop-view order_totals @1']],
    ['supabase/migrations/20240301120000_remote_schema.sql', 'supabase', ['up drop-column public.profiles.website @3', 'up drop-table public.todos @5']],
  ])('%s is read as %s', async (file, format, expected) => {
    const ops = await readFixture(file);
    expect(resolveFormat({ path: file, text: (await import('node:fs')).readFileSync(`test/fixtures/readers/${file}`, 'utf8') })).toBe(format);
    expect(rows(ops)).toEqual(expected);
  });

  it('uses Prisma warnings only to annotate the SQL operation they describe (never a second operation)', async () => {
    const ops = await readFixture('prisma/migrations/20240301120000_drop_bio/migration.sql');
    expect(ops.filter((o) => o.target?.name === 'bio')).toHaveLength(1);
    expect(ops.find((o) => o.target?.name === 'bio')!.detail).toContain('Prisma warned (line 4)');
    expect(ops.find((o) => o.kind === 'alter-column-type')!.flags.oldType).toBe('Text');
    expect(ops.find((o) => o.kind === 'drop-constraint')!.detail ?? '').not.toContain('Prisma warned');
  });

  it('reads Prisma and Drizzle MySQL output as MySQL even when the configured dialect is PostgreSQL', async () => {
    const ops = await readFixture('prisma/migrations/20240302120000_mysql/migration.sql', { dialect: 'postgres' });
    expect(ops[0].dialect).toBe('mysql');
    expect(ops.some((o) => o.kind === 'unparseable')).toBe(false);
  });

  it('follows a configured format over detection', async () => {
    const ops = await readFixture('flyway/U7__undo_drop_legacy.sql', { format: 'sql' });
    expect(rows(ops)).toEqual(['up drop-table legacy_orders_v2 @1']);
  });
});

describe('generated-SQL dialect', () => {
  it('keeps a configured SQLite dialect for backtick-quoted Drizzle output, and reads PRAGMA rebuilds as SQLite', async () => {
    const { sniffGeneratedDialect } = await import('../../src/readers/sql-families.js');
    expect(sniffGeneratedDialect('DROP TABLE `a`;', 'sqlite')).toBe('sqlite');
    expect(sniffGeneratedDialect('DROP TABLE `a`;', 'postgres')).toBe('mysql');
    expect(sniffGeneratedDialect('PRAGMA foreign_keys=OFF;\nDROP TABLE `a`;', 'postgres')).toBe('sqlite');
    expect(sniffGeneratedDialect('DROP TABLE "a";', 'postgres')).toBe('postgres');
  });
});
