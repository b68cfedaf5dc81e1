/**
 * Destructive calls beyond the schema builder, outside Rails: data deletes and truncates through each ORM's
 * model / repository / query builder, SQLAlchemy objects, Django operations lists built in steps, Liquibase
 * includes, destructive functions imported under another name; what cannot be resolved is opaque (error).
 */
import { describe, expect, it } from 'vitest';
import { checkText, described } from './helpers.js';

interface Row {
  body: string;
  expected: string[];
}

const sequelize = (body: string) => `'use strict';\nmodule.exports = {\n  async up(queryInterface, Sequelize) {\n    ${body.replace(/\n/g, '\n    ')}\n  },\n  async down() {},\n};\n`;
const SEQUELIZE: Row[] = [
  { body: "await queryInterface.bulkDelete('users', null, {});", expected: ['up delete-all users'] },
  { body: "await queryInterface.bulkDelete('users', {});", expected: ['up delete-all users'] },
  { body: "await queryInterface.bulkDelete('users');", expected: ['up delete-all users'] },
  { body: "await queryInterface.bulkDelete({ tableName: 'users', schema: 'billing' }, null);", expected: ['up delete-all billing.users'] },
  { body: 'await User.destroy({ truncate: true });', expected: ['up truncate Users'] },
  { body: 'await User.destroy({ truncate: true, cascade: true });', expected: ['up truncate Users'] },
  { body: 'await User.destroy({ where: {} });', expected: ['up delete-all Users'] },
  { body: 'await models.User.destroy({ where: {} });', expected: ['up delete-all Users'] },
  { body: 'await queryInterface.sequelize.models.Category.destroy({ truncate: true });', expected: ['up truncate Categories'] },
  { body: 'await User.truncate();', expected: ['up truncate Users'] },
  { body: 'await User.truncate({ cascade: true });', expected: ['up truncate Users'] },
  { body: "await User.update({ plan: 'free' }, { where: {} });", expected: ['up update-all Users'] },
  { body: "const { dropTable } = queryInterface;\nawait dropTable('users');", expected: ['up drop-table users'] },
  { body: "const { bulkDelete: wipe } = queryInterface;\nawait wipe('users');", expected: ['up delete-all users'] },
  { body: "const qi = queryInterface;\nawait qi.dropTable('users');", expected: ['up drop-table users'] },
  { body: "const method = 'dropTable';\nawait queryInterface[method]('users');", expected: ['up opaque'] },
  { body: "await queryInterface[`drop${'Table'}`]('users');", expected: ['up opaque'] },
  { body: "eval(\"queryInterface.dropTable('users')\");", expected: ['up opaque'] },
  { body: "await new Function('qi', 'return qi.dropTable(\"users\")')(queryInterface);", expected: ['up opaque'] },
  // schema changes through the models: sync({ force }) drops and re-creates, sync({ alter }) drops what the models lack
  { body: 'await queryInterface.sequelize.sync({ force: true });', expected: ['up drop-table *'] },
  { body: 'await sequelize.drop();', expected: ['up drop-table *'] },
  { body: 'await queryInterface.sequelize.truncate({ cascade: true });', expected: ['up truncate *'] },
  { body: 'await sequelize.truncate();', expected: ['up truncate *'] },
  { body: 'await db.sequelize.truncate({ restartIdentity: true });', expected: ['up truncate *'] },
  { body: 'await User.sync({ force: true });', expected: ['up drop-table Users'] },
  { body: 'await User.drop();', expected: ['up drop-table Users'] },
  { body: 'await db.sequelize.sync({ alter: true });', expected: ['up opaque'] },
  { body: 'await User.sync(options);', expected: ['up opaque'] },
  // restricted or harmless
  { body: "await queryInterface.bulkDelete('users', { id: 1 });", expected: [] },
  { body: "await queryInterface.bulkDelete('users', { email: { [Sequelize.Op.like]: '%@test' } });", expected: [] },
  { body: 'await User.destroy({ where: { active: false } });', expected: [] },
  { body: 'await User.destroy({ where: { id: ids }, truncate: false });', expected: [] },
  { body: "await User.update({ plan: 'free' }, { where: { id: 1 } });", expected: [] },
  { body: "const { addColumn } = queryInterface;\nawait addColumn('users', 'x', Sequelize.STRING);", expected: [] },
  { body: "const key = 'a';\nconst value = options[key];", expected: [] },
  { body: 'await queryInterface.sequelize.sync();', expected: [] },
  { body: 'await User.sync({ force: false });', expected: [] },
];

