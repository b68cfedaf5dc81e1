import { describe, expect, it } from 'vitest';
import { readMigration } from '../../src/readers/index.js';
import type { Dialect } from '../../src/model/operation.js';
import type { MigrationFormat } from '../../src/readers/types.js';
import { objectName } from './helpers.js';

/**
 * SQL with run-time parts that are only names: a whole table name interpolated after UPDATE / FROM /
 * INTO / JOIN / ON / TABLE (f-strings, "…" + name + "…", template literals, #{…}), PL/pgSQL
 * `format('…%I…')`, and privilege statements whose run-time parts are role names. What such a
 * statement does to the unknown table is opaque; a statement that destroys nothing passes.
 */
async function read(path: string, formatAndDialect: string, text: string): Promise<string[]> {
  // `sql:mysql`: the format, and the dialect when it is not PostgreSQL
  const [format, dialect = 'postgres'] = formatAndDialect.split(':') as [MigrationFormat, Dialect?];
  const ops = await readMigration({ path, text, format, dialect });
  return ops.map((op) => `${op.direction} ${op.kind} ${objectName(op)}`);
}

const alembic = (sql: string) => `from alembic import op\nfrom app.models import Model\n\ndef upgrade():\n    op.execute(${sql})\n`;
const doBlock = (body: string) => `DO $$\nDECLARE r text = current_setting('app.role', true);\nBEGIN\n  ${body}\nEND $$;\n`;

