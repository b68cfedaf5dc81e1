import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import { readMigration } from '../../src/readers/index.js';

/**
 * A table created and dropped in the same migration is a scratch table: its drop is marked (and
 * reported as a warning). Only when no other table can have taken the name in between.
 */
async function scratch(sql: string, dialect: Dialect = 'postgres'): Promise<boolean[]> {
  const ops = await readMigration({ path: 'db/migrations/1_x.sql', text: sql, format: 'sql', dialect });
  return ops.filter((op) => op.kind === 'drop-table').map((op) => op.flags.scratch === true);
}

const cases: Array<[string, string, boolean[], Dialect?]> = [
  ['created, filled and dropped', 'CREATE TABLE tmp_import (id int);\nINSERT INTO tmp_import VALUES (1);\nUPDATE users SET a = 1 FROM tmp_import WHERE users.id = tmp_import.id;\nDROP TABLE tmp_import;\n', [true]],
  ['TEMP / UNLOGGED / AS SELECT, schema-qualified on both sides', 'CREATE UNLOGGED TABLE app.copy AS SELECT * FROM app.users;\nDROP TABLE app.copy;\nCREATE TEMP TABLE t2 (a int); DROP TABLE t2;\n', [true, true]],
  ['quoted names equal', 'CREATE TABLE "Tmp" (id int);\nDROP TABLE "Tmp";\n', [true]],
  ['MySQL: backticks and case-insensitive names', 'CREATE TABLE `Tmp` (id int);\nDROP TABLE tmp;\n', [true], 'mysql'],
  ['SQLite', 'CREATE TABLE tmp (id INTEGER);\nDROP TABLE IF EXISTS tmp;\n', [true], 'sqlite'],
  ['IF NOT EXISTS: the table may have existed', 'CREATE TABLE IF NOT EXISTS tmp (id int);\nDROP TABLE tmp;\n', [false]],
  ['dropped before it is created', 'DROP TABLE tmp;\nCREATE TABLE tmp (id int);\n', [false]],
  ['another table renamed to the name in between', 'CREATE TABLE tmp (id int);\nALTER TABLE tmp RENAME TO tmp_old;\nALTER TABLE users RENAME TO tmp;\nDROP TABLE tmp;\n', [false]],
  ['a table moved into the schema in between', 'CREATE TABLE tmp (id int);\nALTER TABLE tmp SET SCHEMA archive;\nALTER TABLE other.tmp SET SCHEMA public;\nDROP TABLE tmp;\n', [false]],
  ['search_path changed in between', 'CREATE TABLE tmp (id int);\nSET search_path = billing;\nDROP TABLE tmp;\n', [false]],
  ['dynamic SQL in between', "CREATE TABLE tmp (id int);\nDO $$ BEGIN EXECUTE 'ALTER TABLE users RENAME TO tmp'; END $$;\nDROP TABLE tmp;\n", [false]],
  ['PostgreSQL: unquoted Tmp is tmp, not "Tmp"', 'CREATE TABLE Tmp (id int);\nDROP TABLE "Tmp";\n', [false]],
  ['qualified on one side only', 'CREATE TABLE tmp (id int);\nDROP TABLE public.tmp;\n', [false]],
  ['a CREATE TABLE inside a function body does not count', "CREATE FUNCTION f() RETURNS void AS $$ BEGIN CREATE TABLE tmp (id int); END $$ LANGUAGE plpgsql;\nDROP TABLE tmp;\n", [false]],
  ['a commented-out CREATE does not count', '-- CREATE TABLE tmp (id int);\nDROP TABLE tmp;\n', [false]],
  ['the other table of DROP TABLE a, b stays', 'CREATE TABLE tmp (id int);\nDROP TABLE tmp, users;\n', [true, false]],
  ['both on one line', 'CREATE TABLE tmp (id int); DROP TABLE tmp;\n', [true]],
  ['a file read as plain SQL with a down-section marker between them: the drop may be the rollback', 'CREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n', [false]],
  ['the same with goose and sql-migrate markers', 'CREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\nCREATE TABLE u (id int);\n--  +migrate Down\nDROP TABLE u;\n', [false, false]],
];

describe('scratch tables (sql/scratch-tables.ts)', () => {
  it.each(cases)('%s', async (_name, sql, expected, dialect) => {
    expect(await scratch(sql, dialect)).toEqual(expected);
  });

  it('Django: a model created and deleted in the same migration, join tables included; not one created in state only', async () => {
    const text = (ops: string) => `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [\n${ops}    ]\n`;
    const read = async (ops: string) =>
      (await readMigration({ path: 'shop/migrations/0002_x.py', text: text(ops), format: 'django', dialect: 'postgres' })).filter((op) => op.kind === 'drop-table').map((op) => `${op.target!.name} ${op.flags.scratch === true}`);
    expect(await read("        migrations.CreateModel(name='Tmp', fields=[('tags', models.ManyToManyField(to='shop.tag'))]),\n        migrations.DeleteModel(name='Tmp'),\n")).toEqual(['shop_tmp_tags true', 'shop_tmp true']);
    expect(await read("        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(name='Tmp', fields=[])]),\n        migrations.DeleteModel(name='Tmp'),\n")).toEqual(['shop_tmp false']);
    expect(await read("        migrations.DeleteModel(name='Tmp'),\n")).toEqual(['shop_tmp false']);
  });
});
