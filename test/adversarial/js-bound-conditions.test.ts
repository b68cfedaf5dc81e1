/**
 * A condition filled in by a literal binding is read with that value: `WHERE ?` bound to `true` deletes every
 * row (knex.raw, TypeORM `query(sql, params)`, Sequelize `replacements` and `bind`). A computed binding stays a
 * value the reader does not know.
 */
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import type { MigrationFormat } from '../../src/readers/types.js';
import { checkText, described } from './helpers.js';

interface Row {
  format: MigrationFormat;
  body: string;
  expected: string[];
  dialect?: Dialect;
}

const ROWS: Row[] = [
  { format: 'knex', body: "await knex.raw('DELETE FROM users WHERE ?', [true]);", expected: ['up delete-all users'] },
  { format: 'knex', body: "await knex.raw('DELETE FROM users WHERE ?', [true]);", expected: ['up delete-all users'], dialect: 'mysql' },
  { format: 'knex', body: "await knex.raw('DELETE FROM users WHERE ? = ?', [1, 1]);", expected: ['up delete-all users'] },
  { format: 'knex', body: "await knex.raw('UPDATE users SET plan = ? WHERE name LIKE ?', ['free', '%']);", expected: ['up update-all users'] },
  { format: 'knex', body: "await knex.raw('DELETE FROM users WHERE :all', { all: true });", expected: ['up delete-all users'] },
  { format: 'knex', body: "await knex.raw('DELETE FROM users WHERE id = ?', [1]);", expected: [] },
  { format: 'knex', body: "await knex.raw('DELETE FROM users WHERE ?', [false]);", expected: [] },
  { format: 'knex', body: "await knex.raw('DELETE FROM users WHERE id = ?', [id]);", expected: [] },
  { format: 'typeorm', body: "await queryRunner.query('DELETE FROM users WHERE $1', [true]);", expected: ['up delete-all users'] },
  { format: 'typeorm', body: "await queryRunner.query('DELETE FROM users WHERE id = $1', [7]);", expected: [] },
  { format: 'sequelize', body: "await queryInterface.sequelize.query('DELETE FROM users WHERE ?', { replacements: [true] });", expected: ['up delete-all users'] },
  { format: 'sequelize', body: "await queryInterface.sequelize.query('DELETE FROM users WHERE :all', { replacements: { all: true } });", expected: ['up delete-all users'] },
  { format: 'sequelize', body: "await queryInterface.sequelize.query('DELETE FROM users WHERE $1', { bind: [true] });", expected: ['up delete-all users'] },
  { format: 'sequelize', body: "await queryInterface.sequelize.query('DELETE FROM users WHERE id = ?', { replacements: [3] });", expected: [] },
];

const wrap: Record<string, (body: string) => string> = {
  knex: (body) => `exports.up = async function (knex) {\n  ${body}\n};\nexports.down = async function () {};\n`,
  sequelize: (body) => `module.exports = {\n  async up(queryInterface) {\n    ${body}\n  },\n  async down() {},\n};\n`,
  typeorm: (body) => `export class X1700000000000 {\n  public async up(queryRunner) {\n    ${body}\n  }\n\n  public async down(queryRunner) {}\n}\n`,
};
const path: Record<string, string> = { knex: 'migrations/20240101000000_x.js', sequelize: 'migrations/20240101000000-x.js', typeorm: 'src/migration/1700000000000-X.ts' };

describe('conditions filled in by literal bindings', () => {
  it.each(ROWS)('$format ($dialect): $body → $expected', async ({ format, body, expected, dialect }) => {
    const { ops } = await checkText(path[format]!, wrap[format]!(body), { format, dialect: dialect ?? 'postgres' });
    expect(described(ops)).toEqual(expected);
  });
});
