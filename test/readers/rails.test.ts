import { describe, expect, it } from 'vitest';
import { readFixture, rows } from './helpers.js';

const dir = 'rails/db/migrate';

describe('Rails reader', () => {
  it('reads def change: schema statements, change_table blocks, reversible dir.up/dir.down and up_only', async () => {
    const ops = await readFixture(`${dir}/20240110120000_remove_legacy_columns.rb`);
    expect(rows(ops)).toEqual([
      'up drop-column users.legacy_token @5',
      'up drop-column users.nickname @6',
      'up drop-column users.avatar_url @6',
      'up drop-column comments.post_id @7',
      'up drop-column attachments.record_id @8',
      'up drop-column attachments.record_type @8', // polymorphic: true
      'up drop-index users.index_users_on_email @9',
      'up drop-index users.index_users_on_org_id_and_slug @10',
      'up drop-index orders.index_orders_on_legacy_ref @11',
      'up drop-constraint accounts.fk_rails(branches) @12',
      'up drop-column audit_entries.created_at @13',
      'up drop-column audit_entries.updated_at @13',
      'up rename-table old_invoices @14',
      'up rename-column products.title @15',
      'up drop-table sessions @16',
      'up drop-table categories_products @17',
      'up drop-column orders.coupon_code @20',
      'up drop-column orders.discount @20',
      'up rename-column orders.total @21',
      'up drop-column orders.customer_id @22',
      'up alter-column-type orders.status @23',
      'up update-all orders @29', // <<~SQL heredoc: lines of the file, indentation removed
      'up drop-table order_events @30',
      'down drop-table order_events_v2 @33',
      'up delete-all cached_totals @36',
    ]);
    expect(ops.find((o) => o.target?.name === 'order_events')!.column).toBe(11);
  });

  it('reads def up/def down, execute with every string form, and flags interpolation and loops as opaque', async () => {
    const ops = await readFixture(`${dir}/20240220090000_up_down_execute.rb`);
    expect(rows(ops)).toEqual([
      'up truncate page_views @3',
      'up delete-all notifications @4', // %q()
      'up drop-column accounts.legacy_flag @6', // <<-SQL
      'up opaque - @9', // #{table_name}
      'up drop-table a @10', // %w[a b].each { |t| drop_table t }: one per value
      'up drop-table b @10',
      'up alter-column-type products.price @11',
      'up drop-table imports @12', // create_table force: true
      'up delete-all users @15', // User.delete_all; the filtered Category delete is not reported
      'down drop-table imports @20',
      'down drop-table accounts_archive @21',
    ]);
  });

  it('reads old-style def self.up / def self.down', async () => {
    expect(rows(await readFixture(`${dir}/20100101000000_old_style.rb`))).toEqual(['up drop-table widgets @3', 'down drop-column gadgets.color @10']);
  });

  it('reads strong_migrations safety_assured blocks, execute(<<~SQL.squish), connection.execute, modifiers and nested blocks', async () => {
    const ops = await readFixture(`${dir}/20240301000000_strong_migrations.rb`);
    expect(rows(ops)).toEqual([
      'up drop-column users.legacy_token @7',
      'up delete-all audit_events @10',
      'up drop-index orders.index_orders_on_legacy_ref @13',
      'up truncate page_views @14',
      'up drop-table old_sessions @16',
      'up drop-column users.nickname @20', // `if column_exists?` modifier: still reported
      'down drop-column products.color @25', // %i[…].each do |column|
      'down drop-column products.size @25',
      'down drop-column widgets.a @27',
      'down drop-column widgets.b @27',
      'down opaque - @28', // columns.each: values known only at run time
      'down drop-table tmp_a @29', // "DROP TABLE #{t}" inside %w[].each
      'down drop-table tmp_b @29',
    ]);
    expect(ops[2].flags).toMatchObject({ concurrently: true, ifExists: true });
  });

  it('gives private helper methods the direction of the method that calls them', async () => {
    expect(rows(await readFixture(`${dir}/20240401000000_helpers.rb`))).toEqual(['up drop-table old_things @13', 'down drop-table new_things @21']);
  });

  it('resolves constants of the migration class (a table, a list looped over) and flags other values as opaque', async () => {
    expect(rows(await readFixture(`${dir}/20240402000000_constants.rb`))).toEqual([
      'up drop-table legacy_events @6',
      'up drop-column events.payload @8',
      'up drop-column events.checksum @8',
      'up opaque - @10',
    ]);
  });

  it('a helper up reaches by send(:name) runs on migrate: up, even when down calls it too', async () => {
    const { readMigration } = await import('../../src/readers/index.js');
    const text = 'class Legacy < ActiveRecord::Migration[7.1]\n  def up\n    send(:drop_legacy)\n  end\n\n  def down\n    drop_legacy\n  end\n\n  private\n\n  def drop_legacy\n    drop_table :users\n  end\nend\n';
    const ops = await readMigration({ path: 'db/migrate/20240501000000_legacy.rb', text, dialect: 'postgres' });
    expect(rows(ops)).toEqual(['up drop-table users @13']);
  });

  it('a backslash-newline inside a double-quoted string shifts no position after it', async () => {
    const { readMigration } = await import('../../src/readers/index.js');
    const text = 'class Cleanup < ActiveRecord::Migration[7.1]\n  def up\n    execute "SELECT 1; \\\n   DROP TABLE users"\n  end\nend\n';
    const ops = await readMigration({ path: 'db/migrate/20240501000000_cleanup.rb', text, dialect: 'postgres' });
    expect(ops.map((op) => [op.kind, op.line, op.column])).toEqual([['drop-table', 4, 4]]);
  });

  it('does not read db/schema.rb as a migration', async () => {
    const { readMigration } = await import('../../src/readers/index.js');
    const schema = 'ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n  create_table "users", force: :cascade do |t|\n  end\nend\n';
    expect(await readMigration({ path: 'db/schema.rb', text: schema, dialect: 'postgres' })).toEqual([]);
  });
});
