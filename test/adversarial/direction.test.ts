/**
 * Direction (up/down) from reachability, the same table for every reader that has helper functions:
 * a drop runs on rollback only when the function that holds it is reached from the rollback entry point
 * and not from the forward one. Names decide nothing (`downgrade_users` called by upgrade() is forward).
 */
import { describe, expect, it } from 'vitest';
import { readMigration } from '../../src/readers/index.js';
import type { MigrationFormat } from '../../src/readers/types.js';

/** A statement of a function body: call a function, pass it by reference, or drop the `users` table. */
type Stmt = { call: string } | { ref: string } | { drop: true };
/** Functions by name; `UP` and `DOWN` are the entry points of each framework. */
type Defs = Record<string, Stmt[]>;

interface Case {
  name: string;
  defs: Defs;
  /** Direction of the `users` drop. */
  expected: 'up' | 'down';
}

const drop: Stmt = { drop: true };
const call = (name: string): Stmt => ({ call: name });
const ref = (name: string): Stmt => ({ ref: name });

const CASES: Case[] = [
  { name: 'a drop in up', defs: { UP: [drop], DOWN: [] }, expected: 'up' },
  { name: 'a drop in down', defs: { UP: [], DOWN: [drop] }, expected: 'down' },
  { name: 'a helper called from up only', defs: { UP: [call('drop_users')], DOWN: [], drop_users: [drop] }, expected: 'up' },
  { name: 'a helper called from down only', defs: { UP: [], DOWN: [call('drop_users')], drop_users: [drop] }, expected: 'down' },
  { name: 'a helper called from both', defs: { UP: [call('drop_users')], DOWN: [call('drop_users')], drop_users: [drop] }, expected: 'up' },
  { name: 'a helper nobody calls (fail closed)', defs: { UP: [], DOWN: [], drop_users: [drop] }, expected: 'up' },
  { name: 'a helper up passes by reference and down calls', defs: { UP: [ref('drop_users')], DOWN: [call('drop_users')], drop_users: [drop] }, expected: 'up' },
  { name: 'a helper only down passes by reference', defs: { UP: [], DOWN: [ref('drop_users')], drop_users: [drop] }, expected: 'down' },
  { name: 'a helper named like the rollback entry, called from up', defs: { UP: [call('downgrade_users')], DOWN: [], downgrade_users: [drop] }, expected: 'up' },
  { name: 'a helper named like the rollback entry, passed by reference from up', defs: { UP: [ref('downgrade_users')], DOWN: [], downgrade_users: [drop] }, expected: 'up' },
  { name: 'a helper named like the rollback entry, called from down', defs: { UP: [], DOWN: [call('downgrade_users')], downgrade_users: [drop] }, expected: 'down' },
  { name: 'a helper named like the rollback entry, called from nowhere', defs: { UP: [], DOWN: [], downgrade_users: [drop] }, expected: 'up' },
  { name: 'a helper named like the forward entry, called from down only', defs: { UP: [], DOWN: [call('upgrade_users')], upgrade_users: [drop] }, expected: 'down' },
  { name: 'up calls down', defs: { UP: [call('DOWN')], DOWN: [drop] }, expected: 'up' },
  { name: 'up calls down through a helper', defs: { UP: [call('redo')], DOWN: [drop], redo: [call('DOWN')] }, expected: 'up' },
  { name: 'down calls up', defs: { UP: [drop], DOWN: [call('UP')] }, expected: 'up' },
  { name: 'a chain from down', defs: { UP: [], DOWN: [call('step_one')], step_one: [call('step_two')], step_two: [drop] }, expected: 'down' },
  { name: 'a chain from up, the last helper also called from down', defs: { UP: [call('step_one')], DOWN: [call('step_two')], step_one: [call('step_two')], step_two: [drop] }, expected: 'up' },
  { name: 'a cycle reached from down only', defs: { UP: [], DOWN: [call('ping')], ping: [call('pong')], pong: [call('ping'), drop] }, expected: 'down' },
  { name: 'a cycle that up enters', defs: { UP: [call('pong')], DOWN: [call('ping')], ping: [call('pong')], pong: [call('ping'), drop] }, expected: 'up' },
];

