/**
 * Destructive calls beyond the schema builder, in Rails migrations: data deletes through any scope chain,
 * `truncate`, `revert` blocks (what they create is dropped), and methods run by name or from strings.
 */
import { describe, expect, it } from 'vitest';
import { checkText, described } from './helpers.js';

const migration = (body: string) => `class Cleanup < ActiveRecord::Migration[7.1]\n  def up\n    ${body.replace(/\n/g, '\n    ')}\n  end\nend\n`;

const ROWS: Array<{ body: string; expected: string[] }> = [
  { body: 'User.delete_all', expected: ['up delete-all users'] },
  { body: 'User.unscoped.delete_all', expected: ['up delete-all users'] },
  { body: 'User.all.destroy_all', expected: ['up delete-all users'] },
  { body: 'User.in_batches.delete_all', expected: ['up delete-all users'] },
  { body: 'User.unscoped.in_batches(of: 1000).delete_all', expected: ['up delete-all users'] },
  { body: 'User.where(nil).destroy_all', expected: ['up delete-all users'] },
  { body: 'User.where({}).delete_all', expected: ['up delete-all users'] },
  { body: 'User.where("1=1").delete_all', expected: ['up delete-all users'] },
  { body: 'User.unscoped.update_all(plan: "free")', expected: ['up update-all users'] },
  { body: 'BlogPost.all.delete_all', expected: ['up delete-all blog_posts'] },
  { body: 'truncate :sessions', expected: ['up truncate sessions'] },
  { body: 'revert do\n  create_table :users\nend', expected: ['up drop-table users'] },
  { body: 'revert do\n  add_column :users, :email, :string\n  add_index :users, :email\nend', expected: ['up drop-column users.email', 'up drop-index users.index_users_on_email'] },
  { body: 'revert do\n  add_reference :orders, :user\n  add_timestamps :orders\nend', expected: ['up drop-column orders.user_id', 'up drop-column orders.created_at', 'up drop-column orders.updated_at'] },
  { body: 'revert { create_join_table :users, :roles }', expected: ['up drop-table roles_users'] },
  { body: 'revert { create_join_table :users, :roles, table_name: :memberships }', expected: ['up drop-table memberships'] },
  { body: 'create_table :users, force: true', expected: ['up drop-table users'] },
  { body: 'create_join_table :users, :roles, force: :cascade', expected: ['up drop-table roles_users'] },
  { body: 'create_table table_for(tenant), force: true', expected: ['up opaque'] },
  { body: 'create_join_table :users, role_table, force: true', expected: ['up opaque'] },
  { body: 'drop_join_table :users, role_table', expected: ['up opaque'] },
  { body: 'drop_join_table :users, role_table, table_name: :memberships', expected: ['up drop-table memberships'] },
  { body: 'revert CreateUsers', expected: ['up opaque'] },
  { body: 'send(:drop_table, :users)', expected: ['up opaque'] },
  { body: 'public_send(name, :users)', expected: ['up opaque'] },
  { body: 'eval("drop_table :users")', expected: ['up opaque'] },
  { body: 'instance_eval { drop_table :users }', expected: ['up drop-table users'] },
  // code and commands the file does not show
  { body: "load Rails.root.join('db', 'schema.rb')", expected: ['up opaque'] },
  { body: "Rake::Task['db:schema:load'].invoke", expected: ['up opaque'] },
  { body: "Rake.application['db:purge'].invoke", expected: ['up opaque'] },
  { body: "system('bin/rails db:reset')", expected: ['up opaque'] },
  { body: "`psql -c 'DROP TABLE users'`", expected: ['up opaque'] },
  { body: "%x(psql -f wipe.sql)", expected: ['up opaque'] },
  { body: "IO.popen('psql -f wipe.sql')", expected: ['up opaque'] },
  { body: "Open3.capture2('psql', '-f', 'wipe.sql')", expected: ['up opaque'] },
  { body: 'ActiveRecord::Tasks::DatabaseTasks.truncate_all', expected: ['up opaque'] },
  // connection calls that empty or drop
  { body: 'connection.truncate_tables(:users, :sessions)', expected: ['up truncate users', 'up truncate sessions'] },
  { body: 'ActiveRecord::Base.connection.purge', expected: ['up drop-database *'] },
  { body: "connection.drop_database('app_old')", expected: ['up drop-database app_old'] },
  // restricted or harmless
  { body: 'User.where(active: false).delete_all', expected: [] },
  { body: 'User.inactive.delete_all', expected: [] },
  { body: 'User.unscoped.where(id: ids).delete_all', expected: [] },
  { body: 'User.limit(10).delete_all', expected: [] },
  { body: 'revert do\n  drop_table :legacy\nend', expected: [] },
  { body: 'send(:say, "hello")', expected: [] },
  { body: "require 'csv'\nsay 'loaded'", expected: [] },
  { body: 'purge\nend\n\ndef purge\n  execute "DELETE FROM sessions WHERE created_at < now()"', expected: [] },
  { body: "say_with_time('x') { execute 'UPDATE users SET plan = 1 WHERE id = 2' }", expected: [] },
];

describe('Rails: destructive calls beyond the schema builder', () => {
  it.each(ROWS)('$body → $expected', async ({ body, expected }) => {
    const { ops } = await checkText('db/migrate/20240101000000_cleanup.rb', migration(body), { format: 'rails' });
    expect(described(ops), body).toEqual(expected);
  });
});
