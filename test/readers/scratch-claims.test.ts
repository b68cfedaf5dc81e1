import { describe, expect, it } from 'vitest';
import type { MigrationFormat } from '../../src/readers/types.js';
import { readMigration } from '../../src/readers/index.js';

/**
 * Scratch tables in the ORM builders (readers/scratch-claims.ts): a drop of a table the same migration
 * function surely created is marked `scratch` (a warning); anything that leaves a doubt keeps it an error.
 * Each case lists, per drop-table of the file in order, whether it is scratch.
 */
async function scratch(format: MigrationFormat, path: string, text: string): Promise<boolean[]> {
  const ops = await readMigration({ path, text, format, dialect: 'postgres' });
  return ops.filter((op) => op.kind === 'drop-table').map((op) => op.flags.scratch === true);
}

type Case = [name: string, body: string, expected: boolean[]];

const alembic = (body: string) => `from alembic import op\nimport sqlalchemy as sa\n\nrevision = "2"\ndown_revision = "1"\n\n\n${body}`;
const ALEMBIC: Case[] = [
  ['created, filled and dropped in upgrade()', 'def upgrade():\n    op.create_table("tmp", sa.Column("id", sa.Integer))\n    op.execute("INSERT INTO tmp SELECT id FROM users")\n    op.drop_table("tmp")\n', [true]],
  ['assigned for bulk_insert, schema on both sides', 'def upgrade():\n    t = op.create_table("tmp", sa.Column("id", sa.Integer), schema="app")\n    op.bulk_insert(t, [{"id": 1}])\n    op.drop_table("tmp", schema="app")\n', [true]],
  ['created in upgrade(), dropped in downgrade(): a rollback, not scratch', 'def upgrade():\n    op.create_table("tmp", sa.Column("id", sa.Integer))\n\n\ndef downgrade():\n    op.drop_table("tmp")\n', [false]],
  ['created under an if: it may have existed', 'def upgrade():\n    if not has_table("tmp"):\n        op.create_table("tmp", sa.Column("id", sa.Integer))\n    op.drop_table("tmp")\n', [false]],
  ['created inside try', 'def upgrade():\n    try:\n        op.create_table("tmp", sa.Column("id", sa.Integer))\n    except Exception:\n        pass\n    op.drop_table("tmp")\n', [false]],
  ['if_not_exists=True', 'def upgrade():\n    op.create_table("tmp", sa.Column("id", sa.Integer), if_not_exists=True)\n    op.drop_table("tmp")\n', [false]],
  ['dropped before it is created', 'def upgrade():\n    op.drop_table("tmp")\n    op.create_table("tmp", sa.Column("id", sa.Integer))\n', [false]],
  ['another name, another schema, another case', 'def upgrade():\n    op.create_table("tmp", sa.Column("id", sa.Integer))\n    op.drop_table("tmp2")\n    op.drop_table("tmp", schema="other")\n    op.drop_table("TMP")\n', [false, false, false]],
  ['a rename anywhere in the file', 'def upgrade():\n    op.create_table("tmp", sa.Column("id", sa.Integer))\n    op.rename_table("users", "tmp_users")\n    op.drop_table("tmp")\n', [false]],
  ['raw SQL that renames', 'def upgrade():\n    op.create_table("tmp", sa.Column("id", sa.Integer))\n    op.execute("ALTER TABLE tmp RENAME TO old; ALTER TABLE users RENAME TO tmp")\n    op.drop_table("tmp")\n', [false]],
  ['raw SQL that moves the search path', 'def upgrade():\n    op.create_table("tmp", sa.Column("id", sa.Integer))\n    op.execute("SET search_path TO billing")\n    op.drop_table("tmp")\n', [false]],
  ['a call the reader cannot see through (opaque)', 'def upgrade():\n    op.create_table("tmp", sa.Column("id", sa.Integer))\n    op.execute(sql_from_somewhere())\n    op.drop_table("tmp")\n', [false]],
  ['dropped in a helper defined after upgrade(): other code', 'def upgrade():\n    op.create_table("tmp", sa.Column("id", sa.Integer))\n    cleanup()\n\n\ndef cleanup():\n    op.drop_table("tmp")\n', [false]],
  ['a name computed at run time is never claimed', 'def upgrade():\n    op.create_table(name(), sa.Column("id", sa.Integer))\n    op.drop_table("tmp")\n', [false]],
  ['a create_table inside another call is not a statement', 'def upgrade():\n    run(op.create_table("tmp", sa.Column("id", sa.Integer)))\n    op.drop_table("tmp")\n', [false]],
];

