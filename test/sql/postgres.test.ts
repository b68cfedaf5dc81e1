import { describe, expect, it } from 'vitest';
import { kinds, read, seen } from './helpers.js';

const pg = (sql: string) => seen(sql, 'postgres');

describe('PostgreSQL: destructive statements with object, line and column', () => {
  it.each<[string, string, Array<Partial<Awaited<ReturnType<typeof pg>>[number]>>]>([
    ['DROP TABLE', 'DROP TABLE users;', [{ kind: 'drop-table', object: 'users', line: 1, column: 1, flags: {} }]],
    ['lower case, IF EXISTS, CASCADE, several tables', 'drop table if exists public.orders, audit."Order_Items" cascade;', [
      { kind: 'drop-table', object: 'public.orders', flags: { ifExists: true, cascade: true } },
      { kind: 'drop-table', object: 'audit.Order_Items', flags: { ifExists: true, cascade: true } },
    ]],
    ['unquoted names fold, quoted keep case', 'DROP TABLE "Public"."Users", Accounts;', [
      { kind: 'drop-table', object: 'Public.Users' }, { kind: 'drop-table', object: 'accounts' },
    ]],
    ['multi-line with comments in between', 'SELECT 1;\n\n-- drop it\nDROP /* really */ TABLE\n  IF EXISTS\n  legacy;', [
      { kind: 'drop-table', object: 'legacy', line: 4, column: 1, flags: { ifExists: true } },
    ]],
    ['DROP INDEX CONCURRENTLY', 'DROP INDEX CONCURRENTLY IF EXISTS public.idx_users_email;', [
      { kind: 'drop-index', object: 'public.idx_users_email', flags: { concurrently: true, ifExists: true } },
    ]],
    ['DROP VIEW / MATERIALIZED VIEW', 'DROP VIEW v1; DROP MATERIALIZED VIEW IF EXISTS reports.mv;', [
      { kind: 'drop-view', object: 'v1', column: 1 }, { kind: 'drop-view', object: 'reports.mv', column: 15 },
    ]],
    ['DROP SCHEMA', 'DROP SCHEMA IF EXISTS staging CASCADE;', [{ kind: 'drop-schema', object: 'staging', flags: { ifExists: true, cascade: true } }]],
    ['DROP DATABASE', 'DROP DATABASE IF EXISTS app_test;', [{ kind: 'drop-database', object: 'app_test', flags: { ifExists: true } }]],
    ['DROP FUNCTION / PROCEDURE', 'DROP FUNCTION IF EXISTS util.f(integer, text); DROP PROCEDURE p;', [
      { kind: 'drop-function', object: 'util.f' }, { kind: 'drop-function', object: 'p' },
    ]],
    ['DROP TYPE / DOMAIN / SEQUENCE', 'DROP TYPE mood; DROP DOMAIN email; DROP SEQUENCE IF EXISTS s.seq;', [
      { kind: 'drop-type', object: 'mood' }, { kind: 'drop-type', object: 'email' }, { kind: 'drop-sequence', object: 's.seq' },
    ]],
    ['DROP TRIGGER … ON table', 'DROP TRIGGER IF EXISTS trg_audit ON app.orders;', [{ kind: 'drop-trigger', object: 'app.orders.trg_audit' }]],
    ['ALTER TABLE DROP COLUMN points at the sub-command', 'ALTER TABLE ONLY public.users\n    DROP COLUMN IF EXISTS legacy_flag CASCADE;', [
      { kind: 'drop-column', object: 'public.users.legacy_flag', line: 2, column: 5, flags: { ifExists: true, cascade: true } },
    ]],
    ['multi-command ALTER TABLE', 'ALTER TABLE users\n  ADD COLUMN a int,\n  DROP COLUMN b,\n  ALTER COLUMN c TYPE varchar(20) USING c::varchar,\n  DROP CONSTRAINT users_fk;', [
      { kind: 'drop-column', object: 'users.b', line: 3, column: 3 },
      { kind: 'alter-column-type', object: 'users.c', line: 4, column: 3, flags: { newType: 'varchar(20)' } },
      { kind: 'drop-constraint', object: 'users.users_fk', line: 5, column: 3 },
    ]],
    ['ALTER COLUMN SET DATA TYPE', 'ALTER TABLE t ALTER c SET DATA TYPE bigint;', [{ kind: 'alter-column-type', object: 't.c', flags: { newType: 'bigint' } }]],
    ['renames', 'ALTER TABLE users RENAME TO app_users;\nALTER TABLE app_users RENAME COLUMN email TO email_address;\nALTER TABLE x RENAME y TO z;', [
      { kind: 'rename-table', object: 'users', line: 1, flags: { newName: 'app_users' } },
      { kind: 'rename-column', object: 'app_users.email', line: 2, flags: { newName: 'email_address' } },
      { kind: 'rename-column', object: 'x.y', line: 3, flags: { newName: 'z' } },
    ]],
    ['TRUNCATE each table', 'TRUNCATE TABLE ONLY sessions, public.tokens RESTART IDENTITY CASCADE;', [
      { kind: 'truncate', object: 'sessions', flags: { cascade: true } }, { kind: 'truncate', object: 'public.tokens', flags: { cascade: true } },
    ]],
    ['DELETE without WHERE', 'DELETE FROM sessions;', [{ kind: 'delete-all', object: 'sessions', flags: {} }]],
    ['DELETE with always-true WHERE', "DELETE FROM a WHERE 1=1; DELETE FROM b WHERE true; DELETE FROM c WHERE 'a' = 'a'; DELETE FROM d WHERE (1 = 1) OR id = 2;", [
      { kind: 'delete-all', object: 'a', flags: { whereAlwaysTrue: true } },
      { kind: 'delete-all', object: 'b', flags: { whereAlwaysTrue: true } },
      { kind: 'delete-all', object: 'c', flags: { whereAlwaysTrue: true } },
      { kind: 'delete-all', object: 'd', flags: { whereAlwaysTrue: true } },
    ]],
    ['UPDATE without WHERE', 'UPDATE users SET active = false;', [{ kind: 'update-all', object: 'users' }]],
    ['CTE DELETE without WHERE', 'WITH x AS (SELECT id FROM t WHERE a = 1) DELETE FROM logs;', [{ kind: 'delete-all', object: 'logs' }]],
    ['data-modifying CTE (archive then delete everything)', 'WITH moved AS (DELETE FROM events RETURNING *)\nINSERT INTO events_archive SELECT * FROM moved;', [
      { kind: 'delete-all', object: 'events', line: 1 },
    ]],
    ['EXPLAIN ANALYZE runs the statement', 'EXPLAIN ANALYZE DELETE FROM t;', [{ kind: 'delete-all', object: 't' }]],
    ['a prepared statement runs at each EXECUTE', 'PREPARE wipe AS DELETE FROM t2; EXECUTE wipe;', [{ kind: 'delete-all', object: 't2' }]],
    ['WHERE 1 <> 0', 'UPDATE t SET a = 1 WHERE 1 <> 0;', [{ kind: 'update-all', object: 't', flags: { whereAlwaysTrue: true } }]],
    ['inside a transaction', 'BEGIN;\nDROP TABLE a;\nCOMMIT;', [{ kind: 'drop-table', object: 'a', line: 2, column: 1 }]],
  ])('%s', async (_name, sql, expected) => {
    const ops = await pg(sql);
    expect(ops).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(ops[i]).toMatchObject(e));
  });

  it.each([
    'DELETE FROM sessions WHERE expires_at < now();',
    'DELETE FROM t WHERE id IN (SELECT id FROM u WHERE true);',
    'UPDATE users SET a = 1 WHERE id = 2;',
    "DELETE FROM a WHERE 1 = 1 AND kind = 'x';",
    'DELETE FROM a WHERE 1 <> 1;',
    'EXPLAIN DELETE FROM t;',
    'ALTER TABLE t ALTER COLUMN c DROP NOT NULL, ALTER COLUMN d DROP DEFAULT, ADD COLUMN e int;',
    'CREATE TABLE t (id int); INSERT INTO t VALUES (1) ON CONFLICT (id) DO NOTHING;',
    'DROP EXTENSION IF EXISTS pgcrypto; DROP POLICY p ON t; DROP ROLE r;',
    'COMMENT ON TABLE t IS $$drop table x$$;',
    "SELECT 'DROP TABLE users';",
    '-- DROP TABLE users;\n/* DROP TABLE users; */',
    '',
    '   \n\t',
  ])('reports nothing for safe SQL: %s', async (sql) => {
    expect(await read(sql, 'postgres')).toEqual([]);
  });
});

