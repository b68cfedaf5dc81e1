import { createReadStream, createWriteStream, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Connection } from 'mysql2/promise';
import { ClientError, DatabaseError } from '../../errors.js';
import { onInterrupt } from '../cleanup.js';
import { pidAlive } from '../lock.js';
import { fsyncPath, HashCounter, noSpaceOn } from '../files.js';
import { GzipHeaderTime } from '../gzip-time.js';
import type { ServerTarget } from '../instances.js';
import type { ExpectedObject, ExpectedTable } from '../manifest.js';
import { redactText } from '../redact.js';
import { describeExit, diedOfInterrupt, parseVersion, runCapture, startChild } from '../runner.js';
import { handedOver, scratchName, VerifyFailure, type DumpContext, type DumpResult, type EngineDriver, type RestoreContext, type RestoreResult } from './types.js';

/**
 * MySQL / MariaDB: `mariadb-dump` / `mysqldump --single-transaction` (InnoDB-consistent), gzip-
 * streamed and hashed by us. mysqldump cannot share its snapshot with another session, so the
 * expected counts are read twice, in a consistent snapshot opened just before the dump starts and
 * again after it ends: a table whose count is the same both times is recorded exactly; one that
 * changed is recorded as approximate with those bounds (verify checks the range). FLUSH TABLES WITH
 * READ LOCK would give one shared snapshot but blocks every writer: never on a live server.
 */

export const MARKER_TABLE = '_dbsafe_verify_scratch';

export function clientFamily(flavor: string): { dump: string[]; client: string[] } {
  return flavor === 'mariadb' ? { dump: ['mariadb-dump', 'mysqldump'], client: ['mariadb', 'mysql'] } : { dump: ['mysqldump', 'mariadb-dump'], client: ['mysql', 'mariadb'] };
}

export async function findBinary(candidates: string[]): Promise<{ path: string; version: string; major: number; text: string }> {
  const dirs = process.env.DBSAFE_MYSQL_BIN ? [process.env.DBSAFE_MYSQL_BIN] : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of candidates) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (!existsSync(file)) continue;
      const result = await runCapture(file, ['--version']);
      const version = parseVersion(result.stdout);
      if (result.code === 0 && version) return { path: file, ...version, text: result.stdout.trim() };
    }
  }
  throw new ClientError(`None of ${candidates.join(', ')} was found`, {
    hint: 'Install the MariaDB or MySQL client (apt-get install mariadb-client / mysql-client) or set DBSAFE_MYSQL_BIN to its bin directory.',
  });
}

export async function connect(target: ServerTarget, database: string | undefined): Promise<Connection> {
  const mysql = (await import('mysql2/promise')).default;
  try {
    return await mysql.createConnection({
      host: target.socket ? undefined : target.host,
      socketPath: target.socket,
      port: target.port,
      user: target.user ?? os.userInfo().username,
      password: target.password,
      database,
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      connectTimeout: 15_000,
    });
  } catch (error) {
    throw new DatabaseError(`Could not connect to ${target.redactedUrl}: ${redactText((error as Error).message, [target.password])}`, {
      hint: 'Check that the server is running and that the URL (user, host, port, database, password) is right.',
    });
  }
}

