import type { Client } from 'pg';
import { connect, READING_SETTINGS } from '../backup/engines/postgres.js';
import type { ServerTarget } from '../backup/instances.js';
import { redactText } from '../backup/redact.js';
import { splitSql } from '../sql/split.js';
import { elapsedSince, HISTORY_COLUMNS, MigrationFailure, rowFromDb, TRANSACTION_CONTROL, type ColumnState, type DbState, type MigrationDatabase, type TableState } from './database.js';
import type { MigrationFile } from './files.js';
import { HISTORY_TABLE, type HistoryRow } from './plan.js';
import { RUNNER_HISTORY } from './runner-history.js';

/**
 * PostgreSQL: DDL is transactional, so a file and its history row are one transaction
 * (BEGIN … COMMIT, ROLLBACK on the first error). A file that controls transactions itself or uses
 * CONCURRENTLY (which refuses to run inside one) is run statement by statement, as written.
 */

const HISTORY_DDL = `CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL, duration_ms bigint NOT NULL, applied_by text NOT NULL, git_commit text, kind text NOT NULL DEFAULT 'applied')`;
const INSERT = `INSERT INTO ${HISTORY_TABLE} (${HISTORY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
const params = (r: HistoryRow) => [r.version, r.name, r.checksum, r.appliedAt, elapsedSince(r), r.appliedBy, r.gitCommit, r.kind];

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp_%'`;
const NOT_EXTENSION = (cls: string, oid: string) => `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${cls}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
const display = `CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END`;

export async function openPostgres(server: ServerTarget, label: string): Promise<MigrationDatabase> {
  const client = await connect(server);
  const fail = (file: string, error: unknown, partial: boolean) =>
    new MigrationFailure(file, `${file} failed: ${redactText((error as Error).message, [server.password])}`, partial);
  return {
    family: 'postgres',
    label,
    async readHistory() {
      const exists = await client.query(`SELECT to_regclass('${HISTORY_TABLE}') IS NOT NULL AS e`);
      if (!exists.rows[0]!.e) return [];
      return (await client.query(`SELECT ${HISTORY_COLUMNS} FROM ${HISTORY_TABLE}`)).rows.map(rowFromDb);
    },
    async apply(migration: MigrationFile, row: HistoryRow) {
      const split = splitSql(migration.sql, 'postgres');
      if (split.skipped.length) {
        throw new MigrationFailure(migration.path, `${migration.path}: psql meta-commands and COPY … FROM stdin are psql input, not SQL; the built-in runner does not run them`, false);
      }
      const statements = split.statements.map((s) => s.text);
      const asWritten = statements.some((s) => TRANSACTION_CONTROL.test(s) || /\bCONCURRENTLY\b/i.test(s));
      if (asWritten) {
        let done = 0;
        try {
          await client.query(HISTORY_DDL);
          for (const statement of statements) {
            await client.query(statement);
            done++;
          }
          await client.query(INSERT, params(row));
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw fail(migration.path, error, done > 0);
        }
        return { transactional: false, note: 'the file controls its own transactions or uses CONCURRENTLY; it was run statement by statement' };
      }
      try {
        await client.query('BEGIN');
        await client.query(HISTORY_DDL);
        // the simple query protocol runs the whole file; any error aborts the transaction
        await client.query(migration.sql);
        await client.query(INSERT, params(row));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw fail(migration.path, error, false);
      }
      return { transactional: true };
    },
    async recordBaseline(rows: HistoryRow[]) {
      await client.query('BEGIN');
      try {
        await client.query(HISTORY_DDL);
        for (const r of rows) await client.query(INSERT, params(r));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    async state(before?: DbState) {
      // one snapshot for the whole reading, with our reading settings (JIT off: it slows counts down)
      await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${READING_SETTINGS}`);
      try {
        return await postgresState(client, before);
      } finally {
        await client.query('ROLLBACK');
      }
    },
    async historyKeys() {
      const columns = await client.query<{ q: string; t: string; c: string }>(
        `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS q, lower(c.relname) AS t, a.attname AS c
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMAS} AND lower(c.relname) = ANY($1)`,
        [Object.keys(RUNNER_HISTORY)],
      );
      const keys: string[] = [];
      for (const { q, t, c } of columns.rows.filter((row) => row.c.toLowerCase() === RUNNER_HISTORY[row.t])) {
        keys.push(...(await client.query<{ v: string | null }>(`SELECT ${quote(c)}::text AS v FROM ${q}`)).rows.flatMap((row) => (row.v === null ? [] : [row.v])));
      }
      return keys;
    },
    async signature() {
      const schema = await client.query<{ s: string }>(`
        SELECT md5(coalesce(string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text || ':' || coalesce(a.attname, '') || ':' || coalesce(format_type(a.atttypid, a.atttypmod), ''), ',' ORDER BY n.nspname, c.relname, a.attnum), '')) AS s
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'f')`);
      const writes = await client.query<{ w: string }>(
        `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text AS w FROM pg_stat_user_tables`,
      );
      // statistics are per transaction: read fresh ones next time
      await client.query('SELECT pg_stat_clear_snapshot()');
      return { schema: schema.rows[0]!.s, writes: writes.rows[0]!.w };
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}