describe('PostgreSQL: narrowing type changes, decided only when the same text defined the column', () => {
  const create = 'CREATE TABLE t (name varchar(100), code char(3), qty integer, big bigint, price numeric(10,2), note text, at timestamptz);\n';
  it.each<[string, boolean | undefined, string | undefined]>([
    ['ALTER TABLE t ALTER COLUMN name TYPE varchar(50)', true, 'varchar(100)'],
    ['ALTER TABLE t ALTER COLUMN name TYPE varchar(200)', false, 'varchar(100)'],
    ['ALTER TABLE t ALTER COLUMN name TYPE text', false, 'varchar(100)'],
    ['ALTER TABLE t ALTER COLUMN note TYPE varchar(20)', true, 'text'],
    ['ALTER TABLE t ALTER COLUMN qty TYPE smallint', true, 'int4'],
    ['ALTER TABLE t ALTER COLUMN qty TYPE bigint', false, 'int4'],
    ['ALTER TABLE t ALTER COLUMN big TYPE integer', true, 'int8'],
    ['ALTER TABLE t ALTER COLUMN price TYPE numeric(8,2)', true, 'numeric(10,2)'],
    ['ALTER TABLE t ALTER COLUMN price TYPE numeric(12,4)', false, 'numeric(10,2)'],
    ['ALTER TABLE t ALTER COLUMN at TYPE date', true, 'timestamptz'],
    ['ALTER TABLE t ALTER COLUMN note TYPE integer USING note::integer', true, 'text'],
    ['ALTER TABLE other ALTER COLUMN name TYPE varchar(5)', undefined, undefined],
  ])('%s', async (alter, narrowing, oldType) => {
    const [op] = await read(create + alter + ';', 'postgres');
    expect(op.kind).toBe('alter-column-type');
    expect(op.flags.narrowing).toBe(narrowing);
    expect(op.flags.oldType).toBe(oldType);
  });

  it('follows ADD COLUMN and earlier type changes', async () => {
    const ops = await read('ALTER TABLE u ADD COLUMN c varchar(10);\nALTER TABLE u ALTER COLUMN c TYPE varchar(40);\nALTER TABLE u ALTER COLUMN c TYPE varchar(20);', 'postgres');
    expect(ops.map((o) => [o.flags.oldType, o.flags.narrowing])).toEqual([['varchar(10)', false], ['varchar(40)', true]]);
  });

  it('after a rename or a dropped column the old type is no longer claimed (b renamed to a is text, not varchar(5))', async () => {
    const sql = 'CREATE TABLE t (a varchar(5), b text);\nALTER TABLE t DROP COLUMN a;\nALTER TABLE t RENAME COLUMN b TO a;\nALTER TABLE t ALTER COLUMN a TYPE varchar(10);';
    const change = (await read(sql, 'postgres')).find((o) => o.kind === 'alter-column-type')!;
    expect(change.flags.oldType).toBeUndefined();
    expect(change.flags.narrowing).toBeUndefined();
  });
});

