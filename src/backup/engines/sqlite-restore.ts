import { chmodSync, chownSync, constants as fsConstants, copyFileSync, createReadStream, createWriteStream, existsSync, linkSync, openSync, readdirSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BlockedError, DatabaseError } from '../../errors.js';
import { onInterrupt } from '../cleanup.js';
import { fsyncPath } from '../files.js';
import { canSeeOpenFiles, processesHolding } from '../open-files.js';
import { compare } from '../verify.js';
import { expectedFor } from './restore-expected.js';
import { replaceTables } from './sqlite-restore-tables.js';
import { freeName, type RestoreDriver, type RestoreTargetRequest, type SwapRequest, type SwapResult, type TargetState } from './restore-types.js';
import { inspect, query, quoteIdent, sqlite, version } from './sqlite.js';

/**
 * SQLite restore: decompress the artifact to a hidden file in the target's directory (same filesystem,
 * so the final rename is atomic), check it (integrity_check + objects + exact counts against the
 * manifest), fsync, then — with no other process holding the database — checkpoint the old file, keep
 * it as a hard link `<db>.dbsafe-prev-<stamp>`, remove the stale -wal/-shm/-journal (they belong to the
 * old file and would be replayed into the new one) and rename the new file over the target.
 */

const companions = (db: string) => [`${db}-wal`, `${db}-shm`, `${db}-journal`];

function refuseIfHeld(db: string): void {
  const holders = processesHolding([db, ...companions(db)]);
  if (holders.length) {
    const who = holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ');
    throw new DatabaseError(`The SQLite database ${db} is open in another process: ${who}. Restoring now would lose what that process writes.`, {
      hint: 'Stop the application (or close the sqlite3 shell) that has it open, then run the restore again.',
    });
  }
}

async function refuseIfLocked(db: string): Promise<void> {
  try {
    await sqlite(db, 'PRAGMA busy_timeout = 0; BEGIN EXCLUSIVE; ROLLBACK;', false);
  } catch (error) {
    throw new DatabaseError(`The SQLite database ${db} is locked by another process (${(error as Error).message.split('\n')[0]})`, {
      hint: 'Stop the application that has it open, then run the restore again.',
    });
  }
}

async function inspectTarget(request: RestoreTargetRequest): Promise<TargetState> {
  await version();
  const db = request.target.sqlitePath!;
  const state: TargetState = { exists: existsSync(db), name: path.basename(db), label: `SQLite database ${db}` };
  if (!state.exists) return state;
  if (canSeeOpenFiles()) refuseIfHeld(db);
  await refuseIfLocked(db);
  return state;
}

/** Leftovers of a restore that was killed before its rename (we hold the instance lock). */
function sweepSideFiles(db: string): void {
  const dir = path.dirname(db);
  const prefix = `.${path.basename(db)}.dbsafe-new-`;
  for (const name of readdirSync(dir)) if (name.startsWith(prefix)) rmSync(path.join(dir, name), { force: true });
}

