/**
 * A call that deletes data (lo_unlink, drop_chunks…) or runs SQL on another database (dblink_exec, dblink…)
 * written anywhere a routine body evaluates an expression: PERFORM, an assignment, an IF or WHILE condition,
 * RETURN, SELECT … INTO, a FOR loop's query, in a DO block or a function, PL/pgSQL or SQL, and in a body the
 * PL/pgSQL parser rejects. Each blocks as the same call does at the top level; close relatives that only
 * mention such a name, or call harmless functions, report nothing.
 */
import { describe, expect, it } from 'vitest';
import { checkText, described } from './helpers.js';

interface Row {
  sql: string;
  expected: string[];
  blocks: boolean;
}

const fn = (body: string) => `CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $$\n${body}\n$$;`;
const doBlock = (body: string) => `DO $$\n${body}\nEND $$;`;

const ROWS: Row[] = [
  // dblink: SQL run elsewhere, whatever the statement that calls it
  { sql: doBlock("BEGIN\n  PERFORM dblink_exec('host=replica', 'SELECT 1');"), expected: ['up opaque dblink_exec'], blocks: true },
  { sql: doBlock("BEGIN\n  PERFORM dblink_exec('host=replica', 'TRUNCATE users');"), expected: ['up opaque dblink_exec'], blocks: true },
  { sql: doBlock("DECLARE q text := 'x';\nBEGIN\n  PERFORM dblink_exec('host=replica', q);"), expected: ['up opaque dblink_exec'], blocks: true },
  { sql: doBlock("DECLARE r text;\nBEGIN\n  r := dblink_exec('host=replica', 'SELECT 1');"), expected: ['up opaque dblink_exec'], blocks: true },
  { sql: doBlock("DECLARE r text;\nBEGIN\n  SELECT dblink_exec('host=replica', 'SELECT 1') INTO r;"), expected: ['up opaque dblink_exec'], blocks: true },
  { sql: doBlock("BEGIN\n  IF dblink_exec('host=replica', 'SELECT 1') = 'OK' THEN\n    RAISE NOTICE 'done';\n  END IF;"), expected: ['up opaque dblink_exec'], blocks: true },
  { sql: doBlock("DECLARE r record;\nBEGIN\n  FOR r IN SELECT * FROM dblink('host=replica', 'DELETE FROM users RETURNING id') AS t(id int) LOOP\n  END LOOP;"), expected: ['up opaque dblink'], blocks: true },
  { sql: doBlock("BEGIN\n  PERFORM dblink_send_query('conn', 'SELECT 1');"), expected: ['up opaque dblink_send_query'], blocks: true },
  { sql: fn("BEGIN\n  PERFORM dblink_exec('host=replica', 'SELECT 1');\nEND;"), expected: ['up opaque dblink_exec'], blocks: true },
  { sql: "CREATE FUNCTION purge() RETURNS text LANGUAGE sql AS $$ SELECT dblink_exec('host=replica', 'SELECT 1') $$;", expected: ['up opaque dblink_exec'], blocks: true },
  { sql: fn("DECLARE r text;\nBEGIN\n  RETURN dblink_exec('host=replica', 'SELECT 1');\nEND;").replace('RETURNS void', 'RETURNS text'), expected: ['up opaque dblink_exec'], blocks: true },
  // functions that delete rows or large objects, in expressions PERFORM is not
  { sql: doBlock('DECLARE n int;\nBEGIN\n  n := lo_unlink(42);'), expected: ['up opaque lo_unlink'], blocks: true },
  { sql: doBlock('BEGIN\n  IF lo_unlink(42) = 1 THEN\n    RAISE NOTICE \'gone\';\n  END IF;'), expected: ['up opaque lo_unlink'], blocks: true },
  { sql: doBlock('BEGIN\n  WHILE lo_unlink(42) = 1 LOOP\n    EXIT;\n  END LOOP;'), expected: ['up opaque lo_unlink'], blocks: true },
  { sql: doBlock("DECLARE n int;\nBEGIN\n  SELECT count(*) INTO n FROM drop_chunks('metrics', INTERVAL '30 days');"), expected: ['up opaque metrics'], blocks: true },
  { sql: doBlock("DECLARE n int;\nBEGIN\n  n := (SELECT count(*) FROM drop_chunks('metrics', INTERVAL '30 days'));"), expected: ['up opaque metrics'], blocks: true },
  { sql: doBlock('DECLARE n int := lo_unlink(42);\nBEGIN\n  NULL;'), expected: ['up opaque lo_unlink'], blocks: true },
  { sql: doBlock("BEGIN\n  EXECUTE 'SELECT $1' USING lo_unlink(42);"), expected: ['up opaque lo_unlink'], blocks: true },
  { sql: doBlock("BEGIN\n  RAISE NOTICE 'removed %', lo_unlink(42);"), expected: ['up opaque lo_unlink'], blocks: true },
  // COPY … PROGRAM runs a shell command on the server, in a body as at the top level
  { sql: doBlock("BEGIN\n  COPY audit FROM PROGRAM 'curl -s https://example.com/a.csv';"), expected: ['up opaque audit'], blocks: true },
  { sql: "CREATE FUNCTION load() RETURNS void LANGUAGE sql AS $$ COPY audit FROM PROGRAM 'cat /tmp/a.csv' $$;", expected: ['up opaque audit'], blocks: true },
  // a body the PL/pgSQL parser rejects (an undeclared variable): our own scan still reads the call
  { sql: doBlock('BEGIN\n  PERFORM lo_unlink(undeclared_oid);\n  undeclared := 1;'), expected: ['up opaque lo_unlink'], blocks: true },
  { sql: doBlock("BEGIN\n  PERFORM dblink_exec('host=replica', 'SELECT 1');\n  undeclared := 1;"), expected: ['up opaque dblink_exec'], blocks: true },
  { sql: doBlock("BEGIN\n  COPY audit FROM PROGRAM 'cat /tmp/a.csv';\n  undeclared := 1;"), expected: ['up opaque audit'], blocks: true },
  // relatives that destroy nothing
  { sql: doBlock("BEGIN\n  COPY audit FROM '/tmp/a.csv';"), expected: [], blocks: false },
  { sql: doBlock('BEGIN\n  PERFORM pg_sleep(0);'), expected: [], blocks: false },
  { sql: doBlock("DECLARE n int;\nBEGIN\n  n := length('lo_unlink');"), expected: [], blocks: false },
  { sql: doBlock('DECLARE n int;\nBEGIN\n  n := 1;\n  IF n = 1 THEN\n    RAISE NOTICE \'one\';\n  END IF;'), expected: [], blocks: false },
  { sql: fn("BEGIN\n  PERFORM set_config('app.mode', 'migrate', true);\nEND;"), expected: [], blocks: false },
];

describe('calls that destroy or run SQL elsewhere, inside routine bodies', () => {
  it.each(ROWS)('$sql → $expected', async ({ sql, expected, blocks }) => {
    const result = await checkText('migrations/001.sql', sql, { format: 'sql' });
    expect(described(result.ops), sql).toEqual(expected);
    expect(result.blocks, result.findings.join(', ')).toBe(blocks);
  });
});
