import { describe, expect, it } from 'vitest';
import { readFixture, rows } from './helpers.js';

describe('Knex reader', () => {
  it('reads schema builder calls in table callbacks, withSchema, raw SQL and unfiltered deletes; exports.down is down', async () => {
    const ops = await readFixture('knex/20240301120000_drop_legacy.js');
    expect(rows(ops)).toEqual([
      'up drop-column users.legacy_token @7',
      'up drop-column users.nickname @8',
      'up drop-column users.avatar_url @8',
      'up drop-index users.users_email_index @9',
      'up drop-constraint users.users_team_id_foreign @10',
      'up drop-constraint users.users_org_slug_uq @11',
      'up rename-column users.name @12',
      'up alter-column-type users.bio @13',
      'up drop-table sessions @15',
      'up drop-table audit.events @16',
      'up rename-table old_orders @17',
      'up drop-table tmp_import @18',
      'up delete-all notifications @19',
      'down drop-table orders_archive @29',
      'down drop-column users.full_name @31',
    ]);
    expect(ops.find((o) => o.kind === 'alter-column-type')!.flags.newType).toBe("string('bio', 100)");
    expect(ops.find((o) => o.target?.name === 'sessions')!.flags.ifExists).toBe(true);
  });

  it('reads ESM TypeScript with const table names, template SQL, substitutes interpolated constants, and expands loops over literal arrays', async () => {
    const ops = await readFixture('knex/20240402090000_esm_ts.ts');
    expect(rows(ops)).toEqual([
      'up drop-column payments.card_number @7',
      'up drop-column invoices.paid_at @10',
      'up drop-table acme_cache @13', // ${tenant} is a const string: substituted
      'up drop-table a @16', // for (const name of ["a", "b"]): one operation per value
      'up drop-table b @16',
      'down drop-table payments_v2 @21',
      // @23: DELETE FROM ?? WHERE id = ? with ['payment_logs', 1]: ?? named by the literal bindings, a filtered delete
      'down update-all payments @24', // :state binding read as a value
      'down drop-table x_logs @25', // [...].map((t) => …)
      'down drop-table y_logs @25',
    ]);
    // `?` and `:name` value bindings do not make the SQL unparseable
    expect(ops.some((o) => o.kind === 'unparseable')).toBe(false);
  });

  it('reads arrow functions with expression bodies', async () => {
    // a column drop in a callback defined elsewhere: its table cannot be told, so it is opaque (never silent)
    expect(rows(await readFixture('knex/20240501000000_arrow.mjs'))).toEqual(['up drop-table feature_flags @1', 'up opaque - @9']);
  });
});

describe('Knex raw SQL: bindings and expressions', () => {
  const read = async (body: string, dialect: 'postgres' | 'mysql' | 'sqlite' = 'postgres') => {
    const { readMigration } = await import('../../src/readers/index.js');
    const text = `exports.up = async (knex) => {\n${body}\n}\n\nexports.down = () => {}\n`;
    return rows(await readMigration({ path: 'migrations/20240101_x.js', text, format: 'knex', dialect }));
  };
  it.each([
    ['?? from a literal bindings array names the table', "  await knex.raw('DELETE FROM ??', ['sessions'])", 'postgres', ['up delete-all sessions @2']],
    ['?? and ? in order (MySQL quoting)', "  await knex.raw('UPDATE ?? SET active = ?', ['users', true])", 'mysql', ['up update-all users @2']],
    ['?? from a bindings array that is computed stays opaque', "  await knex.raw('DROP TABLE ??', [tableName()])", 'postgres', ['up opaque - @2']],
    ['?? without bindings stays opaque', "  const b = getBindings()\n  await knex.raw('DROP TABLE ??', b)", 'postgres', ['up opaque - @3']],
    ['a raw expression as an update value is read as an expression', "  await knex('users').update({\n    email: knex.raw('LOWER(email)')\n  })", 'sqlite', ['up update-all users @2']],
    ['a raw expression with ?? from its bindings', "  await knex('users').update({ email: knex.raw('LOWER(??)', ['email']) })", 'postgres', ['up update-all users @2']],
    ['a statement given as an object value is still read as a statement', "  const steps = { purge: knex.raw('DROP TABLE sessions') }\n  await steps.purge", 'postgres', ['up drop-table sessions @2']],
    ["a ternary's branch is a statement, not an expression (TRUNCATE t would read as a column alias)", "  await (flag ? null : knex.raw('TRUNCATE users'))", 'postgres', ['up truncate users @2']],
    ['a switch case is a statement', "  switch (mode) {\n    case 'x': knex.raw('TRUNCATE users')\n  }", 'postgres', ['up truncate users @3']],
  ] as const)('%s', async (_name, body, dialect, expected) => {
    expect(await read(body, dialect)).toEqual(expected);
  });
});