describe('scratch tables in ORM builder migrations', () => {
  it.each(ALEMBIC)('Alembic: %s', async (_name, body, expected) => {
    expect(await scratch('alembic', 'alembic/versions/2_x.py', alembic(body))).toEqual(expected);
  });
});

const rails = (body: string) => `class AddTmp < ActiveRecord::Migration[7.1]\n${body}end\n`;
const RAILS: Case[] = [
  ['created with a block, filled and dropped in change', '  def change\n    create_table :tmp do |t|\n      t.string :name\n    end\n    execute "INSERT INTO tmp SELECT name FROM users"\n    drop_table :tmp\n  end\n', [true]],
  ['created in up, dropped in down: a rollback', '  def up\n    create_table :tmp\n  end\n\n  def down\n    drop_table :tmp\n  end\n', [false]],
  ['create_table … unless table_exists?', '  def up\n    create_table :tmp unless table_exists?(:tmp)\n    drop_table :tmp\n  end\n', [false]],
  ['a block create_table … end if cond', '  def up\n    create_table :tmp do |t|\n      t.string :name if Rails.env.test?\n    end if ENV["X"]\n    drop_table :tmp\n  end\n', [false]],
  ['a block create_table with a modifier inside only', '  def up\n    create_table :tmp do |t|\n      t.string :name if Rails.env.test?\n    end\n    drop_table :tmp\n  end\n', [true]],
  ['inside if … end', '  def up\n    if ENV["X"]\n      create_table :tmp\n    end\n    drop_table :tmp\n  end\n', [false]],
  ['inside reversible / up_only blocks', '  def change\n    up_only do\n      create_table :tmp\n    end\n    drop_table :tmp\n  end\n', [false]],
  ['if_not_exists: true', '  def up\n    create_table :tmp, if_not_exists: true\n    drop_table :tmp\n  end\n', [false]],
  ['force: true drops the existing table first (stays an error itself)', '  def up\n    create_table :tmp, force: true\n    drop_table :tmp\n  end\n', [false, false]],
  ['a rename in the file', '  def up\n    create_table :tmp\n    rename_table :users, :people\n    drop_table :tmp\n  end\n', [false]],
  ['dropped in a helper method defined later', '  def up\n    create_table :tmp\n    cleanup\n  end\n\n  def cleanup\n    drop_table :tmp\n  end\n', [false]],
  ['strings and symbols name the same table', '  def up\n    create_table "tmp"\n    drop_table :tmp\n  end\n', [true]],
  ['create_join_table then drop_join_table', '  def up\n    create_join_table :users, :roles\n    drop_join_table :users, :roles\n  end\n', [true]],
  ['create_join_table then drop_table of its name', '  def up\n    create_join_table :users, :roles\n    drop_table :roles_users\n  end\n', [true]],
  ['create_join_table with table_name', '  def up\n    create_join_table :users, :roles, table_name: :memberships\n    drop_table :memberships\n  end\n', [true]],
  ['create_join_table of other tables', '  def up\n    create_join_table :users, :groups\n    drop_join_table :users, :roles\n  end\n', [false]],
  ['create_join_table in up, drop_join_table in down', '  def up\n    create_join_table :users, :roles\n  end\n\n  def down\n    drop_join_table :users, :roles\n  end\n', [false]],
  ['create_join_table with force: drops the existing one first', '  def up\n    create_join_table :users, :roles, force: true\n    drop_join_table :users, :roles\n  end\n', [false, false]],
  ['create_join_table under unless', '  def up\n    create_join_table :users, :roles unless table_exists?(:roles_users)\n    drop_join_table :users, :roles\n  end\n', [false]],
];

