/**
 * Client meta-commands that run other files or programs (psql, sqlite3): the included file is read when
 * it is in the repository, everything else is `opaque`; harmless client commands report nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import { checkText, described } from './helpers.js';

const REPO: Record<string, string> = {
  'db/migrations/drop_users.sql': 'DROP TABLE users;\n',
  'db/migrations/lib/truncate.sql': 'TRUNCATE sessions;\n',
  'db/shared/harmless.sql': 'CREATE TABLE t (id int);\n',
  'db/migrations/loop_a.sql': '\\i db/migrations/loop_b.sql\n',
  'db/migrations/loop_b.sql': '\\i db/migrations/loop_a.sql\n',
  'db/migrations/nested.sql': '\\ir lib/truncate.sql\n',
};
const resolveFile = (path: string) => REPO[path];

interface Row {
  name: string;
  text: string;
  dialect?: Dialect;
  expected: string[];
}

const PSQL: Row[] = [
  { name: '\\i of a repository file (from the root)', text: '\\i db/migrations/drop_users.sql\n', expected: ['up drop-table users'] },
  { name: '\\i of a repository file (from the migration folder)', text: '\\i drop_users.sql\n', expected: ['up drop-table users'] },
  { name: '\\include with quotes', text: "\\include 'db/migrations/drop_users.sql'\n", expected: ['up drop-table users'] },
  { name: '\\ir relative to the file', text: '\\ir lib/truncate.sql\n', expected: ['up truncate sessions'] },
  { name: '\\include_relative', text: '\\include_relative lib/truncate.sql\n', expected: ['up truncate sessions'] },
  { name: '\\ir of a file that includes another', text: '\\ir nested.sql\n', expected: ['up truncate sessions'] },
  { name: '\\i of a harmless file', text: '\\i db/shared/harmless.sql\n', expected: [] },
  { name: '\\i of a file outside the repository', text: '\\i /etc/drop.sql\n', expected: ['up opaque'] },
  { name: '\\i of a missing file', text: '\\i db/migrations/missing.sql\n', expected: ['up opaque'] },
  { name: '\\ir above the repository root', text: '\\ir ../../../x.sql\n', expected: ['up opaque'] },
  { name: 'an include cycle stops', text: '\\i db/migrations/loop_a.sql\n', expected: ['up opaque'] },
  { name: '\\! runs a shell command', text: '\\! psql -c "DROP TABLE users"\n', expected: ['up opaque'] },
  { name: '\\copy … program', text: "\\copy users TO PROGRAM 'gzip > /tmp/u.gz'\n", expected: ['up opaque'] },
  { name: '\\copy to a file', text: "\\copy users TO 'users.csv' CSV\n", expected: [] },
  { name: '\\gexec on its own line', text: "SELECT format('DROP TABLE %I', tablename) FROM pg_tables\n\\gexec\n", expected: ['up opaque'] },
  { name: '\\set and \\echo', text: '\\set ON_ERROR_STOP on\n\\echo done\nCREATE TABLE a (id int);\n', expected: [] },
  { name: 'a backslash inside a string is not a command', text: "SELECT '\\i x.sql';\n", expected: [] },
  { name: 'SQL around an include is read too', text: 'DROP TABLE a;\n\\i db/migrations/drop_users.sql\nDROP TABLE b;\n', expected: ['up drop-table a', 'up drop-table users', 'up drop-table b'] },
  // output sent to a shell command
  { name: '\\o |command', text: '\\o |sh ./x.sh\n', expected: ['up opaque'] },
  { name: '\\o with a quoted |command', text: "\\o '|sh ./x.sh'\n", expected: ['up opaque'] },
  { name: '\\o to a file', text: '\\o out.txt\nSELECT 1;\n\\o\n', expected: [] },
  { name: '\\g |command after a query', text: 'SELECT 1 \\g |sh ./cleanup.sh\n', expected: ['up opaque'] },
  { name: '\\g (options) |command', text: 'SELECT 1 \\g (format=csv) |sh ./cleanup.sh\n', expected: ['up opaque'] },
  { name: '\\gx to a file', text: 'SELECT 1 \\gx result.txt\n', expected: [] },
  { name: '\\w |command', text: '\\w |sh ./x.sh\n', expected: ['up opaque'] },
  // backquoted text in an argument is a shell command
  { name: 'backquotes in \\set', text: '\\set out `psql "$DATABASE_URL" -c "DROP TABLE users"`\n', expected: ['up opaque'] },
  { name: 'backquotes in \\i', text: '\\i `echo db/migrations/drop_users.sql`\n', expected: ['up opaque'] },
  { name: 'backquotes inside single quotes are text', text: "\\set out '`not run`'\n", expected: [] },
  // a second meta-command on the line
  { name: '\\i after \\echo on one line', text: '\\echo starting \\i db/migrations/drop_users.sql\n', expected: ['up drop-table users'] },
  { name: '\\! after \\set on one line', text: '\\set ON_ERROR_STOP on \\! psql -c "DROP TABLE users"\n', expected: ['up opaque'] },
  { name: '\\gexec after \\g', text: 'SELECT 1 \\g \\gexec\n', expected: ['up opaque'] },
  { name: 'a quoted backslash is text', text: "\\echo 'a \\i db/migrations/drop_users.sql'\n", expected: [] },
  { name: '\\! takes the rest of the line', text: '\\! echo a \\\\ b \\i db/migrations/drop_users.sql\n', expected: ['up opaque'] },
  { name: 'SQL after \\\\ on a meta-command line', text: '\\pset format csv \\\\ DROP TABLE users;\n', expected: ['up opaque'] },
  { name: 'an include, then SQL after \\\\', text: '\\i db/migrations/drop_users.sql \\\\ DROP TABLE a;\n', expected: ['up drop-table users', 'up opaque'] },
  { name: 'SQL after \\; (sent with the query before it)', text: 'SELECT 1 \\; DROP TABLE users;\n', expected: ['up opaque'] },
  { name: '\\; at the end of a line', text: 'SELECT 1 \\;\nDROP TABLE users;\n', expected: ['up drop-table users'] },
  // other commands that run programs or delete
  { name: '\\lo_unlink', text: '\\lo_unlink 12345\n', expected: ['up opaque'] },
  { name: '\\e runs an editor', text: '\\e\n', expected: ['up opaque'] },
  { name: '\\ef runs an editor', text: '\\ef purge_sessions\n', expected: ['up opaque'] },
  { name: '\\setenv of the pager', text: "\\setenv PAGER 'sh ./x.sh'\n", expected: ['up opaque'] },
  { name: '\\setenv of another variable', text: '\\setenv PGAPPNAME migrate\n', expected: [] },
  { name: "pg_dump's \\restrict", text: '\\restrict 4f9Kx2\nCREATE TABLE a (id int);\n\\unrestrict 4f9Kx2\n', expected: [] },
];

const SQLITE: Row[] = [
  { name: '.read of a repository file', text: '.read db/migrations/drop_users.sql\n', expected: ['up drop-table users'] },
  { name: '.read of a missing file', text: '.read missing.sql\n', expected: ['up opaque'] },
  { name: '.read of a command output', text: ".read '|gen-sql.sh'\n", expected: ['up opaque'] },
  { name: '.shell', text: '.shell rm app.db\n', expected: ['up opaque'] },
  { name: '.system', text: '.system sqlite3 app.db "DROP TABLE users"\n', expected: ['up opaque'] },
  { name: '.restore', text: '.restore backup.db\n', expected: ['up opaque'] },
  { name: '.load', text: '.load ./ext\n', expected: ['up opaque'] },
  { name: '.mode and .headers', text: '.mode csv\n.headers on\nCREATE TABLE a (id int);\n', expected: [] },
];

describe.each([
  ['psql', 'postgres', PSQL],
  ['sqlite3', 'sqlite', SQLITE],
] as const)('client commands: %s', (_client, dialect, rows) => {
  it.each(rows)('$name', async ({ text, expected }) => {
    const { ops, blocks } = await checkText('db/migrations/001_x.sql', text, { dialect, format: 'sql', resolveFile });
    expect(described(ops), text).toEqual(expected);
    if (expected.some((e) => /opaque|drop-table|truncate/.test(e))) expect(blocks).toBe(true);
  });
});

it('an operation from an included file says where it was written', async () => {
  const { ops } = await checkText('db/migrations/001_x.sql', 'SELECT 1;\n\\i drop_users.sql\n', { format: 'sql', resolveFile });
  expect(ops).toMatchObject([{ kind: 'drop-table', line: 2, column: 1 }]);
  expect(ops[0]!.detail).toContain('in db/migrations/drop_users.sql line 1');
});

it('an include after another meta-command is reported where the include is written', async () => {
  const { ops } = await checkText('db/migrations/001_x.sql', '\\echo starting \\i drop_users.sql\n', { format: 'sql', resolveFile });
  expect(ops).toMatchObject([{ kind: 'drop-table', line: 1, column: 16 }]);
});