describe('TypeORM reader', () => {
  it('reads queryRunner.query SQL and the QueryRunner API in class methods, with Table* objects and qualified names', async () => {
    const ops = await readFixture('typeorm/1700000000000-DropLegacy.ts');
    expect(rows(ops)).toEqual([
      'up drop-column user.age @7',
      'up drop-table photo @8',
      'up drop-table session @9',
      'up drop-column post.legacy_slug @10',
      'up drop-column post.draft @11',
      'up drop-index post.IDX_post_title @12',
      'up drop-constraint post.FK_post_author @13',
      'up rename-table category @14',
      'up rename-column post.body @15',
      'up alter-column-type post.title @16',
      'up drop-table reporting.daily_totals @21',
      'up opaque - @24', // a foreign key object found at run time
      'down drop-table user_archive @28',
      'down rename-table categories @29',
    ]);
    expect(ops.find((o) => o.kind === 'alter-column-type')!.flags.newType).toBe('varchar');
  });

  it('gives helper methods the direction of the up/down method that calls them (through other helpers too)', async () => {
    expect(rows(await readFixture('typeorm/1720000000000-Helpers.ts'))).toEqual(['up drop-table old_things @13', 'down drop-table new_things @21']);
  });

  it('a helper passed by reference from up (knex.transaction(dropLegacy)) runs on migrate: up, even when down calls it too', async () => {
    const { readMigration } = await import('../../src/readers/index.js');
    const text = [
      "async function dropLegacy(trx) { await trx.schema.dropTable('users'); }",
      'exports.up = async function (knex) { await knex.transaction(dropLegacy); };',
      'exports.down = async function (knex) { await dropLegacy(knex); };',
      '',
    ].join('\n');
    const ops = await readMigration({ path: 'migrations/20240501000000_legacy.js', text, dialect: 'postgres' });
    expect(rows(ops)).toEqual(['up drop-table users @1']);
  });

  it('treats interpolated identifiers as opaque but reads SQL whose interpolation is only a quoted value', async () => {
    const ops = await readFixture('typeorm/1710000000000-Interpolated.js');
    expect(rows(ops)).toEqual(['up opaque - @8', 'up truncate cache_entries @10', 'down truncate cache_entries @14']);
  });
});

describe('Sequelize reader', () => {
  it('reads the queryInterface API, { tableName, schema } tables, default index names and bulkDelete without where', async () => {
    const ops = await readFixture('sequelize/20240115093000-remove-legacy.js');
    expect(rows(ops)).toEqual([
      'up drop-column Users.legacyToken @6',
      'up drop-column sales.Orders.couponCode @7',
      'up drop-index Users.users_email @8',
      'up drop-index Users.users_phone_idx @9',
      'up drop-constraint Orders.orders_user_fk @10',
      'up alter-column-type Users.bio @11',
      'up rename-column Users.name @15',
      'up rename-table Person @16',
      'up delete-all Sessions @17',
      'up drop-table TempImports @19',
      'up drop-table Coupons @20',
      'down drop-table People @24',
      'down delete-all Users @25',
    ]);
  });

  it('reads umzug-style typed exports (export const down: MigrationFn<…> = …) with their direction', async () => {
    const ops = await readFixture('sequelize/2024.03.01T00.00.00.drop-legacy.ts');
    expect(rows(ops)).toEqual(['up drop-table legacy_users @5', 'down drop-column users.legacy_id @9', 'down delete-all users @10']);
  });

  it('reads TypeScript default exports with transactions and Promise.all, and flags computed names', async () => {
    const ops = await readFixture('sequelize/20240220120000-transaction.ts');
    expect(rows(ops)).toEqual(['up drop-column invoices.pdf_blob @7', 'up drop-table invoice_drafts @8', 'up opaque - @11']);
  });
});
