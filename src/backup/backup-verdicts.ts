/**
 * Which backups of a database the log vouches for: the one rule every reader of the log applies (the
 * pre-push gate and the guard, restore's reuse of a verification, rollback, dry-run and safe-migrate).
 * Pure: it folds log entries in log order.
 *
 * - Only a `backup` or `adopted` entry of this database (its fingerprint) records a backup. Its snapshot
 *   time, artifact, size and sha256 are the log's own, written when the backup was taken, never a manifest's.
 * - A `verified` entry counts only for the recorded bytes (the same sha256) and only at a restore level. A
 *   weaker one is remembered as `weakLevel`, to say why it does not count.
 * - A later `failed` revokes the verification until a new one. `pruned` is final.
 */

/** Verification levels that restored the backup (a checksum or decode alone is not one). */
export const RESTORE_LEVELS = new Set(['restorable', 'schema-equal', 'content-equal']);
/** Entries that record a backup: taken by dbsafe-hooks, or adopted on the record with a reason. */
export const RECORDING_EVENTS = new Set(['backup', 'adopted']);

/** The fields of a log entry the rule reads (the full log entry and the gate's reading of it both have them). */
export interface BackupEntryFields {
  event: string;
  backupId?: unknown;
  fingerprint?: unknown;
  sha256?: unknown;
  level?: unknown;
}

export interface BackupVerdict<E extends BackupEntryFields> {
  backupId: string;
  /** The `backup` / `adopted` entry. */
  recorded: E;
  /** The verification in force, if any. */
  verified?: E;
  failed: boolean;
  pruned: boolean;
  /** The level of a verification that did not count (below a restore). */
  weakLevel?: string;
}

export function backupVerdicts<E extends BackupEntryFields>(entries: readonly E[], fingerprint: string): Map<string, BackupVerdict<E>> {
  const byId = new Map<string, BackupVerdict<E>>();
  for (const entry of entries) {
    if (typeof entry.backupId !== 'string' || !entry.backupId) continue;
    if (RECORDING_EVENTS.has(entry.event)) {
      if (entry.fingerprint !== fingerprint) continue;
      byId.set(entry.backupId, { backupId: entry.backupId, recorded: entry, failed: false, pruned: false });
      continue;
    }
    const verdict = byId.get(entry.backupId);
    if (!verdict) continue;
    if (entry.event === 'verified') {
      // a verification counts only for the bytes the log recorded: one that names no sha256 (or of a
      // record without one) cannot show it checked those bytes, so it fails closed
      if (entry.sha256 === undefined || entry.sha256 !== verdict.recorded.sha256) continue;
      if (typeof entry.level === 'string' && RESTORE_LEVELS.has(entry.level)) {
        verdict.verified = entry;
        verdict.failed = false;
        verdict.weakLevel = undefined;
      } else if (!verdict.verified) verdict.weakLevel = typeof entry.level === 'string' ? entry.level : 'none';
    } else if (entry.event === 'failed') {
      verdict.verified = undefined;
      verdict.failed = true;
    } else if (entry.event === 'pruned') verdict.pruned = true;
  }
  return byId;
}

/** A backup the log vouches for: verified at a restore level, not revoked since, not pruned. */
export function vouchedFor<E extends BackupEntryFields>(verdict: BackupVerdict<E> | undefined): verdict is BackupVerdict<E> & { verified: E } {
  return verdict !== undefined && verdict.verified !== undefined && !verdict.pruned;
}