describe('PostgreSQL: positions are characters, not bytes', () => {
  it('after non-ASCII comments and strings', async () => {
    const sql = "-- Überprüfung: naïve café ☕ 🚀\nINSERT INTO t VALUES ('日本語');\nALTER TABLE t DROP COLUMN c;";
    expect(await pg(sql)).toMatchObject([{ kind: 'drop-column', object: 't.c', line: 3, column: 15 }]);
  });

  it('with CRLF line endings', async () => {
    expect(await pg('SELECT 1;\r\n\r\n   DROP TABLE x;\r\n')).toMatchObject([{ kind: 'drop-table', line: 3, column: 4 }]);
  });

  it('with a BOM at the start', async () => {
    expect(await pg('\uFEFFDROP TABLE x;')).toMatchObject([{ kind: 'drop-table', line: 1, column: 1 }]);
  });

  it('shifted by startLine/startColumn for SQL embedded in another file, with the direction', async () => {
    const ops = await read('SELECT 1;\nDROP TABLE x; DROP TABLE y;', 'postgres', { startLine: 10, startColumn: 20, direction: 'down' });
    expect(ops.map((o) => [o.line, o.column, o.direction])).toEqual([[11, 1, 'down'], [11, 15, 'down']]);
    const first = await read('DROP TABLE x;', 'postgres', { startLine: 10, startColumn: 20 });
    expect([first[0].line, first[0].column, first[0].statementLine]).toEqual([10, 20, 10]);
  });

  it('keeps the statement text and the file path', async () => {
    const [op] = await read('  DROP TABLE x  ;', 'postgres');
    expect(op).toMatchObject({ statement: 'DROP TABLE x', statementLine: 1, file: 'migrations/test.sql', dialect: 'postgres', direction: 'up' });
  });
});

