import { createHash } from 'node:crypto';
import { connect } from '../backup/engines/mysql.js';
import type { ServerTarget } from '../backup/instances.js';
import { redactText } from '../backup/redact.js';
import { splitSql } from '../sql/split.js';
import { elapsedSince, HISTORY_COLUMNS, MigrationFailure, rowFromDb, type DbState, type MigrationDatabase } from './database.js';
import type { MigrationFile } from './files.js';
import { HISTORY_TABLE, type HistoryRow } from './plan.js';
import { RUNNER_HISTORY } from './runner-history.js';

/**
 * MySQL / MariaDB: every DDL statement (CREATE, ALTER, DROP, RENAME, TRUNCATE) commits implicitly,
 * so a file with DDL cannot be one transaction. The runner still opens one (a file of plain DML,
 * with its history row, rolls back whole) and says so when a file has DDL: if such a file fails
 * half-way, the statements before the failure stay applied and the failure says it is partial
 * (safe-migrate then restores the pre-migration backup).
 */

const HISTORY_DDL = `CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (version VARCHAR(191) PRIMARY KEY, name VARCHAR(255) NOT NULL, checksum CHAR(64) NOT NULL, applied_at VARCHAR(40) NOT NULL, duration_ms BIGINT NOT NULL, applied_by VARCHAR(255) NOT NULL, git_commit VARCHAR(64), kind VARCHAR(16) NOT NULL DEFAULT 'applied') ENGINE=InnoDB`;
const INSERT = `INSERT INTO ${HISTORY_TABLE} (${HISTORY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const params = (r: HistoryRow) => [r.version, r.name, r.checksum, r.appliedAt, elapsedSince(r), r.appliedBy, r.gitCommit, r.kind];
const IMPLICIT_COMMIT = /^\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b/i;
/** verify's scratch marker table (see backup/engines/mysql.ts) is not part of the data. */
const IGNORED = [HISTORY_TABLE, '_dbsafe_verify_scratch'];

const quoteIdent = (name: string) => `\`${name.replace(/`/g, '``')}\``;

export async function openMysql(server: ServerTarget, label: string): Promise<MigrationDatabase> {
  const conn = await connect(server, server.database);
  const rows = async <T>(sql: string, values: unknown[] = []) => (await conn.query(sql, values))[0] as T[];
  const userTables = async (type: string) =>
    (await rows<{ name: string }>(`SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = ? ORDER BY TABLE_NAME`, [type]))
      .map((r) => String(r.name))
      .filter((n) => !IGNORED.includes(n));
  return {
    family: 'mysql',
    label,
    async readHistory() {
      const exists = await rows(`SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, [HISTORY_TABLE]);
      if (!exists.length) return [];
      return (await rows<Record<string, unknown>>(`SELECT ${HISTORY_COLUMNS} FROM ${HISTORY_TABLE}`)).map(rowFromDb);
    },
    async apply(migration: MigrationFile, row: HistoryRow) {
      const split = splitSql(migration.sql, 'mysql');
      const statements = split.statements.map((s) => s.code).filter((s) => s.trim() !== '');
      const ddl = statements.some((s) => IMPLICIT_COMMIT.test(s));
      let committed = false;
      await conn.query(HISTORY_DDL);
      try {
        await conn.query('START TRANSACTION');
        for (const statement of statements) {
          await conn.query(statement);
          if (IMPLICIT_COMMIT.test(statement)) committed = true;
        }
        await conn.query(INSERT, params(row));
        await conn.query('COMMIT');
      } catch (error) {
        await conn.query('ROLLBACK').catch(() => undefined);
        const partial = committed ? ' (statements before it were DDL, which MySQL/MariaDB commit at once: they stay applied)' : '';
        throw new MigrationFailure(migration.path, `${migration.path} failed${partial}: ${redactText((error as Error).message, [server.password])}`, committed);
      }
      return ddl
        ? { transactional: false, note: 'MySQL/MariaDB commit each DDL statement at once: had this file failed half-way, its earlier statements would have stayed applied' }
        : { transactional: true };
    },
    async recordBaseline(history: HistoryRow[]) {
      await conn.query(HISTORY_DDL);
      await conn.query('START TRANSACTION');
      for (const r of history) await conn.query(INSERT, params(r));
      await conn.query('COMMIT');
    },
    async state() {
      const state: DbState = { tables: {}, views: await userTables('VIEW'), sequences: await userTables('SEQUENCE'), schemas: [] };
      for (const name of await userTables('BASE TABLE')) {
        const columns = await rows<{ name: string; type: string }>(
          `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
          [name],
        );
        // one scan: exact count, non-null count and an order-independent SUM of CRC32 of each value's text
        const parts = ['COUNT(*) AS `rows`'];
        columns.forEach((c, i) => parts.push(`COUNT(${quoteIdent(c.name)}) AS n${i}`, `CAST(COALESCE(SUM(CRC32(${quoteIdent(c.name)})), 0) AS CHAR) AS h${i}`));
        const row = (await rows<Record<string, unknown>>(`SELECT ${parts.join(', ')} FROM ${quoteIdent(name)}`))[0]!;
        state.tables[name] = { rows: Number(row.rows), columns: {} };
        columns.forEach((c, i) => {
          state.tables[name]!.columns[String(c.name)] = { type: String(c.type), nonNull: Number(row[`n${i}`]), hash: String(row[`h${i}`]) };
        });
      }
      return state;
    },
    async historyKeys() {
      const names = Object.keys(RUNNER_HISTORY);
      const columns = await rows<{ t: string; c: string }>(
        `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND LOWER(TABLE_NAME) IN (${names.map(() => '?').join(', ')})`,
        names,
      );
      const keys: string[] = [];
      for (const { t, c } of columns.filter((row) => row.c.toLowerCase() === RUNNER_HISTORY[row.t.toLowerCase()])) {
        const values = await rows<{ v: string | null }>(`SELECT CAST(${quoteIdent(c)} AS CHAR) AS v FROM ${quoteIdent(t)}`);
        keys.push(...values.flatMap((row) => (row.v === null ? [] : [String(row.v)])));
      }
      return keys;
    },
    async signature() {
      const columns = await rows<Record<string, unknown>>(
        `SELECT TABLE_NAME, TABLE_TYPE, COLUMN_NAME, COLUMN_TYPE FROM information_schema.TABLES t LEFT JOIN information_schema.COLUMNS c USING (TABLE_SCHEMA, TABLE_NAME) WHERE t.TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      );
      const schema = createHash('sha256').update(JSON.stringify(columns)).digest('hex');
      // InnoDB keeps no reliable write counters: exact row counts are the cheap tell
      const counts: string[] = [];
      for (const name of await userTables('BASE TABLE')) {
        const [r] = await rows<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(name)}`);
        counts.push(`${name}=${r!.n}`);
      }
      return { schema, writes: counts.join(',') };
    },
    async close() {
      await conn.end().catch(() => undefined);
    },
  };
}
