import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/model/operation.js';
import { readPostgresSubset } from '../../src/sql/pg-subset.js';
import { bodyMayAct } from '../../src/sql/plpgsql-scan.js';
import { splitSql } from '../../src/sql/split.js';
import { read } from './helpers.js';
import { filesUnder, fullRead, isHarmlessPostgres, literalsOf, mutants, root } from './pg-subset-helpers.js';

// The parser-free subset (src/sql/pg-subset.ts) must report exactly what the full reader reports,
// operation for operation, wherever it accepts a file; and accept nothing the parser would reject.

/** readSql's answer (through the subset when it accepts) and whether the subset accepted. */
async function subsetRead(text: string): Promise<{ accepted: boolean; ops: Operation[] }> {
  return { accepted: readPostgresSubset(text, bodyMayAct) !== undefined, ops: await read(text, 'postgres') };
}

/** A small migration of the kind a developer commits, using every destructive form of the subset. */
const destructive = `BEGIN;
-- dbsafe:allow drop-table(legacy_orders), drop-table("Audit Log") -- both replaced by orders_v2 in 0041
DROP TABLE IF EXISTS legacy_orders, "Audit Log" CASCADE;
DROP INDEX CONCURRENTLY IF EXISTS public.orders_total_idx;
DROP VIEW reporting.v_sales;
DROP MATERIALIZED VIEW mv_totals RESTRICT;
DROP SEQUENCE invoice_seq;
DROP TYPE mood;
DROP SCHEMA archive CASCADE;
DROP TRIGGER orders_touch ON public.orders;
DROP EXTENSION IF EXISTS hstore;
DROP FUNCTION IF EXISTS public.touch(int, varchar(10)[]), audit() CASCADE;
DROP PROCEDURE archive_orders;
ALTER TABLE orders DROP COLUMN legacy_total, DROP CONSTRAINT IF EXISTS orders_total_check CASCADE, ADD CONSTRAINT orders_note_check CHECK (note <> '');
ALTER TABLE ONLY public.orders ALTER COLUMN status SET DEFAULT 'new', ALTER COLUMN status DROP NOT NULL;
ALTER TABLE payments ALTER COLUMN amount TYPE numeric(12, 2);
ALTER TABLE customers RENAME COLUMN mail TO email;
ALTER TABLE IF EXISTS clients RENAME TO customers_old;
TRUNCATE TABLE ONLY sessions, public.tokens RESTART IDENTITY CASCADE;
DELETE FROM audit_events;
UPDATE ONLY public.users AS u SET plan = 'free', seats = seats + 1;
DELETE FROM carts WHERE created_at < now() - interval '90 days' AND status IN ('open', 'stale');
UPDATE users SET email = lower(email) WHERE email IS NOT NULL OR users.legacy = true;
CREATE OR REPLACE VIEW active_customers (id, email) AS
  SELECT c.id, lower(c.email) AS email FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
  WHERE c.deleted_at IS NULL AND o.total > 0 GROUP BY c.id, c.email HAVING count(*) > 1 ORDER BY c.id DESC LIMIT 10;
COMMIT;
`;

/** Data moves, enum changes and views of the kind ORMs and people write (subqueries, JSON, windows, WITH). */
const dataMoves = `ALTER TYPE "Role" ADD VALUE IF NOT EXISTS 'OWNER' BEFORE 'ADMIN';
ALTER TYPE "Plan" RENAME TO "Plan_old";
ALTER INDEX IF EXISTS "orders_user_idx" RENAME TO "orders_user_id_idx";
UPDATE sessions SET nid = (SELECT id FROM networks LIMIT 1);
UPDATE "orders" o SET "total" = t."amount" FROM "totals" t WHERE o."id" = t."order_id";
UPDATE models SET match_pattern = '(?i)^(gpt-4(-\\d{4})?)$', tags = ARRAY['a', 'b'] WHERE id = 'x';
DELETE FROM flows WHERE kind = 'login' AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.flow_id = flows.id);
INSERT INTO kinds (id, name) SELECT 1, 'totp' WHERE NOT EXISTS (SELECT * FROM kinds WHERE name = 'totp');
CREATE TABLE logs (id serial CONSTRAINT logs_pkey PRIMARY KEY, time timestamptz NOT NULL, value jsonb NOT NULL,
  kind text GENERATED ALWAYS AS (value ->> 'kind') STORED, ok bool GENERATED ALWAYS AS (CAST(value #>> '{a, b}' AS bool)) STORED);
CREATE INDEX logs_time_idx ON logs (time);
CREATE VIEW ranked AS WITH s AS (SELECT user_id, EXTRACT(EPOCH FROM ended_at - started_at) AS secs FROM upchieve.sessions)
  SELECT user_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY secs DESC) AS rn, replace(note, '|', ',') AS n FROM s;
COMMENT ON COLUMN users.deleted IS 'Soft-delete flag set by a trigger';
CREATE EXTENSION IF NOT EXISTS pg_trgm;
`;

const constructive = `CREATE TABLE IF NOT EXISTS public.customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE CHECK (email <> ''),
  org_id bigint REFERENCES orgs (id) ON DELETE CASCADE
);
CREATE VIEW v AS SELECT id, CASE WHEN email IS NULL THEN 'none' ELSE email END AS mail FROM public.customers UNION ALL SELECT 1, 'x';
CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT count(*) AS n FROM customers WITH NO DATA;
CREATE INDEX customers_org_idx ON customers (org_id) WHERE org_id IN (1, 2);
ALTER TABLE public.customers ENABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY;
CREATE POLICY "customers: own rows" ON public.customers AS PERMISSIVE FOR UPDATE TO authenticated
  USING (auth.uid() = owner_id) WITH CHECK (auth.uid() = owner_id);
DROP POLICY IF EXISTS "old policy" ON public.customers;
GRANT SELECT, UPDATE (email) ON TABLE public.customers TO anon, authenticated WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public TO current_user;
REVOKE GRANT OPTION FOR TRUNCATE ON customers, orders FROM PUBLIC CASCADE;
CREATE OR REPLACE FUNCTION public.touch_updated_at() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public AS $fn$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$fn$;
CREATE FUNCTION add(a integer, b integer DEFAULT 1, OUT total integer) RETURNS integer
  AS 'SELECT a + b' LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION items(int) RETURNS TABLE (id int, name text) LANGUAGE sql STABLE AS $$ SELECT 1, 'x' $$;
CREATE TRIGGER customers_touch BEFORE INSERT OR UPDATE OF email ON public.customers
  FOR EACH ROW WHEN (NEW.email IS NOT NULL) EXECUTE FUNCTION public.touch_updated_at();
CREATE OR REPLACE TRIGGER customers_audit AFTER DELETE OR TRUNCATE ON customers FOR EACH STATEMENT EXECUTE PROCEDURE audit('customers', 1);
DO $$ BEGIN
  CREATE TYPE status AS ENUM ('new', 'done');
EXCEPTION WHEN duplicate_object THEN null;
END $$;
DO LANGUAGE plpgsql $do$ BEGIN CREATE OR REPLACE FUNCTION noop() RETURNS void LANGUAGE sql AS 'SELECT 1'; END $do$;
INSERT INTO settings (key, value) VALUES ('a', 'b') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value WHERE settings.value IS NULL;
INSERT INTO settings (key) VALUES ('c') ON CONFLICT ON CONSTRAINT settings_pkey DO NOTHING;
`;

