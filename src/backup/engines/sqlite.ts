import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, createGunzip } from 'node:zlib';
import { ClientError, DatabaseError } from '../../errors.js';
import { fsyncPath, HashCounter, noSpaceOn } from '../files.js';
import { GzipHeaderTime } from '../gzip-time.js';
import type { ExpectedObject, ExpectedTable } from '../manifest.js';
import { describeExit, parseVersion, runCapture } from '../runner.js';
import { onInterrupt } from '../cleanup.js';
import { handedOver, VerifyFailure, type DumpContext, type DumpResult, type EngineDriver, type RestoreContext, type RestoreResult } from './types.js';

/**
 * SQLite through the sqlite3 CLI (no native addon to build on `npm install`): `VACUUM INTO` makes
 * a consistent copy through SQLite itself, WAL frames included — never a file copy, which loses
 * rows committed to the -wal file. Expected objects and counts are read from the copy (it is the
 * snapshot), then the copy is gzip-streamed into the artifact.
 */

export function sqliteBinary(): string {
  return process.env.DBSAFE_SQLITE3 ?? 'sqlite3';
}

const MISSING_HINT = 'Install the sqlite3 command-line tool (apt-get install sqlite3, brew install sqlite) or set DBSAFE_SQLITE3 to its path.';

export async function sqlite(file: string, sql: string, json = true): Promise<string> {
  const result = await runCapture(sqliteBinary(), ['-bail', '-batch', ...(json ? ['-json'] : []), file], { input: sql });
  if (result.spawnError) throw new ClientError(`sqlite3 could not be started: ${result.spawnError.message}`, { hint: MISSING_HINT });
  if (result.code !== 0) throw new DatabaseError(describeExit('sqlite3', result));
  return result.stdout;
}

export async function query<T>(file: string, sql: string): Promise<T[]> {
  const out = (await sqlite(file, sql)).trim();
  return out ? (JSON.parse(out) as T[]) : [];
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const quoteText = (text: string) => `'${text.replace(/'/g, "''")}'`;

export async function inspect(file: string): Promise<{ objects: ExpectedObject[]; tables: ExpectedTable[] }> {
  const objects = await query<{ kind: string; name: string }>(
    file,
    `SELECT type AS kind, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' OR type = 'index' ORDER BY type, name;`,
  );
  const tableNames = (await query<{ name: string }>(file, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name;`)).map((r) => r.name);
  const tables: ExpectedTable[] = [];
  if (tableNames.length) {
    const sql = tableNames.map((name) => `SELECT ${quoteText(name)} AS name, count(*) AS rows FROM ${quoteIdent(name)}`).join(' UNION ALL ') + ';';
    for (const row of await query<{ name: string; rows: number }>(file, sql)) tables.push({ name: row.name, rows: Number(row.rows) });
  }
  tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { objects: objects.map((o) => ({ kind: o.kind, name: o.name })), tables };
}

export async function version(): Promise<string> {
  const result = await runCapture(sqliteBinary(), ['--version']);
  if (result.spawnError || result.code !== 0) throw new ClientError('The sqlite3 command-line tool was not found', { hint: MISSING_HINT });
  return parseVersion(result.stdout)?.version ?? result.stdout.trim();
}

async function dump(context: DumpContext): Promise<DumpResult> {
  const source = context.instance.sqlitePath!;
  if (!existsSync(source)) {
    throw new DatabaseError(`The SQLite database ${source} does not exist`, { hint: `Check databases.${context.instance.name}.url in your config.` });
  }
  const clientVersion = await version();
  const copy = path.join(context.dir, '.snapshot.sqlite');
  const startedAt = new Date().toISOString();
  try {
    await sqlite(source, `VACUUM INTO ${quoteText(copy)};`, false).catch((error: Error) => {
      throw new DatabaseError(`Backup failed: ${noSpaceOn(error, path.dirname(context.dir)) ?? error.message}`);
    });
    const takenAt = new Date().toISOString();
    const inspected = await inspect(copy);
    const file = 'db.sqlite.gz';
    const target = path.join(context.dir, file);
    const counter = new HashCounter(context.onProgress);
    await pipeline(createReadStream(copy), createGzip({ level: 6 }), new GzipHeaderTime(new Date(startedAt)), counter, createWriteStream(target, { flags: 'wx', mode: 0o600 })).catch(
      (error: Error) => {
        throw new DatabaseError(`Backup failed: ${noSpaceOn(error, path.dirname(context.dir)) ?? `could not write ${target}: ${error.message}`}`);
      },
    );
    fsyncPath(target);
    return {
      file,
      bytes: counter.bytes,
      sha256: counter.digest(),
      client: { binary: sqliteBinary(), version: clientVersion },
      server: { version: clientVersion, flavor: 'sqlite' },
      snapshot: { takenAt, startedAt, method: 'VACUUM INTO (consistent copy through SQLite, WAL included)' },
      options: { format: 'sqlite database file', compression: 'gzip -6' },
      objects: inspected.objects,
      tables: inspected.tables,
      approximateCounts: false,
    };
  } finally {
    if (existsSync(copy)) unlinkSync(copy);
  }
}

async function restoreAndInspect(context: RestoreContext): Promise<RestoreResult> {
  await version();
  // the scratch copy holds the data: inside the caller's private temp dir (swept after a kill -9), not /tmp
  const dir = mkdtempSync(path.join(context.secretsDir, 'verify-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const unregister = onInterrupt(remove);
  try {
    const scratch = path.join(dir, 'scratch.sqlite');
    context.onStage('decompressing into a scratch copy');
    try {
      await pipeline(createReadStream(context.artifactPath), createGunzip(), createWriteStream(scratch, { mode: 0o600 }), { signal: context.signal });
    } catch (error) {
      if (context.signal.aborted) throw new VerifyFailure('aborted', 'verify was aborted');
      // a full disk says nothing about the backup: no verdict
      const full = noSpaceOn(error, context.secretsDir);
      if (full) throw new VerifyFailure('no-space', `could not decompress the scratch copy: ${full}`);
      throw new VerifyFailure('decode-failed', `The artifact does not decompress: ${(error as Error).message}`);
    }
    if (context.whileRestored) {
      await context.whileRestored({ family: 'sqlite', path: scratch });
      return handedOver('a decompressed scratch copy');
    }
    context.onStage('integrity_check, foreign_key_check, counts');
    const problems: string[] = [];
    let integrity: Array<{ integrity_check: string }>;
    try {
      integrity = await query<{ integrity_check: string }>(scratch, 'PRAGMA integrity_check;');
    } catch (error) {
      throw new VerifyFailure('restore-failed', `The decompressed database cannot be opened: ${(error as Error).message}`);
    }
    for (const row of integrity) if (row.integrity_check !== 'ok') problems.push(`integrity_check: ${row.integrity_check}`);
    const fk = await query<{ table: string; rowid: number; parent: string }>(scratch, 'PRAGMA foreign_key_check;');
    for (const row of fk) problems.push(`foreign_key_check: ${row.table} rowid ${row.rowid} references a missing row in ${row.parent}`);
    const inspected = await inspect(scratch);
    return { ...inspected, scratch: 'a decompressed scratch copy', problems };
  } finally {
    remove();
    unregister();
  }
}

export const sqliteEngine: EngineDriver = { dump, restoreAndInspect };
