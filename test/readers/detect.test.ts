import { describe, expect, it } from 'vitest';
import { detectFormat, readMigration } from '../../src/readers/index.js';

describe('format detection', () => {
  it.each([
    ['db/migrations/001_init.sql', 'CREATE TABLE a (id int);', 'sql'],
    ['alembic/versions/3f2a_drop.py', 'from alembic import op\n\ndef upgrade():\n    pass\n', 'alembic'],
    ['migrations/versions/abc.py', 'revision = "abc"\ndown_revision = None\n', 'alembic'],
    ['shop/migrations/0002_auto.py', 'from django.db import migrations, models\n', 'django'],
    ['db/migrate/20240101_x.rb', 'class X < ActiveRecord::Migration[7.1]\nend\n', 'rails'],
    ['migrations/20240101_x.js', 'exports.up = function (knex) { return knex.schema.dropTable("a"); };', 'knex'],
    ['src/migrations/1700-X.ts', 'export class X implements MigrationInterface {}', 'typeorm'],
    ['migrations/2024-x.js', 'module.exports = { async up(queryInterface, Sequelize) {} };', 'sequelize'],
    ['migrations/20140101-x.js', 'module.exports = { up: function (migration, DataTypes, done) { migration.dropTable("x").complete(done); } };', 'sequelize'],
    ['db/changelog.xml', '<databaseChangeLog xmlns="x"></databaseChangeLog>', 'liquibase'],
    ['db/changelog/db.changelog-master.yaml', 'databaseChangeLog:\n  - include:\n      file: a.yaml\n', 'liquibase'],
    ['db/changes/001.sql', '--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n', 'liquibase'],
  ])('%s → %s', (path, text, format) => {
    expect(detectFormat(path, text)).toBe(format);
  });

  it.each([
    ['shop/migrations/__init__.py', ''],
    ['alembic/env.py', 'from alembic import context\ncontext.configure(url=url)\n'],
    ['alembic/script.py.mako', '"""${message}"""\n'],
    ['db/schema.rb', 'ActiveRecord::Schema[7.1].define(version: 1) do\nend\n'],
    ['db/seeds.rb', 'User.delete_all\n'],
    ['migrations/README.md', '# Migrations\nDROP TABLE is bad\n'],
    ['drizzle/meta/_journal.json', '{"version":"7","entries":[]}'],
    ['prisma/migrations/migration_lock.toml', 'provider = "postgresql"\n'],
    ['migrations/index.ts', 'export * from "./0001_init";\n'],
    ['migrations/index.js', 'import a from "./a";\nimport {\n  b,\n  c,\n} from "./b";\nexport { a, b, c };\n'],
    ['migrations/types.d.ts', 'export declare function up(): void;\n'],
  ])('%s is not a migration: no operations', async (path, text) => {
    expect(detectFormat(path, text)).toBe('none');
    expect(await readMigration({ path, text, dialect: 'postgres' })).toEqual([]);
  });

  it('fails closed on a file of a format it does not know, saying how to configure it', async () => {
    const ops = await readMigration({ path: 'migrations/0001_x.go', text: 'package migrations\n', dialect: 'postgres' });
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ kind: 'unparseable', line: 1 });
    expect(ops[0].detail).toContain('format');
    const helperBuilt = await readMigration({ path: 'migrations/2024-x.js', text: "const { createDropColumnMigration } = require('../utils');\nmodule.exports = createDropColumnMigration('posts', 'x');\n", dialect: 'postgres' });
    expect(helperBuilt[0].kind).toBe('unparseable');
    const py = await readMigration({ path: 'migrations/helper.py', text: 'import os\nos.system("psql -c \'DROP TABLE x\'")\n', dialect: 'postgres' });
    expect(py[0].kind).toBe('unparseable');
  });

  it('reports syntax a reader cannot follow as unparseable with its line', async () => {
    const py = await readMigration({ path: 'alembic/versions/x.py', text: 'from alembic import op\n\ndef upgrade():\n    op.execute("DROP TABLE x)\n', dialect: 'postgres' });
    expect(py.map((o) => [o.kind, o.line])).toEqual([['unparseable', 4]]);
    const rb = await readMigration({ path: 'db/migrate/1_x.rb', text: 'class X < ActiveRecord::Migration[7.1]\n  def up\n    execute <<~SQL\n      DROP TABLE x;\n', dialect: 'postgres' });
    expect(rb.map((o) => [o.kind, o.line])).toEqual([['unparseable', 3]]);
    const js = await readMigration({ path: 'migrations/1_x.js', text: 'exports.up = (knex) => knex.raw(`DROP TABLE x);\n', dialect: 'postgres' });
    expect(js.map((o) => [o.kind, o.line])).toEqual([['unparseable', 1]]);
    // a truncated file (bracket never closed) is not followed silently
    const cut = await readMigration({ path: 'alembic/versions/x.py', text: 'from alembic import op\n\ndef upgrade():\n    op.drop_table("x"\n', dialect: 'postgres' });
    expect(cut.map((o) => [o.kind, o.line])).toEqual([['unparseable', 4]]);
    const knexCut = await readMigration({ path: 'migrations/1_x.js', text: 'exports.up = async (knex) => {\n  await knex.schema.dropTable("a");\n', dialect: 'postgres' });
    expect(knexCut.map((o) => [o.kind, o.line])).toEqual([['unparseable', 1]]);
  });
});