/** `--defaults-extra-file` (0600): user, password and address never reach argv. */
export function writeDefaultsFile(secretsDir: string, target: ServerTarget): string {
  const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = ['[client]', `user=${quote(target.user ?? os.userInfo().username)}`];
  if (target.password !== undefined) lines.push(`password=${quote(target.password)}`);
  if (target.socket) lines.push(`socket=${quote(target.socket)}`);
  else lines.push(`host=${quote(target.host)}`, `port=${target.port}`, 'protocol=TCP');
  const file = path.join(secretsDir, 'my.cnf');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

export async function serverInfo(conn: Connection): Promise<{ version: string; flavor: 'mariadb' | 'mysql'; major: number }> {
  const [rows] = await conn.query('SELECT VERSION() AS v');
  const version = String((rows as Array<{ v: string }>)[0]!.v);
  return { version, flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql', major: Number(/^(\d+)/.exec(version)?.[1] ?? 0) };
}

export async function listObjects(conn: Connection, db: string): Promise<ExpectedObject[]> {
  const queries: Array<[string, string]> = [
    ['table', `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> '${MARKER_TABLE}'`],
    // MariaDB system-versioned tables are not 'BASE TABLE'; their history is part of what a backup must keep
    ['versioned table', `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'SYSTEM VERSIONED'`],
    ['view', `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'VIEW'`],
    ['sequence', `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'SEQUENCE'`],
    ['routine', `SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`],
    ['trigger', `SELECT CONCAT(EVENT_OBJECT_TABLE, '.', TRIGGER_NAME) AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?`],
    ['event', `SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`],
    ['index', `SELECT DISTINCT CONCAT(TABLE_NAME, '.', INDEX_NAME) AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> '${MARKER_TABLE}'`],
  ];
  const out: ExpectedObject[] = [];
  for (const [kind, sql] of queries) {
    const [rows] = await conn.query(sql, [db]);
    for (const row of rows as Array<{ name: string }>) out.push({ kind, name: String(row.name) });
  }
  return out.sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : a.kind + a.name > b.kind + b.name ? 1 : 0));
}

export const quoteIdent = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** Our marker in a scratch schema (pid and host of the run that created it), or nothing we wrote. */
async function scratchMark(admin: Connection, name: string): Promise<{ pid: number; host: string } | undefined> {
  const [marks] = await admin.query(`SELECT pid, host FROM ${quoteIdent(name)}.${MARKER_TABLE}`).catch(() => [[] as unknown[]] as const);
  return (marks as Array<{ pid: number; host: string }>)[0];
}

const deadHere = (mark: { pid: number; host: string }) => mark.host === os.hostname() && !pidAlive(Number(mark.pid));

/**
 * Scratch schemas of verify and dry-run runs that were killed (our marker, this host, a dead pid), whatever
 * backup they were for: a kill -9 cannot clean up after itself, so the next run does.
 */
async function sweepDeadScratches(admin: Connection): Promise<void> {
  const [rows] = await admin.query(`SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'dbsafe\\_verify\\_%' OR SCHEMA_NAME LIKE 'dbsafe\\_dryrun\\_%'`);
  for (const { name } of rows as Array<{ name: string }>) {
    const mark = await scratchMark(admin, name);
    if (mark && deadHere(mark)) await admin.query(`DROP DATABASE ${quoteIdent(name)}`);
  }
}

/**
 * Exact row counts; a system-versioned table is counted with its history (FOR SYSTEM_TIME ALL), so
 * a restore that lost the history does not match. A count that fails names its table.
 */
