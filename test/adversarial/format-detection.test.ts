/**
 * Format auto-detection looks at code, never at comments or strings: a migration that mentions another
 * tool's words in a comment or a string is still read (or refused) for what its code is.
 */
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/readers/detect.js';
import { checkText } from './helpers.js';

const ALEMBIC = 'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.drop_table("users")\n';
const RAILS = 'class DropUsers < ActiveRecord::Migration[7.1]\n  def change\n    drop_table :users\n  end\nend\n';
const KNEX = "exports.up = async (knex) => {\n  await knex.schema.dropTable('users');\n};\nexports.down = async () => {};\n";

const ROWS: Array<{ name: string; path: string; text: string; expected: string }> = [
  { name: 'an Alembic revision', path: 'alembic/versions/a1_drop.py', text: ALEMBIC, expected: 'alembic' },
  { name: 'an Alembic revision whose comment mentions context.configure', path: 'alembic/versions/a1_drop.py', text: `# unlike env.py, no context.configure() here\n${ALEMBIC}`, expected: 'alembic' },
  { name: 'an Alembic revision whose docstring says from alembic import context', path: 'alembic/versions/a1_drop.py', text: `"""Not env.py: from alembic import context is not used."""\n${ALEMBIC}`, expected: 'alembic' },
  { name: 'an Alembic revision whose string mentions context.configure(', path: 'alembic/versions/a1_drop.py', text: `NOTE = "context.configure(...) lives in env.py"\n${ALEMBIC}`, expected: 'alembic' },
  { name: 'the real env.py', path: 'alembic/env.py', text: 'from alembic import context\n\ncontext.configure(url="x")\n', expected: 'none' },
  { name: 'a Python file that only mentions alembic in a comment', path: 'alembic/versions/helper.py', text: '# from alembic import op\nprint("hi")\n', expected: 'unknown' },
  { name: 'a Python file that only mentions django migrations in a string', path: 'app/migrations/notes.py', text: 'TEXT = "from django.db import migrations"\n', expected: 'unknown' },
  { name: 'a Rails migration', path: 'db/migrate/20240101000000_drop_users.rb', text: RAILS, expected: 'rails' },
  { name: 'a Rails migration whose comment mentions ActiveRecord::Schema.define', path: 'db/migrate/20240101000000_drop_users.rb', text: `# schema.rb uses ActiveRecord::Schema.define; this is a migration\n${RAILS}`, expected: 'rails' },
  { name: 'a Rails migration whose string mentions ActiveRecord::Schema.define', path: 'db/migrate/20240101000000_drop_users.rb', text: RAILS.replace('drop_table :users', 'say "not ActiveRecord::Schema.define"\n    drop_table :users'), expected: 'rails' },
  { name: 'a Rails migration after a =begin block that mentions ActiveRecord::Schema.define', path: 'db/migrate/20240101000000_drop_users.rb', text: `=begin\nActiveRecord::Schema.define\n=end\n${RAILS}`, expected: 'rails' },
  { name: 'the real schema.rb', path: 'db/schema.rb', text: 'ActiveRecord::Schema[7.1].define(version: 1) do\nend\n', expected: 'none' },
  { name: 'a Ruby file that only mentions ActiveRecord::Migration in a comment', path: 'db/migrate/helper.rb', text: '# ActiveRecord::Migration helpers\nputs 1\n', expected: 'unknown' },
  { name: 'a Knex migration', path: 'migrations/20240101_drop.js', text: KNEX, expected: 'knex' },
  { name: 'a Knex migration whose comment mentions queryRunner', path: 'migrations/20240101_drop.js', text: `// unlike TypeORM, no queryRunner here\n${KNEX}`, expected: 'knex' },
  { name: 'a Knex migration whose string mentions Sequelize', path: 'migrations/20240101_drop.js', text: `const note = 'moved from Sequelize';\n${KNEX}`, expected: 'knex' },
  {
    name: 'a MikroORM migration whose SQL string says knex',
    path: 'src/migrations/Migration20240101.ts',
    text: "import { Migration } from '@mikro-orm/migrations';\nexport class Migration20240101 extends Migration {\n  async up() {\n    this.addSql('drop table \"knex_migrations\";');\n  }\n}\n",
    expected: 'unknown',
  },
  { name: 'a file whose block comment says knex', path: 'migrations/20240101_x.js', text: '/* knex */\nmodule.exports = { run() {} };\n', expected: 'unknown' },
  { name: 'a template literal mentioning QueryInterface', path: 'migrations/20240101_x.js', text: 'const s = `QueryInterface`;\nmodule.exports = { run() {} };\n', expected: 'unknown' },
];

describe('format detection reads code, not comments or strings', () => {
  it.each(ROWS)('$name → $expected', ({ path, text, expected }) => {
    expect(detectFormat(path, text)).toBe(expected);
  });
});

it('a MikroORM migration is refused with the way out, never misread as Knex', async () => {
  const row = ROWS.find((r) => r.name.startsWith('a MikroORM'))!;
  const { ops, blocks } = await checkText(row.path, row.text);
  expect(ops.map((op) => op.kind)).toEqual(['unparseable']);
  expect(ops[0]!.detail).toMatch(/set `format` for its glob/);
  expect(blocks).toBe(true);
});
