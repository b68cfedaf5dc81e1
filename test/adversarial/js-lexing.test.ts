/**
 * Lexing JavaScript as node does: where a comment, string or regular expression ends decides what is code.
 * A drop node would run must be found; text node reads as a comment or a string must not be; where node's
 * reading depends on something the file does not say, the file is `unparseable` (it blocks), never skipped.
 */
import { describe, expect, it } from 'vitest';
import { checkText, described } from './helpers.js';

interface Row {
  /** The body of a Knex `up` function (or the whole file with `file`). */
  code: string;
  expected: string[];
  why: string;
  file?: boolean;
}

const DROP = ['up drop-table users'];
const UNPARSEABLE = ['up unparseable'];
const drop = "await knex.schema.dropTable('users');";

const ROWS: Row[] = [
  // line terminators: LF, CR, LS, PS each end a // comment
  { code: `// cleanup\r  ${drop}`, expected: DROP, why: 'a lone CR ends a // comment' },
  { code: `// cleanup\u2028  ${drop}`, expected: DROP, why: 'U+2028 ends a // comment' },
  { code: `// cleanup\u2029  ${drop}`, expected: DROP, why: 'U+2029 ends a // comment' },
  { code: `// cleanup\r\n  ${drop}`, expected: DROP, why: 'CRLF ends a // comment' },
  { code: `// cleanup ${drop}`, expected: [], why: 'a drop inside a // comment' },
  { code: `// cleanup\f ${drop}`, expected: [], why: 'a form feed does not end a // comment' },
  { code: `// cleanup\u0085 ${drop}`, expected: [], why: 'NEL does not end a // comment' },
  { code: `/* a\r ${drop} */`, expected: [], why: 'a drop inside a block comment over a CR' },
  // white space node skips between tokens
  { code: `await knex\u00a0.schema.dropTable('users');`, expected: DROP, why: 'a no-break space between tokens' },
  { code: `await knex\u2028.schema\u3000.dropTable('users');`, expected: DROP, why: 'a line separator and an ideographic space between tokens' },
  // strings: a CR ends nothing inside a string but makes it unterminated; escapes are decoded
  { code: "const sql = 'x\r'; await knex.raw(sql);", expected: UNPARSEABLE, why: 'a CR inside a quoted string is a syntax error' },
  { code: "await knex.schema.dropTable('\\x75sers');", expected: DROP, why: 'a \\x escape in a table name' },
  { code: "await knex.schema.dropTable('\\u0075sers');", expected: DROP, why: 'a \\u escape in a table name' },
  { code: "await knex.schema.dropTable('\\u{75}sers');", expected: DROP, why: 'a \\u{} escape in a table name' },
  { code: "await knex.schema.dropTable('\\165sers');", expected: DROP, why: 'a legacy octal escape in a script' },
  { code: "await knex.raw('DROP TABLE us\\\r\ners');", expected: DROP, why: 'a backslash-CRLF line continuation' },
  { code: "await knex.raw('DROP TABLE us\\\u2028ers');", expected: DROP, why: 'a backslash-LS line continuation' },
  // identifiers: Unicode escapes name the same property
  { code: "await knex.schema.\\u0064ropTable('users');", expected: DROP, why: 'a \\u escape in a method name' },
  { code: "await knex.schema.\\u{64}ropTable('users');", expected: DROP, why: 'a \\u{} escape in a method name' },
  { code: "await \\u006bnex.schema.dropTable('users');", expected: DROP, why: 'a \\u escape in the handle' },
  { code: "await knex.schema.drop\\u0054able('users');", expected: DROP, why: 'an escape in the middle of a name' },
  { code: "await knex.schema.dr\\x6fpTable('users');", expected: UNPARSEABLE, why: 'a \\x escape is not allowed in a name' },
  // regular expressions: after a statement's `)` or a block's `}` a `/` starts one
  { code: `if (true) {} /'/; ${drop} //'`, expected: DROP, why: 'a regex after an if block' },
  { code: `if (true) /'/.test('x'); ${drop} //'`, expected: DROP, why: "a regex after if's parenthesis" },
  { code: `while (false) /'/; ${drop} //'`, expected: DROP, why: "a regex after while's parenthesis" },
  { code: `try {} finally {} /'/; ${drop} //'`, expected: DROP, why: 'a regex after a finally block' },
  { code: `{} /'/; ${drop} //'`, expected: DROP, why: 'a regex after a bare block' },
  { code: `const o = {} / 2 / 1; ${drop}`, expected: DROP, why: 'a division after an object literal' },
  { code: `const n = (1) / 2; const m = n / 1; ${drop}`, expected: DROP, why: 'a division after a parenthesis' },
  { code: `function f() {} /'/; ${drop} //'`, expected: UNPARSEABLE, why: 'a / after a function body: a declaration or an expression' },
  { code: `class A {} /'/; ${drop} //'`, expected: UNPARSEABLE, why: 'a / after a class body' },
  { code: `function f(): void {} /'/; ${drop} //'`, expected: UNPARSEABLE, why: 'a / after a TypeScript return type and body' },
  { code: `if (true) {} /'/; // ${drop} '`, expected: [], why: 'a drop in a comment after a regex' },
];

// HTML-like comments: comments in a CommonJS script (Annex B), operators in an ES module
const FILES: Row[] = [
  { file: true, code: `<!-- /*\nexports.up = async (knex) => { ${drop} };\n// */\n`, expected: UNPARSEABLE, why: '<!-- hides a block comment opener' },
  { file: true, code: `exports.up = async (knex) => {\n  /*\n  --> */ ${drop}\n};\n`, expected: DROP, why: '--> inside a block comment is the comment' },
  { file: true, code: `exports.up = async (knex) => {\n  let i = 2;\n  while (i-->0) ${drop}\n};\n`, expected: DROP, why: '--> in the middle of a line is i-- > 0' },
  { file: true, code: `exports.up = async (knex) => {\n  --> /*\n  ${drop}\n  // */\n};\n`, expected: UNPARSEABLE, why: '--> first on a line' },
  { file: true, code: `exports.up = async (knex) => {\n  const html = '<!-- x -->';\n  ${drop}\n};\n`, expected: DROP, why: '<!-- inside a string' },
];

const knex = (body: string) => `exports.up = async function (knex) {\n  ${body}\n};\nexports.down = async function () {};\n`;

describe('lexing JavaScript as node does', () => {
  it.each([...ROWS, ...FILES])('$why: $expected', async ({ code, expected, file }) => {
    const { ops } = await checkText('migrations/20240101000000_x.js', file ? code : knex(code));
    expect(described(ops).map((d) => d.replace(/ -$/, ''))).toEqual(expected);
  });
});