async function restoreAndSwap(request: SwapRequest): Promise<SwapResult> {
  const db = request.target.sqlitePath!;
  const dir = path.dirname(db);
  sweepSideFiles(db);
  const side = path.join(dir, `.${path.basename(db)}.dbsafe-new-${request.stamp}`);
  const removeSide = () => {
    for (const file of [side, ...companions(side)]) rmSync(file, { force: true });
  };
  const unregister = onInterrupt(removeSide);
  let swapped = false;
  try {
    request.onStage(`decompressing into ${side}`);
    try {
      // opened synchronously: an interrupt's cleanup must never run before the file exists (it would miss it)
      const fd = openSync(side, 'wx', 0o600);
      await pipeline(createReadStream(request.artifactPath), createGunzip(), createWriteStream(side, { fd }));
    } catch (error) {
      // a full disk is not a bad backup
      if (/^E[A-Z]+$/.test(String((error as NodeJS.ErrnoException).code ?? ''))) {
        throw new DatabaseError(`Could not write the restored copy ${side}: ${(error as Error).message}. Nothing was swapped in.`);
      }
      throw new BlockedError(`The artifact does not decompress: ${(error as Error).message}. Nothing was swapped in.`);
    }
    const integrity = await query<{ integrity_check: string }>(side, 'PRAGMA integrity_check;').catch((error: Error) => [{ integrity_check: error.message }]);
    const problems = integrity.filter((row) => row.integrity_check !== 'ok').map((row) => `integrity_check: ${row.integrity_check}`);
    const existing = existsSync(db) ? statSync(db) : undefined;
    if (request.schemaOnly && !problems.length) {
      // definitions only: empty every table (and the AUTOINCREMENT counters), then compact
      const tables = (await inspect(side)).tables.map((t) => `DELETE FROM ${quoteIdent(t.name)};`);
      const sequence = (await query<{ n: number }>(side, "SELECT count(*) AS n FROM sqlite_schema WHERE name = 'sqlite_sequence';"))[0]?.n ? ' DELETE FROM sqlite_sequence;' : '';
      await sqlite(side, `PRAGMA foreign_keys = OFF; BEGIN; ${tables.join(' ')}${sequence} COMMIT; VACUUM;`, false);
    }
    if (existing) {
      // keep the target's journal mode (WAL is recorded in the file header) so the application sees no change
      const mode = (await query<{ journal_mode: string }>(db, 'PRAGMA journal_mode;'))[0]?.journal_mode;
      if (mode === 'wal') await sqlite(side, 'PRAGMA journal_mode = WAL;', false);
    }
    request.onStage('comparing objects and row counts with the manifest');
    const restored = await inspect(side);
    const { reason, differences } = compare({ expected: expectedFor(request.manifest, request.schemaOnly) }, { ...restored, scratch: side, problems });
    if (reason) {
      throw new BlockedError(`The restored copy differs from the backup's manifest (${reason}); nothing was swapped in`, { hint: differences.slice(0, 20).join('\n  ') });
    }
    if (existing) {
      chmodSync(side, existing.mode & 0o7777);
      if (process.getuid?.() === 0) chownSync(side, existing.uid, existing.gid);
    }
    fsyncPath(side);
    await request.artifactIntact;
    if (request.tables) return await replaceTables(request, db, side);

    let previous: string | undefined;
    if (existing) {
      if (canSeeOpenFiles()) refuseIfHeld(db);
      // fold committed WAL frames into the old file (it is kept as the previous state), so its -wal is empty
      await sqlite(db, 'PRAGMA busy_timeout = 0; PRAGMA wal_checkpoint(TRUNCATE);', false);
      const wal = `${db}-wal`;
      if (existsSync(wal) && statSync(wal).size > 0) {
        throw new DatabaseError(`${wal} still holds frames after a checkpoint: another process is writing. Nothing was swapped in.`);
      }
      previous = await freeName((suffix) => `${db}.dbsafe-prev-${request.stamp}${suffix}`, existsSync);
      try {
        linkSync(db, previous);
      } catch {
        // never over an existing file: another restore's previous state
        copyFileSync(db, previous, fsConstants.COPYFILE_EXCL);
      }
      fsyncPath(previous);
      for (const file of companions(db)) rmSync(file, { force: true });
    }
    request.onStage('swapping the restored file in');
    renameSync(side, db);
    swapped = true;
    fsyncPath(dir);
    if (previous && request.dropPrevious) {
      unlinkSync(previous);
      fsyncPath(dir);
      previous = undefined;
    }
    const after = await inspect(db);
    const check = compare({ expected: expectedFor(request.manifest, request.schemaOnly) }, { ...after, scratch: db, problems: [] });
    if (check.reason) throw new DatabaseError(`After the swap ${db} differs from the manifest: ${check.differences.slice(0, 5).join('; ')}`);
    return {
      previous,
      undo: previous ? `mv '${previous}' '${db}'` : undefined,
      method: 'atomic rename of a fsynced file in the same directory (stale -wal/-shm/-journal removed)',
      tables: after.tables.length,
      rows: after.tables.reduce((sum, t) => sum + t.rows, 0),
    };
  } finally {
    if (!swapped) removeSide();
    unregister();
  }
}

export const sqliteRestore: RestoreDriver = { inspectTarget, restoreAndSwap };