describe('scratch tables in Rails migrations', () => {
  it.each(RAILS)('Rails: %s', async (_name, body, expected) => {
    expect(await scratch('rails', 'db/migrate/20240101000000_add_tmp.rb', rails(body))).toEqual(expected);
  });
});

const knex = (up: string, down = '') => `exports.up = async function (knex) {\n${up}};\n\nexports.down = async function (knex) {\n${down}};\n`;
const KNEX: Case[] = [
  ['awaited createTable, raw insert, dropTable', knex("  await knex.schema.createTable('tmp', (t) => { t.integer('id'); });\n  await knex.raw('INSERT INTO tmp SELECT id FROM users');\n  await knex.schema.dropTable('tmp');\n"), [true]],
  ['created in up, dropped in down', knex("  await knex.schema.createTable('tmp', (t) => { t.integer('id'); });\n", "  await knex.schema.dropTable('tmp');\n"), [false]],
  ['not awaited: the builder never ran', knex("  knex.schema.createTable('tmp', (t) => { t.integer('id'); });\n  await knex.schema.dropTable('tmp');\n"), [false]],
  ['under if without braces', knex("  if (!(await knex.schema.hasTable('tmp'))) await knex.schema.createTable('tmp', (t) => { t.integer('id'); });\n  await knex.schema.dropTable('tmp');\n"), [false]],
  ['inside a block', knex("  if (x) {\n    await knex.schema.createTable('tmp', (t) => { t.integer('id'); });\n  }\n  await knex.schema.dropTable('tmp');\n"), [false]],
  ['createTableIfNotExists', knex("  await knex.schema.createTableIfNotExists('tmp', (t) => { t.integer('id'); });\n  await knex.schema.dropTable('tmp');\n"), [false]],
  ['dropped before created in one chain', knex("  await knex.schema.dropTable('tmp').createTable('tmp', (t) => { t.integer('id'); });\n"), [false]],
  ['withSchema on both sides', knex("  await knex.schema.withSchema('app').createTable('tmp', (t) => { t.integer('id'); });\n  await knex.schema.withSchema('app').dropTable('tmp');\n  await knex.schema.dropTable('tmp');\n"), [true, false]],
  ['a rename in the file', knex("  await knex.schema.createTable('tmp', (t) => { t.integer('id'); });\n  await knex.schema.renameTable('users', 'people');\n  await knex.schema.dropTable('tmp');\n"), [false]],
];

const typeorm = (up: string, down = '') =>
  `import { MigrationInterface, QueryRunner, Table } from 'typeorm';\n\nexport class Tmp1700000000000 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n${up}  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {\n${down}  }\n}\n`;
const TYPEORM: Case[] = [
  ['createTable(new Table({ name })) then dropTable', typeorm("    await queryRunner.createTable(new Table({ name: 'tmp', columns: [{ name: 'id', type: 'int' }] }));\n    await queryRunner.query('INSERT INTO tmp SELECT id FROM users');\n    await queryRunner.dropTable('tmp');\n"), [true]],
  ['createTable(…, true): if not exists', typeorm("    await queryRunner.createTable(new Table({ name: 'tmp', columns: [] }), true);\n    await queryRunner.dropTable('tmp');\n"), [false]],
  ['created in up, dropped in down', typeorm("    await queryRunner.createTable(new Table({ name: 'tmp', columns: [] }));\n", "    await queryRunner.dropTable('tmp');\n"), [false]],
  ['raw SQL that renames', typeorm("    await queryRunner.createTable(new Table({ name: 'tmp', columns: [] }));\n    await queryRunner.query('ALTER TABLE users RENAME TO tmp2');\n    await queryRunner.dropTable('tmp');\n"), [false]],
];

