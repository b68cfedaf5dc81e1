/**
 * A WHERE that holds for every row deletes or updates every row, whatever it looks like: constants
 * (`2 > 1`, `NOT false`, `1 IN (1, 2)`) and conditions true by their meaning (`id = id`,
 * `x IS NULL OR x IS NOT NULL`). Each row is read the ways `check` reads SQL: PostgreSQL through the
 * parser-free subset or the parser, inside a DO block (the PL/pgSQL screen), MySQL and SQLite through
 * node-sql-parser. A condition that restricts rows stays a plain DELETE / UPDATE (no finding).
 */
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import { checkText } from './helpers.js';

interface Row {
  where: string;
  everyRow: boolean;
  /** Dialects where this row does not apply (syntax the dialect does not have). */
  not?: Dialect[];
}

const ROWS: Row[] = [
  // every row
  { where: 'id IS NULL OR id IS NOT NULL', everyRow: true },
  { where: 'id IS NOT NULL OR id IS NULL', everyRow: true },
  { where: '(id IS NULL) OR (id IS NOT NULL)', everyRow: true },
  { where: "name = 'x' OR id IS NULL OR id IS NOT NULL", everyRow: true },
  { where: 'active IS TRUE OR active IS NOT TRUE', everyRow: true, not: ['mysql', 'sqlite'] },
  { where: 'id = id', everyRow: true },
  { where: 'users.id = users.id', everyRow: true },
  { where: 'id >= id', everyRow: true },
  { where: "name = 'x' OR id = id", everyRow: true },
  { where: 'id IS NOT DISTINCT FROM id', everyRow: true, not: ['mysql', 'sqlite'] },
  { where: 'NOT false', everyRow: true },
  { where: 'NOT (1 = 2)', everyRow: true },
  { where: '2 > 1', everyRow: true },
  { where: '1 <= 1', everyRow: true },
  { where: '1 IN (1, 2)', everyRow: true },
  { where: '1 NOT IN (2, 3)', everyRow: true },
  { where: "'a' = 'a' AND 3 >= 2", everyRow: true },
  { where: 'id > -1 OR id <= -1', everyRow: true },
  { where: "status = 'a' OR status <> 'a'", everyRow: true },
  { where: 'id < 10 OR (id >= 10)', everyRow: true },
  { where: 'EXISTS (SELECT 1)', everyRow: true, not: ['mysql', 'sqlite'] },
  { where: 'true IS TRUE', everyRow: true, not: ['mysql', 'sqlite'] },
  { where: '1::int = 1', everyRow: true, not: ['mysql', 'sqlite'] },
  // the table read back whole by a subquery (MySQL refuses a subquery on the table a statement changes)
  { where: 'id IN (SELECT id FROM users)', everyRow: true, not: ['mysql'] },
  { where: 'users.id IN (SELECT users.id FROM users)', everyRow: true, not: ['mysql'] },
  { where: "name = 'x' OR id IN (SELECT id FROM users)", everyRow: true, not: ['mysql'] },
  // patterns that match every value: LIKE '%' holds for every row whose value is not NULL, as id = id does
  { where: "name LIKE '%'", everyRow: true },
  { where: "name LIKE '%%'", everyRow: true },
  { where: "lower(name) LIKE '%'", everyRow: true },
  { where: "name ILIKE '%'", everyRow: true, not: ['mysql', 'sqlite'] },
  { where: "name NOT LIKE '%' OR id = id", everyRow: true },
  { where: "'abc' LIKE '%'", everyRow: true },
  { where: "name ~ ''", everyRow: true, not: ['mysql', 'sqlite'] },
  { where: "name ~* '.*'", everyRow: true, not: ['mysql', 'sqlite'] },
  { where: "name REGEXP '.*'", everyRow: true, not: ['postgres', 'sqlite'] },
  { where: "name RLIKE ''", everyRow: true, not: ['postgres', 'sqlite'] },
  { where: "name GLOB '*'", everyRow: true, not: ['postgres', 'mysql'] },
  // rows chosen
  { where: 'id = 5', everyRow: false },
  { where: 'id IS NOT NULL', everyRow: false },
  { where: 'id IS NULL AND id IS NOT NULL', everyRow: false },
  { where: 'id IS NULL OR name IS NOT NULL', everyRow: false },
  { where: 'id <> id', everyRow: false },
  { where: 'id = other_id', everyRow: false },
  { where: 'random() = random()', everyRow: false, not: ['mysql', 'sqlite'] },
  { where: 'id = id AND created_at < now()', everyRow: false },
  { where: '1 > 2 OR id = 3', everyRow: false },
  { where: '1 IN (2, 3)', everyRow: false },
  { where: 'NOT (id = 5)', everyRow: false },
  { where: 'id > 1 OR id < 1', everyRow: false },
  { where: "status = 'a' OR status = 'b'", everyRow: false },
  { where: 'id > 1 OR other <= 1', everyRow: false },
  // a condition that reads nothing of the row selects every row or none (judged as every row)
  { where: 'EXISTS (SELECT 1 FROM accounts)', everyRow: true },
  { where: 'EXISTS (SELECT 1 FROM accounts a WHERE a.owner = 5)', everyRow: true },
  { where: '(SELECT count(*) FROM accounts) > 5', everyRow: true },
  { where: 'EXISTS (SELECT 1 FROM users)', everyRow: true },
  { where: 'CAST(1 AS SIGNED) = 1', everyRow: true, not: ['postgres'] },
  { where: 'users.id = id', everyRow: true },
  { where: 'users.id > 0 OR id <= 0', everyRow: true },
  { where: 'id IN (1, id)', everyRow: true },
  { where: 'id IN (users.id)', everyRow: true },
  // a subquery that reads the row (qualified by the statement's table, or a name that may be the row's)
  { where: 'EXISTS (SELECT 1 FROM accounts WHERE accounts.owner = users.id)', everyRow: false },
  { where: 'EXISTS (SELECT 1 FROM accounts WHERE owner = id)', everyRow: false },
  { where: 'id NOT IN (1, id)', everyRow: false },
  { where: 'other.id = id', everyRow: false },
  { where: 'false IS TRUE OR id = 3', everyRow: false, not: ['mysql', 'sqlite'] },
  { where: 'id IN (SELECT id FROM users WHERE active)', everyRow: false, not: ['mysql'] },
  { where: 'id IN (SELECT user_id FROM users)', everyRow: false, not: ['mysql'] },
  { where: 'id IN (SELECT id FROM accounts)', everyRow: false, not: ['mysql'] },
  { where: 'id IN (SELECT id FROM users LIMIT 5)', everyRow: false, not: ['mysql'] },
  { where: 'id NOT IN (SELECT id FROM users)', everyRow: false, not: ['mysql'] },
  { where: 'id IN (SELECT id FROM users) AND id = 3', everyRow: false, not: ['mysql'] },
  { where: "name LIKE 'a%'", everyRow: false },
  { where: "name LIKE '%a%'", everyRow: false },
  { where: "name LIKE '_%'", everyRow: false },
  { where: "name LIKE ''", everyRow: false },
  { where: "name NOT LIKE '%'", everyRow: false },
  { where: "name LIKE '%' AND id = 3", everyRow: false },
  { where: "name LIKE other_name", everyRow: false },
  { where: "name ~ '^a'", everyRow: false, not: ['mysql', 'sqlite'] },
  { where: "name !~ ''", everyRow: false, not: ['mysql', 'sqlite'] },
  { where: "name REGEXP 'a.*'", everyRow: false, not: ['postgres', 'sqlite'] },
  { where: "name GLOB 'a*'", everyRow: false, not: ['postgres', 'mysql'] },
];