const typeorm = (body: string) =>
  `import { MigrationInterface, QueryRunner } from 'typeorm';\nimport { User } from '../entities/User';\n\nexport class Cleanup1700000000000 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n    ${body.replace(/\n/g, '\n    ')}\n  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n`;
const TYPEORM: Row[] = [
  { body: "await queryRunner.clearTable('users');", expected: ['up truncate users'] },
  { body: "await queryRunner.manager.clear('users');", expected: ['up truncate users'] },
  { body: 'await queryRunner.manager.clear(User);', expected: ['up truncate user'] },
  { body: "await queryRunner.manager.delete('users', {});", expected: ['up delete-all users'] },
  { body: 'await queryRunner.manager.delete(User, {});', expected: ['up delete-all user'] },
  { body: 'await queryRunner.manager.getRepository(User).clear();', expected: ['up truncate user'] },
  { body: "await queryRunner.connection.getRepository('users').delete({});", expected: ['up delete-all users'] },
  { body: "const repo = queryRunner.manager.getRepository('users');\nawait repo.clear();", expected: ['up truncate users'] },
  { body: 'await queryRunner.manager.createQueryBuilder().delete().from(User).execute();', expected: ['up delete-all user'] },
  { body: "await queryRunner.manager.createQueryBuilder().delete().from('users').execute();", expected: ['up delete-all users'] },
  { body: "await queryRunner.connection.createQueryBuilder().update('users').set({ plan: 'free' }).execute();", expected: ['up update-all users'] },
  { body: "await queryRunner.manager.update('users', {}, { plan: 'free' });", expected: ['up update-all users'] },
  { body: "const { clearTable } = queryRunner;\nawait clearTable('users');", expected: ['up truncate users'] },
  { body: "const name = 'dropTable';\nawait (queryRunner as any)[name]('users');", expected: ['up opaque'] },
  { body: "import('./helpers').then((h) => h.purge(queryRunner));", expected: ['up opaque'] },
  { body: 'await queryRunner.connection.undoLastMigration();', expected: ['up opaque'] },
  { body: 'await queryRunner.connection.synchronize(true);', expected: ['up drop-table *'] },
  { body: 'await dataSource.synchronize();', expected: ['up opaque'] },
  // restricted or harmless
  { body: "await queryRunner.manager.delete('users', { id: 1 });", expected: [] },
  { body: 'await queryRunner.manager.delete(User, [1, 2]);', expected: [] },
  { body: "await queryRunner.manager.createQueryBuilder().delete().from('users').where('id = :id', { id: 1 }).execute();", expected: [] },
  { body: "await queryRunner.manager.createQueryBuilder().update('users').set({ plan: 'free' }).whereInIds([1]).execute();", expected: [] },
  { body: "await queryRunner.manager.update('users', { id: 1 }, { plan: 'free' });", expected: [] },
  { body: "await queryRunner.manager.find('users');", expected: [] },
  { body: 'const cache = new Map();\ncache.clear();', expected: [] },
];