const cases: Array<[string, string, string, string, string[]]> = [
  ['f-string: a bounded UPDATE of an interpolated table', 'alembic/versions/1_a.py', 'alembic', alembic('f"UPDATE {Model.__tablename__} SET a = :a WHERE id = :id"'), []],
  ['f-string: an unbounded UPDATE of an interpolated table is opaque', 'alembic/versions/1_a.py', 'alembic', alembic('f"UPDATE {Model.__tablename__} SET a = 1"'), ['up opaque -']],
  ['f-string: DROP TABLE of an interpolated name is opaque', 'alembic/versions/1_a.py', 'alembic', alembic('f"DROP TABLE {Model.__tablename__}"'), ['up opaque -']],
  ['f-string: the literal rest of the statement is still read', 'alembic/versions/1_a.py', 'alembic', alembic('f"INSERT INTO {Model.__tablename__} SELECT 1; DROP TABLE users"'), ['up drop-table users']],
  ['f-string: a hole that is not a whole name stays opaque', 'alembic/versions/1_a.py', 'alembic', alembic('f"DELETE FROM t WHERE {cond}"'), ['up opaque -']],
  ['f-string: a hole as statement text stays opaque', 'alembic/versions/1_a.py', 'alembic', alembic('f"{verb} TABLE users"'), ['up opaque -']],
  ['f-string: a hole glued to a name stays opaque', 'alembic/versions/1_a.py', 'alembic', alembic('f"UPDATE {prefix}_users SET a = 1 WHERE id = 1"'), ['up opaque -']],
  ['"…" + name + "…": CREATE INDEX on an interpolated table', 'alembic/versions/1_a.py', 'alembic', alembic('"CREATE INDEX i ON " + Model.__table__.name + " (id)"'), []],
  ['"…" + name + "…": DELETE of an interpolated table is opaque', 'alembic/versions/1_a.py', 'alembic', alembic('"DELETE FROM " + Model.__table__.name + ";"'), ['up opaque -']],
  ['EXECUTE format() with %I: CREATE TABLE', 'db/migrations/1.sql', 'sql', doBlock("EXECUTE format('CREATE TABLE q.%I (LIKE q.job)', r);"), []],
  ['EXECUTE format() with %I: DROP TABLE is opaque', 'db/migrations/1.sql', 'sql', doBlock("EXECUTE format('DROP TABLE q.%I', r);"), ['up opaque -']],
  ['EXECUTE format() with %L in a WHERE: bounded DELETE', 'db/migrations/1.sql', 'sql', doBlock("EXECUTE format('DELETE FROM q.jobs WHERE name = %L', r);"), []],
  ['EXECUTE format() with %I and a literal TRUNCATE', 'db/migrations/1.sql', 'sql', doBlock("EXECUTE format('TRUNCATE q.jobs; SELECT %I', r);"), ['up truncate q.jobs']],
  ['EXECUTE format() with %s stays opaque', 'db/migrations/1.sql', 'sql', doBlock("EXECUTE format('SELECT 1 FROM %s', r);"), ['up opaque -']],
  ["EXECUTE 'GRANT … TO ' || role", 'db/migrations/1.sql', 'sql', doBlock("EXECUTE 'GRANT SELECT ON TABLE q.jobs TO ' || r || ', ' || r;"), []],
  ["EXECUTE 'ALTER TABLE … OWNER TO ' || role", 'db/migrations/1.sql', 'sql', doBlock("EXECUTE 'ALTER TABLE q.jobs OWNER TO ' || r;"), []],
  ["EXECUTE 'DROP TABLE ' || name stays opaque", 'db/migrations/1.sql', 'sql', doBlock("EXECUTE 'DROP TABLE ' || r;"), ['up opaque -']],
  ["EXECUTE 'GRANT … TO ' || role || '; DROP …' stays opaque", 'db/migrations/1.sql', 'sql', doBlock("EXECUTE 'GRANT x TO ' || r || '; DROP TABLE users';"), ['up opaque -']],
  ["EXECUTE 'ALTER TABLE … RENAME TO ' || name stays opaque", 'db/migrations/1.sql', 'sql', doBlock("EXECUTE 'ALTER TABLE q.jobs RENAME TO ' || r;"), ['up opaque -']],
  ['{{ … }} template placeholders as values', 'db/migrations/1.sql', 'sql', "INSERT INTO t (a) VALUES ({{ .A }});\nDELETE FROM t WHERE id = {{.ID}};\nUPDATE t SET a = '{{ .V }}' WHERE id = 1;\n", []],
  ['{{ … }} as a table name stays unparseable (what it drops is unknown)', 'db/migrations/1.sql', 'sql', 'DROP TABLE {{ .Table }};\n', ['up unparseable -']],
  ['{{ … }} as a schema stays unparseable', 'db/migrations/1.sql', 'sql', 'DELETE FROM {{ schema }}.users WHERE id = {{ .ID }};\n', ['up unparseable -']],
  ['{{ … }} as statement text stays unparseable', 'db/migrations/1.sql', 'sql', '{{ .Statement }};\n', ['up unparseable -']],
  // part of a name is a hole: the fallback recognizer once read `users_` / `users_$` as the table
  ['{{ … }} after part of a table name stays unparseable', 'db/migrations/1.sql', 'sql', 'DROP TABLE users_{{ suffix }};\n', ['up unparseable -']],
  ['{{ … }} before part of a table name stays unparseable', 'db/migrations/1.sql', 'sql', 'TRUNCATE {{ s }}users;\n', ['up unparseable -']],
  ['a Flyway ${…} inside a name stays unparseable', 'db/migration/V1__x.sql', 'flyway', 'DROP TABLE users_${suffix};\n', ['up unparseable -']],
  ['#{…} and %s inside a name stay unparseable', 'db/migrations/1.sql', 'sql', 'ALTER TABLE users_#{x} DROP COLUMN a;\nDROP TABLE t_%s;\n', ['up unparseable -', 'up unparseable -']],
  ['MySQL: a hole inside a name stays unparseable', 'db/migrations/1.sql', 'sql:mysql', 'DELETE FROM users_{{ s }};\n', ['up unparseable -']],
  ['a MySQL # comment right after a name is not a hole', 'db/migrations/1.sql', 'sql:mysql', 'DROP TABLE users# gone\n;\n', ['up drop-table users']],
  ['template literal: a bounded UPDATE of an interpolated table', 'migrations/1.js', 'knex', "exports.up = (knex) => knex.raw(`UPDATE ${T} SET a = 1 WHERE id = 2`);\n", []],
  ["Ruby #{' '} (a literal kept from editors' trailing-space trim): the statement is read", 'db/migrate/1_a.rb', 'rails', "class A < ActiveRecord::Migration[7.2]\n  def up\n    execute <<-SQL\n      DELETE FROM holdings#{' '}\n      WHERE qty IS NULL#{' '}\n    SQL\n    execute <<-SQL\n      DELETE FROM holdings#{' '}\n    SQL\n  end\nend\n", ['up delete-all holdings']],
  ['JavaScript ${\'…\'} and Python {\'…\'} literals are their text', 'migrations/1.js', 'knex', "exports.up = (knex) => knex.raw(`TRUNCATE ${'audit'}_log`);\n", ['up truncate audit_log']],
  ["f-string {'…'}", 'alembic/versions/1_a.py', 'alembic', alembic(`f"DROP TABLE {'legacy'}_users"`), ['up drop-table legacy_users']],
  ["a literal with an escape or a nested interpolation stays a hole", 'db/migrate/1_a.rb', 'rails', "class A < ActiveRecord::Migration[7.2]\n  def up\n    execute \"DROP TABLE #{\"x#{y}\"}\"\n  end\nend\n", ['up opaque -']],
  ['a DO $$ block in a Python string with no interpolation is read, body and all', 'alembic/versions/1_a.py', 'alembic', alembic('"""\n    DO $$\n    BEGIN\n      DROP TABLE legacy;\n    END\n    $$;\n    """'), ['up drop-table legacy']],
  ['a DO $$ block in a template literal with no interpolation is read', 'migrations/1.js', 'knex', 'exports.up = (knex) => knex.raw(`DO $$ BEGIN DROP TABLE legacy; END $$;`);\n', ['up drop-table legacy']],
  ['a DO $$ block with an interpolation stays opaque (quotes cannot be followed)', 'migrations/1.js', 'knex', "exports.up = (knex) => knex.raw(`DO $$ BEGIN DELETE FROM t WHERE a = '${v}'; END $$;`);\n", ['up opaque -']],
  ['template literal: TRUNCATE of an interpolated table is opaque', 'migrations/1.js', 'knex', "exports.up = (knex) => knex.raw(`TRUNCATE TABLE ${T}`);\n", ['up opaque -']],
];

describe('run-time names in SQL', () => {
  it.each(cases)('%s', async (_name, path, format, text, expected) => {
    expect(await read(path, format, text)).toEqual(expected);
  });
});
