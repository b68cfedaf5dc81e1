/**
 * Markers only in real comments: an override marker approves a drop only when it is a comment of the
 * file's language (or a comment of SQL the file runs). The same words in a string, a docstring, a
 * heredoc that is not SQL, a template literal, a quoted name or a dollar-quoted value are text.
 */
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import type { MigrationFormat } from '../../src/readers/types.js';
import { checkText } from './helpers.js';

const ALLOW = 'dbsafe:allow drop-table -- the users table moved to accounts in 0042';

interface Row {
  name: string;
  path: string;
  text: string;
  /** true: the marker is a real comment and allows the drop; false: the drop still blocks. */
  allowed: boolean;
  dialect?: Dialect;
  format?: MigrationFormat;
}

const SQL: Row[] = [
  { name: 'a -- comment', path: 'migrations/001.sql', text: `-- ${ALLOW}\nDROP TABLE users;`, allowed: true },
  { name: 'a block comment', path: 'migrations/001.sql', text: `/* ${ALLOW} */\nDROP TABLE users;`, allowed: true },
  { name: 'a trailing comment on the same line', path: 'migrations/001.sql', text: `DROP TABLE users; -- ${ALLOW}`, allowed: true },
  { name: 'a comment inside a DO body', path: 'migrations/001.sql', text: `DO $$\nBEGIN\n  -- ${ALLOW}\n  DROP TABLE users;\nEND\n$$;`, allowed: true },
  { name: 'a # comment in MySQL', path: 'migrations/001.sql', text: `# ${ALLOW}\nDROP TABLE users;`, allowed: true, dialect: 'mysql' },
  { name: 'a string literal', path: 'migrations/001.sql', text: `SELECT '-- ${ALLOW}';\nDROP TABLE users;`, allowed: false },
  { name: 'a string on the drop\'s own line', path: 'migrations/001.sql', text: `DROP TABLE users; SELECT '-- ${ALLOW}';`, allowed: false },
  { name: 'a string spanning lines', path: 'migrations/001.sql', text: `INSERT INTO notes VALUES ('\n-- ${ALLOW}\n');\nDROP TABLE users;`, allowed: false },
  { name: 'a quoted name', path: 'migrations/001.sql', text: `CREATE TABLE "-- ${ALLOW}" (id int);\nDROP TABLE users;`, allowed: false },
  { name: 'a dollar-quoted value', path: 'migrations/001.sql', text: `SELECT $x$\n-- ${ALLOW}\n$x$;\nDROP TABLE users;`, allowed: false },
  { name: 'a block comment opener inside a string', path: 'migrations/001.sql', text: `SELECT '/* ${ALLOW} */';\nDROP TABLE users;`, allowed: false },
  { name: 'an E string with an escaped quote', path: 'migrations/001.sql', text: `SELECT E'\\'\n-- ${ALLOW}\n';\nDROP TABLE users;`, allowed: false },
  { name: 'a # line in PostgreSQL (not a comment there)', path: 'migrations/001.sql', text: `# ${ALLOW}\nDROP TABLE users;`, allowed: false },
  { name: 'a MySQL string with a backslash-escaped quote', path: 'migrations/001.sql', text: `SELECT 'a\\'\n-- ${ALLOW}\n';\nDROP TABLE users;`, allowed: false, dialect: 'mysql' },
];

const ALEMBIC = (body: string) => `from alembic import op\n\n\ndef upgrade():\n${body}\n\n\ndef downgrade():\n    pass\n`;
const PYTHON: Row[] = [
  { name: 'a # comment', path: 'alembic/versions/1_a.py', text: ALEMBIC(`    # ${ALLOW}\n    op.drop_table("users")`), allowed: true },
  { name: 'a trailing # comment', path: 'alembic/versions/1_a.py', text: ALEMBIC(`    op.drop_table("users")  # ${ALLOW}`), allowed: true },
  { name: 'a SQL comment in op.execute', path: 'alembic/versions/1_a.py', text: ALEMBIC(`    op.execute("""\n    -- ${ALLOW}\n    DROP TABLE users\n    """)`), allowed: true },
  { name: 'a module docstring', path: 'alembic/versions/1_a.py', text: `"""\n# ${ALLOW}\n"""\n` + ALEMBIC('    op.drop_table("users")'), allowed: false },
  { name: 'a function docstring', path: 'alembic/versions/1_a.py', text: ALEMBIC(`    """\n    -- ${ALLOW}\n    """\n    op.drop_table("users")`), allowed: false },
  { name: 'a string assigned to a name', path: 'alembic/versions/1_a.py', text: ALEMBIC(`    note = "# ${ALLOW}"\n    op.drop_table("users")`), allowed: false },
  { name: 'a string on the drop\'s own line', path: 'alembic/versions/1_a.py', text: ALEMBIC(`    op.drop_table("users"); print("# ${ALLOW}")`), allowed: false },
  { name: 'a SQL string literal in op.execute', path: 'alembic/versions/1_a.py', text: ALEMBIC(`    op.execute("SELECT '-- ${ALLOW}'")\n    op.drop_table("users")`), allowed: false },
  { name: 'an f-string', path: 'alembic/versions/1_a.py', text: ALEMBIC(`    x = f"# ${ALLOW}"\n    op.drop_table("users")`), allowed: false },
  { name: 'a triple-quoted string argument', path: 'alembic/versions/1_a.py', text: ALEMBIC(`    log("""\n    # ${ALLOW}\n    """)\n    op.drop_table("users")`), allowed: false },
];

