/**
 * Shapes found on real third-party migrations that made a reader crash, lose the rest of the file, or
 * read nothing: each row must report the drop it can read, and `unparseable` / `opaque` for what it cannot.
 * (Written from the shapes, never copied from those files.)
 */
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import type { MigrationFormat } from '../../src/readers/types.js';
import { checkText, described } from './helpers.js';

interface Row {
  name: string;
  path: string;
  text: string;
  /** Every operation, `direction kind object`, in order. */
  expected: string[];
  format?: MigrationFormat;
  dialect?: Dialect;
}

const alembic = (upgrade: string[], extra: string[] = []) =>
  ['from alembic import op', 'import sqlalchemy as sa', 'from sqlalchemy.orm import Session', '', ...extra, 'def upgrade():', ...upgrade.map((l) => `    ${l}`), '', 'def downgrade():', '    pass', ''].join('\n');

const ALEMBIC: Row[] = [
  {
    name: 'a for loop over a list built with append, calling session.execute, before a drop',
    path: 'alembic/versions/0001_a.py',
    text: alembic(['session = Session(bind=op.get_bind())', 'rows = []', 'rows.append({"id": 1})', 'for row in rows:', '    session.execute(sa.text("UPDATE users SET x = 1 WHERE id = :id"), row)', 'op.drop_table("favorites")']),
    expected: ['up drop-table favorites'],
  },
  {
    name: 'a loop over an empty literal list',
    path: 'alembic/versions/0001_a.py',
    text: alembic(['for name in []:', '    op.drop_table(name)', 'op.drop_table("favorites")']),
    expected: ['up opaque', 'up drop-table favorites'],
  },
  {
    name: 'a loop over a literal list the file appends to: the names are not all known',
    path: 'alembic/versions/0001_a.py',
    text: alembic(['names = ["a"]', 'names.append("users")', 'for name in names:', '    op.drop_table(name)']),
    expected: ['up opaque'],
  },
  {
    name: 'a loop over a literal list nobody changes',
    path: 'alembic/versions/0001_a.py',
    text: alembic(['for name in ["a", "b"]:', '    op.drop_table(name)']),
    expected: ['up drop-table a', 'up drop-table b'],
  },
  {
    name: 'SQLAlchemy bound parameters (:name) are values: the SQL is read',
    path: 'alembic/versions/0001_a.py',
    text: alembic(['op.execute(sa.text("UPDATE users SET plan = :plan"))', 'op.execute(sa.text("DELETE FROM users WHERE id = :id AND note = \':keep\' AND x::text = \'a\'"))']),
    expected: ['up update-all users'],
  },
  {
    name: 'statements joined by ;',
    path: 'alembic/versions/0001_a.py',
    text: alembic(['op.drop_table("a"); op.drop_table("b")']),
    expected: ['up drop-table a', 'up drop-table b'],
  },
];

const knex = (body: string[]) => ['exports.up = async function (knex) {', ...body.map((l) => `  ${l}`), '};', 'exports.down = async function () {};', ''].join('\n');

const JS: Row[] = [
  {
    name: 'a regex with a quote inside ${…} of a template literal',
    path: 'migrations/20240101_a.js',
    text: knex(["const q = `name = '${name.replace(/'/g, \"''\")}'`;", "await knex.schema.dropTable('users');"]),
    expected: ['up drop-table users'],
  },
  {
    name: 'a regex with a backtick inside ${…}',
    path: 'migrations/20240101_a.js',
    text: knex(['const q = `a ${x.match(/`/)} b`;', "await knex.schema.dropTable('users');"]),
    expected: ['up drop-table users'],
  },
  {
    name: 'a regex with a closing brace inside ${…}',
    path: 'migrations/20240101_a.js',
    text: knex(["const q = `a ${x.replace(/}/g, '')} b`;", "await knex.schema.dropTable('users');"]),
    expected: ['up drop-table users'],
  },
  {
    name: 'a comment with a quote inside ${…}',
    path: 'migrations/20240101_a.js',
    text: knex(["const q = `a ${x /* don't */} b`;", "await knex.schema.dropTable('users');"]),
    expected: ['up drop-table users'],
  },
  {
    name: 'a nested template with its own hole',
    path: 'migrations/20240101_a.js',
    text: knex(['const q = `a ${`b ${"}"}`} c`;', "await knex.schema.dropTable('users');"]),
    expected: ['up drop-table users'],
  },
  {
    name: 'SQL in a template whose hole holds a regex with a quote: opaque, and the drop after it',
    path: 'migrations/20240101_a.js',
    text: knex(["await knex.raw(`DROP TABLE ${name.replace(/'/g, '')}`);", "await knex.schema.dropTable('users');"]),
    expected: ['up opaque', 'up drop-table users'],
  },
];

