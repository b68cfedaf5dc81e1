import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { evaluate, REASON_PLACEHOLDER } from '../../src/policy/evaluate.js';
import { readMigration } from '../../src/readers/index.js';
import { report } from '../../src/reporters/index.js';

/**
 * The override line a report prints must be one the policy accepts, in the file's own comment syntax:
 * pasted above the operation with a reason, it allows exactly that operation. (The text reporter used to
 * build its own example: an XML comment with "--" in it, which XML forbids, and "--" lines in YAML.)
 */
const cases: Array<{ path: string; lines: string[]; drop: number }> = [
  { path: 'db/migrations/001_drop.sql', lines: ['CREATE TABLE a (id int);', 'DROP TABLE users;'], drop: 1 },
  {
    path: 'alembic/versions/1a2b3c4d5e6f_drop.py',
    lines: ['from alembic import op', "revision = '1a2b3c4d5e6f'", 'down_revision = None', '', 'def upgrade():', "    op.drop_table('users')", '', 'def downgrade():', '    pass'],
    drop: 5,
  },
  {
    path: 'db/migrate/20240101000000_drop_users.rb',
    lines: ['class DropUsers < ActiveRecord::Migration[7.1]', '  def up', '    drop_table :users', '  end', 'end'],
    drop: 2,
  },
  {
    path: 'migrations/20240101000000_drop.js',
    lines: ['exports.up = function (knex) {', "  return knex.schema.dropTable('users');", '};', 'exports.down = function () {};'],
    drop: 1,
  },
  {
    path: 'db/changelog/001.xml',
    lines: [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">',
      '  <changeSet id="1" author="a">',
      '    <dropTable tableName="users"/>',
      '  </changeSet>',
      '</databaseChangeLog>',
    ],
    drop: 3,
  },
  {
    path: 'db/changelog/002.yaml',
    lines: ['databaseChangeLog:', '  - changeSet:', '      id: 2', '      author: a', '      changes:', '        - dropTable:', '            tableName: users'],
    drop: 5,
  },
];

const plain: Config = { dialect: 'postgres' } as Config;
const protectedUsers: Config = { dialect: 'postgres', protected: ['users'] } as Config;

async function judge(path: string, text: string, config: Config) {
  const operations = await readMigration({ path, text, dialect: 'postgres' });
  return evaluate([{ path, text, operations }], config);
}

describe('the printed override line is accepted by the policy', () => {
  for (const config of [plain, protectedUsers]) {
    it.each(cases)(`$path (${config === plain ? 'plain' : 'protected'})`, async ({ path, lines, drop }) => {
      const text = lines.join('\n');
      const before = await judge(path, text, config);
      const blocking = before.findings.filter((f) => f.severity === 'error');
      expect(blocking).toHaveLength(1);
      const marker = blocking[0].marker!;
      expect(marker).toContain(`(users)`);
      expect(marker).toContain(REASON_PLACEHOLDER);
      if (path.endsWith('.xml')) expect(marker.slice(4, -3)).not.toContain('--');

      const printed = report({ ...before, filesChecked: 1, operations: 1, sources: new Map([[path, text]]) }, 'text', { color: false });
      expect(printed).toContain(marker);

      const indent = /^\s*/.exec(lines[drop])![0];
      const approved = [...lines.slice(0, drop), indent + marker.replace(REASON_PLACEHOLDER, 'replaced by accounts in 0042'), ...lines.slice(drop)].join('\n');
      const after = await judge(path, approved, config);
      expect(after.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(after.overridesUsed).toHaveLength(1);
    });
  }

  it('a finding no marker can allow carries none, and the report offers none', async () => {
    const path = 'db/migrations/002.sql';
    const text = 'DROP TABLE users;\n-- dbsafe:allow drop-table(users)\nDROP TABLE orders;';
    const result = await judge(path, text, plain);
    const missingReason = result.findings.find((f) => f.rule === 'override-missing-reason')!;
    expect(missingReason.marker).toBeUndefined();
  });
});