const knex = (body: string) => `exports.up = async function (knex) {\n  ${body.replace(/\n/g, '\n  ')}\n};\nexports.down = async function () {};\n`;
const KNEX: Row[] = [
  { body: "await knex('users').del();", expected: ['up delete-all users'] },
  { body: "await knex('users').delete();", expected: ['up delete-all users'] },
  { body: "await knex('users').truncate();", expected: ['up truncate users'] },
  { body: "await knex.table('users').del();", expected: ['up delete-all users'] },
  { body: "await knex.from('users').del();", expected: ['up delete-all users'] },
  { body: "await knex('users').update({ plan: 'free' });", expected: ['up update-all users'] },
  { body: "await knex.withSchema('billing').table('users').del();", expected: ['up delete-all billing.users'] },
  { body: "await trx('users').del();", expected: ['up delete-all users'] },
  { body: "await knex('users').select('*').del();", expected: ['up delete-all users'] },
  { body: "const { dropTable } = knex.schema;\nawait dropTable('users');", expected: ['up drop-table users'] },
  { body: "const s = knex.schema;\nawait s.dropTable('users');", expected: ['up drop-table users'] },
  { body: "const fn = 'dropTable';\nawait knex.schema[fn]('users');", expected: ['up opaque'] },
  // filters that restrict nothing, and the verb before the table
  { body: "await knex('users').where({}).del();", expected: ['up delete-all users'] },
  { body: "await knex('users').whereRaw('1 = 1').delete();", expected: ['up delete-all users'] },
  { body: "await knex('users').whereRaw('true').update({ plan: 'free' });", expected: ['up update-all users'] },
  { body: "await knex('users').whereRaw(\"'a' = 'a' OR id = 2\").del();", expected: ['up delete-all users'] },
  { body: "await knex.delete().from('users');", expected: ['up delete-all users'] },
  { body: "await knex.del().from('users').where('id', 1);", expected: [] },
  { body: "await knex('users').del().where('id', 1);", expected: [] },
  { body: "await knex('users').whereRaw('id = ?', [1]).del();", expected: [] },
  { body: "const { purgeUsers } = require('./helpers');\nawait purgeUsers(knex);", expected: ['up opaque'] },
  // commands, other migrations and seeds run from inside this one
  { body: "const { execSync } = require('child_process');\nexecSync(\"psql -c 'DROP TABLE users'\");", expected: ['up opaque'] },
  { body: "require('node:child_process').spawnSync('psql', ['-f', 'wipe.sql']);", expected: ['up opaque'] },
  { body: 'await knex.migrate.rollback({}, true);', expected: ['up opaque'] },
  { body: 'await knex.seed.run();', expected: ['up opaque'] },
  // restricted or harmless
  { body: "await knex('users').where('id', 1).del();", expected: [] },
  { body: "await knex('users').whereIn('id', ids).del();", expected: [] },
  { body: "await knex('users').whereNull('email').delete();", expected: [] },
  { body: "await knex('users').where({ active: false }).update({ plan: 'free' });", expected: [] },
  { body: "await knex('users').insert({ id: 1 });", expected: [] },
  { body: "const { formatDate } = require('./helpers');\nconst d = formatDate(new Date());", expected: [] },
];

const alembic = (body: string, imports = 'from alembic import op\nimport sqlalchemy as sa') =>
  `${imports}\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    ${body.replace(/\n/g, '\n    ')}\n\n\ndef downgrade():\n    pass\n`;
const ALEMBIC: Array<Row & { imports?: string }> = [
  { body: 'sa.Table("users", sa.MetaData()).drop(op.get_bind())', expected: ['up drop-table users'] },
  { body: 'users = sa.Table("users", sa.MetaData(), autoload_with=op.get_bind())\nusers.drop(op.get_bind())', expected: ['up drop-table users'] },
  { body: 'users = sa.Table("users", meta, schema="billing")\nusers.drop(bind=op.get_bind(), checkfirst=True)', expected: ['up drop-table billing.users'] },
  { body: 'meta = sa.MetaData()\nmeta.reflect(bind=op.get_bind())\nmeta.drop_all(bind=op.get_bind())', expected: ['up drop-table *'] },
  { body: 'Base.metadata.drop_all(op.get_bind())', expected: ['up drop-table *'] },
  { body: 'session = sa.orm.Session(bind=op.get_bind())\nsession.query(User).delete()', expected: ['up opaque'] },
  { body: 'session.query(sa.table("users")).delete()', expected: ['up delete-all users'] },
  { body: 'session.query(User).update({"plan": "free"})', expected: ['up opaque'] },
  { body: 'op.execute(sa.table("users").delete())', expected: ['up delete-all users'] },
  { body: 'users = sa.table("users")\nop.execute(users.delete())', expected: ['up delete-all users'] },
  { body: 'users = sa.table("users")\nop.get_bind().execute(users.update().values(plan="free"))', expected: ['up update-all users'] },
  { body: 'drop_table("users")', imports: 'from alembic.op import drop_table', expected: ['up drop-table users'] },
  { body: 'dt("users")', imports: 'from alembic.op import drop_table as dt', expected: ['up drop-table users'] },
  // commands, scripts and Alembic itself run from a migration
  { body: 'os.system("psql -c \'DROP TABLE users\'")', imports: 'import os\nfrom alembic import op', expected: ['up opaque'] },
  { body: 'sp.run(["psql", "-f", "wipe.sql"], check=True)', imports: 'import subprocess as sp\nfrom alembic import op', expected: ['up opaque'] },
  { body: 'check_call("psql -f wipe.sql", shell=True)', imports: 'from subprocess import check_call\nfrom alembic import op', expected: ['up opaque'] },
  { body: 'command.downgrade(Config("alembic.ini"), "base")', imports: 'from alembic import op, command\nfrom alembic.config import Config', expected: ['up opaque'] },
  { body: 'import runpy\nrunpy.run_path("scripts/wipe.py")', expected: ['up opaque'] },
  { body: 'path = os.path.join("a", "b")\nop.execute("UPDATE users SET a = 1 WHERE id = 2")', imports: 'import os\nfrom alembic import op', expected: [] },
  { body: 'o.drop_table("users")', imports: 'import alembic.op as o', expected: ['up drop-table users'] },
  { body: 'o.drop_column("users", "email")', imports: 'from alembic import op as o', expected: ['up drop-column users.email'] },
  { body: 'getattr(op, "drop_table")("users")', expected: ['up drop-table users'] },
  { body: 'getattr(op, "drop_" + kind)("users")', expected: ['up opaque'] },
  { body: 'exec("op.drop_table(\'users\')")', expected: ['up opaque'] },
  { body: 'eval(code)', expected: ['up opaque'] },
  { body: 'purge_legacy(op)', imports: 'from alembic import op\nfrom app.migration_helpers import purge_legacy', expected: ['up opaque'] },
  { body: 'helpers.purge_legacy(op.get_bind())', imports: 'from alembic import op\nfrom . import helpers', expected: ['up opaque'] },
  // restricted or harmless
  { body: 'session.query(User).filter(User.active.is_(False)).delete()', expected: [] },
  { body: 'session.query(User).filter_by(active=False).delete()', expected: [] },
  { body: 'op.execute(sa.table("users").delete().where(sa.column("id") == 1))', expected: [] },
  { body: 'sa.Enum("a", "b", name="kind").create(op.get_bind())', expected: [] },
  { body: 'users = sa.Table("users", sa.MetaData())\nusers.create(op.get_bind())', expected: [] },
  { body: 'meta.create_all(op.get_bind())', expected: [] },
  { body: 'now = utcnow()', imports: 'from alembic import op\nfrom app.time import utcnow', expected: [] },
  { body: 'getattr(settings, "DEBUG")', expected: [] },
];