const RAILS = (body: string) => `class DropUsers < ActiveRecord::Migration[7.1]\n  def up\n${body}\n  end\nend\n`;
const RUBY: Row[] = [
  { name: 'a # comment', path: 'db/migrate/20240101000000_drop_users.rb', text: RAILS(`    # ${ALLOW}\n    drop_table :users`), allowed: true },
  { name: 'a SQL comment in an execute heredoc', path: 'db/migrate/20240101000000_drop_users.rb', text: RAILS(`    execute <<~SQL\n      -- ${ALLOW}\n      DROP TABLE users;\n    SQL`), allowed: true },
  { name: 'a # line in a heredoc', path: 'db/migrate/20240101000000_drop_users.rb', text: RAILS(`    NOTE = <<~TXT\n      # ${ALLOW}\n    TXT\n    drop_table :users`), allowed: false },
  { name: 'a double-quoted string', path: 'db/migrate/20240101000000_drop_users.rb', text: RAILS(`    say "# ${ALLOW}"\n    drop_table :users`), allowed: false },
  { name: 'a %q string', path: 'db/migrate/20240101000000_drop_users.rb', text: RAILS(`    say %q(# ${ALLOW})\n    drop_table :users`), allowed: false },
  { name: 'a string on the drop\'s own line', path: 'db/migrate/20240101000000_drop_users.rb', text: RAILS(`    drop_table :users; say "# ${ALLOW}"`), allowed: false },
];

const KNEX = (body: string) => `exports.up = async function (knex) {\n${body}\n};\nexports.down = async function () {};\n`;
const JS: Row[] = [
  { name: 'a // comment', path: 'migrations/20240101_drop.js', text: KNEX(`  // ${ALLOW}\n  await knex.schema.dropTable('users');`), allowed: true },
  { name: 'a JSDoc block', path: 'migrations/20240101_drop.js', text: KNEX(`  /**\n   * ${ALLOW}\n   */\n  await knex.schema.dropTable('users');`), allowed: true },
  { name: 'a SQL comment in knex.raw', path: 'migrations/20240101_drop.js', text: KNEX(`  await knex.raw(\`\n    -- ${ALLOW}\n    DROP TABLE users\n  \`);`), allowed: true },
  { name: 'a single-quoted string', path: 'migrations/20240101_drop.js', text: KNEX(`  const note = '// ${ALLOW}';\n  await knex.schema.dropTable('users');`), allowed: false },
  { name: 'a template literal', path: 'migrations/20240101_drop.js', text: KNEX(`  const note = \`\n  // ${ALLOW}\n  \`;\n  await knex.schema.dropTable('users');`), allowed: false },
  { name: 'a string on the drop\'s own line', path: 'migrations/20240101_drop.js', text: KNEX(`  await knex.schema.dropTable('users'); log('// ${ALLOW}');`), allowed: false },
  { name: 'a block comment inside a string', path: 'migrations/20240101_drop.js', text: KNEX(`  log('/* ${ALLOW} */');\n  await knex.schema.dropTable('users');`), allowed: false },
  { name: 'a SQL string literal in knex.raw', path: 'migrations/20240101_drop.js', text: KNEX(`  await knex.raw("SELECT '-- ${ALLOW}'");\n  await knex.schema.dropTable('users');`), allowed: false },
  {
    name: 'a TypeORM string argument',
    path: 'src/migrations/1700000000000-Drop.ts',
    text: `export class Drop1700000000000 {\n  async up(queryRunner) {\n    console.log("// ${ALLOW}");\n    await queryRunner.dropTable('users');\n  }\n  async down() {}\n}\n`,
    allowed: false,
  },
];

const XML_LOG = (body: string) =>
  `<?xml version="1.0"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  <changeSet id="1" author="a">\n${body}\n  </changeSet>\n</databaseChangeLog>\n`;
const XML_ALLOW = 'dbsafe:allow drop-table: the users table moved to accounts in 0042';
const XML: Row[] = [
  { name: 'an XML comment', path: 'db/changelog/001.xml', text: XML_LOG(`    <!-- ${XML_ALLOW} -->\n    <dropTable tableName="users"/>`), allowed: true },
  { name: 'a SQL comment in <sql>', path: 'db/changelog/001.xml', text: XML_LOG(`    <sql>\n      -- ${ALLOW}\n      DROP TABLE users;\n    </sql>`), allowed: true },
  { name: 'an attribute value', path: 'db/changelog/001.xml', text: XML_LOG(`    <dropTable tableName="users" remarks="-- ${ALLOW}"/>`), allowed: false },
  { name: 'the <comment> element', path: 'db/changelog/001.xml', text: XML_LOG(`    <comment>-- ${ALLOW}</comment>\n    <dropTable tableName="users"/>`), allowed: false },
  { name: 'a SQL string in <sql>', path: 'db/changelog/001.xml', text: XML_LOG(`    <sql>SELECT '-- ${ALLOW}';\n      DROP TABLE users;</sql>`), allowed: false },
];

describe.each([
  ['SQL', SQL],
  ['Python', PYTHON],
  ['Ruby', RUBY],
  ['JavaScript / TypeScript', JS],
  ['XML', XML],
])('markers only in real comments: %s', (_language, rows) => {
  it.each(rows)('$name → allowed: $allowed', async ({ path, text, allowed, dialect, format }) => {
    const result = await checkText(path, text, { dialect, format });
    expect(result.ops.filter((op) => op.kind === 'drop-table').length, text).toBeGreaterThan(0);
    expect(result.blocks, `${text}\n${result.findings.join(', ')}`).toBe(!allowed);
  });
});
