/**
 * Names that change meaning: `SET search_path` / `set_config` / MySQL `USE` change which schema an unqualified
 * name is in for the rest of the file; XML entities in Liquibase attributes are decoded before matching; a
 * protected table renamed and then dropped under its new name is still the protected table.
 */
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import { checkText, described } from './helpers.js';

interface Row {
  sql: string;
  /** protected tables */
  tables: string[];
  blocks: boolean;
  dialect?: Dialect;
}

const BILLING = ['billing.users'];
/** A bare marker does not cover a protected table: whether this blocks says whether billing.users was seen. */
const ALLOWED = '-- dbsafe:allow drop-table -- replaced by accounts, rows copied\nDROP TABLE users;';

const SEARCH_PATH: Row[] = [
  { sql: 'SET search_path TO billing;\nDROP TABLE users;', tables: BILLING, blocks: true },
  { sql: 'SET search_path = billing;\nDROP TABLE users;', tables: BILLING, blocks: true },
  { sql: "SET search_path = 'billing';\nDROP TABLE users;", tables: BILLING, blocks: true },
  { sql: 'SET SESSION search_path TO billing, public;\nDROP TABLE users;', tables: BILLING, blocks: true },
  { sql: 'SET search_path TO public, billing;\nDROP TABLE users;', tables: BILLING, blocks: true },
  { sql: 'set SEARCH_PATH to "billing";\ndrop table users;', tables: BILLING, blocks: true },
  { sql: 'BEGIN;\nSET LOCAL search_path TO billing;\nDROP TABLE users;\nCOMMIT;', tables: BILLING, blocks: true },
  { sql: 'SET LOCAL search_path TO billing;\nDROP TABLE users;', tables: BILLING, blocks: true },
  { sql: "SELECT set_config('search_path', 'billing', false);\nDROP TABLE users;", tables: BILLING, blocks: true },
  { sql: "SELECT pg_catalog.set_config('search_path', 'billing, public', true);\nDROP TABLE users;", tables: BILLING, blocks: true },
  { sql: "SELECT set_config('search_path', current_setting('app.schema'), false);\nDROP TABLE users;", tables: BILLING, blocks: true },
  { sql: 'SET search_path TO "$user", billing;\nDROP TABLE users;', tables: BILLING, blocks: true },
  { sql: 'SET search_path FROM CURRENT;\nDROP TABLE users;', tables: BILLING, blocks: true },
  { sql: 'SET search_path TO ${flyway:defaultSchema};\nDROP TABLE users;', tables: BILLING, blocks: true },
  { sql: 'SET search_path TO ${schema};\nDROP TABLE users;', tables: BILLING, blocks: true },
  { sql: 'SET search_path TO "$user", public;\nDROP TABLE users;', tables: ['public.users'], blocks: true },
  { sql: "DO $$ BEGIN EXECUTE 'SET search_path TO ' || quote_ident('billing'); END $$;\nDROP TABLE users;", tables: BILLING, blocks: true },
  { sql: 'SET search_path TO billing;\nALTER TABLE users DROP COLUMN email;', tables: BILLING, blocks: true },
  { sql: 'SET search_path TO billing;\nTRUNCATE users;', tables: BILLING, blocks: true },
  { sql: 'SET search_path TO billing;\nDELETE FROM users;', tables: BILLING, blocks: true },
  { sql: 'SET search_path TO billing;\nALTER TABLE users RENAME TO old_users;', tables: BILLING, blocks: true },
  { sql: 'SET search_path TO billing;\nDROP TABLE IF EXISTS sessions, users CASCADE;', tables: BILLING, blocks: true },
  { sql: 'SET search_path TO billing;\nDROP TABLE users;', tables: ['billing.*'], blocks: true },
  // the path changes meaning away from the protected schema, or back to the default
  { sql: 'SET search_path TO billing;\nDROP TABLE users;', tables: ['public.users'], blocks: false },
  { sql: 'SET search_path TO shop;\nDROP TABLE users;', tables: BILLING, blocks: false },
  { sql: 'SET search_path TO billing;\nRESET search_path;\nDROP TABLE users;', tables: BILLING, blocks: false },
  { sql: 'SET search_path TO billing;\nSET search_path TO DEFAULT;\nDROP TABLE users;', tables: BILLING, blocks: false },
  { sql: 'BEGIN;\nSET LOCAL search_path TO billing;\nCOMMIT;\nDROP TABLE users;', tables: BILLING, blocks: false },
  { sql: 'DROP TABLE users;\nSET search_path TO billing;', tables: BILLING, blocks: false },
  { sql: "SELECT set_config('application_name', 'billing', false);\nDROP TABLE users;", tables: BILLING, blocks: false },
  { sql: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = billing AS $$ SELECT 1 $$;\nDROP TABLE users;', tables: BILLING, blocks: false },
  { sql: 'ALTER ROLE app SET search_path TO billing;\nDROP TABLE users;', tables: BILLING, blocks: false },
  { sql: 'SET search_path TO billing;\nDROP TABLE public.users;', tables: BILLING, blocks: false },
  { sql: "-- SET search_path TO billing;\nDROP TABLE users;", tables: BILLING, blocks: false },
  { sql: "SELECT 'SET search_path TO billing';\nDROP TABLE users;", tables: BILLING, blocks: false },
  { sql: 'SET search_path TO billing;\nCREATE TABLE users (id int);', tables: BILLING, blocks: false },
  // spellings of a path change: the standard's SET SCHEMA, a quoted setting name, U&"…", a name built at run time
  { sql: `SET SCHEMA 'billing';\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET LOCAL SCHEMA 'billing';\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET "search_path" TO billing;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET "SEARCH_PATH" TO billing;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET U&"search\\005fpath" TO billing;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SELECT set_config('search' || '_path', 'billing', false);\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SELECT set_config(current_setting('app.path_name'), 'billing', false);\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SELECT "set_config"('search_path', 'billing', false);\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SELECT set_config('search_path', 'billing', (SELECT false));\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `CREATE TABLE t AS SELECT set_config('search_path', 'billing', false);\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `DO $$ BEGIN PERFORM set_config('search' || '_path', 'billing', false); END $$;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET search_path TO DEFAULT;\nSET SCHEMA 'shop';\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `CREATE VIEW v AS SELECT set_config('search_path', 'billing', false);\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `CREATE TABLE t AS SELECT set_config('search_path', 'billing', false) WITH NO DATA;\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `CREATE FUNCTION f() RETURNS TABLE (x text) BEGIN ATOMIC SELECT set_config('search_path', 'billing', false); END;\n${ALLOWED}`, tables: ['public.users'], blocks: true },
  { sql: `SET statement_timeout = 0;\nSET TIME ZONE 'UTC';\n${ALLOWED}`, tables: BILLING, blocks: false },
  // a SET in a routine's body stays after the routine returns; its SET clause does not
  { sql: `CREATE FUNCTION use_billing() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET search_path TO billing; END $$;\nSELECT use_billing();\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `CREATE PROCEDURE use_billing() LANGUAGE sql AS $$ SELECT set_config('search_path', 'billing', false) $$;\nCALL use_billing();\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = billing AS $$ SELECT 1 $$;\nSELECT f();\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `CREATE FUNCTION claims() RETURNS void LANGUAGE sql AS $$ SELECT set_config('request.jwt.claims', '{}', true) $$;\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `DO $$ BEGIN PERFORM set_config('app.tenant', 'billing', false); END $$;\n${ALLOWED}`, tables: BILLING, blocks: false },
  // transactions: ROLLBACK undoes a SET, ROLLBACK TO SAVEPOINT undoes what came after the savepoint only
  { sql: `BEGIN;\nSET LOCAL search_path TO billing;\nSAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `BEGIN;\nSAVEPOINT s;\nSET search_path TO billing;\nROLLBACK TO s;\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `BEGIN;\nSAVEPOINT s;\nSET search_path TO billing;\nRELEASE SAVEPOINT s;\nCOMMIT;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET search_path TO billing;\nBEGIN;\nSET search_path TO public;\nROLLBACK;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `BEGIN;\nSET search_path TO billing;\nROLLBACK;\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `BEGIN;\nSET search_path TO billing;\nCOMMIT;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `BEGIN;\nSET LOCAL search_path TO billing;\nCOMMIT AND CHAIN;\n${ALLOWED}`, tables: BILLING, blocks: false },
  // a ROLLBACK with no BEGIN in the file may undo the runner's transaction, or nothing
  { sql: `SET search_path TO billing;\nROLLBACK;\n${ALLOWED}`, tables: BILLING, blocks: true },
  // so may a ROLLBACK TO a savepoint the file did not set (the runner's)
  { sql: `SET search_path TO public;\nROLLBACK TO SAVEPOINT runner_sp;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET search_path TO public;\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `SET search_path TO shop;\nROLLBACK;\n${ALLOWED}`, tables: BILLING, blocks: true },
  // the role names the default path's "$user" schema
  { sql: `SET ROLE billing;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET SESSION AUTHORIZATION billing;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET ROLE billing;\nRESET ROLE;\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `SET ROLE billing;\nSET search_path TO public;\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `SET ROLE shop;\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `SET "role" = billing;\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET LOCAL role TO 'billing';\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `SET ROLE :app_role;\n${ALLOWED}`, tables: BILLING, blocks: true },
  // psql \connect opens a new session: the default path, or what ALTER ROLE / DATABASE gave new sessions
  { sql: `SET search_path TO billing;\n\\connect app\n${ALLOWED}`, tables: BILLING, blocks: false },
  { sql: `\\connect app billing\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `ALTER DATABASE app SET search_path TO billing;\n\\c app\n${ALLOWED}`, tables: BILLING, blocks: true },
  { sql: `ALTER DATABASE app SET search_path TO billing;\n${ALLOWED}`, tables: BILLING, blocks: false },
  // psql commands that run SQL this reader does not see
  { sql: `-- dbsafe:allow opaque -- reviewed: prints the statements only\nSELECT 'SET search_path TO billing'\n\\gexec\n${ALLOWED}`, tables: BILLING, blocks: true },
  // MySQL: USE db
  { sql: 'USE billing;\nDROP TABLE users;', tables: BILLING, blocks: true, dialect: 'mysql' },
  { sql: 'USE `billing`;\nDROP TABLE users;', tables: BILLING, blocks: true, dialect: 'mysql' },
  { sql: 'USE shop;\nDROP TABLE users;', tables: BILLING, blocks: false, dialect: 'mysql' },
  { sql: 'USE shop;\nUSE billing;\nTRUNCATE TABLE users;', tables: BILLING, blocks: true, dialect: 'mysql' },
  { sql: 'DROP TABLE users;', tables: BILLING, blocks: true, dialect: 'mysql' },
];

describe('search_path and USE change what unqualified names mean', () => {
  it.each(SEARCH_PATH)('$sql ($tables) → blocks $blocks', async ({ sql, tables, blocks, dialect }) => {
    const result = await checkText('migrations/001.sql', sql, { dialect: dialect ?? 'postgres', format: 'sql', config: { protected: { tables } } });
    expect(result.findings.includes('protected-object:error'), `${result.findings.join(', ')} ${JSON.stringify(result.ops.map((o) => [o.target, o.flags]))}`).toBe(blocks);
  });
});

const INCLUDED: Record<string, string> = {
  'migrations/lib/set_path.sql': 'SET search_path TO billing;\n',
  'migrations/lib/harmless.sql': 'CREATE TABLE t (id int);\n',
  'migrations/lib/nested.sql': '\\ir set_path.sql\n',
};

describe('a file psql includes may change the path for the rest of the file', () => {
  it.each([
    { sql: `\\i migrations/lib/set_path.sql\n${ALLOWED}`, blocks: true },
    { sql: `\\ir lib/nested.sql\n${ALLOWED}`, blocks: true },
    { sql: `\\i migrations/lib/missing.sql\n${ALLOWED}`, blocks: true },
    { sql: `\\i migrations/lib/harmless.sql\n${ALLOWED}`, blocks: false },
    { sql: `SET search_path TO billing;\n\\i migrations/lib/harmless.sql\n${ALLOWED}`, blocks: true },
  ])('$sql → blocks $blocks', async ({ sql, blocks }) => {
    const result = await checkText('migrations/001.sql', sql, { format: 'sql', config: { protected: { tables: BILLING } }, resolveFile: (path) => INCLUDED[path] });
    expect(result.findings.includes('protected-object:error'), result.findings.join(', ')).toBe(blocks);
  });
});

it('the finding names the schema search_path gave the table, and the marker names it', async () => {
  const sql = 'SET search_path TO billing;\nDROP TABLE users;';
  const ops = (await checkText('migrations/001.sql', sql)).ops;
  expect(described(ops)).toEqual(['up drop-table billing.users']);
  const allowed = await checkText('migrations/001.sql', `SET search_path TO billing;\n-- dbsafe:allow protected-object(billing.users) -- archived to cold storage first\nDROP TABLE users;`, { config: { protected: { tables: BILLING } } });
  expect(allowed.blocks).toBe(false);
});

it.each(['SET search_path TO billing', "SET SCHEMA 'billing'", 'SET ROLE billing', "SELECT set_config('search' || '_path', 'billing', false)"])(
  'SQL embedded in an ORM migration that may change the path (%s) makes every unqualified name match any schema',
  async (sql) => {
    const text = `from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.execute("${sql}")\n    op.drop_table("users")\n`;
    const result = await checkText('alembic/versions/a1.py', text, { format: 'alembic', config: { protected: { tables: BILLING } } });
    expect(result.findings).toContain('protected-object:error');
  },
);

const LIQUIBASE = (attrs: string, doctype = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${doctype}<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  <changeSet id="1" author="a">\n    <dropTable ${attrs}/>\n  </changeSet>\n</databaseChangeLog>\n`;

const ENTITY_ROWS: Array<{ name: string; text: string; expected: string[] }> = [
  { name: 'a decimal character reference', text: LIQUIBASE('tableName="&#117;sers"'), expected: ['up drop-table users'] },
  { name: 'a hex character reference', text: LIQUIBASE('tableName="&#x75;&#x73;ers"'), expected: ['up drop-table users'] },
  { name: 'a predefined entity around the name', text: LIQUIBASE('tableName="users" schemaName="&#98;illing"'), expected: ['up drop-table billing.users'] },
  { name: 'a DTD entity', text: LIQUIBASE('tableName="&t;"', '<!DOCTYPE databaseChangeLog [\n  <!ENTITY t "users">\n]>\n'), expected: ['up drop-table users'] },
  { name: 'a DTD entity built from another', text: LIQUIBASE('tableName="&t;"', '<!DOCTYPE databaseChangeLog [\n  <!ENTITY u "us">\n  <!ENTITY t "&u;ers">\n]>\n'), expected: ['up drop-table users'] },
  { name: 'a DTD entity with single quotes', text: LIQUIBASE('tableName="&t;"', "<!DOCTYPE databaseChangeLog [ <!ENTITY t 'users'> ]>\n"), expected: ['up drop-table users'] },
  { name: 'an undefined entity', text: LIQUIBASE('tableName="&t;"'), expected: ['up unparseable'] },
  { name: 'an external entity', text: LIQUIBASE('tableName="&t;"', '<!DOCTYPE databaseChangeLog [ <!ENTITY t SYSTEM "name.txt"> ]>\n'), expected: ['up unparseable'] },
  { name: 'an invalid character reference', text: LIQUIBASE('tableName="&#xFFFFFFF;"'), expected: ['up unparseable'] },
  { name: 'a DOCTYPE without internal subset', text: LIQUIBASE('tableName="users"', '<!DOCTYPE databaseChangeLog>\n'), expected: ['up drop-table users'] },
];

describe('Liquibase attributes are decoded as XML before matching', () => {
  it.each(ENTITY_ROWS)('$name → $expected', async ({ text, expected }) => {
    const result = await checkText('db/changelog/001.xml', text, { format: 'liquibase', config: { protected: { tables: ['users', 'billing.users'] } } });
    expect(described(result.ops)).toEqual(expected);
    expect(result.blocks).toBe(true);
  });
});

const RENAMES: Array<{ sql: string; blocks: boolean; object?: string }> = [
  { sql: 'ALTER TABLE users RENAME TO users_old;\nDROP TABLE users_old;', blocks: true, object: 'users' },
  { sql: 'ALTER TABLE users RENAME TO a;\nALTER TABLE a RENAME TO b;\nDROP TABLE b;', blocks: true, object: 'users' },
  { sql: 'ALTER TABLE users RENAME TO users_old;\nTRUNCATE users_old;', blocks: true, object: 'users' },
  { sql: 'ALTER TABLE users RENAME TO users_old;\nALTER TABLE users_old DROP COLUMN email;', blocks: true, object: 'users.email' },
  { sql: 'ALTER TABLE users RENAME TO users_old;\nDELETE FROM users_old;', blocks: true, object: 'users' },
  { sql: 'ALTER TABLE users SET SCHEMA archive;\nDROP TABLE archive.users;', blocks: true, object: 'users' },
  { sql: 'ALTER TABLE users RENAME TO users_old;\nCREATE TABLE users (id int);\nDROP TABLE users_old;', blocks: true, object: 'users' },
  // ALTER INDEX (and its rename) applies to any relation in PostgreSQL: a table too
  { sql: 'ALTER INDEX users RENAME TO users_old;\n-- dbsafe:allow drop-table -- scratch copy of the import step\nDROP TABLE users_old;', blocks: true, object: 'users' },
  { sql: 'ALTER INDEX users RENAME TO users_old;', blocks: true, object: 'users' },
  { sql: 'ALTER VIEW users SET SCHEMA archive;', blocks: true, object: 'users' },
  // not the protected table
  { sql: 'ALTER TABLE sessions RENAME TO sessions_old;\nDROP TABLE sessions_old;', blocks: false },
  { sql: 'ALTER INDEX sessions_idx RENAME TO sessions_token_idx;', blocks: false },
  { sql: 'DROP TABLE users_old;\nALTER TABLE users RENAME TO users_old;', blocks: true },
];

describe('a protected table renamed and then dropped under its new name', () => {
  it.each(RENAMES)('$sql → blocks $blocks', async ({ sql, blocks, object }) => {
    const result = await checkText('migrations/001.sql', sql, { config: { protected: { tables: ['users'] } } });
    const protectedFindings = result.findings.filter((f) => f === 'protected-object:error');
    expect(protectedFindings.length > 0, result.findings.join(', ')).toBe(blocks);
    if (object) {
      const { evaluate } = await import('../../src/policy/evaluate.js');
      const { config } = await import('../rules/helpers.js');
      const { findings } = evaluate([{ path: 'migrations/001.sql', text: sql, operations: result.ops }], config({ protected: { tables: ['users'] } }));
      const last = findings.filter((f) => f.rule === 'protected-object').pop()!;
      expect(last.marker).toContain(`protected-object(${object})`);
    }
  });
});

it('a marker naming the protected table allows the drop under its new name', async () => {
  const sql = 'ALTER TABLE users RENAME TO users_old; -- dbsafe:allow protected-object(users) -- archived in ticket 42 first\n-- dbsafe:allow protected-object(users) -- archived in ticket 42 first\nDROP TABLE users_old;';
  const result = await checkText('migrations/001.sql', sql, { config: { protected: { tables: ['users'] } } });
  expect(result.findings).toEqual([]);
});

describe('a rename then a drop, in migrations of code', () => {
  it.each([
    ['alembic/versions/a1.py', 'alembic', 'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.rename_table("users", "users_old")\n    op.drop_table("users_old")\n'],
    ['migrations/20240101_x.js', 'knex', "exports.up = async (knex) => {\n  await knex.schema.renameTable('users', 'users_old');\n  await knex.schema.dropTable('users_old');\n};\nexports.down = async () => {};\n"],
    ['db/migrate/20240101000000_x.rb', 'rails', 'class X < ActiveRecord::Migration[7.1]\n  def up\n    rename_table :users, :users_old\n    drop_table :users_old\n  end\nend\n'],
  ] as const)('%s', async (path, format, text) => {
    const result = await checkText(path, text, { format, config: { protected: { tables: ['users'] } } });
    expect(result.findings.filter((f) => f === 'protected-object:error')).toHaveLength(2);
  });
});

const YAML_ROWS: Array<{ name: string; text: string; expected: string[] }> = [
  { name: 'an alias for the table name', text: 'x-names:\n  t: &t users\ndatabaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n        - dropTable:\n            tableName: *t\n', expected: ['up drop-table users'] },
  { name: 'an alias for the whole change', text: 'x-changes:\n  d: &d\n    dropTable:\n      tableName: users\ndatabaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n        - *d\n', expected: ['up drop-table users'] },
  { name: 'an escape in a double-quoted name', text: 'databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n        - dropTable:\n            tableName: "\\x75sers"\n', expected: ['up drop-table users'] },
];

describe('Liquibase YAML names are read as YAML gives them to Liquibase (aliases, escapes)', () => {
  it.each(YAML_ROWS)('$name → $expected', async ({ text, expected }) => {
    const result = await checkText('db/changelog/001.yaml', text, { format: 'liquibase', config: { protected: { tables: ['users'] } } });
    expect(described(result.ops)).toEqual(expected);
    expect(result.findings).toContain('protected-object:error');
  });
});