const django = (ops: string, extra = '') =>
  `from django.db import migrations\n${extra}\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n${ops}\n`;
const DJANGO: Row[] = [
  { body: django('    operations = [migrations.AddField("user", "x", models.IntegerField(null=True))]\n    operations += [migrations.DeleteModel("Order")]'), expected: ['up drop-table shop_order'] },
  { body: django('    operations = []\n    operations.append(migrations.RemoveField("user", "email"))'), expected: ['up drop-column shop_user.email'] },
  { body: django('    operations = []\n    operations.extend([migrations.DeleteModel("Order"), migrations.RemoveField("user", "email")])'), expected: ['up drop-table shop_order', 'up drop-column shop_user.email'] },
  { body: django('    operations = DROPS', 'DROPS = [migrations.DeleteModel("Order")]'), expected: ['up drop-table shop_order'] },
  { body: django('    drops = [migrations.DeleteModel("Order")]\n    operations = drops'), expected: ['up drop-table shop_order'] },
  { body: django('    operations = [*DROPS, migrations.RemoveField("user", "email")]', 'DROPS = [migrations.DeleteModel("Order")]'), expected: ['up drop-table shop_order', 'up drop-column shop_user.email'] },
  { body: django('    operations = COMMON + [migrations.RemoveField("user", "email")]', 'COMMON = [migrations.DeleteModel("Order")]'), expected: ['up drop-table shop_order', 'up drop-column shop_user.email'] },
  { body: django('    operations = [DROP_ORDER]', 'DROP_ORDER = migrations.DeleteModel("Order")'), expected: ['up drop-table shop_order'] },
  { body: django('    operations = build_operations()', 'from shop.migration_utils import build_operations'), expected: ['up opaque'] },
  { body: django('    operations = [migrations.DeleteModel(name) for name in ("Order", "Cart")]'), expected: ['up opaque'] },
  { body: django('    operations = []\n    operations += make_drops()'), expected: ['up opaque'] },
  { body: django('    operations = []\n    operations.append(op_for("Order"))'), expected: ['up opaque'] },
  // harmless
  { body: django('    operations = [migrations.AddField("user", "x", models.IntegerField(null=True))]\n    operations += [migrations.AddIndex("user", models.Index(fields=["x"], name="ix"))]'), expected: [] },
  { body: django('    operations = SAFE', 'SAFE = [migrations.AddField("user", "x", models.IntegerField(null=True))]'), expected: [] },
];

