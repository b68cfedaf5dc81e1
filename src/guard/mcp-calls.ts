import { redactCommandLine } from '../backup/redact.js';
import { judgeSql, type Classification } from './classify.js';
import type { CommandRow } from './commands.js';

/**
 * A coding agent's call of an MCP server's tool (Supabase `execute_sql`, the Postgres server's `query`, Neon's
 * `run_sql`, Prisma's `migrate-reset`…): the SQL among its arguments is read as a SQL client's would be, and a
 * database server's tool whose name says it deletes (a reset, a dropped branch or project) is destructive
 * by its name. What the guard cannot read with certainty is unsure, as for a shell command.
 */

/** The row an MCP call matches (not in the command table: it is no program). */
export const MCP_TOOL_ROW: CommandRow = {
  tool: 'MCP tool',
  pattern: 'mcp__<server>__<tool>',
  destroys: 'what its SQL drops, truncates or deletes, or what the tool deletes by its name (a database, branch or project, a reset)',
  target: 'the database the MCP server is connected to',
};

/** A string argument that is SQL: it starts (after comments) with a statement's first word. */
const SQL_START =
  /^\s*(?:(?:--[^\n]*\n|\/\*[^]*?\*\/)\s*)*(?:select|insert|update|delete|drop|truncate|alter|create|with|do|call|merge|grant|revoke|copy|begin|start|commit|explain|vacuum|refresh|comment|set|reset|lock|replace|rename|pragma|attach|detach|show|use|exec|execute|declare|analyze|values|table)\b/i;
/** A database's MCP server (by its name): its string arguments that are SQL are read, its deleting tools destroy data. */
const DATABASE_SERVER = /supabase|neon|postgres|prisma|mysql|maria|sqlite|libsql|turso|planetscale|database|sql|xata|cockroach|timescale|(?:^|[^a-z])(?:pg|db|d1)(?:[^a-z]|$)/i;
/** Another server's tool that runs SQL (by its name): its string arguments that are SQL are read. */
const RUNS_SQL = /sql|query|exec|migrat|statement/i;
/** Another server's tool that acts on a database (by its name). */
const DATABASE_TOOL = /sql|database|migrat|table|schema|(?:^|[^a-z])db(?:[^a-z]|$)/i;
/** A tool name that says it deletes. */
const DELETING_TOOL = /reset|drop|delete|destroy|truncate|wipe|purge|clean|erase|remove/i;
/** How deep and how many strings of the arguments are read (they are small in practice; beyond: unsure). */
const MAX_DEPTH = 6;
const MAX_STRINGS = 200;

export async function classifyMcpCall(server: string, tool: string, input: unknown): Promise<Classification> {
  const name = `mcp__${server}__${tool}`;
  const classification: Classification = { destructive: false, matches: [], unsure: [], selfApproval: [] };
  const dialect = /mysql|maria|planetscale|tidb|vitess/i.test(server) ? 'mysql' : /sqlite|libsql|turso|\bd1\b|cloudflare/i.test(server) ? 'sqlite' : 'postgres';
  const found: string[] = [];
  const database = DATABASE_SERVER.test(server);
  // a string that looks like SQL is read only where SQL is expected: `Update the README` in an issue is no statement
  const readsSql = database || RUNS_SQL.test(tool);
  const read = readsSql ? strings(input) : { found: [], overflow: false };
  // arguments too many or too deep to read all of them: what was not read could be the statement
  if (read.overflow) classification.unsure.push(`${name}: arguments too many or too deeply nested to read all of them`);
  for (const { key, text } of read.found) {
    if (!SQL_START.test(text)) continue;
    const judged = await judgeSql(text, dialect, `${name} ${key}`);
    found.push(...judged.statements);
    // shown and logged: never a password the SQL holds (`… PASSWORD '…'`, a URL's)
    classification.unsure.push(...judged.doubts.map((doubt) => redactCommandLine(`${name}: SQL that cannot be read with certainty: ${doubt}`)));
  }
  if (DELETING_TOOL.test(tool) && (database || DATABASE_TOOL.test(tool))) found.push(`the tool ${tool} of the ${server} server deletes by its name`);
  if (found.length) classification.matches.push({ row: MCP_TOOL_ROW, command: name, via: [], found });
  classification.destructive = classification.matches.length > 0 || classification.unsure.length > 0;
  return classification;
}

/** Every string among the arguments, with the key that holds it (`query`, `params.sql`, `sqlStatements[1]`). */
function strings(input: unknown): { found: Array<{ key: string; text: string }>; overflow: boolean } {
  const out: Array<{ key: string; text: string }> = [];
  let overflow = false;
  const walk = (value: unknown, key: string, depth: number) => {
    if (out.length >= MAX_STRINGS || depth > MAX_DEPTH) {
      overflow ||= value !== null && (typeof value === 'string' || typeof value === 'object');
      return;
    }
    if (typeof value === 'string') out.push({ key, text: value });
    else if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${key}[${index}]`, depth + 1));
    else if (value && typeof value === 'object') for (const [child, item] of Object.entries(value)) walk(item, key ? `${key}.${child}` : child, depth + 1);
  };
  walk(input, '', 0);
  return { found: out, overflow };
}