const READS: Array<{ name: string; dialect: Dialect; path: string; wrap: (statement: string) => string }> = [
  { name: 'PostgreSQL', dialect: 'postgres', path: 'db/migrations/002_cleanup.sql', wrap: (s) => `${s};\n` },
  { name: 'PostgreSQL, in a DO block', dialect: 'postgres', path: 'db/migrations/002_cleanup.sql', wrap: (s) => `DO $$\nBEGIN\n  ${s};\nEND\n$$;\n` },
  { name: 'MySQL', dialect: 'mysql', path: 'db/migrations/002_cleanup.sql', wrap: (s) => `${s};\n` },
  { name: 'SQLite', dialect: 'sqlite', path: 'db/migrations/002_cleanup.sql', wrap: (s) => `${s};\n` },
];

describe('a WHERE that holds for every row', () => {
  for (const read of READS) {
    const rows = ROWS.filter((row) => !row.not?.includes(read.dialect));
    it.each(rows)(`${read.name}: DELETE … WHERE $where → every row: $everyRow`, async ({ where, everyRow }) => {
      const { findings } = await checkText(read.path, read.wrap(`DELETE FROM users WHERE ${where}`), { dialect: read.dialect, format: 'sql' });
      expect(findings).toEqual(everyRow ? ['delete-all:error'] : []);
    });
    it.each(rows)(`${read.name}: UPDATE … WHERE $where → every row: $everyRow`, async ({ where, everyRow }) => {
      const { findings } = await checkText(read.path, read.wrap(`UPDATE users SET name = NULL WHERE ${where}`), { dialect: read.dialect, format: 'sql' });
      expect(findings).toEqual(everyRow ? ['update-all:error'] : []);
    });
  }
});