interface Language {
  format: MigrationFormat;
  path: string;
  /** The framework's entry point names for UP and DOWN. */
  entries: { UP: string; DOWN: string };
  name(n: string): string;
  file(defs: Array<[string, string[]]>): string;
  stmt(s: Stmt, name: (n: string) => string): string;
}

const camel = (n: string) => n.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const LANGUAGES: Language[] = [
  {
    format: 'alembic',
    path: 'alembic/versions/0001_users.py',
    entries: { UP: 'upgrade', DOWN: 'downgrade' },
    name: (n) => n,
    stmt: (s, name) => ('drop' in s ? 'op.drop_table("users")' : 'call' in s ? `${name(s.call)}()` : `op.get_bind().run_callable(${name(s.ref)})`),
    file: (defs) =>
      ['from alembic import op', 'revision = "0001"', 'down_revision = None', '', ...defs.flatMap(([n, body]) => [`def ${n}(*args):`, ...(body.length ? body : ['pass']).map((l) => `    ${l}`), ''])].join('\n'),
  },
  {
    format: 'rails',
    path: 'db/migrate/20240101000000_users.rb',
    entries: { UP: 'up', DOWN: 'down' },
    name: (n) => n.replace(/^upgrade_/, 'up_').replace(/^downgrade_/, 'down_'),
    stmt: (s, name) => ('drop' in s ? 'drop_table :users' : 'call' in s ? name(s.call) : `send(:${name(s.ref)})`),
    file: (defs) =>
      ['class Users < ActiveRecord::Migration[7.1]', ...defs.flatMap(([n, body]) => [`  def ${n}`, ...body.map((l) => `    ${l}`), '  end', '']), 'end', ''].join('\n'),
  },
  {
    format: 'knex',
    path: 'migrations/20240101000000_users.js',
    entries: { UP: 'up', DOWN: 'down' },
    name: (n) => camel(n.replace(/^upgrade_/, 'up_').replace(/^downgrade_/, 'down_')),
    stmt: (s, name) => ('drop' in s ? "await knex.schema.dropTable('users');" : 'call' in s ? `await ${name(s.call)}(knex);` : `await knex.transaction(${name(s.ref)});`),
    file: (defs) =>
      defs
        .map(([n, body]) => (n === 'up' || n === 'down' ? `exports.${n} = async function (knex) {\n  ${body.join('\n  ')}\n};` : `async function ${n}(knex) {\n  ${body.join('\n  ')}\n}`))
        .join('\n') + '\n',
  },
  {
    format: 'typeorm',
    path: 'src/migrations/1700000000000-Users.ts',
    entries: { UP: 'up', DOWN: 'down' },
    name: (n) => camel(n.replace(/^upgrade_/, 'up_').replace(/^downgrade_/, 'down_')),
    stmt: (s, name) =>
      'drop' in s ? "await queryRunner.dropTable('users');" : 'call' in s ? `await this.${name(s.call)}(queryRunner);` : `await queryRunner.manager.transaction(this.${name(s.ref)});`,
    file: (defs) =>
      [
        "import { MigrationInterface, QueryRunner } from 'typeorm';",
        'export class Users1700000000000 implements MigrationInterface {',
        ...defs.map(([n, body]) => `  public async ${n}(queryRunner: QueryRunner): Promise<void> {\n    ${body.join('\n    ')}\n  }`),
        '}',
        '',
      ].join('\n'),
  },
  {
    format: 'sequelize',
    path: 'migrations/20240101000000-users.js',
    entries: { UP: 'up', DOWN: 'down' },
    name: (n) => camel(n.replace(/^upgrade_/, 'up_').replace(/^downgrade_/, 'down_')),
    stmt: (s, name) =>
      'drop' in s ? "await queryInterface.dropTable('users');" : 'call' in s ? `await ${name(s.call)}(queryInterface);` : `await queryInterface.sequelize.transaction(${name(s.ref)});`,
    file: (defs) => {
      const helpers = defs.filter(([n]) => n !== 'up' && n !== 'down');
      const entries = defs.filter(([n]) => n === 'up' || n === 'down');
      return [
        ...helpers.map(([n, body]) => `async function ${n}(queryInterface) {\n  ${body.join('\n  ')}\n}`),
        'module.exports = {',
        ...entries.map(([n, body]) => `  async ${n}(queryInterface) {\n    ${body.join('\n    ')}\n  },`),
        '};',
        '',
      ].join('\n');
    },
  },
];