const FOREIGN_WORDS = ['AUTOINCREMENT', '`x`', 'int(11)', '(', ')', ',', ';', '.', 'user', 'select', 'drop', 'DROP', 'TABLE', 'COLUMN', 'CASCADE', 'RESTRICT', 'IF', 'EXISTS', "'", '$$', '=', '<', 'day', 'ONLY', '*', 'TO', 'pg_x', 'AS', 'NOT'];

describe('the parser-free subset agrees with the full reader', () => {
  const fixtures = filesUnder(path.join(root, 'test/fixtures'));

  it(`every fixture, whole and statement by statement (${fixtures.length} files)`, async () => {
    let accepted = 0;
    for (const file of fixtures) {
      const text = readFileSync(file, 'utf8');
      if (text.includes('${')) continue; // placeholders are masked by readSql only
      for (const piece of [text, ...splitSql(text, 'postgres').statements.map((s) => s.text)]) {
        const fast = await subsetRead(piece);
        if (!fast.accepted) continue;
        accepted++;
        expect(fast.ops, `${path.relative(root, file)}: ${piece.slice(0, 200)}`).toEqual(await fullRead(piece));
      }
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('every SQL string in the reader tests', async () => {
    const literals = ['test/sql/postgres.test.ts', 'test/sql/robustness.test.ts', 'test/sql/split.test.ts', 'test/sql/pg-subset.test.ts'].flatMap(literalsOf);
    let withOps = 0;
    for (const sql of literals) {
      if (sql.includes('${')) continue;
      const fast = await subsetRead(sql);
      if (!fast.accepted) continue;
      if (fast.ops.length) withOps++;
      expect(fast.ops, sql).toEqual(await fullRead(sql));
    }
    expect(withOps).toBeGreaterThan(20);
  });

  it('a migration using every destructive form of the subset: accepted, and the same operations', async () => {
    const fast = await subsetRead(destructive);
    expect(fast.accepted).toBe(true);
    expect(fast.ops).toEqual(await fullRead(destructive));
    expect(fast.ops.map((op) => op.kind)).toEqual([
      'drop-table', 'drop-table', 'drop-index', 'drop-view', 'drop-view', 'drop-sequence', 'drop-type', 'drop-schema',
      'drop-trigger', 'drop-function', 'drop-function', 'drop-function', 'drop-column', 'drop-constraint', 'alter-column-type', 'rename-column', 'rename-table', 'truncate', 'truncate',
      'delete-all', 'update-all',
    ]);
  });

  it.each([
    ['destructive', destructive, 25],
    ['constructive', constructive, 25],
    ['data-moving', dataMoves, 25],
  ])('mutants of the %s migration: wherever the subset accepts one, the full reader reports the same', async (_name, source, least) => {
    let accepted = 0;
    for (const text of mutants(source, 1200, FOREIGN_WORDS)) {
      const fast = await subsetRead(text);
      if (!fast.accepted) continue;
      accepted++;
      expect(fast.ops, text).toEqual(await fullRead(text));
    }
    // the property was exercised on mutants the subset accepted, not only on rejections
    expect(accepted).toBeGreaterThan(least);
  });

  it('mutants of each statement of both migrations, one at a time', async () => {
    const statements = splitSql(destructive + constructive, 'postgres').statements.map((s) => s.text);
    let accepted = 0;
    for (const statement of statements) {
      for (const text of mutants(statement, 150, FOREIGN_WORDS)) {
        const fast = await subsetRead(text);
        if (!fast.accepted) continue;
        accepted++;
        expect(fast.ops, text).toEqual(await fullRead(text));
      }
    }
    expect(accepted).toBeGreaterThan(statements.length * 10);
  });

  it('random statements from the subset\'s own words: every one it accepts, the full reader reads the same', async () => {
    const words = [
      'a', 'b', 't.a', '1', "'s'", '=', '<', '<>', '+', '-', '*', '||', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', '(', ')', ',', '::',
      'int', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'count', 'TRUE', 'x', 'AS', 'FROM', 'JOIN', 'ON', 'LEFT', 'NATURAL', 'CROSS',
      'USING', 'UNION', 'ALL', 'ORDER', 'BY', 'LIMIT', 'DESC', 'NULLS', 'FIRST', 'GROUP', 'HAVING', 'WHERE', 'SELECT', 'DISTINCT',
      'date', 'interval', 'coalesce', 'OFFSET', 'INNER', 'OUTER', 'FULL', 'ONLY', 'CASCADE', 'TABLE', 'DROP', 'COLUMN', 'IF',
      'EXISTS', 'RESTRICT', 'TYPE', 'SET', 'DEFAULT', 'DATA', 'TO', 'RENAME', 'ALTER', 'ADD', 'CONSTRAINT', 'CHECK', 'TRUNCATE',
      'RESTART', 'IDENTITY', 'INDEX', 'CONCURRENTLY', 'VIEW', 'MATERIALIZED', 'WITH', 'NO', 'OPTION', 'LOCAL', 'TRIGGER',
      'SCHEMA', 'SEQUENCE', 'EXTENSION', 'varchar', '(10)', '.', 'numeric', 'DELETE', 'UPDATE', 'f(a)', "timestamptz 'x'", "'.'", "'*'", '"x"', '"AS"', '/*', '*/', '--', '\n', 'GRANT', 'REVOKE', 'POLICY', 'ROW', 'LEVEL', 'SECURITY', 'ENABLE', 'FOR', 'public',
      'PRIVILEGES', 'OPTION', 'current_user', 'FUNCTION', 'PROCEDURE', 'f()', 'IN', 'RETURNS', 'LANGUAGE', 'sql', 'plpgsql', "'SELECT 1'", '$$ SELECT 1 $$',
      'TRIGGER', 'BEFORE', 'AFTER', 'EACH', 'EXECUTE', 'SETOF', 'STRICT', 'OUT', 'DO', 'CONFLICT', 'NOTHING', 'EXCLUDED.a',
      '$$ BEGIN NULL; END $$', '$$ BEGIN DROP TABLE t; END $$', 'plpython3u', '`x`', '\\', "E'a\\'b'",
      // line ends and other boundary characters: PostgreSQL ends a `--` comment at CR as well as LF
      '\r', '\r\n', '-- c\r', '-- c\r\n', '-- c\n', '\t', '\f', '/* c\r */',
    ];
    const starts = [
      'CREATE VIEW v AS SELECT', 'CREATE OR REPLACE VIEW v AS SELECT a FROM', 'DROP', 'ALTER TABLE t', 'TRUNCATE',
      'CREATE MATERIALIZED VIEW m AS SELECT', 'ALTER TABLE t ALTER COLUMN a', 'DROP TABLE', 'ALTER TABLE t DROP',
      'CREATE VIEW v AS SELECT a FROM t WHERE', 'DELETE FROM t', 'DELETE FROM t WHERE', 'UPDATE t SET a =', 'UPDATE t SET a = 1 WHERE',
      'GRANT SELECT ON t TO', 'REVOKE', 'CREATE POLICY p ON t', 'ALTER TABLE t ENABLE', 'DROP FUNCTION f(', 'DROP FUNCTION',
      'CREATE FUNCTION f(', 'CREATE FUNCTION f() RETURNS int', 'CREATE TRIGGER t BEFORE', 'CREATE TRIGGER t AFTER INSERT ON x',
      'DO', 'DO LANGUAGE', 'INSERT INTO t VALUES (1) ON CONFLICT', 'INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO',
    ];
    let seed = 3;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    let accepted = 0;
    for (let n = 0; n < 60_000; n++) {
      const parts = [starts[random(starts.length)]!];
      for (let k = random(9); k >= 0; k--) parts.push(words[random(words.length)]!);
      const text = parts.join(' ');
      if (!readPostgresSubset(text, bodyMayAct)) continue;
      accepted++;
      expect(await read(text, 'postgres'), text).toEqual(await fullRead(text));
    }
    expect(accepted).toBeGreaterThan(1000);
  });

  it('files whose lines end in LF, CR, CRLF or a mix, with `--` comments before a statement: the same operations', async () => {
    const statements = splitSql(destructive + constructive, 'postgres').statements.map((s) => s.text);
    const ends = ['\n', '\r', '\r\n', '\n\r', '\r\r\n'];
    const comments = ['', '-- note', '-- DROP TABLE hidden;', '--', '/* c */', '-- a /* b'];
    let seed = 11;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    let accepted = 0;
    let withDrops = 0;
    for (let n = 0; n < 1500; n++) {
      let text = '';
      for (let k = random(4); k >= 0; k--) {
        const comment = comments[random(comments.length)]!;
        text += `${comment}${comment ? ends[random(ends.length)] : ''}${statements[random(statements.length)]!};${ends[random(ends.length)]}`;
      }
      const fast = await subsetRead(text);
      if (!fast.accepted) continue;
      accepted++;
      if (fast.ops.length) withDrops++;
      expect(fast.ops, JSON.stringify(text)).toEqual(await fullRead(text));
    }
    expect(accepted).toBeGreaterThan(300);
    expect(withDrops).toBeGreaterThan(100);
  });
});

describe('the subset declines what it cannot read exactly', () => {
  it.each([
    ['a drop in a string', "DROP TABLE a; INSERT INTO notes VALUES ('drop')"],
    ['a backtick in code', 'DROP TABLE `a`'],
    ['a backslash in an E string (it decodes escapes)', "INSERT INTO t VALUES (E'a\\b')"],
    ['a DO body in an E string whose escapes spell a DROP', "DO E'BEGIN \\x44ROP TABLE t; END'"],
    ['a backslash in code', 'UPDATE t SET a = 1 WHERE b = 1 \\ 2'],
    ['backslashes after standard_conforming_strings is turned off', "SET standard_conforming_strings = off; UPDATE t SET a = 'x\\' WHERE b = 1"],
    ['an override marker inside a string', "INSERT INTO notes VALUES ('-- dbsafe:allow drop-table(a) -- x')"],
    ['a quoted name that is a guarded word', 'DROP TABLE "drop"'],
    ['a function whose arguments have names or modes (the parser\'s)', 'DROP FUNCTION f(IN a int)'],
    ['a function body that may destroy (the full reader reads it)', "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ DELETE FROM t $$"],
    ['a function body that alters (the full reader reads it)', "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE t ADD c int; END $$"],
    ['a function without LANGUAGE', 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$'],
    ['a function with two bodies', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$ AS $$ SELECT 2 $$'],
    ['a function body that runs SQL elsewhere', "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM dblink_exec('h', 'x'); END $$"],
    ['a function body with COPY … PROGRAM', "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ COPY t FROM PROGRAM 'x' $$"],
    ['PERFORM after a function', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; PERFORM 1'],
    ['an argument named like its type (a syntax error)', 'CREATE FUNCTION f(int int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'],
    ['a trigger with REFERENCING', 'CREATE TRIGGER t AFTER INSERT ON x REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION f()'],
    ['a WHERE that starts with a constant (judged on the parse tree)', 'DELETE FROM t WHERE 1 = 1'],
    ['a parenthesized WHERE', 'UPDATE t SET a = 1 WHERE (a = 2 OR true)'],
    // true for every row by its meaning: the parse tree's to judge (postgres.ts whereAlwaysTrue)
    ['a value compared with itself', 'DELETE FROM t WHERE a = a'],
    ['a qualified value compared with itself', 'UPDATE t SET b = 1 WHERE c = 2 AND t.a >= t.a'],
    ['a value that is NULL or not', 'DELETE FROM t WHERE a IS NULL OR a IS NOT NULL'],
    ['a boolean that is TRUE or not', 'DELETE FROM t WHERE a IS TRUE OR b = 1 OR a IS NOT TRUE'],
    ['a value on both sides of the same operand', 'DELETE FROM t WHERE a > -1 OR a <= -1'],
    ['a data-modifying WITH', 'WITH d AS (DELETE FROM t RETURNING *) SELECT 1'],
    ['a type change after the column was declared', 'CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN a TYPE bigint'],
    ['a catalog-qualified name', 'DROP TABLE db.public.t'],
    ['a name PostgreSQL truncates', `DROP TABLE ${'x'.repeat(64)}`],
    ['chained comparisons (a syntax error)', 'CREATE VIEW v AS SELECT 1 = 1 = 1 AS x'],
    ['a bare column label that is a keyword (a syntax error)', 'CREATE VIEW v AS SELECT a day FROM t'],
    ['RESTRICT then CASCADE (a syntax error)', 'DROP TABLE t RESTRICT CASCADE'],
    ['CROSS LEFT JOIN (a syntax error)', 'CREATE VIEW v AS SELECT 1 AS x FROM a CROSS LEFT JOIN b ON true'],
    ['strings where `t.*` would be (a syntax error)', "CREATE VIEW v AS SELECT a '.' '*' FROM t"],
    ['a psql meta-command', 'DROP TABLE a;\n\\i other.sql\n'],
    ['a nested block comment (PostgreSQL nests them, our tokenizer does not)', 'DROP TABLE a /* /* */ , b -- */\n;'],
    ['a DO block that may destroy (the full reader reads it)', "DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$"],
    ['a DO block that updates in a loop', 'DO $$ BEGIN FOR i IN 1..3 LOOP UPDATE t SET a = i; END LOOP; END $$'],
    ['a DO block in another language (opaque to the full reader)', "DO LANGUAGE plpython3u $$ plpy.notice('x') $$"],
    // the words of a body are free only inside it, and only while the body cannot destroy
    ['PERFORM after a DO block', 'DO $$ BEGIN PERFORM 1; END $$; PERFORM 1'],
    ['a pg_ function called after a DO block', 'DO $$ BEGIN PERFORM 1; END $$; SELECT pg_terminate_backend(1)'],
    ['COPY … PROGRAM after a DO block', "DO $$ BEGIN PERFORM 1; END $$; COPY t FROM PROGRAM 'x'"],
    ['a DO block that runs SQL elsewhere', "DO $$ BEGIN PERFORM dblink_exec('host=a', 'SELECT 1'); END $$"],
    ['a DO block that unlinks a large object', 'DO $$ BEGIN PERFORM lo_unlink(1); END $$'],
    ['a DO block with COPY … PROGRAM', "DO $$ BEGIN COPY t FROM PROGRAM 'x'; END $$"],
    ['a DO block with two bodies', 'DO $$ a $$ $$ b $$'],
    // both passed as harmless before the subset learned PostgreSQL's operator precedence
    ['NOT in a column default (a syntax error)', 'CREATE TABLE t (a bool DEFAULT NOT true)'],
    ['chained comparisons in a CHECK (a syntax error)', 'CREATE TABLE t (a int CHECK (a < 1 < 2))'],
  ])('%s', (_why, sql) => {
    expect(readPostgresSubset(sql, bodyMayAct)).toBeUndefined();
  });

  it.each([
    'DO $$ BEGIN PERFORM pg_sleep(0); END $$;',
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('a'); END IF; END $$;",
    "do language plpgsql $$ begin perform set_config('app.x', 'y', true); end $$;",
    "  DO\n$body$\nBEGIN\n  PERFORM 1;\nEND\n$body$;",
    'CREATE TABLE t (id int);\nDO $body$ BEGIN PERFORM 1; END $body$;\nDROP TABLE t2;\n',
    'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$;',
    "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  PERFORM pg_notify('changes', NEW.id::text);\n  RETURN NEW;\nEND\n$$;",
    "CREATE FUNCTION f(a int) RETURNS int AS 'SELECT pg_backend_pid() + $1' LANGUAGE sql IMMUTABLE;",
    "CREATE FUNCTION py() RETURNS int LANGUAGE plpython3u AS $$ import os; return 1 $$;",
  ])('a routine body that cannot destroy may use any word (PERFORM, pg_…): %j accepted, the same operations', async (sql) => {
    const fast = await subsetRead(sql);
    expect(fast.accepted).toBe(true);
    expect(fast.ops).toEqual(await fullRead(sql));
  });

  it('a Supabase-style migration (row level security, policies, grants, trigger functions, DO blocks, upserts) is inside the subset and reports nothing', async () => {
    expect(isHarmlessPostgres(constructive)).toBe(true);
    expect(await fullRead(constructive)).toEqual([]);
  });

  it('comments may hold guarded words and backticks (Prisma\'s warnings): accepted, and the same operations', async () => {
    const prisma = '/*\n  Warnings:\n\n  - You are about to drop the column `bio` on the `User` table. All the data in the column will be lost.\n\n*/\n-- AlterTable\nALTER TABLE "User" DROP COLUMN "bio", ALTER COLUMN "name" SET DATA TYPE VARCHAR(50);\n-- DropTable\nDROP TABLE "Post"; -- and truncate \\ later\n';
    const fast = await subsetRead(prisma);
    expect(fast.accepted).toBe(true);
    expect(fast.ops).toEqual(await fullRead(prisma));
    expect(fast.ops.map((op) => op.kind)).toEqual(['drop-column', 'alter-column-type', 'drop-table']);
  });

  it('an override marker may name the operations it allows', () => {
    const sql = '-- dbsafe:allow drop-table(a) -- replaced by b; truncate later\nDROP TABLE a;\nALTER TABLE b DROP COLUMN c; -- dbsafe:allow drop-column(b.c) -- unused since v2\n';
    expect(readPostgresSubset(sql, bodyMayAct)?.flatMap((statement) => statement.ops.map((op) => `${op.kind} ${op.target.written}`))).toEqual(['drop-table a', 'drop-column c']);
  });

  it('and readSql still reports those files through the parser', async () => {
    expect((await read('DROP FUNCTION f(IN a int)', 'postgres')).map((op) => op.kind)).toEqual(['drop-function']);
    for (const broken of ['CREATE VIEW v AS SELECT 1 = 1 = 1 AS x', 'CREATE TABLE t (a bool DEFAULT NOT true)', 'CREATE TABLE t (a int CHECK (a < 1 < 2))']) {
      expect((await read(broken, 'postgres')).map((op) => op.kind), broken).toEqual(['unparseable']);
    }
  });
});

describe('subqueries, INSERT … SELECT, enum values, JSON operators and keyword names (what real repositories write)', () => {
  it.each([
    ['a scalar subquery in SET, no WHERE: every row', 'UPDATE sessions SET nid = (SELECT id FROM networks LIMIT 1);'],
    ['a scalar subquery in a restricting WHERE', 'DELETE FROM t WHERE id = (SELECT max(id) FROM t) AND a > 1;'],
    ['NOT EXISTS of a table\'s rows, with a column predicate, restricts', "DELETE FROM flows WHERE kind = 'x' AND NOT EXISTS (SELECT 1 FROM requests WHERE requests.id = flows.id);"],
    ['EXISTS after a column predicate', 'UPDATE t SET a = NULL WHERE a IS NOT NULL AND NOT exists (SELECT 1 FROM u WHERE u.id = t.a);'],
    ['WHERE TRUE: every row, always true', 'UPDATE addresses SET value = LOWER(value) WHERE TRUE;'],
    ['DELETE … WHERE TRUE', 'DELETE FROM t WHERE true;'],
    ['INSERT … SELECT … WHERE NOT EXISTS', "INSERT INTO types (id, name) SELECT 'a', 'password' WHERE NOT EXISTS (SELECT * FROM types WHERE name = 'password');"],
    ['INSERT … SELECT with a join and a conflict clause', 'INSERT INTO t (a, b) SELECT u.a, v.b FROM u JOIN v ON u.id = v.id ON CONFLICT (a) DO NOTHING;'],
    ['an enum value added', "ALTER TYPE state_type ADD VALUE IF NOT EXISTS 'RETRYING';"],
    ['an enum value added before another', 'ALTER TYPE "Role" ADD VALUE \'OWNER\' BEFORE \'ADMIN\';'],
    ['an enum value renamed', "ALTER TYPE public.mood RENAME VALUE 'sad' TO 'blue';"],
    ['an enum renamed (Prisma\'s enum change), then dropped', 'ALTER TYPE "Role" RENAME TO "Role_old"; DROP TYPE "Role_old";'],
    ['an index renamed', 'ALTER INDEX IF EXISTS "a_idx" RENAME TO "b_idx";'],
    ['ARRAY constructors and CAST', "CREATE TABLE t (tags text[] NOT NULL DEFAULT ARRAY[]::text[], n int CHECK (CAST(n AS bigint) > 0)); UPDATE t SET tags = ARRAY['a', 'b'] WHERE n = 1;"],
    ['JSON operators in generated columns', "CREATE TABLE flows (value jsonb NOT NULL, id varchar(100) GENERATED ALWAYS AS (value ->> 'id') STORED, d bool GENERATED ALWAYS AS (CAST(value#>>'{a, b}' AS bool)) STORED);"],
    ['JSON operators in a WHERE', "DELETE FROM t WHERE data->'k'->>'x' = 'y';"],
    ['LEFT and RIGHT as functions', 'UPDATE sessions SET token = LEFT(token, 32), tail = RIGHT(token, 4) WHERE id > 0;'],
    ['a keyword after a dot names a table', 'CREATE TABLE IF NOT EXISTS upchieve.references (id uuid PRIMARY KEY); DROP TABLE upchieve.references;'],
    ['a column-name keyword names a column', 'CREATE TABLE logs (id serial CONSTRAINT logs_pkey PRIMARY KEY, time timestamp with time zone NOT NULL, position int);'],
    ['an extension named pg_…', 'CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION "pg_stat_statements";'],
    ['backslashes in plain strings, dollar-quoted strings and quoted names (PostgreSQL reads them as themselves)', "UPDATE \"models\" SET \"match_pattern\" = '(?i)^(gpt-4(-\\d{4})?-vision-preview)$', note = $$a\\b$$ WHERE \"id\" = 'x\\'; CREATE TABLE \"back\\slash\" (id int);"],
    ['a comment whose text holds guarded words', "COMMENT ON COLUMN users.deleted IS 'not_pii: Soft-delete flag, set by a rule we trigger';"],
    ['a view with WITH queries and EXTRACT', "CREATE VIEW metrics AS WITH s AS (SELECT user_id, EXTRACT(EPOCH FROM ended_at - started_at) AS secs FROM sessions), m AS MATERIALIZED (SELECT user_id, max(secs) AS longest FROM s GROUP BY user_id) SELECT u.id, m.longest, extract('year' FROM u.created_at) AS y FROM users u LEFT JOIN m ON m.user_id = u.id;"],
    ['a recursive WITH in a materialized view', 'CREATE MATERIALIZED VIEW IF NOT EXISTS tree AS WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT n FROM t WITH NO DATA;'],
    ['a subquery in FROM, with or without its alias', 'UPDATE requests SET form = (SELECT * FROM (SELECT m.config FROM requests AS r INNER JOIN methods AS m ON r.id = m.request_id) AS x LIMIT 1); CREATE VIEW v AS SELECT * FROM (SELECT 1 AS a);'],
    ['an index on a column-name keyword', 'CREATE INDEX logs_time_idx ON logs (time, position DESC);'],
    ['UPDATE … FROM another table, with an alias', 'UPDATE "observations" o SET "project_id" = t."project_id" FROM "traces" t WHERE o."trace_id" = t."id";'],
    ['UPDATE … FROM without a WHERE: every row', 'UPDATE scores AS s SET project_id = 1 FROM traces;'],
    ['ORs of IS NULL tests of different columns (a cleanup before NOT NULL)', 'DELETE FROM sessions WHERE challenge_id IS NULL OR subject IS NULL;'],
    ['ORs of different constants', "UPDATE orders SET archived = true WHERE status = 'cancelled' OR status = 'refunded' OR total = 0;"],
    ['a string and a number of the same digits (different constants to PostgreSQL)', "DELETE FROM t WHERE x > '0' OR x <= 0;"],
    ['calls are never the same value', 'DELETE FROM sessions WHERE expires_at < now() OR lower(email) = lower(other);'],
    ['a type change whose USING reads the column (Prisma\'s enum change)', 'ALTER TABLE "observations" ALTER COLUMN "type" TYPE "ObservationType_new" USING ("type"::text::"ObservationType_new");'],
    ['Prisma\'s whole enum change (new type, USING, renames, drop)', 'BEGIN;\nCREATE TYPE "Role_new" AS ENUM (\'USER\', \'ADMIN\');\nALTER TABLE "User" ALTER COLUMN "role" DROP DEFAULT;\nALTER TABLE "User" ALTER COLUMN "role" TYPE "Role_new" USING ("role"::text::"Role_new");\nALTER TYPE "Role" RENAME TO "Role_old";\nALTER TYPE "Role_new" RENAME TO "Role";\nDROP TYPE "Role_old";\nALTER TABLE "User" ALTER COLUMN "role" SET DEFAULT \'USER\';\nCOMMIT;\n'],
    ['a type change whose USING reads the column in a CASE, qualified, or in a subquery', "ALTER TABLE t ALTER COLUMN a TYPE int USING CASE WHEN a = 'x' THEN 1 ELSE 0 END, ALTER COLUMN b TYPE int USING t.b::int, ALTER COLUMN c TYPE int USING (SELECT max(c) FROM u);"],
    ['a type change whose USING does not read the column: every value replaced', 'ALTER TABLE t ALTER COLUMN a TYPE int USING NULL, ALTER COLUMN b TYPE int USING other::int, ALTER COLUMN c TYPE timestamptz USING now(), ALTER COLUMN d TYPE int USING "D";'],
    ['replace() and window functions', "CREATE VIEW ranked AS SELECT id, replace(name, '|', ',') AS n, ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY start_date DESC NULLS LAST) AS rn, count(DISTINCT x) AS c FROM models;"],
  ])('%s: accepted, the same operations', async (_why, sql) => {
    const fast = await subsetRead(sql);
    expect(fast.accepted).toBe(true);
    expect(fast.ops).toEqual(await fullRead(sql));
  });

  it.each([
    ['IN of a doubly parenthesized subquery (a subquery to PostgreSQL, always true on the same table)', 'DELETE FROM t WHERE id IN ((SELECT id FROM t))'],
    ['IN of a subquery', 'DELETE FROM t WHERE id IN (SELECT id FROM t)'],
    ['EXISTS of a constant row (always true)', 'DELETE FROM t WHERE EXISTS (SELECT 1)'],
    ['EXISTS of a constant row after a column predicate', 'UPDATE t SET a = 1 WHERE a = 2 AND NOT EXISTS (SELECT 1 LIMIT 1)'],
    ['EXISTS in an OR (the full reader judges ORs)', 'DELETE FROM t WHERE a = 1 OR EXISTS (SELECT 1 FROM u)'],
    // whether a subquery reads the row (correlated) or not (all rows or none) is the full reader's to judge
    ['the row\'s value qualified by the statement\'s alias and not', 'DELETE FROM users u WHERE u.a = a'],
    ['the tested value in its own IN list', 'DELETE FROM users WHERE a IN (1, users.a)'],
    ['only EXISTS tests, correlated', 'DELETE FROM flows WHERE NOT EXISTS (SELECT 1 FROM requests WHERE requests.id = flows.id)'],
    ['only EXISTS tests, uncorrelated (every row or none)', 'DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.x = 1)'],
    ['a typed literal where a column would be (no column of the row)', "DELETE FROM t WHERE DATE 'x' AND a = 1"],
    ['a predicate comparing a subquery with a constant (no column of the row)', "UPDATE t SET a = 1 WHERE DATE '2020-01-01' < (SELECT max(u.d) FROM u)"],
    ['TRUE with more after it', 'DELETE FROM t WHERE TRUE AND a = 1'],
    ['a longer run of operator characters', "DELETE FROM t WHERE data->>-'x' = 'y'"],
    ['JSON operator written apart (two operators to PostgreSQL)', "DELETE FROM t WHERE data # >> 'x' = 'y'"],
    ['a nested array literal', 'UPDATE t SET a = ARRAY[[1, 2]] WHERE b = 1'],
    ['ARRAY of a subquery', 'UPDATE t SET a = ARRAY(SELECT 1) WHERE b = 1'],
    ['CAST without a type (a syntax error)', 'UPDATE t SET a = CAST(b) WHERE c = 1'],
    ['an enum value that is not a string (a syntax error)', 'ALTER TYPE mood ADD VALUE happy'],
    ['ALTER INDEX other than RENAME', 'ALTER INDEX i SET TABLESPACE fast'],
    ['ALTER TYPE … RENAME ATTRIBUTE', 'ALTER TYPE t RENAME ATTRIBUTE a TO b'],
    ['a pg_ name that is not an extension\'s', 'CREATE EXTENSION IF NOT EXISTS pg_trgm; SELECT pg_terminate_backend(1)'],
    ['a pg_ schema of an extension', 'CREATE EXTENSION pg_trgm WITH SCHEMA pg_catalog'],
    ['a reserved word as a column name (a syntax error)', 'CREATE TABLE t (select int)'],
    ['INSERT … SELECT with a data-modifying WITH', 'INSERT INTO a SELECT * FROM (WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d) x'],
    // the same value written differently: the full reader compares parse trees and constants' values
    ['a quoted name and the same name unquoted on both sides of an OR', 'DELETE FROM t WHERE "x" > 0 OR x <= 0'],
    ['a name compared with itself, quoted on one side', 'DELETE FROM t WHERE a = "a"'],
    ['the same number written twice differently', 'DELETE FROM t WHERE x > 0 OR x <= 00'],
    ['an integer and a decimal of the same value', 'UPDATE t SET a = 1 WHERE x > 0.0 OR x <= 0'],
    ['zero and minus zero', 'DELETE FROM t WHERE x > 0 OR x <= -0'],
    ['a constant and its numeric cast', 'DELETE FROM t WHERE x > 1 OR x <= 1::int'],
    ['a typed literal and a cast of the same text', "DELETE FROM t WHERE d > DATE '2024-01-01' OR d <= '2024-01-01'::date"],
    ['a CAST and the constant it casts', 'DELETE FROM t WHERE x > CAST(1 AS int) OR x <= 1'],
    ['CAST(…) and :: of the same value', 'DELETE FROM t WHERE CAST(x AS int) + 1 > 0 OR x::int + 1 <= 0'],
    ['a name that is NULL or not, quoted once', 'DELETE FROM t WHERE "x" IS NULL OR x IS NOT NULL'],
    ['a view with a data-modifying WITH', 'CREATE VIEW v AS WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d'],
    ['EXTRACT of a keyword (a syntax error)', 'CREATE VIEW v AS SELECT EXTRACT(cascade FROM now()) AS y'],
    ['a parenthesized join', 'CREATE VIEW v AS SELECT * FROM (t JOIN u ON true)'],
    ['a column-name keyword called as a function in an index (a syntax error)', 'CREATE INDEX ON logs (time(a))'],
    ['two WITH clauses (a syntax error)', 'CREATE VIEW v AS WITH a AS (SELECT 1) WITH b AS (SELECT 2) SELECT 1'],
    ['a window frame', 'CREATE VIEW v AS SELECT sum(a) OVER (ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t'],
    ['REPLACE that is no call', 'UPDATE t SET replace = 1 WHERE a = 1'],
    ['an alias named SET (the parser\'s to judge)', 'UPDATE t set SET a = 1'],
  ])('declined: %s', (_why, sql) => {
    expect(readPostgresSubset(sql, bodyMayAct)).toBeUndefined();
  });

  it('random statements of these forms: every one it accepts, the full reader reads the same', async () => {
    const words = [
      'a', 't.a', 'u.references', '1', "'k'", '=', '<', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', '(', ')', ',', '::', 'int', 'text[]',
      'EXISTS', '(SELECT', 'SELECT', '1', 'FROM', 'u', 'WHERE', 'LIMIT', 'TRUE', 'ARRAY', '[', ']', 'CAST', 'AS', '->', '->>', '#>>', '-',
      '>', '#', 'LEFT', 'RIGHT', '(a, 2)', 'VALUE', 'BEFORE', 'AFTER', 'RENAME', 'TO', 'IF', 'ADD', "'v'", 'time', 'position', 'select',
      'UNION', 'ON', 'CONFLICT', 'DO', 'NOTHING', 'JOIN', 'ORDER', 'BY', '))', 'pg_x', '"pg_y"', 'EXTENSION', 'WITH', 'SCHEMA',
      'EXTRACT', 'epoch', 'year', 'RECURSIVE', 'MATERIALIZED', 'DELETE', 'IS', "'drop'",
      'OVER', 'PARTITION', 'f()', 'replace(a, 1, 2)', 'replace', 'DISTINCT', 'SET', 'o', 'o.a', 'ROWS',
      "'a\\b'", "'a\\'", "E'a\\'b'", '"q\\"', '$$x\\$$', '\\', 'E', "'\\x44ROP'",
      '"a"', 'A', '00', '0.0', '-0', '+0', '1::int', "DATE 'x'", "'x'::date", 'CAST(a AS int)', '>', '<=', '<>', 'IS NOT NULL', 'now()',
    ];
    const starts = [
      'UPDATE t SET a =', 'UPDATE t SET a = (SELECT', 'UPDATE t SET a = 1 WHERE', 'DELETE FROM t WHERE', 'DELETE FROM t WHERE NOT EXISTS (SELECT',
      'DELETE FROM t WHERE a IN', 'INSERT INTO t SELECT', 'INSERT INTO t (a) SELECT a FROM u', 'ALTER TYPE e', 'ALTER TYPE e ADD VALUE',
      'ALTER INDEX i', 'CREATE TABLE t (', 'CREATE TABLE t (c jsonb GENERATED ALWAYS AS (', 'CREATE EXTENSION', 'DROP TABLE s.',
      'CREATE VIEW v AS WITH w AS (SELECT', 'CREATE VIEW v AS SELECT * FROM (SELECT', 'CREATE VIEW v AS SELECT EXTRACT(', 'CREATE INDEX ON t (',
      'COMMENT ON TABLE t IS', 'CREATE MATERIALIZED VIEW m AS WITH RECURSIVE w (n) AS (SELECT',
      'UPDATE t o SET a = 1 FROM', 'UPDATE t', 'DELETE FROM t', 'CREATE VIEW v AS SELECT row_number() OVER (', 'CREATE VIEW v AS SELECT count(',
      'DELETE FROM t WHERE a > 0 OR', 'DELETE FROM t WHERE a', 'DELETE FROM t WHERE a IS NULL OR', 'UPDATE t SET b = 1 WHERE a =',
    ];
    let seed = 17;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    let accepted = 0;
    for (let n = 0; n < 40_000; n++) {
      const parts = [starts[random(starts.length)]!];
      for (let k = random(8); k >= 0; k--) parts.push(words[random(words.length)]!);
      const text = parts.join(random(3) ? ' ' : '');
      if (!readPostgresSubset(text, bodyMayAct)) continue;
      accepted++;
      expect(await read(text, 'postgres'), text).toEqual(await fullRead(text));
    }
    expect(accepted).toBeGreaterThan(300);
  });
});

describe('DO blocks that may destroy: PL/pgSQL blocks around statements of the subset', () => {
  it.each([
    ['an approved UPDATE (the hook benchmark\'s file)', 'DO $$ BEGIN\n  -- dbsafe:allow update-all(t) -- backfill 5\n  UPDATE t SET n = 5;\nEND $$;\n'],
    ['DECLARE, IF / ELSIF / ELSE, a nested block with handlers', "DO $$\nDECLARE v int := 1;\n  w text[] DEFAULT '{}';\nBEGIN\n  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'a' AND column_name = 'b') THEN\n    ALTER TABLE a DROP COLUMN b; -- gone\n  ELSIF v > 0 THEN DROP TABLE x /* c */ ;\n  ELSEIF v < 0 THEN NULL;\n  ELSE RAISE NOTICE 'nothing left';\n  END IF;\n  BEGIN DROP TABLE a; EXCEPTION WHEN undefined_table OR others THEN NULL; END;\nEND\n$$;\n"],
    ['the same statement twice on a line (placed where the full reader finds its text)', 'DO $$ BEGIN DROP TABLE a; DROP TABLE a; END $$;'],
    ['a statement split over lines, its text appearing earlier', 'DO $$ BEGIN\nDROP TABLE a; DROP\nTABLE a; END $$;'],
    ['a comment before the `;` (part of the text PL/pgSQL records)', 'DO $$ BEGIN UPDATE t SET a = 1 -- all of them\n; END $$;'],
    ['CRLF and lone CR line endings', 'DO $$\r\nBEGIN\r\n  DELETE FROM t;\r  TRUNCATE u;\r\nEND $$;\r\n'],
    ['a DELETE with a WHERE (nothing to report, the parser not needed)', 'DO $$ BEGIN DELETE FROM t WHERE id = 1; END $$;'],
    ['lower case, a named tag, LANGUAGE before and after', 'do language plpgsql $body$ begin drop table if exists a cascade; end; $body$;\nDO $x$ BEGIN TRUNCATE t; END $x$ LANGUAGE plpgsql;'],
    ['statements around it, and a COMMENT inside whose text is free', "DROP TABLE z;\nDO $$ BEGIN COMMENT ON TABLE t IS 'drop me later'; DROP VIEW v; END $$;\nALTER TABLE q RENAME TO r;"],
    ['an override marker inside the body', 'DO $$\nBEGIN\n  -- dbsafe:allow drop-table(a) -- replaced by b\n  DROP TABLE a;\n  INSERT INTO log VALUES (1);\nEND $$;'],
    ['a type change inside the body', 'DO $$ BEGIN ALTER TABLE t ALTER COLUMN a TYPE bigint; END $$;'],
  ])('%s: accepted, the same operations as the full reader', async (_why, sql) => {
    const fast = await subsetRead(sql);
    expect(fast.accepted).toBe(true);
    expect(fast.ops).toEqual(await fullRead(sql));
  });

  it.each([
    ['a RAISE whose % has no argument (PL/pgSQL rejects the body)', "DO $$ BEGIN RAISE NOTICE 'x %'; DROP TABLE a; END $$"],
    ['an exception condition PL/pgSQL does not know', 'DO $$ BEGIN DROP TABLE a; EXCEPTION WHEN no_such_condition THEN NULL; END $$'],
    ['INTO a variable', 'DO $$ BEGIN DELETE FROM t RETURNING id INTO v; END $$'],
    ['a CASE in an IF condition (PL/pgSQL ends the condition at its THEN)', 'DO $$ BEGIN IF CASE WHEN true THEN true END THEN DROP TABLE a; END IF; END $$'],
    ['a label', 'DO $$ <<outer>> BEGIN DROP TABLE a; END outer $$'],
    ['a loop', 'DO $$ BEGIN LOOP DROP TABLE a; EXIT; END LOOP; END $$'],
    ['EXECUTE', "DO $$ BEGIN EXECUTE 'DROP TABLE a'; END $$"],
    ['an assignment', 'DO $$ DECLARE v int; BEGIN v := 1; DROP TABLE a; END $$'],
    ['a duplicate declaration', 'DO $$ DECLARE v int; v int; BEGIN DROP TABLE a; END $$'],
    ['a variable named like a keyword', 'DO $$ DECLARE table int; BEGIN DROP TABLE a; END $$'],
    ['a body in a plain string (its text is not the file\'s)', "DO 'BEGIN DROP TABLE a; END'"],
    ['a nested block without its `;`', 'DO $$ BEGIN BEGIN DROP TABLE a; END END $$'],
    ['END IF missing', 'DO $$ BEGIN IF true THEN DROP TABLE a; END; END $$'],
    ['a statement outside the subset in the body', 'DO $$ BEGIN DROP TABLE a; MERGE INTO t USING u ON true WHEN MATCHED THEN DELETE; END $$'],
    ['a word of the body no statement reads (a drop in a RAISE)', "DO $$ BEGIN RAISE NOTICE 'drop'; DROP TABLE a; END $$"],
    ['a data-modifying WITH in the body', 'DO $$ BEGIN WITH d AS (DELETE FROM t RETURNING 1) SELECT 1; END $$'],
  ])('declined: %s', (_why, sql) => {
    expect(readPostgresSubset(sql, bodyMayAct)).toBeUndefined();
  });

  it('random bodies: every one it accepts, PL/pgSQL parses and the full reader reads the same', async () => {
    const { parsePlPgSQLSync } = await import('libpg-query');
    const pieces = [
      'DROP TABLE a;', 'DROP TABLE a;', 'DELETE FROM t;', 'DELETE FROM t WHERE id = 1;', 'UPDATE t SET a = 1;', 'TRUNCATE t;',
      'ALTER TABLE t DROP COLUMN c;', 'ALTER TABLE t RENAME TO u;', 'INSERT INTO t VALUES (1);', 'CREATE TABLE q (a int);',
      "COMMENT ON TABLE t IS 'drop';", 'NULL;', "RAISE NOTICE 'x';", "RAISE NOTICE 'x %';", 'RAISE NOTICE E\'x\';', 'BEGIN', 'END;', 'END',
      'IF', 'THEN', 'ELSIF', 'ELSE', 'END IF;', 'true', 'v > 1', "EXISTS (SELECT 1 FROM u WHERE a = 'b')", 'CASE WHEN true THEN true END',
      'EXCEPTION', 'WHEN', 'others', 'undefined_table', 'no_such', 'OR', 'DECLARE', 'v int;', 'v int := 1;', 'w text;', 'table int;',
      '-- drop\n', '/* c */', '\n', '\r\n', ';', 'DROP', 'TABLE', 'RETURNING id INTO v', 'PERFORM 1;', 'LOOP', 'EXIT;',
    ];
    let seed = 99;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    let accepted = 0;
    for (let n = 0; n < 20_000; n++) {
      const parts = random(2) ? ['BEGIN'] : ['DECLARE', 'v int;', 'BEGIN'];
      for (let k = random(10); k >= 0; k--) parts.push(pieces[random(pieces.length)]!);
      parts.push('END');
      const body = parts.join(random(3) ? ' ' : '\n');
      const text = `DO $$ ${body} $$;`;
      if (!readPostgresSubset(text, bodyMayAct)) continue;
      accepted++;
      // a body the full reader reads must be one PL/pgSQL parses (it reads a rejected one differently)
      if (bodyMayAct(body)) expect(() => parsePlPgSQLSync(`CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $x$ ${body} $x$`), text).not.toThrow();
      expect(await read(text, 'postgres'), text).toEqual(await fullRead(text));
    }
    expect(accepted).toBeGreaterThan(300);
  });
});

describe('readSql does not load the parser for a file inside the subset', () => {
  // libpg-query made unloadable in a child process: a file inside the subset is still read in full,
  // while a file outside it needs the parser and cannot be (the control)
  const script = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(
      'export async function resolve(s, c, next) { if (s === "libpg-query") throw new Error("parser blocked"); return next(s, c); }'));
    const { readSql } = await import(${JSON.stringify(path.join(root, 'dist/index.js'))});
    const inside = await readSql('DROP TABLE legacy;\\nALTER TABLE t DROP COLUMN c;', { path: 'm.sql', dialect: 'postgres' });
    const doBlock = await readSql('DO $$ BEGIN PERFORM 1; END $$;', { path: 'm.sql', dialect: 'postgres' });
    const outside = await readSql('DO $$ BEGIN FOR i IN 1..3 LOOP UPDATE t SET a = 1; END LOOP; END $$;', { path: 'm.sql', dialect: 'postgres' });
    console.log(JSON.stringify({ inside: inside.map((o) => o.kind + ' ' + o.target.name), doBlock: doBlock.length, outside: outside.map((o) => o.kind + ': ' + o.detail) }));
  `;

  it('a DROP TABLE and a DROP COLUMN are reported with libpg-query unloadable', () => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const seen = JSON.parse(result.stdout) as { inside: string[]; doBlock: number; outside: string[] };
    expect(seen.inside).toEqual(['drop-table legacy', 'drop-column c']);
    // a DO block whose body cannot destroy: inside the subset (session 14), nothing to report
    expect(seen.doBlock).toBe(0);
    expect(seen.outside).toHaveLength(1);
    expect(seen.outside[0]).toMatch(/^unparseable: .*parser blocked/);
  });
});