const sequelize = (up: string, down = '') => `'use strict';\n\nmodule.exports = {\n  async up(queryInterface, Sequelize) {\n${up}  },\n\n  async down(queryInterface, Sequelize) {\n${down}  },\n};\n`;
const SEQUELIZE: Case[] = [
  ['createTable then dropTable', sequelize("    await queryInterface.createTable('tmp', { id: Sequelize.INTEGER });\n    await queryInterface.sequelize.query('INSERT INTO tmp SELECT id FROM users');\n    await queryInterface.dropTable('tmp');\n"), [true]],
  ['in a transaction callback: not a statement of up() itself', sequelize("    await queryInterface.sequelize.transaction(async (transaction) => {\n      await queryInterface.createTable('tmp', { id: Sequelize.INTEGER }, { transaction });\n    });\n    await queryInterface.dropTable('tmp');\n"), [false]],
  ['created in up, dropped in down', sequelize("    await queryInterface.createTable('tmp', { id: Sequelize.INTEGER });\n", "    await queryInterface.dropTable('tmp');\n"), [false]],
  ['another table', sequelize("    await queryInterface.createTable('tmp', { id: Sequelize.INTEGER });\n    await queryInterface.dropTable('users');\n"), [false]],
];

describe('scratch tables in JavaScript migrations', () => {
  it.each(KNEX)('Knex: %s', async (_name, body, expected) => {
    expect(await scratch('knex', 'migrations/20240101_tmp.js', body)).toEqual(expected);
  });
  it.each(TYPEORM)('TypeORM: %s', async (_name, body, expected) => {
    expect(await scratch('typeorm', 'src/migration/1700000000000-Tmp.ts', body)).toEqual(expected);
  });
  it.each(SEQUELIZE)('Sequelize: %s', async (_name, body, expected) => {
    expect(await scratch('sequelize', 'migrations/20240101-tmp.js', body)).toEqual(expected);
  });
});

const changelog = (sets: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n${sets}</databaseChangeLog>\n`;
const changeSet = (id: string, body: string, attrs = '') => `  <changeSet id="${id}" author="a"${attrs}>\n${body}  </changeSet>\n`;
const create = (table: string, attrs = '') => `    <createTable tableName="${table}"${attrs}>\n      <column name="id" type="int"/>\n    </createTable>\n`;
const drop = (table: string, attrs = '') => `    <dropTable tableName="${table}"${attrs}/>\n`;
const LIQUIBASE: Case[] = [
  ['createTable, sql insert, dropTable in one changeSet', changelog(changeSet('1', `${create('tmp')}    <sql>INSERT INTO tmp SELECT id FROM users</sql>\n${drop('tmp')}`)), [true]],
  ['created in one changeSet, dropped in the next', changelog(changeSet('1', create('tmp')) + changeSet('2', drop('tmp'))), [false]],
  ['dropped, then created', changelog(changeSet('1', drop('tmp') + create('tmp'))), [false]],
  ['a createTable limited by dbms', changelog(changeSet('1', create('tmp', ' dbms="postgresql"') + drop('tmp'))), [false]],
  ['a changeSet with a sqlFile', changelog(changeSet('1', `${create('tmp')}    <sqlFile path="more.sql"/>\n${drop('tmp')}`)), [false]],
  ['a renameTable in the file', changelog(changeSet('1', create('tmp') + drop('tmp')) + changeSet('2', '    <renameTable oldTableName="a" newTableName="b"/>\n')), [false]],
  ['another schema', changelog(changeSet('1', create('tmp', ' schemaName="app"') + drop('tmp'))), [false]],
  ['the same schema', changelog(changeSet('1', create('tmp', ' schemaName="app"') + drop('tmp', ' schemaName="app"'))), [true]],
  ['created forward, dropped by the rollback', changelog(changeSet('1', `${create('tmp')}    <rollback>\n  ${drop('tmp')}    </rollback>\n`)), [false]],
];
const YAML_SCRATCH = `databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n        - createTable:\n            tableName: tmp\n            columns:\n              - column:\n                  name: id\n                  type: int\n        - dropTable:\n            tableName: tmp\n`;

describe('scratch tables in Liquibase changeSets', () => {
  it.each(LIQUIBASE)('Liquibase XML: %s', async (_name, body, expected) => {
    expect(await scratch('liquibase', 'db/changelog/001.xml', body)).toEqual(expected);
  });
  it('Liquibase YAML: createTable then dropTable in one changeSet', async () => {
    expect(await scratch('liquibase', 'db/changelog/001.yaml', YAML_SCRATCH)).toEqual([true]);
  });
});