describe('PostgreSQL: DO blocks and function bodies', () => {
  it('plain statements, literal EXECUTE, dynamic EXECUTE', async () => {
    const sql = [
      'DO $$',
      'BEGIN',
      '  IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = \'old\') THEN',
      '    DROP TABLE old;',
      '  END IF;',
      "  EXECUTE 'TRUNCATE audit_log';",
      "  EXECUTE format('DROP TABLE %I', tbl);",
      "  EXECUTE 'DROP TABLE ' || quote_ident(tbl);",
      'END',
      '$$;',
    ].join('\n');
    expect(await pg(sql)).toMatchObject([
      { kind: 'drop-table', object: 'old', line: 4, column: 5, flags: { embedded: true } },
      { kind: 'truncate', object: 'audit_log', line: 6, column: 12, flags: { embedded: true } },
      { kind: 'opaque', line: 7, column: 11, flags: { embedded: true } },
      { kind: 'opaque', line: 8, column: 11 },
    ]);
  });

  it('a DO block the PL/pgSQL parser rejects is still scanned', async () => {
    const sql = "DO $body$\nBEGIN\n  undeclared.field := 1;\n  DELETE FROM jobs;\n  EXECUTE v_sql;\nEND $body$;";
    expect(await pg(sql)).toMatchObject([
      { kind: 'delete-all', object: 'jobs', line: 4, column: 3, flags: { embedded: true } },
      { kind: 'opaque', line: 5 },
    ]);
  });

  it('CREATE FUNCTION in plpgsql and sql, BEGIN ATOMIC', async () => {
    const sql = [
      'CREATE OR REPLACE FUNCTION purge() RETURNS trigger',
      'LANGUAGE plpgsql AS $fn$',
      'BEGIN',
      '  DELETE FROM cache;',
      '  RETURN NEW;',
      'END;',
      '$fn$;',
      "CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS 'TRUNCATE t1';",
      'CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC DELETE FROM t2; SELECT 1; END;',
    ].join('\n');
    expect(await kinds(sql, 'postgres')).toEqual(['delete-all cache', 'truncate t1', 'delete-all t2']);
    expect((await pg(sql))[0]).toMatchObject({ line: 4, column: 3 });
  });

  it.each([
    ['parsed by the PL/pgSQL parser', 'NULL;'],
    ['rejected by it (scanned by us)', 'undeclared.field := 1;'],
  ])('statements inside loops and labelled blocks: %s', async (_name, first) => {
    const sql = `DO $$\n<<main>>\nDECLARE r record;\nBEGIN ${first}\n  FOR r IN SELECT id FROM t LOOP\n    DELETE FROM child;\n  END LOOP;\n  WHILE false LOOP\n    TRUNCATE other;\n  END LOOP;\nEND main $$;`;
    expect(await pg(sql)).toMatchObject([
      { kind: 'delete-all', object: 'child', line: 6, column: 5, flags: { embedded: true } },
      { kind: 'truncate', object: 'other', line: 9, column: 5, flags: { embedded: true } },
    ]);
  });

  it('EXECUTE of string literals joined with || is read as the SQL they spell', async () => {
    expect(await kinds("DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'audit' || '_old'; END $$;", 'postgres')).toEqual(['drop-table audit_old']);
  });

  it('a DO block in another language is opaque', async () => {
    expect(await kinds("DO LANGUAGE plpython3u $$ plpy.execute('DROP TABLE x') $$;", 'postgres')).toEqual(['opaque']);
  });

  // queries PL/pgSQL runs that are not plain statements of the body: each is read as the statement it is,
  // whether the PL/pgSQL parser accepts the body or rejects it (then our scan says it cannot read it)
  const inDo = (body: string) => `DO $$ ${body} $$;`;
  const inFunction = (body: string) => `CREATE FUNCTION f() RETURNS SETOF int LANGUAGE plpgsql AS $$ ${body} $$;`;
  it.each([
    ['a FOR loop over a DELETE', inDo('DECLARE r record; BEGIN FOR r IN DELETE FROM users RETURNING id LOOP END LOOP; END'), 'delete-all users'],
    ['a FOR loop over a DELETE in a function', inFunction('DECLARE r record; BEGIN FOR r IN DELETE FROM users RETURNING id LOOP END LOOP; END'), 'delete-all users'],
    ['RETURN QUERY of an UPDATE', inFunction('BEGIN RETURN QUERY UPDATE users SET a = 1 RETURNING id; END'), 'update-all users'],
    ['OPEN … FOR a DELETE', inDo('DECLARE c refcursor; BEGIN OPEN c FOR DELETE FROM carts RETURNING id; END'), 'delete-all carts'],
    ['a data-modifying WITH … SELECT INTO', inDo('DECLARE n int; BEGIN WITH d AS (DELETE FROM orders RETURNING 1) SELECT count(*) INTO n FROM d; END'), 'delete-all orders'],
    ['a data-modifying WITH … INSERT', inFunction('BEGIN WITH u AS (UPDATE accounts SET a = 1 RETURNING 1) INSERT INTO t SELECT * FROM u; END'), 'update-all accounts'],
    ['a FOR loop over a DELETE in a body the parser rejects', inDo('BEGIN undeclared.x := 1; FOR r IN DELETE FROM users RETURNING id LOOP END LOOP; END'), 'unparseable'],
    ['RETURN QUERY of a DELETE in a body the parser rejects (not a set-returning DO)', inDo('BEGIN RETURN QUERY DELETE FROM users RETURNING id; END'), 'unparseable'],
  ])('%s is reported', async (_why, sql, expected) => {
    expect(await kinds(sql, 'postgres')).toEqual([expected]);
  });

  it.each([
    ['a FOR loop over a SELECT', inDo('DECLARE r record; BEGIN FOR r IN SELECT id FROM users LOOP END LOOP; END')],
    ['RETURN QUERY of a SELECT that mentions a drop', inFunction("BEGIN RETURN QUERY SELECT id FROM users WHERE note = 'drop'; END")],
    ['a bounded DELETE in a body the parser rejects (our reading stands)', inDo('BEGIN undeclared.x := 1; DELETE FROM t WHERE id = 1; END')],
    ['a DELETE with a WHERE in a WITH', inDo('DECLARE n int; BEGIN WITH d AS (DELETE FROM orders WHERE id = 1 RETURNING 1) SELECT count(*) INTO n FROM d; END')],
  ])('%s reports nothing', async (_why, sql) => {
    expect(await read(sql, 'postgres')).toEqual([]);
  });

  it('a function with only safe statements reports nothing', async () => {
    const sql = "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); UPDATE stats SET n = n + 1 WHERE id = NEW.id; RETURN NEW; END $$;";
    expect(await read(sql, 'postgres')).toEqual([]);
  });
});

