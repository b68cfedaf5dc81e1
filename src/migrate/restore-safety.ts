import { createReadStream, createWriteStream, existsSync, linkSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { query } from '../backup/engines/sqlite.js';
import { fsyncPath, sha256File } from '../backup/files.js';
import type { ResolvedInstance } from '../backup/instances.js';
import { DatabaseError } from '../errors.js';
import type { ChosenBackup } from './scratch.js';

/**
 * Put the pre-migration backup back after a failed migration. This is the one place that does it:
 * once the `restore` command exists, this function should call it (restore into a new database
 * next to the target, check it against the manifest, swap) for every engine.
 *
 * Here: SQLite only, the way restore swaps a file. The artifact's sha256 is checked, it is
 * decompressed next to the database (same filesystem), fsynced, checked (integrity_check, every
 * table's count equal to the manifest's), then swapped in with one rename. The failed state is kept
 * as `<db>.dbsafe-prev-<time>` (with its -wal); a stale -shm is removed. PostgreSQL and MySQL get
 * the exact command to run by hand.
 */

export interface RestoreReport {
  backupId: string;
  takenAt: string;
  /** Where the state the failed migration left was kept. */
  previous?: string;
}

export function manualRestoreCommand(instance: ResolvedInstance, backup: ChosenBackup): string {
  const artifact = path.join(backup.dir, backup.manifest.artifact.file);
  switch (instance.family) {
    case 'sqlite':
      return `npx dbsafe-hooks safe-migrate ${instance.name} --rollback ${backup.id}`;
    case 'postgres':
      return `pg_restore --clean --if-exists --single-transaction --exit-on-error --no-owner -d "<${instance.name} URL>" ${artifact}   (objects created by the migration are not removed by --clean)`;
    case 'mysql':
      return `gunzip -c ${artifact} | mariadb --defaults-extra-file=<your credentials> ${instance.server?.database ?? '<database>'}   (tables created by the migration are not removed)`;
  }
}

export async function restoreSafetyBackup(instance: ResolvedInstance, backup: ChosenBackup): Promise<RestoreReport> {
  if (instance.family !== 'sqlite') {
    throw new DatabaseError(`Automatic restore is not available for ${instance.engine} yet: ${instance.name} is left as the failed migration left it`, {
      hint: `Restore the pre-migration backup ${backup.id} with: ${manualRestoreCommand(instance, backup)}`,
    });
  }
  const target = instance.sqlitePath!;
  const artifact = path.join(backup.dir, backup.manifest.artifact.file);
  const { sha256 } = await sha256File(artifact);
  if (sha256 !== backup.manifest.artifact.sha256) throw new DatabaseError(`Backup ${backup.id} is damaged (sha256 differs from its manifest): not restored`);
  const incoming = `${target}.dbsafe-restore-${backup.id}`;
  rmSync(incoming, { force: true });
  try {
    await pipeline(createReadStream(artifact), createGunzip(), createWriteStream(incoming, { flags: 'wx', mode: 0o600 }));
    fsyncPath(incoming);
    const integrity = await query<{ integrity_check: string }>(incoming, 'PRAGMA integrity_check;');
    if (integrity.some((r) => r.integrity_check !== 'ok')) throw new DatabaseError(`Backup ${backup.id} does not pass integrity_check: not restored`);
    for (const table of backup.manifest.expected.tables) {
      const [row] = await query<{ n: number }>(incoming, `SELECT count(*) AS n FROM "${table.name.replace(/"/g, '""')}";`);
      if (Number(row?.n) !== table.rows) throw new DatabaseError(`Backup ${backup.id}: table ${table.name} has ${row?.n} rows, the manifest says ${table.rows}: not restored`);
    }
    let previous: string | undefined;
    if (existsSync(target)) {
      // keep what the failed migration left (a hard link: the rename below then replaces the name atomically)
      previous = `${target}.dbsafe-prev-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
      linkSync(target, previous);
      if (existsSync(`${target}-wal`)) renameSync(`${target}-wal`, `${previous}-wal`);
    }
    // a -shm (or -wal) of the old file must never be paired with the restored one
    for (const stale of [`${target}-shm`, `${target}-wal`, `${target}-journal`]) if (existsSync(stale)) unlinkSync(stale);
    renameSync(incoming, target);
    fsyncPath(path.dirname(target));
    return { backupId: backup.id, takenAt: backup.manifest.snapshot.takenAt, previous };
  } finally {
    rmSync(incoming, { force: true });
  }
}
