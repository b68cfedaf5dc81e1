/**
 * A destructive method reached other than by `handle.method(…)`: bracket access with literal text, calls
 * through `Function.prototype` (`call`, `apply`, `bind`, `Reflect.apply`), a parenthesized or comma-sequenced
 * callee. Each is read as the call it makes; arguments the file does not spell out leave it opaque.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationFormat } from '../../src/readers/types.js';
import { checkText, described } from './helpers.js';

interface Row {
  body: string;
  expected: string[];
}

const KNEX: Row[] = [
  { body: "await knex['raw']('DROP TABLE users');", expected: ['up drop-table users'] },
  { body: "await knex['schema']['dropTable']('users');", expected: ['up drop-table users'] },
  { body: "await knex['schema'].dropTable('users');", expected: ['up drop-table users'] },
  { body: "await knex[`schema`][`drop${''}Table`]('users');", expected: ['up opaque'] },
  { body: "await knex.schema['drop' + 'Table']('users');", expected: ['up drop-table users'] },
  { body: "await knex.schema[`dropTable`]('users');", expected: ['up drop-table users'] },
  { body: "await knex.schema.table('users', (t) => { t['dropColumn']('email'); });", expected: ['up drop-column users.email'] },
  { body: "await knex.raw.call(knex, 'DROP TABLE users');", expected: ['up drop-table users'] },
  { body: "await knex.raw.apply(knex, ['DROP TABLE users']);", expected: ['up drop-table users'] },
  { body: 'await knex.raw.apply(knex, statements);', expected: ['up opaque'] },
  { body: "await knex.raw.bind(knex)('DROP TABLE users');", expected: ['up drop-table users'] },
  { body: "await knex.raw.bind(knex, 'DROP TABLE users')();", expected: ['up drop-table users'] },
  { body: "const run = knex.raw.bind(knex);\nawait run('DROP TABLE users');", expected: ['up drop-table users'] },
  { body: "await knex.schema.dropTable.call(knex.schema, 'users');", expected: ['up drop-table users'] },
  { body: "await Reflect.apply(knex.raw, knex, ['DROP TABLE users']);", expected: ['up drop-table users'] },
  { body: "await Reflect.apply(knex.schema.dropTable, knex.schema, ['users']);", expected: ['up drop-table users'] },
  { body: "await (0, knex.raw)('DROP TABLE users');", expected: ['up drop-table users'] },
  { body: "await (knex.schema).dropTable('users');", expected: ['up drop-table users'] },
  { body: "await (knex as any).schema.dropTable('users');", expected: ['up drop-table users'] },
  { body: "await knex.schema.withSchema('s')[method]('users');", expected: ['up opaque'] },
  { body: "await knex.schema.table('users', (t) => { t[op]('email'); });", expected: ['up opaque'] },
  { body: "await knex.schema.alterTable('users', function (table) { table['drop' + kind]('email'); });", expected: ['up opaque'] },
  // harmless
  { body: "await knex['raw']('SELECT 1');", expected: [] },
  { body: "await knex.raw.call(knex, 'CREATE INDEX users_email ON users (email)');", expected: [] },
  { body: "const names = ['a'];\nconsole.log(names[0].toUpperCase());", expected: [] },
  { body: "const rows = (await knex.raw('SELECT 1')).rows;", expected: [] },
];

const SEQUELIZE: Row[] = [
  { body: "await queryInterface['removeColumn']('users', 'email');", expected: ['up drop-column users.email'] },
  { body: "await queryInterface['sequelize']['query']('DROP TABLE users');", expected: ['up drop-table users'] },
  { body: "await queryInterface.dropTable.call(queryInterface, 'users');", expected: ['up drop-table users'] },
  { body: "await queryInterface.bulkDelete.apply(queryInterface, ['users', null]);", expected: ['up delete-all users'] },
];

const TYPEORM: Row[] = [
  { body: "await queryRunner['query']('DROP TABLE users');", expected: ['up drop-table users'] },
  { body: "await queryRunner.query.call(queryRunner, 'DROP TABLE users');", expected: ['up drop-table users'] },
  { body: "await (queryRunner as any)['dropTable']('users');", expected: ['up drop-table users'] },
];

const knex = (body: string) => `exports.up = async function (knex) {\n  ${body.replace(/\n/g, '\n  ')}\n};\nexports.down = async function () {};\n`;
const sequelize = (body: string) => `module.exports = {\n  async up(queryInterface, Sequelize) {\n    ${body.replace(/\n/g, '\n    ')}\n  },\n  async down() {},\n};\n`;
const typeorm = (body: string) =>
  `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class X1700000000000 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n    ${body}\n  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n`;

const TABLE: Array<[string, string, MigrationFormat, (b: string) => string, Row[]]> = [
  ['Knex', 'migrations/20240101000000_x.ts', 'knex', knex, KNEX],
  ['Sequelize', 'migrations/20240101000000-x.js', 'sequelize', sequelize, SEQUELIZE],
  ['TypeORM', 'src/migration/1700000000000-X.ts', 'typeorm', typeorm, TYPEORM],
];

describe.each(TABLE)('%s: calls through brackets, call/apply/bind and parentheses', (_name, path, format, wrap, rows) => {
  it.each(rows)('$body → $expected', async ({ body, expected }) => {
    const { ops } = await checkText(path, wrap(body), { format });
    expect(described(ops)).toEqual(expected);
  });
});