describe('PostgreSQL: syntax errors and client-side input', () => {
  it('only the bad statement is unparseable, with the parser message and position', async () => {
    const sql = 'DROP TABLE a;\nCREATE TABL oops (id int);\nDROP TABLE b;';
    const ops = await pg(sql);
    expect(ops.map((o) => o.kind)).toEqual(['drop-table', 'unparseable', 'drop-table']);
    expect(ops[1]).toMatchObject({ line: 2, column: 8 });
    const full = await read(sql, 'postgres');
    expect(full[1].detail).toMatch(/syntax error at or near "TABL"/);
  });

  it('COPY … FROM stdin data and psql meta-commands do not make the file unparseable; \\i of a file that cannot be read is opaque', async () => {
    const sql = [
      '\\connect app',
      'SET statement_timeout = 0;',
      'COPY public.users (id, name) FROM stdin;',
      '1\tDROP TABLE x;',
      '2\tbob',
      '\\.',
      '',
      'ALTER TABLE ONLY public.users DROP CONSTRAINT users_pkey;',
      '\\i other.sql',
    ].join('\n');
    expect(await pg(sql)).toMatchObject([
      { kind: 'drop-constraint', object: 'public.users.users_pkey', line: 8 },
      { kind: 'opaque', line: 9 },
    ]);
  });

  it('a destructive statement the parser rejects is still read by the recognizer', async () => {
    const ops = await read('DROP TABLE users CASCADE CONSTRAINTS;', 'postgres');
    expect(ops).toMatchObject([{ kind: 'drop-table', target: { name: 'users' } }]);
    expect(ops[0].detail).toMatch(/PostgreSQL parser/);
  });

  it('Flyway ${placeholders} parse, and keep their written form in the object', async () => {
    const sql = 'CREATE TABLE ${schema}.users (id int);\nDROP TABLE IF EXISTS ${flyway:defaultSchema}.legacy;\nDO $${ BEGIN NULL; END $$;';
    const ops = await read(sql, 'postgres');
    expect(ops).toMatchObject([{ kind: 'drop-table', line: 2, target: { schema: '${flyway:defaultSchema}', name: 'legacy', written: '${flyway:defaultSchema}.legacy' } }]);
    expect(ops[0].statement).toBe('DROP TABLE IF EXISTS ${flyway:defaultSchema}.legacy');
  });

  it('MySQL-style statements in a file read as PostgreSQL still name what they destroy', async () => {
    const sql = '# created by hand\nDROP TABLE `Users`;\nALTER TABLE `orders` DROP COLUMN `legacy`, DROP INDEX idx_a;\nCREATE TABLE x (id int) ENGINE=InnoDB;';
    const ops = await pg(sql);
    expect(ops.map((o) => `${o.kind} ${o.object ?? ''}`.trim())).toEqual([
      'drop-table Users', 'drop-column orders.legacy', 'drop-index orders.idx_a', 'unparseable',
    ]);
  });

  it.each([
    ["SELECT 'abc", 'unterminated string literal', 1, 8],
    ['DO $$ BEGIN DROP TABLE t; END', 'unterminated dollar-quoted string $$', 1, 4],
    ['SELECT 1;\n/* never closed', 'unterminated /* comment', 2, 1],
    ['this is not sql at all', 'PostgreSQL parser', 1, 1],
  ])('unterminated or garbage: %s', async (sql, message, line, column) => {
    const ops = await read(sql, 'postgres');
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ kind: 'unparseable', line, column });
    expect(ops[0].detail).toContain(message);
  });
});