describe.each([
  ['sequelize', 'migrations/20240101000000-cleanup.js', SEQUELIZE, sequelize],
  ['typeorm', 'src/migrations/1700000000000-Cleanup.ts', TYPEORM, typeorm],
  ['knex', 'migrations/20240101000000_cleanup.js', KNEX, knex],
] as const)('%s: destructive calls beyond the schema builder', (format, path, rows, wrap) => {
  it.each(rows as Row[])('$body → $expected', async ({ body, expected }) => {
    const { ops } = await checkText(path, wrap(body), { format });
    expect(described(ops), body).toEqual(expected);
  });
});

describe('alembic / SQLAlchemy: destructive calls beyond op', () => {
  it.each(ALEMBIC)('$body → $expected', async ({ body, expected, imports }) => {
    const { ops } = await checkText('alembic/versions/a1_cleanup.py', alembic(body, imports), { format: 'alembic' });
    expect(described(ops), body).toEqual(expected);
  });
});

describe('django: operations lists built in steps', () => {
  it.each(DJANGO)('$body → $expected', async ({ body, expected }) => {
    const { ops } = await checkText('shop/migrations/0002_cleanup.py', body, { format: 'django' });
    expect(described(ops), body).toEqual(expected);
  });
});

const MASTER = (include: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  ${include}\n</databaseChangeLog>\n`;
const DROP_USERS = MASTER('<changeSet id="1" author="a">\n    <dropTable tableName="users"/>\n  </changeSet>');
const FILES: Record<string, string> = {
  'db/changelog/changes/002-drop-users.xml': DROP_USERS,
  'db/changelog/loop-a.xml': MASTER('<include file="db/changelog/loop-b.xml"/>'),
  'db/changelog/loop-b.xml': MASTER('<include file="db/changelog/loop-a.xml"/>'),
  'db/changelog/changes/003.yaml': 'databaseChangeLog:\n  - changeSet:\n      id: 3\n      author: a\n      changes:\n        - dropColumn:\n            tableName: users\n            columnName: email\n',
};
const LIQUIBASE: Array<Row & { path?: string }> = [
  { body: MASTER('<include file="changes/002-drop-users.xml" relativeToChangelogFile="true"/>'), expected: ['up drop-table users'] },
  { body: MASTER('<include file="db/changelog/changes/002-drop-users.xml"/>'), expected: ['up drop-table users'] },
  { body: MASTER('<include file="classpath:db/changelog/changes/002-drop-users.xml"/>'), expected: ['up drop-table users'] },
  { body: MASTER('<include file="changes/003.yaml" relativeToChangelogFile="true"/>'), expected: ['up drop-column users.email'] },
  { body: 'databaseChangeLog:\n  - include:\n      file: changes/002-drop-users.xml\n      relativeToChangelogFile: true\n', path: 'db/changelog/master.yaml', expected: ['up drop-table users'] },
  { body: MASTER('<include file="changes/missing.xml" relativeToChangelogFile="true"/>'), expected: ['up opaque'] },
  { body: MASTER('<includeAll path="changes/" relativeToChangelogFile="true"/>'), expected: ['up opaque'] },
  { body: MASTER('<include file="db/changelog/loop-b.xml"/>'), path: 'db/changelog/loop-a.xml', expected: ['up opaque'] },
  { body: MASTER('<include file="changes/002-drop-users.xml" relativeToChangelogFile="true" context="test"/>'), expected: ['up drop-table users'] },
];

describe('liquibase: include and includeAll are followed inside the repository, else opaque', () => {
  it.each(LIQUIBASE)('$body → $expected', async ({ body, expected, path }) => {
    const { ops } = await checkText(path ?? 'db/changelog/master.xml', body, { format: 'liquibase', resolveFile: (p) => FILES[p] });
    expect(described(ops), body).toEqual(expected);
  });
});

it('an included drop is reported at the include, naming the file and line it comes from', async () => {
  const { ops } = await checkText('db/changelog/master.xml', LIQUIBASE[0]!.body, { format: 'liquibase', resolveFile: (p) => FILES[p] });
  expect(ops[0]!.line).toBe(3);
  expect(ops[0]!.detail).toMatch(/db\/changelog\/changes\/002-drop-users\.xml line 4/);
});

it('a marker at the include covers what the included changelog does', async () => {
  const body = MASTER('<!-- dbsafe:allow drop-table(users) -- replaced by accounts, data copied in 001 -->\n  <include file="changes/002-drop-users.xml" relativeToChangelogFile="true"/>');
  const result = await checkText('db/changelog/master.xml', body, { format: 'liquibase', resolveFile: (p) => FILES[p] });
  expect(described(result.ops)).toEqual(['up drop-table users']);
  expect(result.findings).toEqual([]);
});
