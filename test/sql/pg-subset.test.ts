import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitSql } from '../../src/sql/split.js';
import { read } from './helpers.js';
import { filesUnder, fullRead, isHarmlessPostgres, literalsOf, mutants, root } from './pg-subset-helpers.js';

const fixtures = filesUnder(path.join(root, 'test/fixtures'));
const testLiterals = ['test/sql/postgres.test.ts', 'test/sql/robustness.test.ts', 'test/sql/split.test.ts'].flatMap(literalsOf);

describe('isHarmlessPostgres never hides what the reader finds', () => {
  it.each(fixtures.map((f) => [path.relative(root, f)]))('%s: whole file and each statement', async (file) => {
    const text = readFileSync(path.join(root, file), 'utf8');
    const pieces = [text, ...splitSql(text, 'postgres').statements.map((s) => s.text)];
    for (const piece of pieces) {
      if ((await fullRead(piece)).length) expect(isHarmlessPostgres(piece), piece.slice(0, 200)).toBe(false);
    }
  });

  it(`every SQL string in the reader tests (${testLiterals.length}) where the reader finds an operation`, async () => {
    let destructive = 0;
    for (const sql of testLiterals) {
      if (!(await fullRead(sql)).length) continue;
      destructive++;
      expect(isHarmlessPostgres(sql), sql).toBe(false);
    }
    expect(destructive).toBeGreaterThan(50);
  });

  it.each([
    'ALTER TABLE t ADD COLUMN a int, ALTER COLUMN b TYPE bigint;',
    'ALTER TABLE t ADD COLUMN a int, DROP COLUMN b;',
    'ALTER TABLE t RENAME TO u;',
    'CREATE TABLE a AS WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d;',
    'INSERT INTO a WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d;',
    "CREATE TABLE t (id int);\nDO $$ BEGIN EXECUTE 'TRUNCATE t'; END $$;",
    "CREATE TABLE t (id int); TRUNCATE t;",
    "CREATE TABLE t (id int); TrUnCaTe t;",
    'CREATE OR REPLACE FUNCTION f() RETURNS void AS $$ DELETE FROM t $$ LANGUAGE sql;',
    'CREATE TABLE t (id int) -- and then\n; DELETE FROM t;',
    'CREATE TABLE t (id int);\n\\i drop_all.sql\n',
    'CREATE TABLE t (id int',
    "CREATE TABLE t (name text DEFAULT 'unterminated);",
    'CREATE TABLE t (id int)); SELECT 1;',
    `CREATE TABLE t (x int CHECK (${'('.repeat(100)}1${')'.repeat(100)}));`,
    'garbage that is not sql at all',
    'SELECT pg_catalog.set_config($$search_path$$, $$$$, false);',
    'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;',
    'CALL wipe_everything();',
    'ALTER TABLE t ADD COLUMN a int; ALTER TABLE t ALTER COLUMN a TYPE text;',
    // whether USING reads the column decides the severity: the full reader's call
    'ALTER TABLE t ALTER COLUMN a TYPE int USING NULL;',
    'ALTER TABLE t ALTER COLUMN a TYPE int USING a::int;',
    'COMMENT ON TABLE t IS $$x$$; COPY t FROM stdin;\n1\n\\.\n',
  ])('not harmless: %s', (sql) => {
    expect(isHarmlessPostgres(sql)).toBe(false);
  });
});

describe('isHarmlessPostgres recognizes everyday constructive migrations', () => {
  const migration = `-- create the customers table
BEGIN;
CREATE TABLE IF NOT EXISTS public.customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  org_id bigint REFERENCES orgs (id) ON DELETE CASCADE ON UPDATE NO ACTION,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (email <> '')
);
CREATE UNIQUE INDEX CONCURRENTLY customers_email_idx ON public.customers (lower(email)) WHERE email IS NOT NULL;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE SEQUENCE invoice_seq START 1000;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
ALTER TABLE public.customers ADD COLUMN mood mood, ADD CONSTRAINT customers_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);
INSERT INTO settings (key, value) VALUES ('a', 'b'), ('c', 'd');
COMMENT ON TABLE public.customers IS 'Anyone who ordered';
SET search_path = public;
COMMIT;
`;

  it('a typical CREATE TABLE migration is harmless, and the full reader agrees', async () => {
    expect(isHarmlessPostgres(migration)).toBe(true);
    expect(await fullRead(migration)).toEqual([]);
    expect(await read(migration, 'postgres')).toEqual([]);
  });

  it('a destructive word in a string sends the file to the parser; in a comment it is only a comment', async () => {
    expect(isHarmlessPostgres(`${migration}INSERT INTO notes VALUES ('truncate');\n`)).toBe(false);
    const commented = `${migration}-- TODO drop the old table later /* or truncate it */\n`;
    expect(isHarmlessPostgres(commented)).toBe(true);
    expect(await fullRead(commented)).toEqual([]);
  });

  it('mutated migrations (tokens dropped, doubled, swapped, foreign words inserted): never harmless where the parser objects', async () => {
    const foreign = ['AUTOINCREMENT', 'unsigned', '`x`', 'int(11)', 'ENGINE=InnoDB', '(', ')', ',', ';', 'user', 'select', 'KEY', "'", '$$', 'ARRAY', '1e', 'ON', 'AS'];
    let harmless = 0;
    for (const text of mutants(migration.replace(/^--.*\n/, ''), 1500, foreign, 12345)) {
      if (!isHarmlessPostgres(text)) continue;
      harmless++;
      expect(await fullRead(text), text).toEqual([]);
    }
    // the property was exercised on mutants the fast path accepted, not only on rejections
    expect(harmless).toBeGreaterThan(30);
  });

  it('readSql still reports a broken or destructive file once the fast path declines', async () => {
    expect((await read('CREATE TABLE t (id int', 'postgres')).map((op) => op.kind)).toEqual(['unparseable']);
    expect((await read(`${migration}DROP TABLE legacy;\n`, 'postgres')).map((op) => op.kind)).toEqual(['drop-table']);
  });
});