describe('PostgreSQL: a WHERE that reads nothing of the row selects every row or none', () => {
  const deleteWhere = async (where: string) => (await kinds(`DELETE FROM users WHERE ${where};`, 'postgres')).join(',');
  it.each([
    'true::boolean', 'CAST(1 AS bool)', "'t'::text::bool", '1 IS DISTINCT FROM 2', '1 = ANY(ARRAY[1, 2])', '2 BETWEEN 1 AND 3', '+1 = 1',
    '(1 = 1) = true', '(SELECT true)', 'EXISTS (VALUES (1))', 'EXISTS (SELECT 1 WHERE true)', 'NOT EXISTS (SELECT 1 WHERE false)', '1 IN (SELECT 1)',
    'EXISTS (SELECT 1 FROM accounts)', 'EXISTS (SELECT 1 FROM users)', 'EXISTS (SELECT 1 FROM u WHERE u.x = 1)', 'NOT EXISTS (SELECT 1 FROM u AS v WHERE v.x > (SELECT max(w.x) FROM w))',
    '(SELECT count(*) FROM u) > 5', 'a = 1 OR EXISTS (SELECT 1 FROM u)', 'EXISTS (SELECT 1 FROM u) AND 1 = 1',
    // the row's own value however it is qualified, in lists, ranges, rows and patterns
    'users.a = a', 'public.users.a >= a', 'users.a > 0 OR a <= 0', 'a IN (a)', 'a IN (1, a)', 'a BETWEEN a AND a', 'a BETWEEN SYMMETRIC a AND a',
    '(a, b) = (a, b)', "a SIMILAR TO '%'", "a SIMILAR TO '%%'",
  ])('every row: %s', async (where) => {
    expect(await deleteWhere(where)).toBe('delete-all users');
  });

  it.each([
    'NULL', 'false', '1 = 2', 'NOT EXISTS (SELECT 1)',
    // the row is read, or may be (an unqualified name, the statement's own name), or a call may differ per row
    'a = 1', 'a = 1 AND EXISTS (SELECT 1 FROM u)', 'EXISTS (SELECT 1 FROM u WHERE u.x = users.id)', 'EXISTS (SELECT 1 FROM u WHERE x = 1)',
    'EXISTS (SELECT 1 FROM u x WHERE x.id = users.id)', 'random() < 0.5', "now() > '2020-01-01'", 'WHERE CURRENT OF c',
    'other.a = a', 'a IN (b)', 'a NOT IN (a)', 'a BETWEEN a AND b', 'a NOT BETWEEN a AND a', "a SIMILAR TO '%x'", "a NOT SIMILAR TO '%'",
  ].map((w) => [w.replace(/^WHERE /, '')]))('bounded: %s', async (where) => {
    expect(await deleteWhere(where)).not.toMatch(/delete-all/);
  });

  it('an alias of the statement\'s table is its own name too', async () => {
    expect(await kinds('DELETE FROM users AS u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id);', 'postgres')).toEqual([]);
    expect(await kinds('DELETE FROM users AS u WHERE u.a = a;', 'postgres')).toEqual(['delete-all users']);
  });
});

