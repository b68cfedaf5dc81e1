import { statSync } from 'node:fs';
import { query, sqlite } from '../backup/engines/sqlite.js';
import { splitSql } from '../sql/split.js';
import { HISTORY_COLUMNS, historyInsertValues, MigrationFailure, rowFromDb, TRANSACTION_CONTROL, type DbState, type MigrationDatabase, type TableState } from './database.js';
import type { MigrationFile } from './files.js';
import { HISTORY_TABLE, type HistoryRow } from './plan.js';
import { RUNNER_HISTORY } from './runner-history.js';

/**
 * SQLite through the sqlite3 CLI (as backup does). A file runs as one script
 * `BEGIN; <file>; INSERT history; COMMIT;` with -bail: a failing statement stops sqlite3 before
 * COMMIT and the whole file rolls back (SQLite DDL is transactional).
 */

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteText = (text: string) => `'${text.replace(/'/g, "''")}'`;

const HISTORY_DDL = `CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (version TEXT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL, duration_ms INTEGER NOT NULL, applied_by TEXT NOT NULL, git_commit TEXT, kind TEXT NOT NULL DEFAULT 'applied');`;

export function openSqlite(file: string, label: string): MigrationDatabase {
  const historyExists = async () =>
    (await query<{ n: number }>(file, `SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = ${quoteText(HISTORY_TABLE)};`))[0]!.n > 0;
  return {
    family: 'sqlite',
    label,
    async readHistory() {
      if (!(await historyExists())) return [];
      return (await query<Record<string, unknown>>(file, `SELECT ${HISTORY_COLUMNS} FROM ${HISTORY_TABLE};`)).map(rowFromDb);
    },
    async apply(migration: MigrationFile, row: HistoryRow) {
      const elapsed = `CAST(round((julianday('now') - julianday(${quoteText(row.appliedAt)})) * 86400000) AS INTEGER)`;
      const record = `INSERT INTO ${HISTORY_TABLE} (${HISTORY_COLUMNS}) VALUES ${historyInsertValues(row, quoteText, elapsed)};`;
      const ownTransaction = splitSql(migration.sql, 'sqlite').statements.some((s) => TRANSACTION_CONTROL.test(s.text));
      try {
        if (ownTransaction) {
          await sqlite(file, `${HISTORY_DDL} ${migration.sql}\n;\n${record}\n`, false);
          return { transactional: false, note: 'the file manages its own transaction; it was run as written' };
        }
        // on the file's first line, so sqlite3's "near line N" is the file's own line number
        await sqlite(file, `${HISTORY_DDL} BEGIN; ${migration.sql}\n;\n${record}\nCOMMIT;\n`, false);
        return { transactional: true };
      } catch (error) {
        throw new MigrationFailure(migration.path, `${migration.path} failed: ${(error as Error).message}`, ownTransaction);
      }
    },
    async recordBaseline(rows: HistoryRow[]) {
      const values = rows.map((r) => `INSERT INTO ${HISTORY_TABLE} (${HISTORY_COLUMNS}) VALUES ${historyInsertValues(r, quoteText)};`).join('\n');
      await sqlite(file, `${HISTORY_DDL}\nBEGIN;\n${values}\nCOMMIT;\n`, false);
    },
    async state() {
      return sqliteState(file);
    },
    async historyKeys() {
      const names = Object.keys(RUNNER_HISTORY).map(quoteText).join(', ');
      const columns = await query<{ t: string; c: string }>(
        file,
        `SELECT s.name AS t, p.name AS c FROM sqlite_schema s JOIN pragma_table_info(s.name) p WHERE s.type = 'table' AND lower(s.name) IN (${names});`,
      );
      const keys: string[] = [];
      for (const { t, c } of columns.filter((row) => row.c.toLowerCase() === RUNNER_HISTORY[row.t.toLowerCase()])) {
        const values = await query<{ v: string | null }>(file, `SELECT CAST(${quoteIdent(c)} AS TEXT) AS v FROM ${quoteIdent(t)};`);
        keys.push(...values.flatMap((row) => (row.v === null ? [] : [String(row.v)])));
      }
      return keys;
    },
    async signature() {
      // a cheap look that needs no connection: any write changes the file or its -wal
      const stamp = (f: string) => {
        try {
          const s = statSync(f);
          return `${s.ino}:${s.size}:${s.mtimeMs}`;
        } catch {
          return 'absent';
        }
      };
      const schema = (await query<{ sql: string | null }>(file, 'SELECT sql FROM sqlite_schema ORDER BY type, name;')).map((r) => r.sql ?? '').join('\n');
      return { schema, writes: `${stamp(file)} ${stamp(`${file}-wal`)}` };
    },
    async close() {
      /* one process per call: nothing held open */
    },
  };
}

async function sqliteState(file: string): Promise<DbState> {
  const objects = await query<{ type: string; name: string }>(
    file,
    `SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ${quoteText(HISTORY_TABLE)} ORDER BY name;`,
  );
  const state: DbState = { tables: {}, views: objects.filter((o) => o.type === 'view').map((o) => o.name), sequences: [], schemas: [] };
  for (const { name } of objects.filter((o) => o.type === 'table')) {
    const columns = await query<{ name: string; type: string }>(file, `SELECT name, type FROM pragma_table_info(${quoteText(name)});`);
    const table = quoteIdent(name);
    // one scan for the counts; then each column's sorted values hashed by sha3_query (built into the
    // sqlite3 shell) through a TEMP view (never written to the file), so the hashed query text is the
    // same for every column and a renamed column hashes the same
    const counts = [`count(*) AS "rows"`, ...columns.map((c, i) => `count(${quoteIdent(c.name)}) AS n${i}`)];
    const row: Record<string, unknown> = { ...(await query<Record<string, unknown>>(file, `SELECT ${counts.join(', ')} FROM ${table};`))[0] };
    if (columns.length) {
      const script = columns
        .map((c) => {
          const column = quoteIdent(c.name);
          return `DROP VIEW IF EXISTS temp.dbsafe_column; CREATE TEMP VIEW dbsafe_column AS SELECT CAST(${column} AS TEXT) AS v FROM main.${table} WHERE ${column} IS NOT NULL; SELECT hex(sha3_query('SELECT v FROM dbsafe_column ORDER BY 1'));`;
        })
        .join('\n');
      (await sqlite(file, script, false))
        .trim()
        .split('\n')
        .forEach((hash, i) => (row[`h${i}`] = hash));
    }
    const entry: TableState = { rows: Number(row.rows ?? 0), columns: {} };
    columns.forEach((c, i) => {
      entry.columns[c.name] = { type: c.type.toLowerCase(), nonNull: Number(row[`n${i}`] ?? 0), hash: String(row[`h${i}`] ?? '') };
    });
    state.tables[name] = entry;
  }
  return state;
}