function render(lang: Language, defs: Defs, helpersFirst: boolean): string {
  const name = (n: string) => (n === 'UP' || n === 'DOWN' ? lang.entries[n] : lang.name(n));
  const all = Object.entries(defs).map(([n, body]): [string, string[]] => [name(n), body.map((s) => lang.stmt(s, name))]);
  const isEntry = ([n]: [string, string[]]) => n === lang.entries.UP || n === lang.entries.DOWN;
  const ordered = helpersFirst ? [...all.filter((d) => !isEntry(d)), ...all.filter(isEntry)] : all;
  return lang.file(ordered);
}

describe.each(LANGUAGES)('direction from reachability: $format', (lang) => {
  const rows = CASES.flatMap((c) => [
    { ...c, helpersFirst: false },
    { ...c, helpersFirst: true },
  ]);
  it.each(rows)('$name (helpers first: $helpersFirst) → $expected', async ({ defs, expected, helpersFirst }) => {
    const text = render(lang, defs, helpersFirst);
    const ops = await readMigration({ path: lang.path, text, format: lang.format, dialect: 'postgres' });
    const drops = ops.filter((op) => op.kind === 'drop-table').map((op) => `${op.direction} ${op.target?.name}`);
    expect(drops, text).toEqual([`${expected} users`]);
    expect(ops.filter((op) => op.kind === 'unparseable' || op.kind === 'opaque'), text).toEqual([]);
  });
});

describe('direction from reachability: Alembic specifics', () => {
  const read = (text: string) => readMigration({ path: 'alembic/versions/0002_multi.py', text, format: 'alembic', dialect: 'postgres' });

  it("the multi-database template (globals()['downgrade_%s' % engine]) reaches downgrade_<engine> from downgrade only", async () => {
    const text = [
      'from alembic import op',
      'def upgrade(engine_name):',
      '    globals()["upgrade_%s" % engine_name]()',
      'def downgrade(engine_name):',
      '    globals()["downgrade_%s" % engine_name]()',
      'def upgrade_engine1():',
      '    op.drop_table("sessions")',
      'def downgrade_engine1():',
      '    op.drop_table("users")',
      '',
    ].join('\n');
    const ops = await read(text);
    expect(ops.filter((o) => o.kind === 'drop-table').map((o) => `${o.direction} ${o.target?.name}`)).toEqual(['up sessions', 'down users']);
  });

  it('a function defined inside downgrade() runs on rollback', async () => {
    const text = ['from alembic import op', 'def upgrade():', '    pass', 'def downgrade():', '    def _drop():', '        op.drop_table("users")', '    _drop()', ''].join('\n');
    const ops = await read(text);
    expect(ops.filter((o) => o.kind === 'drop-table').map((o) => o.direction)).toEqual(['down']);
  });

  it('a helper called by module-level code runs on import: forward', async () => {
    const text = ['from alembic import op', 'def drop_users():', '    op.drop_table("users")', 'CLEANUP = [drop_users]', 'def upgrade():', '    pass', 'def downgrade():', '    drop_users()', ''].join('\n');
    const ops = await read(text);
    expect(ops.filter((o) => o.kind === 'drop-table').map((o) => o.direction)).toEqual(['up']);
  });
});
