/**
 * Rails migrations lexed as Ruby lexes them: a quote that Ruby reads as a character, a global variable or inside a
 * regular expression opens no string, an endless method runs its body, an alias runs the aliased method, and what
 * Ruby would decide by knowing which names are variables is `unparseable` (fail closed), never skipped.
 */
import { describe, expect, it } from 'vitest';
import { checkText, described } from './helpers.js';

const PATH = 'db/migrate/20240101000000_drop_users.rb';
const migration = (body: string) => `class DropUsers < ActiveRecord::Migration[7.1]\n${body}\nend\n`;
const up = (body: string) => migration(`  def up\n    ${body.replace(/\n/g, '\n    ')}\n  end`);

const DROP = ['up drop-table users'];

const ROWS: Array<{ text: string; expected: string[]; why: string }> = [
  { text: up("q = ?'\ndrop_table :users\nq = ?'"), expected: DROP, why: "?' is a one-character string" },
  { text: up('q = ?"\ndrop_table :users\nq = ?"'), expected: DROP, why: '?" is a one-character string' },
  { text: up("q = ?\\'\ndrop_table :users\nq = ?\\'"), expected: DROP, why: "?\\' is an escaped character" },
  { text: up("q = $'\ndrop_table :users\nq = $'"), expected: DROP, why: "$' is a global variable" },
  { text: up('q = $"\ndrop_table :users\nq = $"'), expected: DROP, why: '$" is a global variable' },
  { text: up("q = /'/\ndrop_table :users\nq = /'/"), expected: DROP, why: 'a quote inside a regular expression' },
  { text: up("q = %r{'}i\ndrop_table :users\nq = %r{'}"), expected: DROP, why: 'a quote inside %r{}' },
  { text: up("q = x ? 'a' : 'b'\ndrop_table :users"), expected: DROP, why: 'a ternary' },
  { text: up('q = (a)?1:2\nr = total / count\ndrop_table :users'), expected: DROP, why: 'a ternary after a parenthesis, a division' },
  { text: migration('  def up = drop_table(:users)'), expected: DROP, why: 'an endless method' },
  { text: migration('  def up() = drop_table(:users)\n\n  def down\n    create_table :users\n  end'), expected: DROP, why: 'an endless method with parentheses, then a method' },
  { text: migration('  def down\n    drop_table :users\n  end\n  alias_method :up, :down'), expected: DROP, why: 'alias_method runs down forward' },
  { text: migration('  def down\n    drop_table :users\n  end\n  alias up down'), expected: DROP, why: 'alias runs down forward' },
  { text: 'class DropUsers < DropUsersMigration; end\n', expected: ['up opaque'], why: 'a migration built on a project class' },
  { text: up("q = name ?'x' : 'y'\ndrop_table :users"), expected: ['up unparseable'], why: 'a ternary or a character, decided by whether name is a variable' },
  { text: up("q = name /'/\ndrop_table :users"), expected: ['up unparseable'], why: 'a division or a regular expression, decided by whether name is a variable' },
  { text: up('add_column(:users, :x, :string'), expected: ['up unparseable'], why: 'an unclosed parenthesis is a syntax error' },
  { text: up("# drop_table :users\rq = 1"), expected: [], why: 'a lone CR does not end a Ruby comment' },
  { text: migration('  def down\n    drop_table :users\n  end'), expected: ['down drop-table users'], why: 'down alone runs on rollback' },
];

describe('Ruby lexed as Ruby lexes it', () => {
  it.each(ROWS)('$why: $expected', async ({ text, expected }) => {
    const { ops } = await checkText(PATH, text, { format: 'rails' });
    expect(described(ops)).toEqual(expected);
  });
});