const SQL: Row[] = [
  {
    name: 'a DO block whose body holds a template placeholder',
    path: 'supabase/migrations/20240101000000_a.sql',
    text: 'DO $$\nBEGIN\n  IF true THEN\n    DELETE FROM {{ schema }}.users;\n  END IF;\nEND\n$$;\n',
    expected: ['up unparseable'],
  },
  {
    name: 'a function body the PL/pgSQL parser rejects, with a drop it cannot name',
    path: 'migrations/001.sql',
    text: 'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  x := y;\n  DROP TABLE {{t}};\nEND\n$$;\n',
    expected: ['up unparseable'],
  },
  {
    name: 'a function body the PL/pgSQL parser rejects, with a drop it can name',
    path: 'migrations/001.sql',
    text: 'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  x := y;\n  DROP TABLE users;\nEND\n$$;\n',
    expected: ['up drop-table users'],
  },
  {
    name: 'a DO block the parser reads',
    path: 'migrations/001.sql',
    text: 'DO $$\nBEGIN\n  DELETE FROM users;\nEND\n$$;\n',
    expected: ['up delete-all users'],
  },
];

const changelog = (changeSet: string) =>
  `<?xml version="1.0"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n${changeSet}\n</databaseChangeLog>\n`;

const LIQUIBASE: Row[] = [
  {
    name: 'a changeSet for another database (dbms attribute)',
    path: 'db/changelog/001.xml',
    text: changelog('  <changeSet id="1" author="a" dbms="mssql">\n    <sql>DROP TABLE [users] WITH (ONLINE = ON)</sql>\n  </changeSet>'),
    expected: [],
  },
  {
    name: 'a changeSet for another database (dbms precondition)',
    path: 'db/changelog/001.xml',
    text: changelog('  <changeSet id="1" author="a">\n    <preConditions onFail="MARK_RAN"><dbms type="mssql"/></preConditions>\n    <sql>DROP TABLE [users] WITH (ONLINE = ON)</sql>\n  </changeSet>'),
    expected: [],
  },
  {
    name: 'a dbms precondition for our database',
    path: 'db/changelog/001.xml',
    text: changelog('  <changeSet id="1" author="a">\n    <preConditions onFail="MARK_RAN"><dbms type="postgresql"/></preConditions>\n    <dropTable tableName="users"/>\n  </changeSet>'),
    expected: ['up drop-table users'],
  },
  {
    name: 'a dbms precondition that only warns: the changeSet runs anyway',
    path: 'db/changelog/001.xml',
    text: changelog('  <changeSet id="1" author="a">\n    <preConditions onFail="WARN"><dbms type="mssql"/></preConditions>\n    <dropTable tableName="users"/>\n  </changeSet>'),
    expected: ['up drop-table users'],
  },
];

describe.each([
  ['Alembic', ALEMBIC],
  ['JavaScript', JS],
  ['PostgreSQL bodies', SQL],
  ['Liquibase', LIQUIBASE],
])('shapes found on real migrations: %s', (_name, rows) => {
  it.each(rows)('$name', async ({ path, text, expected, format, dialect }) => {
    const { ops } = await checkText(path, text, { format, dialect });
    expect(described(ops), text).toEqual(expected);
    expect(ops.every((op) => !/reader failed/.test(op.detail ?? '')), text).toBe(true);
  });
});
