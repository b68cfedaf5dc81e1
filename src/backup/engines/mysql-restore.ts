import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Connection } from 'mysql2/promise';
import { BlockedError, DatabaseError } from '../../errors.js';
import { onInterrupt } from '../cleanup.js';
import { serverDiskFull } from '../files.js';
import { pidAlive } from '../lock.js';
import { describeExit, startChild } from '../runner.js';
import { compare } from '../verify.js';
import { clientFamily, connect, countRows, findBinary, listObjects, MARKER_TABLE, quoteIdent, serverInfo, TailKeeper, writeDefaultsFile } from './mysql.js';
import { expectedFor } from './restore-expected.js';
import { replaceTables } from './mysql-restore-tables.js';
import { freeName, sideName, type RestoreDriver, type RestoreTargetRequest, type SwapRequest, type SwapResult, type TargetState } from './restore-types.js';

/**
 * MySQL / MariaDB restore. A database cannot be renamed, so: load the dump into a side schema
 * `<name>__dbsafe_new_<stamp>` and compare it with the manifest (a backup that does not load or does not
 * match never touches the target); then swap with ONE `RENAME TABLE` statement that moves every table of
 * the target into `<name>__dbsafe_prev_<stamp>` and every restored table into the target (atomic: MariaDB
 * 10.6+ / MySQL 8 roll a multi-table rename back as a whole). Views, triggers, routines and events cannot
 * move between schemas: the target's are dropped just before the rename and the restored ones recreated
 * right after, from the side schema's own definitions. If anything in the swap fails, the previous
 * tables and definitions are put back automatically; the safety backup covers a crash in that window.
 */

const q = quoteIdent;
const majorOf = (version: string) => Number(/^(\d+)/.exec(version)?.[1] ?? 0);

async function rows<T>(conn: Connection, sql: string, params: unknown[] = []): Promise<T[]> {
  const [result] = await conn.query(sql, params);
  return result as T[];
}

