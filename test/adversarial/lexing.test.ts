/**
 * Lexing exactly as the engine does: comment and string boundaries decide what is code. Each row is
 * what the engine itself runs (PostgreSQL scan.l, MySQL sql_lex.cc, SQLite tokenize.c); a drop the
 * engine would run must be found, and text the engine reads as a comment or a string must not be.
 */
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import { readSql } from '../../src/sql/index.js';
import { checkText, described } from './helpers.js';

interface Row {
  sql: string;
  /** `kind object` of what the engine runs; [] = nothing destructive. */
  expected: string[];
  why: string;
}

const DROP = ['drop-table users'];

const POSTGRES: Row[] = [
  { sql: '-- c\rDROP TABLE users;', expected: DROP, why: 'a lone CR ends a -- comment' },
  { sql: '-- c\r\nDROP TABLE users;', expected: DROP, why: 'CRLF ends a -- comment' },
  { sql: '-- c\nDROP TABLE users;', expected: DROP, why: 'LF ends a -- comment' },
  { sql: '--\rDROP TABLE users;', expected: DROP, why: 'an empty comment before a lone CR' },
  { sql: '---\rDROP TABLE users;', expected: DROP, why: 'three dashes, then CR' },
  { sql: 'SELECT 1; -- c\rDROP TABLE users;', expected: DROP, why: 'a trailing comment, then CR' },
  { sql: 'CREATE TABLE a (id int); -- note\rDROP TABLE users;\r', expected: DROP, why: 'a CR-only file' },
  { sql: 'SELECT 1 -- c\r; DROP TABLE users;', expected: DROP, why: 'the terminator after a CR is code' },
  { sql: 'SELECT 1/* c\r */; DROP TABLE users;', expected: DROP, why: 'a CR inside a block comment' },
  { sql: '/* a /* b */ c */ DROP TABLE users;', expected: DROP, why: 'nested block comments close in pairs' },
  { sql: "SELECT '-- not a comment'; DROP TABLE users;", expected: DROP, why: '-- inside a string' },
  { sql: 'SELECT $$ -- $$; DROP TABLE users;', expected: DROP, why: '-- inside a dollar quote' },
  { sql: "SELECT 'a\\'; DROP TABLE users; --';", expected: DROP, why: 'standard strings: a backslash does not escape the quote' },
  { sql: 'SELECT "a-- "; DROP TABLE users;', expected: DROP, why: '-- inside a quoted name' },
  { sql: 'SELECT 1;\r\rDROP TABLE users;', expected: DROP, why: 'blank CR lines' },
  { sql: 'SELECT 1;\n\r\n\rDROP TABLE users;', expected: DROP, why: 'mixed line ends' },
  { sql: "SELECT U&'\\0061'; DROP TABLE users;", expected: DROP, why: 'a Unicode-escaped string' },
  { sql: 'DROP TABLE "users--";', expected: ['drop-table users--'], why: 'a name with dashes' },
  { sql: '-- c DROP TABLE users;', expected: [], why: 'a drop inside a -- comment' },
  { sql: '-- c\fDROP TABLE users;', expected: [], why: 'a form feed does not end a -- comment' },
  { sql: '-- c\u2028DROP TABLE users;', expected: [], why: 'U+2028 does not end a -- comment' },
  { sql: '-- c\u0085DROP TABLE users;', expected: [], why: 'NEL does not end a -- comment' },
  { sql: '/* a /* b */ DROP TABLE users; */ SELECT 1;', expected: [], why: 'a drop inside a nested block comment' },
  { sql: 'SELECT $x$ DROP TABLE users; $x$;', expected: [], why: 'a drop inside a tagged dollar quote' },
  { sql: "SELECT E'a\\'; DROP TABLE users; --';", expected: [], why: 'an E string: the backslash escapes the quote' },
  { sql: "SELECT 'a''; DROP TABLE users; --';", expected: [], why: 'a doubled quote' },
  { sql: "SELECT 'x'\r'; DROP TABLE users; --';", expected: [], why: 'string continuation across a CR' },
];

const MYSQL: Row[] = [
  { sql: '-- c\rDROP TABLE users;', expected: [], why: 'MySQL ends a -- comment at LF only' },
  { sql: '# c\rDROP TABLE users;', expected: [], why: 'MySQL ends a # comment at LF only' },
  { sql: '-- c\r\nDROP TABLE users;', expected: DROP, why: 'CRLF ends the comment' },
  { sql: '# c\nDROP TABLE users;', expected: DROP, why: 'a # comment ends at LF' },
  { sql: "SELECT 'a\\'; DROP TABLE users; -- ';", expected: [], why: 'a backslash escapes the quote' },
  { sql: 'SELECT "a\\"; DROP TABLE users; -- ";', expected: [], why: 'double quotes are strings, with backslash escapes' },
  { sql: '/* a /* b */ DROP TABLE users;', expected: DROP, why: 'block comments do not nest' },
  { sql: '/*!50001 DROP TABLE users */;', expected: DROP, why: 'a versioned comment is executed' },
  { sql: 'SELECT `a--`; DROP TABLE users;', expected: DROP, why: '-- inside a backticked name' },
  { sql: "SELECT '# x'; DROP TABLE users;", expected: DROP, why: '# inside a string' },
];

const SQLITE: Row[] = [
  { sql: '-- c\rDROP TABLE users;', expected: [], why: 'SQLite ends a -- comment at LF only' },
  { sql: '-- c\r\nDROP TABLE users;', expected: DROP, why: 'CRLF ends the comment' },
  { sql: 'SELECT [a--]; DROP TABLE users;', expected: DROP, why: '-- inside a bracketed name' },
  { sql: "SELECT 'a\\'; DROP TABLE users; --';", expected: DROP, why: 'no backslash escapes in SQLite strings' },
  { sql: '/* a /* b */ DROP TABLE users;', expected: DROP, why: 'block comments do not nest' },
  { sql: 'SELECT `a--`; DROP TABLE users;', expected: DROP, why: '-- inside a backticked name' },
];

const TABLE: Array<[Dialect, Row[]]> = [
  ['postgres', POSTGRES],
  ['mysql', MYSQL],
  ['sqlite', SQLITE],
];

describe.each(TABLE)('lexing as the engine does: %s', (dialect, rows) => {
  it.each(rows)('$why: $expected', async ({ sql, expected }) => {
    const ops = await readSql(sql, { path: 'migrations/001.sql', dialect, direction: 'up', startLine: 1, startColumn: 1 });
    expect(described(ops).map((d) => d.replace(/^up /, '')), JSON.stringify(sql)).toEqual(expected);
  });
});

describe('line numbers and markers in files with CR line ends', () => {
  it('a drop after lone CRs is on the line an editor shows', async () => {
    const ops = await readSql('SELECT 1;\rSELECT 2;\rDROP TABLE users;', { path: 'm.sql', dialect: 'postgres', direction: 'up', startLine: 1, startColumn: 1 });
    expect(ops.map((op) => op.line)).toEqual([3]);
  });

  it.each([
    ['\r', 'CR'],
    ['\r\n', 'CRLF'],
    ['\n', 'LF'],
  ])('a marker covers the next statement only, whatever the line ends (%j, %s)', async (eol) => {
    const text = ['-- dbsafe:allow drop-table -- both tables replaced by accounts', 'DROP TABLE a;', 'DROP TABLE b;', ''].join(eol);
    const { findings } = await checkText('migrations/001.sql', text);
    expect(findings).toEqual(['drop-table:error']);
  });
});
