import { BlockedError } from '../../errors.js';
import type { SwapRequest, SwapResult } from './restore-types.js';
import { query, quoteIdent, quoteText, sqlite } from './sqlite.js';

/**
 * `restore --tables` on SQLite. The whole backup was decompressed beside the target and checked against
 * the manifest (sqlite-restore.ts). The target then gets, in ONE transaction with the checked copy
 * attached: each named table dropped, recreated from the copy's definition, its rows copied, its
 * indexes and triggers recreated, its AUTOINCREMENT counter set. Views that read the tables and foreign
 * keys of other tables point at them by name and keep working. Any error rolls the transaction back.
 */

export async function replaceTables(request: SwapRequest, db: string, copy: string): Promise<SwapResult> {
  const tables = request.tables!;
  const inList = tables.map(quoteText).join(', ');
  const definitions = await query<{ type: string; name: string; tbl_name: string; sql: string }>(
    copy,
    `SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE tbl_name IN (${inList}) AND sql IS NOT NULL ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid;`,
  );
  const sequences = (await query<{ n: number }>(copy, "SELECT count(*) AS n FROM sqlite_schema WHERE name = 'sqlite_sequence';"))[0]?.n
    ? await query<{ name: string; seq: number }>(copy, `SELECT name, seq FROM sqlite_sequence WHERE name IN (${inList});`)
    : [];
  const statements = ['PRAGMA foreign_keys = OFF;', `ATTACH ${quoteText(copy)} AS dbsafe_copy;`, 'BEGIN IMMEDIATE;'];
  for (const table of tables) {
    const columns = (await query<{ name: string }>(copy, `SELECT name FROM pragma_table_info(${quoteText(table)});`)).map((c) => quoteIdent(c.name)).join(', ');
    statements.push(`DROP TABLE IF EXISTS main.${quoteIdent(table)};`);
    statements.push(`${definitions.find((d) => d.type === 'table' && d.name === table)!.sql};`);
    statements.push(`INSERT INTO main.${quoteIdent(table)} (${columns}) SELECT ${columns} FROM dbsafe_copy.${quoteIdent(table)};`);
  }
  for (const d of definitions.filter((x) => x.type !== 'table')) statements.push(`${d.sql};`);
  for (const s of sequences) {
    statements.push(`DELETE FROM main.sqlite_sequence WHERE name = ${quoteText(s.name)};`, `INSERT INTO main.sqlite_sequence (name, seq) VALUES (${quoteText(s.name)}, ${Number(s.seq)});`);
  }
  statements.push('COMMIT;', 'DETACH dbsafe_copy;');
  const dependents = await query<{ type: string; name: string }>(
    db,
    `SELECT 'view' AS type, name FROM sqlite_schema WHERE type = 'view' AND (${tables.map((t) => `instr(lower(sql), lower(${quoteText(t)})) > 0`).join(' OR ')})
     UNION ALL SELECT DISTINCT 'foreign key of ' || m.name, p."table" FROM sqlite_schema m, pragma_foreign_key_list(m.name) p
      WHERE m.type = 'table' AND m.name NOT IN (${inList}) AND p."table" IN (${inList});`,
  );
  request.onStage(`replacing ${tables.join(', ')} in ${db} (one transaction)`);
  try {
    await sqlite(db, `PRAGMA busy_timeout = 0;\n${statements.join('\n')}`, false);
  } catch (error) {
    throw new BlockedError(`Replacing ${tables.join(', ')} failed (${(error as Error).message.split('\n')[0]}); the transaction was rolled back: ${db} is as it was`);
  }
  const expected = new Map(request.manifest.expected.tables.map((t) => [t.name, t.rows]));
  const counted = await query<{ name: string; rows: number }>(db, tables.map((t) => `SELECT ${quoteText(t)} AS name, count(*) AS rows FROM ${quoteIdent(t)}`).join(' UNION ALL ') + ';');
  const wrong = counted.filter((c) => Number(c.rows) !== expected.get(c.name));
  if (wrong.length) throw new BlockedError(`After replacing the tables, ${wrong.map((w) => `${w.name} has ${w.rows} rows (manifest: ${expected.get(w.name)})`).join(', ')}`);
  return {
    method: 'the named tables (with their indexes, triggers and AUTOINCREMENT counters) dropped and copied from the checked copy in one transaction (atomic)',
    tables: tables.length,
    rows: counted.reduce((sum, c) => sum + Number(c.rows), 0),
    dependents: dependents.map((d) => (d.type === 'view' ? `view ${d.name} reads them: kept (bound by name)` : `${d.type} references ${d.name}: kept (bound by name)`)),
  };
}