// The ORMs' where calls that take SQL text are judged by the same test.
const rails = (chain: string) => `class Cleanup < ActiveRecord::Migration[7.1]\n  def up\n    ${chain}\n  end\nend\n`;
const typeorm = (chain: string) =>
  `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class Cleanup1700000000000 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.manager.createQueryBuilder()${chain}.execute();\n  }\n\n  public async down(): Promise<void> {}\n}\n`;
const knex = (chain: string) => `exports.up = async (knex) => {\n  await knex('users')${chain};\n};\nexports.down = async () => {};\n`;

const sequelize = (body: string) => `'use strict';\nconst { Op } = require('sequelize');\n\nmodule.exports = {\n  async up(queryInterface, Sequelize) {\n    ${body};\n  },\n  async down() {},\n};\n`;
const typeormManager = (call: string) =>
  `import { MigrationInterface, QueryRunner, Not, IsNull, Like } from 'typeorm';\n\nexport class Cleanup1700000000000 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.manager.${call};\n  }\n\n  public async down(): Promise<void> {}\n}\n`;
const SEQ = 'migrations/20240101000000-cleanup.js';
const TYPEORM = 'src/migration/1700000000000-Cleanup.ts';

const ORM_ROWS: Array<{ name: string; path: string; format: 'rails' | 'typeorm' | 'knex' | 'sequelize'; text: string; findings: string[] }> = [
  { name: 'Sequelize bulkDelete where id [Op.ne] null', path: SEQ, format: 'sequelize', text: sequelize("await queryInterface.bulkDelete('users', { id: { [Op.ne]: null } })"), findings: ['delete-all:error'] },
  { name: "Sequelize bulkDelete where name [Op.like] '%'", path: SEQ, format: 'sequelize', text: sequelize("await queryInterface.bulkDelete('users', { name: { [Sequelize.Op.like]: '%' } })"), findings: ['delete-all:error'] },
  { name: 'Sequelize bulkUpdate where id $ne null (old operators)', path: SEQ, format: 'sequelize', text: sequelize("await queryInterface.bulkUpdate('users', { name: null }, { id: { $ne: null } })"), findings: ['update-all:error'] },
  { name: "Sequelize bulkDelete where name [Op.startsWith] ''", path: SEQ, format: 'sequelize', text: sequelize("await queryInterface.bulkDelete('users', { name: { [Op.startsWith]: '' } })"), findings: ['delete-all:error'] },
  { name: 'Sequelize Model.destroy where id [Op.not] null', path: SEQ, format: 'sequelize', text: sequelize('const User = queryInterface.sequelize.models.User;\n    await User.destroy({ where: { id: { [Op.not]: null } } })'), findings: ['delete-all:error'] },
  { name: "Sequelize bulkDelete where name [Op.like] 'a%'", path: SEQ, format: 'sequelize', text: sequelize("await queryInterface.bulkDelete('users', { name: { [Op.like]: 'a%' } })"), findings: [] },
  { name: 'Sequelize bulkDelete where status [Op.ne] null (a nullable column)', path: SEQ, format: 'sequelize', text: sequelize("await queryInterface.bulkDelete('users', { status: { [Op.ne]: null } })"), findings: [] },
  { name: 'Sequelize bulkDelete where [Op.or] (computed keys only)', path: SEQ, format: 'sequelize', text: sequelize("await queryInterface.bulkDelete('users', { [Op.or]: [{ id: 1 }, { id: 2 }] })"), findings: [] },
  { name: 'Sequelize Model.destroy where [Op.or] (computed keys only)', path: SEQ, format: 'sequelize', text: sequelize('const User = queryInterface.sequelize.models.User;\n    await User.destroy({ where: { [Op.or]: [{ id: 1 }, { id: 2 }] } })'), findings: [] },
  { name: 'TypeORM manager.delete with id: Not(IsNull())', path: TYPEORM, format: 'typeorm', text: typeormManager("delete('users', { id: Not(IsNull()) })"), findings: ['delete-all:error'] },
  { name: "TypeORM manager.update with name: Like('%')", path: TYPEORM, format: 'typeorm', text: typeormManager("update('users', { name: Like('%') }, { name: null })"), findings: ['update-all:error'] },
  { name: "TypeORM manager.delete with name: Like('a%')", path: TYPEORM, format: 'typeorm', text: typeormManager("delete('users', { name: Like('a%') })"), findings: [] },
  { name: 'TypeORM manager.delete with a computed key', path: TYPEORM, format: 'typeorm', text: typeormManager("delete('users', { ['id']: 5 })"), findings: [] },
  { name: 'Rails where("id = id").delete_all', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where("id = id").delete_all'), findings: ['delete-all:error'] },
  { name: "Rails where('1 = 1').update_all", path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails("User.where('1 = 1').update_all(name: nil)"), findings: ['update-all:error'] },
  { name: 'Rails where("id IS NULL OR id IS NOT NULL").delete_all', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where("id IS NULL OR id IS NOT NULL").delete_all'), findings: ['delete-all:error'] },
  { name: 'Rails where("id = 5").delete_all', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where("id = 5").delete_all'), findings: [] },
  { name: 'Rails where with interpolation', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where("id = #{id}").delete_all'), findings: [] },
  { name: "TypeORM .where('1 = 1')", path: 'src/migration/1700000000000-Cleanup.ts', format: 'typeorm', text: typeorm(".delete().from('users').where('1 = 1')"), findings: ['delete-all:error'] },
  { name: "TypeORM .where('id = id')", path: 'src/migration/1700000000000-Cleanup.ts', format: 'typeorm', text: typeorm(".update('users').set({ name: null }).where('id = id')"), findings: ['update-all:error'] },
  { name: "TypeORM .where('id = 5').orWhere('1 = 1')", path: 'src/migration/1700000000000-Cleanup.ts', format: 'typeorm', text: typeorm(".delete().from('users').where('id = 5').orWhere('1 = 1')"), findings: ['delete-all:error'] },
  { name: "TypeORM .where('id = :id', { id })", path: 'src/migration/1700000000000-Cleanup.ts', format: 'typeorm', text: typeorm(".delete().from('users').where('id = :id', { id: 5 })"), findings: [] },
  { name: "TypeORM .where('1 = 1').andWhere('id = 5')", path: 'src/migration/1700000000000-Cleanup.ts', format: 'typeorm', text: typeorm(".delete().from('users').where('1 = 1').andWhere('id = 5')"), findings: [] },
  { name: "knex whereRaw('id = id').del()", path: 'migrations/20240101000000_cleanup.js', format: 'knex', text: knex(".whereRaw('id = id').del()"), findings: ['delete-all:error'] },
  { name: "knex whereRaw('id = 5').del()", path: 'migrations/20240101000000_cleanup.js', format: 'knex', text: knex(".whereRaw('id = 5').del()"), findings: [] },
  { name: 'Rails where("name LIKE \'%\'").delete_all', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where("name LIKE \'%\'").delete_all'), findings: ['delete-all:error'] },
  { name: 'Rails where.not(id: nil).delete_all', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where.not(id: nil).delete_all'), findings: ['delete-all:error'] },
  { name: 'Rails where.not(:id => nil).update_all', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where.not(:id => nil).update_all(name: nil)'), findings: ['update-all:error'] },
  { name: 'Rails where.not(name: nil).delete_all (a nullable column)', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where.not(name: nil).delete_all'), findings: [] },
  { name: 'Rails where.not(id: 5).delete_all', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where.not(id: 5).delete_all'), findings: [] },
  { name: 'Rails where("name LIKE ?", "%").delete_all', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where("name LIKE ?", "%").delete_all'), findings: ['delete-all:error'] },
  { name: 'Rails where("name LIKE ?", "a%").delete_all', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where("name LIKE ?", "a%").delete_all'), findings: [] },
  { name: 'Rails where("id = ?", 5).delete_all', path: 'db/migrate/20240101000000_cleanup.rb', format: 'rails', text: rails('User.where("id = ?", 5).delete_all'), findings: [] },
  { name: "knex whereRaw(\"name LIKE '%'\").del()", path: 'migrations/20240101000000_cleanup.js', format: 'knex', text: knex(".whereRaw(\"name LIKE '%'\").del()"), findings: ['delete-all:error'] },
  { name: "knex where('name', 'like', '%').del()", path: 'migrations/20240101000000_cleanup.js', format: 'knex', text: knex(".where('name', 'like', '%').del()"), findings: ['delete-all:error'] },
  { name: "knex whereLike('name', '%%').update()", path: 'migrations/20240101000000_cleanup.js', format: 'knex', text: knex(".whereLike('name', '%%').update({ name: null })"), findings: ['update-all:error'] },
  { name: "knex where('name', 'like', 'a%').del()", path: 'migrations/20240101000000_cleanup.js', format: 'knex', text: knex(".where('name', 'like', 'a%').del()"), findings: [] },
  { name: "knex where('name', 'like', '%').where('id', 5).del()", path: 'migrations/20240101000000_cleanup.js', format: 'knex', text: knex(".where('name', 'like', '%').where('id', 5).del()"), findings: [] },
  { name: "knex whereNotNull('id').del()", path: 'migrations/20240101000000_cleanup.js', format: 'knex', text: knex(".whereNotNull('id').del()"), findings: ['delete-all:error'] },
  { name: "knex whereNotNull('deleted_at').del() (a nullable column)", path: 'migrations/20240101000000_cleanup.js', format: 'knex', text: knex(".whereNotNull('deleted_at').del()"), findings: [] },
  { name: "knex whereILike('name', 'a%').del()", path: 'migrations/20240101000000_cleanup.js', format: 'knex', text: knex(".whereILike('name', 'a%').del()"), findings: [] },
];

describe('ORM where calls with SQL text that holds for every row', () => {
  it.each(ORM_ROWS)('$name → $findings', async ({ path, format, text, findings }) => {
    expect((await checkText(path, text, { format })).findings).toEqual(findings);
  });
});
