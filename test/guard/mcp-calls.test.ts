import { describe, expect, it } from 'vitest';
import { classifyMcpCall } from '../../src/guard/mcp-calls.js';

/**
 * A coding agent's MCP tool calls (Claude Code names them `mcp__<server>__<tool>`): the SQL a database server's
 * tool is given is read as a SQL client's would be, a database server's deleting tool is destructive by its
 * name, and the many calls that are neither (an issue titled "Update the README") stay ordinary.
 */

/** server, tool, arguments → what the match must say. */
const DESTRUCTIVE: Array<[string, string, unknown, RegExp]> = [
  ['supabase', 'execute_sql', { project_id: 'abcd', query: 'DROP TABLE users;' }, /drop-table users/],
  ['supabase', 'apply_migration', { project_id: 'abcd', name: 'cleanup', query: 'TRUNCATE orders;' }, /truncate orders/],
  ['postgres', 'query', { sql: 'DELETE FROM users' }, /delete-all users/],
  ['neon', 'run_sql_transaction', { params: { projectId: 'p', sqlStatements: ['SELECT 1', 'DROP SCHEMA app CASCADE'] } }, /drop-schema app/],
  ['sqlite', 'write_query', { query: 'DELETE FROM users' }, /delete-all users/],
  ['mysql', 'execute_ddl', { query: 'DROP DATABASE app' }, /drop-database app/],
  ['my-warehouse', 'run_query', { sql: '-- tidy up\nUPDATE users SET email = NULL' }, /update-all users/],
  ['prisma', 'migrate-reset', {}, /the tool migrate-reset of the prisma server deletes by its name/],
  ['supabase', 'delete_branch', { branch_id: 'b' }, /delete_branch/],
  ['supabase', 'reset_branch', { branch_id: 'b' }, /reset_branch/],
  ['neon', 'delete_project', { params: { projectId: 'p' } }, /delete_project/],
  ['internal-tools', 'drop_table', { name: 'users' }, /drop_table/],
];

const UNSURE: Array<[string, string, unknown, RegExp]> = [
  ['postgres', 'query', { statements: [...Array.from({ length: 250 }, () => 'SELECT 1'), 'DROP TABLE users'] }, /too many or too deeply nested/],
  ['postgres', 'query', { a: { b: { c: { d: { e: { f: { g: { sql: 'DROP TABLE users' } } } } } } } }, /too many or too deeply nested/],
  ['supabase', 'execute_sql', { query: 'CALL purge_old_rows()' }, /SQL that cannot be read with certainty: CALL purge_old_rows/],
  ['postgres', 'query', { sql: "DO $$ BEGIN EXECUTE 'DROP TABLE ' || current_setting('x.t'); END $$" }, /cannot be read with certainty/],
];

const ORDINARY: Array<[string, string, unknown]> = [
  ['supabase', 'execute_sql', { query: 'SELECT count(*) FROM users' }],
  ['supabase', 'execute_sql', { query: "INSERT INTO audit (what) VALUES ('x')" }],
  ['supabase', 'list_tables', { schemas: ['public'] }],
  ['postgres', 'query', { sql: 'DELETE FROM sessions WHERE expires_at < now()' }],
  ['github', 'delete_branch', { branch: 'feature/x' }],
  ['github', 'create_issue', { title: 'Update the README', body: 'Drop support for Node 16' }],
  ['github', 'search_code', { query: 'DELETE FROM users' }],
  ['filesystem', 'write_file', { path: 'db/migrations/005.sql', content: 'DROP TABLE users;' }],
  ['playwright', 'browser_click', { element: 'Delete account button' }],
];

describe('MCP tool calls', () => {
  it('never shows a password the SQL holds', async () => {
    const result = await classifyMcpCall('postgres', 'query', { sql: "SELECT dblink_exec('postgres://app:s3cret-pw@db.internal/app', 'DROP TABLE users')" });
    expect(result.destructive).toBe(true);
    expect(JSON.stringify(result)).not.toContain('s3cret-pw');
  });

  for (const [server, tool, input, says] of DESTRUCTIVE) {
    it(`destructive: mcp__${server}__${tool} ${JSON.stringify(input)}`, async () => {
      const result = await classifyMcpCall(server, tool, input);
      expect(result.destructive).toBe(true);
      expect(result.matches.flatMap((match) => match.found ?? []).join('\n'), JSON.stringify(result)).toMatch(says);
    });
  }
  for (const [server, tool, input, says] of UNSURE) {
    it(`unsure: mcp__${server}__${tool} ${JSON.stringify(input)}`, async () => {
      const result = await classifyMcpCall(server, tool, input);
      expect(result.destructive).toBe(true);
      expect(result.unsure.join('\n')).toMatch(says);
    });
  }
  for (const [server, tool, input] of ORDINARY) {
    it(`ordinary: mcp__${server}__${tool} ${JSON.stringify(input)}`, async () => {
      const result = await classifyMcpCall(server, tool, input);
      expect(result, JSON.stringify(result)).toMatchObject({ destructive: false, matches: [], unsure: [] });
    });
  }
});