export async function countRows(conn: Connection, db: string): Promise<Array<{ name: string; rows: number }>> {
  const [tables] = await conn.query(
    `SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') AND TABLE_NAME <> '${MARKER_TABLE}' ORDER BY TABLE_NAME`,
    [db],
  );
  const out: Array<{ name: string; rows: number }> = [];
  for (const { name, type } of tables as Array<{ name: string; type: string }>) {
    const history = type === 'SYSTEM VERSIONED' ? ' FOR SYSTEM_TIME ALL' : '';
    try {
      const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM ${quoteIdent(db)}.${quoteIdent(String(name))}${history}`);
      out.push({ name: String(name), rows: Number((rows as Array<{ n: string }>)[0]!.n) });
    } catch (error) {
      throw new Error(`could not count the rows of ${name}: ${(error as Error).message}`);
    }
  }
  return out;
}

/**
 * System-versioned tables keep their history only with `--dump-history` (mariadb-dump 10.11+), and
 * only for timestamp-based versioning. Anything else would silently drop the history: refuse.
 */
async function historyOptions(conn: Connection, db: string, tool: { path: string; text: string }): Promise<string[]> {
  const [versioned] = await conn.query(`SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'SYSTEM VERSIONED' ORDER BY 1`, [db]);
  const names = (versioned as Array<{ name: string }>).map((row) => String(row.name));
  if (names.length === 0) return [];
  // explicit ROW START columns of type BIGINT hold transaction ids (implicit versioning is by timestamp)
  const transactionPrecise: string[] = [];
  for (const name of names) {
    const [rows] = await conn.query(`SHOW CREATE TABLE ${quoteIdent(db)}.${quoteIdent(name)}`);
    const ddl = String(Object.values((rows as Array<Record<string, unknown>>)[0] ?? {})[1] ?? '');
    if (/\bbigint\b[^,]*GENERATED ALWAYS AS ROW START/i.test(ddl)) transactionPrecise.push(name);
  }
  if (transactionPrecise.length) {
    throw new ClientError(
      `Refusing to back up: ${transactionPrecise.join(', ')} ${transactionPrecise.length === 1 ? 'uses' : 'use'} transaction-precise system versioning, whose history mariadb-dump cannot dump (--dump-history supports timestamp versioning only); the backup would silently lose it`,
      { hint: 'Back up these tables another way (e.g. mariadb-backup), or switch them to timestamp versioning.' },
    );
  }
  const help = await runCapture(tool.path, ['--help']);
  if (!/--dump-history/.test(help.stdout)) {
    throw new ClientError(
      `Refusing to back up: ${names.join(', ')} ${names.length === 1 ? 'is a system-versioned table' : 'are system-versioned tables'} and ${path.basename(tool.path)} (${tool.text}) has no --dump-history, so the backup would silently lose ${names.length === 1 ? 'its' : 'their'} history`,
      { hint: 'Use mariadb-dump from MariaDB 10.11 or newer (set DBSAFE_MYSQL_BIN to its directory).' },
    );
  }
  return ['--dump-history'];
}

/** Keeps the last bytes of the SQL stream to check mysqldump's completion trailer. */
export class TailKeeper extends Transform {
  tail = '';
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.tail = (this.tail + chunk.toString('latin1')).slice(-512);
    callback(null, chunk);
  }
  completed(): boolean {
    return /-- Dump completed/.test(this.tail);
  }
}

async function withConnection<T>(target: ServerTarget, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await connect(target, target.database);
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** A session whose consistent snapshot is established now (InnoDB starts it at START TRANSACTION … WITH CONSISTENT SNAPSHOT). */
async function openSnapshot(target: ServerTarget): Promise<Connection> {
  const conn = await connect(target, target.database);
  await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  return conn;
}

async function countInSnapshot(conn: Connection, database: string): Promise<Array<{ name: string; rows: number }>> {
  try {
    const counts = await countRows(conn, database);
    await conn.query('COMMIT');
    return counts;
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function dump(context: DumpContext): Promise<DumpResult> {
  const server = context.instance.server!;
  const conn = await connect(server, server.database);
  let info: Awaited<ReturnType<typeof serverInfo>>;
  let objects: ExpectedObject[];
  const nonTransactional = new Map<string, string>();
  try {
    info = await serverInfo(conn);
    const [engines] = await conn.query(
      `SELECT TABLE_NAME AS name, ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND ENGINE NOT IN ('InnoDB')`,
      [server.database],
    );
    for (const row of engines as Array<{ name: string; engine: string }>) {
      nonTransactional.set(String(row.name), String(row.engine));
      context.warn(`table ${row.name} uses ${row.engine}, not InnoDB: --single-transaction does not make its dump consistent with the rest`);
    }
    objects = await listObjects(conn, server.database);
  } finally {
    await conn.end().catch(() => undefined);
  }
  const family = clientFamily(info.flavor);
  const tool = await findBinary(family.dump);
  const toolFlavor = /mariadb/i.test(tool.text) ? 'mariadb' : 'mysql';
  if (toolFlavor === info.flavor && tool.major < info.major) {
    throw new ClientError(`${path.basename(tool.path)} ${tool.version} is older than the server (${info.version})`, {
      hint: `Install a ${info.flavor} client of version ${info.major} or newer, or set DBSAFE_MYSQL_BIN to its bin directory.`,
    });
  }
  if (toolFlavor !== info.flavor) context.warn(`dumping a ${info.flavor} server with ${path.basename(tool.path)} (${tool.version}); restore with the matching client`);
  const history = await withConnection(server, (conn) => historyOptions(conn, server.database, tool));
  const defaults = writeDefaultsFile(context.secretsDir, server);
  const args = [
    `--defaults-extra-file=${defaults}`, // must come first
    '--single-transaction',
    '--quick',
    '--routines',
    '--events',
    '--triggers',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    '--no-tablespaces',
    ...(toolFlavor === 'mysql' && info.flavor === 'mysql' ? ['--set-gtid-purged=OFF'] : []),
    ...history,
    server.database,
  ];
  const startedAt = new Date().toISOString();
  // the "before" snapshot must exist before the dump's own snapshot does
  const beforeSession = await openSnapshot(server);
  const before = countInSnapshot(beforeSession, server.database).then((value) => ({ value }), (error: Error) => ({ error }));
  const run = startChild(tool.path, args, { secrets: [server.password] });
  const file = 'dump.sql.gz';
  const target = path.join(context.dir, file);
  const tail = new TailKeeper();
  const counter = new HashCounter(context.onProgress);
  let writeError: Error | undefined;
  await pipeline(run.child.stdout!, tail, createGzip({ level: 6 }), new GzipHeaderTime(new Date(startedAt)), counter, createWriteStream(target, { flags: 'wx', mode: 0o600 })).catch((error: Error) => {
    writeError = error;
    run.child.kill('SIGTERM');
  });
  const exit = await run.done;
  const first = await before;
  // the first cause: a failed write makes us kill the dump child
  if (writeError) throw new DatabaseError(`Backup failed: ${noSpaceOn(writeError, path.dirname(context.dir)) ?? `could not write ${target}: ${writeError.message}`}`);
  if (exit.code !== 0 || exit.signal) throw new DatabaseError(`Backup failed: ${describeExit(path.basename(tool.path), exit)}`);
  if (!tail.completed()) throw new DatabaseError('Backup failed: the dump does not end with "-- Dump completed" (it was cut short)');
  if ('error' in first) throw new DatabaseError(`Backup failed: could not count rows: ${redactText(first.error.message, [server.password])}`);
  const takenAt = new Date().toISOString();
  const after = await countInSnapshot(await openSnapshot(server), server.database);
  const afterMap = new Map(after.map((t) => [t.name, t.rows]));
  // the manifest says which counts are approximate and why (docs/backup.md)
  const tables: ExpectedTable[] = first.value.map(({ name, rows }) => {
    const later = afterMap.get(name) ?? rows;
    const bounds = { min: Math.min(rows, later), max: Math.max(rows, later) };
    if (later !== rows) return { name, rows, approximate: true, ...bounds, approximateWhy: `written to while the dump ran: ${rows} rows before it, ${later} after` };
    const engine = nonTransactional.get(name);
    if (engine) return { name, rows, approximate: true, ...bounds, approximateWhy: `${engine} table: its rows are not covered by the dump's transaction (unchanged before and after the dump)` };
    return { name, rows };
  });
  fsyncPath(target);
  return {
    file,
    bytes: counter.bytes,
    sha256: counter.digest(),
    client: { binary: tool.path, version: tool.version },
    server: { version: info.version, flavor: info.flavor },
    snapshot: { takenAt, startedAt, method: 'mysqldump --single-transaction; counts bracketed by snapshots before and after the dump' },
    options: { format: `${path.basename(tool.path)} SQL`, compression: 'gzip -6' },
    objects,
    tables,
    approximateCounts: tables.some((t) => t.approximate),
    databaseName: server.database,
  };
}