describe('PostgreSQL: renames of indexes and constraints (off by default, followed and protected)', () => {
  it.each([
    ['ALTER INDEX idx_a RENAME TO idx_b;', ['rename-index idx_a']],
    ['ALTER INDEX IF EXISTS s.idx_a RENAME TO idx_b;', ['rename-index idx_a']],
    ['ALTER TABLE t RENAME CONSTRAINT a TO b;', ['rename-constraint a']],
  ])('%s', async (sql, expected) => {
    expect((await read(sql, 'postgres')).map((o) => `${o.kind} ${o.target?.name ?? ''}`)).toEqual(expected);
  });
});

describe('PostgreSQL: statements that run queries or code beside them', () => {
  it.each([
    ['COPY of a DELETE', 'COPY (DELETE FROM users RETURNING id) TO STDOUT;', ['delete-all users']],
    ['COPY of a data-modifying WITH', 'COPY (WITH d AS (UPDATE users SET a = 1 RETURNING 1) SELECT * FROM d) TO STDOUT;', ['update-all users']],
    ['COPY of a SELECT', 'COPY (SELECT * FROM users) TO STDOUT;', []],
    ['EXPLAIN ANALYZE runs the statement', 'EXPLAIN (ANALYZE) DELETE FROM users;', ['delete-all users']],
    ['EXPLAIN (ANALYZE on)', 'EXPLAIN (ANALYZE on, COSTS off) DELETE FROM users;', ['delete-all users']],
    ['EXPLAIN (ANALYZE off) does not', 'EXPLAIN (ANALYZE off) DELETE FROM users;', []],
    ['EXPLAIN (ANALYZE false) does not', 'EXPLAIN (ANALYZE false) DELETE FROM users;', []],
    ['EXPLAIN (ANALYZE 0) does not', 'EXPLAIN (ANALYZE 0) DELETE FROM users;', []],
    ['MERGE … THEN UPDATE', 'MERGE INTO users USING (SELECT 1) s ON true WHEN MATCHED THEN UPDATE SET email = NULL;', ['opaque users']],
    ['MERGE … THEN INSERT only', 'MERGE INTO users USING s ON users.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id);', []],
    ['a data-modifying WITH before MERGE', 'WITH d AS (DELETE FROM users RETURNING id) MERGE INTO t USING d ON t.id = d.id WHEN MATCHED THEN DO NOTHING;', ['delete-all users']],
    ['DROP OPERATOR CLASS … CASCADE (its indexes go)', 'DROP OPERATOR CLASS oc USING btree CASCADE;', ['drop-dependents oc']],
    ['DROP OPERATOR FAMILY … CASCADE', 'DROP OPERATOR FAMILY public.fam USING gist CASCADE;', ['drop-dependents fam']],
    ['DROP OPERATOR CLASS without CASCADE (fails while used)', 'DROP OPERATOR CLASS oc USING btree;', []],
    ['ALTER TYPE … DROP ATTRIBUTE … CASCADE (the column of every typed table)', 'ALTER TYPE addr DROP ATTRIBUTE zip CASCADE;', ['drop-dependents addr']],
    ['ALTER TYPE … DROP ATTRIBUTE without CASCADE', 'ALTER TYPE addr DROP ATTRIBUTE zip;', []],
    ['ALTER VIEW … SET SCHEMA moves the view (as a rename)', 'ALTER VIEW users SET SCHEMA archive;', ['rename-table users']],
    ['ALTER MATERIALIZED VIEW … SET SCHEMA', 'ALTER MATERIALIZED VIEW totals SET SCHEMA archive;', ['rename-table totals']],
    ['CALL of a procedure in a language we do not read', "CREATE PROCEDURE p() LANGUAGE plpython3u AS $$ plpy.execute('DROP TABLE users') $$;\nCALL p();", ['opaque p']],
    ['CALL of another schema\'s procedure of the same name', 'CREATE PROCEDURE other.p() LANGUAGE sql AS $$ SELECT 1 $$;\nCALL p();', ['opaque p']],
    ['CALL of a procedure this file creates in SQL', 'CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$;\nCALL p();', []],
    ['CALL of a BEGIN ATOMIC procedure (its body read where it is created)', 'CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END;\nCALL p();', ['delete-all t']],
  ])('%s', async (_why, sql, expected) => {
    const ops = await read(sql, 'postgres');
    expect(ops.map((o) => `${o.kind} ${o.target?.name ?? ''}`.trim())).toEqual(expected);
  });
});
