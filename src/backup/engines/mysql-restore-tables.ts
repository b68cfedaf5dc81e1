import type { Connection } from 'mysql2/promise';
import { DatabaseError } from '../../errors.js';
import { countRows, quoteIdent as q } from './mysql.js';
import type { SwapRequest, SwapResult } from './restore-types.js';

/**
 * `restore --tables` on MySQL/MariaDB. The whole backup was loaded into the side schema and checked
 * against the manifest (mysql-restore.ts). DDL commits at once on these servers and a renamed parent
 * table takes the foreign keys of its children along, so the named tables are replaced in place, after
 * the safety backup: with foreign_key_checks off, each is dropped, recreated from the side schema's
 * `SHOW CREATE TABLE`, filled from it, and its triggers recreated. Views and other tables' foreign keys
 * name the tables and keep pointing at the new ones. Not atomic: a failure names the table it stopped
 * at, and the safety backup's restore command is printed (restore.ts).
 */

async function rows<T>(conn: Connection, sql: string, params: unknown[] = []): Promise<T[]> {
  const [result] = await conn.query(sql, params);
  return result as T[];
}

export async function replaceTables(request: SwapRequest, conn: Connection, side: string): Promise<SwapResult> {
  const database = request.target.server!.database;
  const tables = request.tables!;
  const dependents = [
    ...(await rows<{ name: string; ref: string }>(
      conn,
      `SELECT DISTINCT CONCAT(TABLE_NAME, '.', CONSTRAINT_NAME) AS name, REFERENCED_TABLE_NAME AS ref FROM information_schema.REFERENTIAL_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME IN (?) AND TABLE_NAME NOT IN (?)`,
      [database, tables, tables],
    )).map((r) => `foreign key ${r.name} references ${r.ref}: kept (bound by name)`),
    ...(await rows<{ name: string; def: string }>(conn, 'SELECT TABLE_NAME AS name, VIEW_DEFINITION AS def FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?', [database]))
      .filter((v) => tables.some((t) => String(v.def).includes(`\`${t}\``)))
      .map((v) => `view ${v.name} reads them: kept (bound by name)`),
  ];
  await conn.query('SET SESSION foreign_key_checks = 0');
  let current = '';
  try {
    for (const table of tables) {
      current = table;
      request.onStage(`replacing ${table} in ${database}`);
      const [create] = await rows<Record<string, string>>(conn, `SHOW CREATE TABLE ${q(side)}.${q(table)}`);
      const triggers = await rows<{ name: string }>(conn, 'SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY ACTION_ORDER', [side, table]);
      const triggerSql: Array<{ sql: string; mode: string }> = [];
      for (const t of triggers) {
        const [row] = await rows<Record<string, string>>(conn, `SHOW CREATE TRIGGER ${q(side)}.${q(t.name)}`);
        triggerSql.push({ sql: row!['SQL Original Statement']!, mode: row!.sql_mode ?? '' });
      }
      const columns = (
        await rows<{ name: string }>(
          conn,
          "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION",
          [side, table],
        )
      )
        .map((c) => q(c.name))
        .join(', ');
      await conn.query(`USE ${q(database)}`);
      await conn.query(`DROP TABLE IF EXISTS ${q(database)}.${q(table)}`);
      await conn.query(create!['Create Table']!);
      await conn.query(`INSERT INTO ${q(database)}.${q(table)} (${columns}) SELECT ${columns} FROM ${q(side)}.${q(table)}`);
      for (const t of triggerSql) {
        await conn.query('SET SESSION sql_mode = ?', [t.mode]);
        await conn.query(t.sql);
      }
    }
  } catch (error) {
    throw new DatabaseError(`Replacing ${current} in "${database}" failed (${(error as Error).message}); tables before it in --tables were already replaced (MySQL/MariaDB commit DDL at once)`, {
      hint: 'Restore the safety backup to get the state before this restore back (command below).',
    });
  } finally {
    await conn.query('SET SESSION foreign_key_checks = 1').catch(() => undefined);
  }
  const expected = new Map(request.manifest.expected.tables.map((t) => [t.name, t.rows]));
  const counted = (await countRows(conn, database)).filter((t) => tables.includes(t.name));
  const wrong = tables.filter((t) => counted.find((c) => c.name === t)?.rows !== expected.get(t));
  if (wrong.length) throw new DatabaseError(`After replacing the tables, ${wrong.join(', ')} ${wrong.length === 1 ? 'does' : 'do'} not have the manifest's row count`);
  return {
    method: 'in place after the safety backup: each named table dropped, recreated and filled from the checked side schema, its triggers recreated (not atomic: MySQL/MariaDB commit DDL at once)',
    tables: tables.length,
    rows: counted.reduce((sum, c) => sum + c.rows, 0),
    dependents,
  };
}