/**
 * How a column's values are hashed: by the hash support function of its type's default hash operator class
 * when PostgreSQL has one in pg_catalog (hashint4, timestamp_hash, …: as cheap as reading the value), else by
 * the hash of its text (json, point, arrays, enums, types from extensions). Rendering every value as text made
 * the ledger's scans 4x slower than a count on 6 million rows; 32-bit hashes sum as bigint, which PostgreSQL adds
 * faster than the numeric sum of 64-bit ones (a change hides only if its two values collide: about 1 in 4e9).
 */
const COLUMNS_SQL = `
SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
  (SELECT pr.proname FROM pg_opclass oc
     JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily AND ap.amproclefttype = oc.opcintype AND ap.amprocrighttype = oc.opcintype AND ap.amprocnum = 1
     JOIN pg_proc pr ON pr.oid = ap.amproc AND pr.pronamespace = 'pg_catalog'::regnamespace
       AND pr.proargtypes[0] = oc.opcintype -- callable on the type itself: bool's is hashchar("char"), date's hashint4
   WHERE oc.opcmethod = (SELECT oid FROM pg_am WHERE amname = 'hash') AND oc.opcdefault
     AND oc.opcintype = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
   LIMIT 1) AS "hashBy"
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** SQL for the sum of the hashes of `value` (an expression) by `hashBy` (a pg_catalog function, or text). */
function hashSum(value: string, hashBy: string | undefined): string {
  const each = hashBy ? `pg_catalog.${quote(hashBy)}(${value})` : `hashtext((${value})::text)`;
  return `coalesce(sum(${each}), 0)::text`;
}

/**
 * The hash of a column whose type changed, as its values would hash in the type they had before (cast
 * back, directly or through text, then hashed as before): equal when the change kept every value. When the
 * old values were hashed as text, the new values' text is the last resort (an enum replaced by another one
 * with the same labels: the old type is gone). `null` when nothing works (a value does not fit the old type).
 */
async function hashAsBefore(client: Client, qname: string, column: string, was: ColumnState): Promise<string | null> {
  const casts = [`(${quote(column)})::${was.type}`, `(${quote(column)})::text::${was.type}`, ...(was.hashBy ? [] : [quote(column)])];
  for (const cast of casts) {
    await client.query('SAVEPOINT dbsafe_cast');
    try {
      const { rows } = await client.query<{ h: string }>(`SELECT ${hashSum(cast, was.hashBy)} AS h FROM ONLY ${qname}`);
      await client.query('RELEASE SAVEPOINT dbsafe_cast');
      return rows[0]!.h;
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT dbsafe_cast');
    }
  }
  return null;
}

async function postgresState(client: Client, before?: DbState): Promise<DbState> {
  const relations = await client.query<{ oid: number; name: string; qname: string; kind: string }>(`
    SELECT c.oid::int AS oid, ${display} AS name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qname, c.relkind AS kind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'v', 'm', 'S') AND c.relname <> '${HISTORY_TABLE}' AND ${NOT_EXTENSION('pg_class', 'c.oid')}
      -- a serial's sequence goes with its column: not an object of its own
      AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
    ORDER BY 2`);
  const schemas = await client.query<{ name: string }>(`SELECT n.nspname AS name FROM pg_namespace n WHERE ${USER_SCHEMAS} AND n.nspname <> 'public' AND ${NOT_EXTENSION('pg_namespace', 'n.oid')} ORDER BY 1`);
  const state: DbState = {
    tables: {},
    views: relations.rows.filter((r) => r.kind === 'v' || r.kind === 'm').map((r) => r.name),
    sequences: relations.rows.filter((r) => r.kind === 'S').map((r) => r.name),
    schemas: schemas.rows.map((r) => r.name),
  };
  for (const table of relations.rows.filter((r) => r.kind === 'r')) {
    const columns = (await client.query<{ name: string; type: string; hashBy: string | null }>(COLUMNS_SQL, [table.oid])).rows;
    // one scan: exact count, non-null count and an order-independent SUM of value hashes per column
    const parts = ['count(*)::text AS "rows"'];
    columns.forEach((c, i) => parts.push(`count(${quote(c.name)})::text AS n${i}`, `${hashSum(quote(c.name), c.hashBy ?? undefined)} AS h${i}`));
    const row = (await client.query<Record<string, string>>(`SELECT ${parts.join(', ')} FROM ONLY ${table.qname}`)).rows[0]!;
    const entry: TableState = { rows: Number(row.rows), columns: {} };
    for (const [i, c] of columns.entries()) {
      const column: ColumnState = { type: c.type, nonNull: Number(row[`n${i}`]), hash: row[`h${i}`]!, ...(c.hashBy ? { hashBy: c.hashBy } : {}) };
      const was = before?.tables[table.name]?.columns[c.name];
      if (was && was.type !== c.type) column.hashAsBefore = await hashAsBefore(client, table.qname, c.name, was);
      entry.columns[c.name] = column;
    }
    state.tables[table.name] = entry;
  }
  return state;
}