async function inspectTarget(request: RestoreTargetRequest): Promise<TargetState> {
  const server = request.target.server!;
  const conn = await connect(server, undefined);
  try {
    const info = await serverInfo(conn);
    const flavor = request.manifest.server.flavor;
    if (flavor === info.flavor && majorOf(request.manifest.server.version) > info.major) {
      throw new DatabaseError(
        `Backup ${request.manifest.id} was taken from ${flavor} ${request.manifest.server.version}; the target runs ${info.version}. A dump of a newer major may use what this server does not know`,
        { hint: `Restore into a ${flavor} ${majorOf(request.manifest.server.version)} (or newer) server with --into env:VAR.` },
      );
    }
    const exists = (await rows(conn, 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [server.database])).length > 0;
    return { exists, name: server.database, label: `${info.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} database "${server.database}" on ${server.socket ?? server.host}:${server.port}` };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** A view, trigger, routine or event: what SHOW CREATE gives, with the settings it must be created under. */
interface Definition {
  kind: 'view' | 'trigger' | 'function' | 'procedure' | 'event';
  name: string;
  sql: string;
  sqlMode: string;
  timeZone?: string;
}

async function captureDefinitions(conn: Connection, schema: string): Promise<Definition[]> {
  const out: Definition[] = [];
  for (const { name } of await rows<{ name: string }>(conn, 'SELECT TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [schema])) {
    const [row] = await rows<Record<string, string>>(conn, `SHOW CREATE VIEW ${q(schema)}.${q(name)}`);
    out.push({ kind: 'view', name, sql: row!['Create View']!, sqlMode: '' });
  }
  for (const { type, name } of await rows<{ type: string; name: string }>(conn, 'SELECT ROUTINE_TYPE AS type, ROUTINE_NAME AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_NAME', [schema])) {
    const kind = type === 'FUNCTION' ? 'function' : 'procedure';
    const [row] = await rows<Record<string, string>>(conn, `SHOW CREATE ${type} ${q(schema)}.${q(name)}`);
    out.push({ kind, name, sql: row![kind === 'function' ? 'Create Function' : 'Create Procedure']!, sqlMode: row!.sql_mode ?? '' });
  }
  for (const { name } of await rows<{ name: string }>(conn, 'SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER', [schema])) {
    const [row] = await rows<Record<string, string>>(conn, `SHOW CREATE TRIGGER ${q(schema)}.${q(name)}`);
    out.push({ kind: 'trigger', name, sql: row!['SQL Original Statement']!, sqlMode: row!.sql_mode ?? '' });
  }
  for (const { name } of await rows<{ name: string }>(conn, 'SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME', [schema])) {
    const [row] = await rows<Record<string, string>>(conn, `SHOW CREATE EVENT ${q(schema)}.${q(name)}`);
    out.push({ kind: 'event', name, sql: row!['Create Event']!, sqlMode: row!.sql_mode ?? '', timeZone: row!.time_zone });
  }
  return out;
}

async function dropDefinitions(conn: Connection, schema: string, definitions: Definition[]): Promise<void> {
  for (const d of definitions) await conn.query(`DROP ${d.kind.toUpperCase()} IF EXISTS ${q(schema)}.${q(d.name)}`);
}

/** Create definitions captured in `from` inside `schema`: routines first (views may call them), views until none is left (views on views), then triggers and events. */
async function createDefinitions(conn: Connection, schema: string, definitions: Definition[], from: string): Promise<void> {
  await conn.query(`USE ${q(schema)}`);
  const retarget = (sql: string) => (from === schema ? sql : sql.split(`${q(from)}.`).join(`${q(schema)}.`));
  const create = async (d: Definition) => {
    await conn.query('SET SESSION sql_mode = ?', [d.sqlMode]);
    if (d.timeZone) await conn.query('SET SESSION time_zone = ?', [d.timeZone]);
    await conn.query(retarget(d.sql));
  };
  for (const d of definitions.filter((x) => x.kind === 'function' || x.kind === 'procedure')) await create(d);
  let views = definitions.filter((x) => x.kind === 'view');
  while (views.length) {
    const failed: Definition[] = [];
    let lastError: unknown;
    for (const view of views) {
      try {
        await create(view);
      } catch (error) {
        failed.push(view);
        lastError = error;
      }
    }
    if (failed.length === views.length) throw lastError;
    views = failed;
  }
  for (const d of definitions.filter((x) => x.kind === 'trigger' || x.kind === 'event')) await create(d);
}

/** Tables (and MariaDB sequences, which are tables) that RENAME TABLE moves; our marker excluded. */
async function movableTables(conn: Connection, schema: string): Promise<string[]> {
  const found = await rows<{ name: string }>(
    conn,
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SEQUENCE') AND TABLE_NAME <> ? ORDER BY TABLE_NAME`,
    [schema, MARKER_TABLE],
  );
  return found.map((r) => String(r.name));
}

/** Side schemas left by a restore that was killed before its swap (ours: marked, owner pid dead). */
async function sweepSides(conn: Connection, database: string): Promise<void> {
  const pattern = `${database.replace(/[\\%_]/g, '\\$&')}\\_\\_dbsafe\\_new\\_%`;
  for (const { name } of await rows<{ name: string }>(conn, 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [pattern])) {
    if (!/__dbsafe_new_\d{8}t\d{6}z$/.test(name)) continue;
    const mark = (await rows<{ pid: number; host: string }>(conn, `SELECT pid, host FROM ${q(name)}.${MARKER_TABLE}`).catch(() => []))[0];
    // killed between CREATE DATABASE and writing the marker's row: our name, and nothing else in it
    const empty = !mark && (await rows(conn, 'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> ? LIMIT 1', [name, MARKER_TABLE])).length === 0;
    if (empty || (mark && mark.host === os.hostname() && !pidAlive(Number(mark.pid)))) await conn.query(`DROP DATABASE ${q(name)}`);
  }
}

async function loadDump(request: SwapRequest, schema: string): Promise<void> {
  const server = request.target.server!;
  const flavor = request.manifest.server.flavor === 'mariadb' ? 'mariadb' : 'mysql';
  const client = await findBinary(clientFamily(flavor).client);
  const defaults = writeDefaultsFile(request.secretsDir, server);
  const run = startChild(client.path, [`--defaults-extra-file=${defaults}`, '--default-character-set=utf8mb4', '--binary-mode', schema], {
    stdin: 'pipe',
    stdout: 'ignore',
    secrets: [server.password],
  });
  run.child.stdin!.on('error', () => undefined);
  const tail = new TailKeeper();
  let streamError: Error | undefined;
  await pipeline(createReadStream(request.artifactPath), createGunzip(), tail, run.child.stdin!).catch((error: Error) => {
    streamError = error;
    run.child.kill('SIGTERM');
  });
  const exit = await run.done;
  // the backup verified: a failure here is as likely the server (full disk, restart, lost connection) as the backup
  if (exit.code !== 0 || exit.signal) {
    const why = describeExit(path.basename(client.path), exit);
    throw new DatabaseError(`Loading the dump into ${schema} failed: ${why}. Nothing was swapped in.${serverDiskFull(why)}`);
  }
  if (streamError) throw new BlockedError(`The artifact could not be read: ${streamError.message}. Nothing was swapped in.`);
  if (!tail.completed()) throw new BlockedError('The dump does not end with "-- Dump completed" (truncated). Nothing was swapped in.');
}

async function checkAgainstManifest(conn: Connection, schema: string, request: SwapRequest): Promise<{ tables: number; rows: number }> {
  const objects = await listObjects(conn, schema);
  const tables = await countRows(conn, schema);
  const { reason, differences } = compare({ expected: expectedFor(request.manifest, request.schemaOnly) }, { objects, tables, scratch: schema, problems: [] });
  if (reason) throw new BlockedError(`${schema} differs from the backup's manifest (${reason})`, { hint: differences.slice(0, 20).join('\n  ') });
  return { tables: tables.length, rows: tables.reduce((sum, t) => sum + t.rows, 0) };
}

async function restoreAndSwap(request: SwapRequest): Promise<SwapResult> {
  const server = request.target.server!;
  const database = server.database;
  const side = sideName(database, `__dbsafe_new_${request.stamp}`, 64);
  const conn = await connect(server, undefined);
  let sideExists = false;
  const dropSide = async () => {
    if (sideExists) {
      sideExists = false;
      await conn.query(`DROP DATABASE IF EXISTS ${q(side)}`);
    }
  };
  const unregister = onInterrupt(async () => {
    await dropSide();
    await conn.end().catch(() => undefined);
  });
  try {
    // never wait a year (the default) for a metadata lock held by a long transaction
    await conn.query('SET SESSION lock_wait_timeout = 60');
    await sweepSides(conn, database);
    const previous = await freeName(
      (suffix) => sideName(database, `__dbsafe_prev_${request.stamp}${suffix}`, 64),
      async (name) => (await rows(conn, 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])).length > 0,
    );
    const charset =
      (await rows<{ cs: string; co: string }>(conn, 'SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]))[0] ??
      { cs: 'utf8mb4', co: 'utf8mb4_general_ci' };
    const exists = (await rows(conn, 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database])).length > 0;
    const createSchema = (name: string) => conn.query(`CREATE DATABASE ${q(name)} CHARACTER SET ${charset.cs} COLLATE ${charset.co}`);

    request.onStage(`loading the dump into the side schema ${side}`);
    await createSchema(side);
    sideExists = true;
    await conn.query(`CREATE TABLE ${q(side)}.${MARKER_TABLE} (pid INT, host VARCHAR(255)) ENGINE=InnoDB`);
    await conn.query(`INSERT INTO ${q(side)}.${MARKER_TABLE} VALUES (?, ?)`, [process.pid, os.hostname()]);
    await loadDump(request, side);
    if (request.schemaOnly) {
      await conn.query('SET SESSION foreign_key_checks = 0');
      for (const table of await countRows(conn, side)) await conn.query(`TRUNCATE TABLE ${q(side)}.${q(table.name)}`);
      await conn.query('SET SESSION foreign_key_checks = 1');
    }
    request.onStage('comparing objects and row counts with the manifest');
    await checkAgainstManifest(conn, side, request).catch((error: BlockedError) => {
      throw new BlockedError(`${error.message}; nothing was swapped in`, { hint: error.hint });
    });
    await request.artifactIntact;
    if (request.tables) return await replaceTables(request, conn, side);

    request.onStage(`swapping the tables of ${side} into ${database}`);
    const oldDefinitions = exists ? await captureDefinitions(conn, database) : [];
    const newDefinitions = await captureDefinitions(conn, side);
    const oldTables = exists ? await movableTables(conn, database) : [];
    const newTables = await movableTables(conn, side);
    // triggers cannot travel with their table to another schema: recreated after the rename
    await dropDefinitions(conn, side, newDefinitions.filter((d) => d.kind === 'trigger'));
    let stage: 'untouched' | 'kept' | 'emptied' | 'renamed' = 'untouched';
    const forward = [...oldTables.map((t) => `${q(database)}.${q(t)} TO ${q(previous)}.${q(t)}`), ...newTables.map((t) => `${q(side)}.${q(t)} TO ${q(database)}.${q(t)}`)];
    const backward = [...newTables.map((t) => `${q(database)}.${q(t)} TO ${q(side)}.${q(t)}`), ...oldTables.map((t) => `${q(previous)}.${q(t)} TO ${q(database)}.${q(t)}`)];
    let counted: { tables: number; rows: number };
    try {
      await createSchema(exists ? previous : database);
      stage = 'kept';
      await dropDefinitions(conn, database, oldDefinitions);
      stage = 'emptied';
      if (forward.length) await conn.query(`RENAME TABLE ${forward.join(', ')}`);
      stage = 'renamed';
      await createDefinitions(conn, database, newDefinitions, side);
      counted = await checkAgainstManifest(conn, database, request);
    } catch (error) {
      const message = (error as Error).message;
      try {
        if (stage === 'renamed') {
          await dropDefinitions(conn, database, newDefinitions);
          if (backward.length) await conn.query(`RENAME TABLE ${backward.join(', ')}`);
        }
        if (stage === 'emptied' || stage === 'renamed') await createDefinitions(conn, database, oldDefinitions, database);
        // only the schema this run created (never one an earlier restore kept)
        if (exists && stage !== 'untouched') await conn.query(`DROP DATABASE IF EXISTS ${q(previous)}`);
      } catch (undoError) {
        throw new DatabaseError(
          `The swap failed (${message}) and putting the previous tables back failed too (${(undoError as Error).message}): "${database}" may be incomplete; its previous tables are in "${previous}"`,
          { hint: 'Restore the safety backup (command below).' },
        );
      }
      throw new BlockedError(`The swap failed (${message}); the previous tables and definitions of "${database}" were put back`);
    }
    await dropSide();
    let kept: string | undefined = exists ? previous : undefined;
    if (kept && request.dropPrevious) {
      await conn.query(`DROP DATABASE ${q(kept)}`);
      kept = undefined;
    }
    return {
      previous: kept,
      undo: kept ? `restore the safety backup (views, triggers, routines and events of the previous state are in it; its tables are also in \`${kept}\`)` : undefined,
      method: `loaded into ${side} and checked, then every table moved in one RENAME TABLE statement (atomic); views, triggers, routines and events recreated right after`,
      ...counted,
    };
  } finally {
    // a lost connection or a restarted server must not hide the first error: a side schema left behind
    // carries our marker and is swept by the next restore
    await dropSide().catch(() => undefined);
    unregister();
    await conn.end().catch(() => undefined);
  }
}

export const mysqlRestore: RestoreDriver = { inspectTarget, restoreAndSwap };
