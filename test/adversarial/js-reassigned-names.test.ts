/**
 * A name given more than one value: every value it is given is read (a drop of each table it may name), and a
 * name changed in a way the reader does not follow (`+=`, `names[0] = …`, `names.push(…)`) is unknown, so what
 * it names is `opaque`. A reassigned `let` is never read as its first value.
 */
import { describe, expect, it } from 'vitest';
import { checkText, described } from './helpers.js';

interface Row {
  body: string;
  expected: string[];
}

const ROWS: Row[] = [
  { body: "let sql = 'SELECT 1';\nif (process.env.X) { sql = 'DROP TABLE users'; }\nawait knex.raw(sql);", expected: ['up drop-table users'] },
  { body: "let sql = 'SELECT 1';\nsql += '; DROP TABLE users';\nawait knex.raw(sql);", expected: ['up opaque'] },
  { body: "let sql = 'SELECT 1';\nsql = sql + '; DROP TABLE users';\nawait knex.raw(sql);", expected: ['up opaque'] },
  { body: "let t = 'tmp';\nawait knex.schema.createTable(t, (x) => { x.increments(); });\nt = 'users';\nawait knex.schema.dropTable(t);", expected: ['up drop-table tmp', 'up drop-table users'] },
  { body: "let t = 'a';\nt = 'b';\nt = 'c';\nawait knex.schema.dropTable(t);", expected: ['up drop-table a', 'up drop-table b', 'up drop-table c'] },
  // a handle given to a name after its declaration
  { body: "let s = null;\ns = knex.schema;\nawait s.dropTable('users');", expected: ['up drop-table users'] },
  { body: "let t = 'a';\nt = pick();\nawait knex.schema.dropTable(t);", expected: ['up drop-table a', 'up opaque'] },
  { body: "const names = ['tmp'];\nnames[0] = 'users';\nfor (const n of names) await knex.schema.dropTable(n);", expected: ['up opaque'] },
  { body: "const names = ['tmp'];\nnames.push('users');\nfor (const n of names) await knex.schema.dropTable(n);", expected: ['up opaque'] },
  { body: "const names = ['tmp'];\nnames.push('users');\nawait knex.schema.dropTable(names[1]);", expected: ['up opaque'] },
  { body: "let t = 'tmp';\nt++;\nawait knex.schema.dropTable(t);", expected: ['up opaque'] },
  { body: "let a = 'tmp', b = 'x';\n[a, b] = ['users', a];\nawait knex.schema.dropTable(a);", expected: ['up opaque'] },
  { body: "let t = 'tmp';\nfor (t of ['users']) {}\nawait knex.schema.dropTable(t);", expected: ['up opaque'] },
  { body: "const opts = { cascade: false };\nObject.assign(opts, { x: 1 });\nlet sql = 'DROP TABLE users';\nawait knex.raw(sql);", expected: ['up drop-table users'] },
  // a value given once, or names that only look alike
  { body: "let sql = 'DROP TABLE users';\nawait knex.raw(sql);", expected: ['up drop-table users'] },
  { body: "let sql = 'SELECT 1';\nif (sql === 'x') {}\nawait knex.raw(sql);", expected: [] },
  { body: "let t = 'tmp';\nconst o = { t: 'users' };\nawait knex.schema.dropTable(t);", expected: ['up drop-table tmp'] },
  { body: "let t = 'tmp';\nthis.t = 'users';\nawait knex.schema.dropTable(t);", expected: ['up drop-table tmp'] },
];

const knex = (body: string) => `exports.up = async function (knex) {\n  ${body.replace(/\n/g, '\n  ')}\n};\nexports.down = async function () {};\n`;

describe('names given more than one value', () => {
  it.each(ROWS)('$body → $expected', async ({ body, expected }) => {
    const { ops } = await checkText('migrations/20240101000000_x.js', knex(body));
    expect(described(ops)).toEqual(expected);
  });
});
