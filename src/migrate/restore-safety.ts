import type { BackupContext } from '../backup/context.js';
import type { ResolvedInstance } from '../backup/instances.js';
import { restoreBackup, restoreCommand } from '../backup/restore.js';
import type { ChosenBackup } from './scratch.js';

/**
 * Put the pre-migration backup back after a failed migration. There is one home for "put a backup
 * back": `restore` (src/backup/restore.ts, docs/restore.md). This only calls it for the instance
 * safe-migrate already holds locked: verify (or reuse a recent verification, re-hashing the
 * artifact), pinned safety backup of the failed state, restore beside the target, compare with the
 * manifest, swap (atomic on PostgreSQL and SQLite; one RENAME TABLE on MySQL/MariaDB). The failed
 * state is kept beside the target (`<name>__dbsafe_prev_<time>`, `<db>.dbsafe-prev-<time>`).
 */

export interface RestoreReport {
  backupId: string;
  takenAt: string;
  /** Where the state the failed migration left was kept. */
  previous?: string;
  /** The pinned backup of the failed state, taken before the restore replaced it. */
  safetyBackupId?: string;
}

/** The command that puts `backup` back by hand (printed before applying, and when the automatic restore fails). */
export function manualRestoreCommand(instance: ResolvedInstance, backup: ChosenBackup): string {
  return restoreCommand(backup.id, instance.name);
}

export async function restoreSafetyBackup(
  context: BackupContext,
  instance: ResolvedInstance,
  backup: ChosenBackup,
  hooks: { onStage?(stage: string): void; notice?(message: string): void } = {},
): Promise<RestoreReport> {
  const outcome = await restoreBackup(context, {
    backup: backup.id,
    instance: instance.name,
    lockHeld: true,
    why: 'safe-migrate: the migration failed, restoring its pre-migration backup',
    // the person confirmed when starting safe-migrate, whose contract is "restore on failure"
    confirm: async () => true,
    onStage: hooks.onStage,
    notice: hooks.notice,
  });
  return { backupId: outcome.backupId, takenAt: outcome.takenAt, previous: outcome.swap.previous, safetyBackupId: outcome.safetyBackupId };
}