async function restoreAndInspect(context: RestoreContext): Promise<RestoreResult> {
  const source = context.instance.server!;
  const target = context.instance.verifyServer ?? source;
  const name = context.scratchName ?? scratchName(context.manifest.id);
  const sameServer = !context.instance.verifyServer || (target.host === source.host && target.port === source.port);
  if (sameServer && name === source.database) throw new VerifyFailure('refused-source', `Refusing to restore into the source database "${source.database}"`);
  const admin = await connect(target, undefined);
  let created = false;
  const drop = async () => {
    if (!created) return;
    created = false;
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  };
  const unregister = onInterrupt(async () => {
    await drop();
    await admin.end().catch(() => undefined);
  });
  try {
    await sweepDeadScratches(admin);
    const [existing] = await admin.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    if ((existing as unknown[]).length) {
      const mark = await scratchMark(admin, name);
      if (!mark || !deadHere(mark)) {
        throw new VerifyFailure(
          'refused-existing-database',
          mark ? `The scratch database "${name}" is in use by another verify (pid ${mark.pid})` : `A database named "${name}" already exists and was not created by dbsafe-hooks: refusing to touch it`,
        );
      }
      await admin.query(`DROP DATABASE ${quoteIdent(name)}`);
    }
    context.onStage(`restoring into scratch database ${name}`);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)} CHARACTER SET utf8mb4`);
    created = true;
    await admin.query(`CREATE TABLE ${quoteIdent(name)}.${MARKER_TABLE} (pid INT, host VARCHAR(255)) ENGINE=InnoDB`);
    await admin.query(`INSERT INTO ${quoteIdent(name)}.${MARKER_TABLE} VALUES (?, ?)`, [process.pid, os.hostname()]);
    const flavor = context.manifest.server.flavor === 'mariadb' ? 'mariadb' : 'mysql';
    const client = await findBinary(clientFamily(flavor).client);
    const defaults = writeDefaultsFile(context.secretsDir, target);
    const run = startChild(client.path, [`--defaults-extra-file=${defaults}`, '--default-character-set=utf8mb4', '--binary-mode', name], {
      stdin: 'pipe',
      stdout: 'ignore',
      secrets: [target.password, source.password],
    });
    run.child.stdin!.on('error', () => undefined);
    const tail = new TailKeeper();
    const abort = () => run.child.kill('SIGTERM');
    context.signal.addEventListener('abort', abort);
    let decodeError: Error | undefined;
    await pipeline(createReadStream(context.artifactPath), createGunzip(), tail, run.child.stdin!).catch((error: Error) => {
      decodeError = error;
      run.child.kill('SIGTERM');
    });
    const exit = await run.done;
    context.signal.removeEventListener('abort', abort);
    if (context.signal.aborted || diedOfInterrupt(exit)) throw new VerifyFailure('aborted', 'verify was aborted');
    if (decodeError && /gzip|header|check|end of file|unexpected/i.test(decodeError.message)) {
      throw new VerifyFailure('decode-failed', `The artifact does not decompress: ${decodeError.message}`);
    }
    const full = exit.code !== 0 ? noSpaceOn(exit.stderr, `the scratch server (${target.redactedUrl})`) : undefined;
    if (full) throw new VerifyFailure('no-space', `could not restore into ${name}: ${full}`);
    if (exit.code !== 0 || exit.signal) throw new VerifyFailure('restore-failed', `The backup does not restore: ${describeExit(path.basename(client.path), exit)}`);
    if (decodeError) throw new VerifyFailure('restore-failed', `The backup does not restore: ${decodeError.message}`);
    if (!tail.completed()) throw new VerifyFailure('decode-failed', 'The dump does not end with "-- Dump completed" (truncated)');
    if (context.whileRestored) {
      await context.whileRestored({ family: 'mysql', server: { ...target, database: name } });
      return handedOver(name);
    }
    context.onStage('comparing objects and row counts');
    const objects = await listObjects(admin, name);
    const tables = await countRows(admin, name);
    return { objects, tables, scratch: name, problems: [] };
  } finally {
    try {
      await drop();
    } finally {
      unregister();
      await admin.end().catch(() => undefined);
    }
  }
}

export const mysqlEngine: EngineDriver = { dump, restoreAndInspect };
