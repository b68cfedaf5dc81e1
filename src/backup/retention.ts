import type { LogEntry } from './log.js';
import type { StoredBackup } from './store.js';

/**
 * Which backups to delete after a new one succeeded (never before): keep the newest `keep`
 * complete, unpinned backups and (with `keepDays`) every one younger than that; never the newest
 * verified one, never a pinned one, never the new one;
 * prune nothing when the new backup is suspiciously small compared with the previous ones
 * (an empty or truncated dump must not evict the good backups).
 */

export interface RetentionPlan {
  remove: StoredBackup[];
  /** Why nothing was pruned, when pruning was refused. */
  refused?: string;
}

export interface RetentionInput {
  backups: StoredBackup[];
  newId: string;
  keep: number;
  /** Also keep every backup taken within this many days (`keep: { last, days }`). */
  keepDays?: number;
  /** Effective pins (manifest flag and `pin` log entries, see pins.ts); default: the manifest flag. */
  pinned?: ReadonlySet<string>;
  maxAgeMs?: number;
  now: Date;
  logEntries: LogEntry[];
  /** Fraction of the median size of the previous backups below which pruning is refused. */
  minSizeRatio?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const sorted = [...input.backups].sort((a, b) => (a.manifest.snapshot.takenAt < b.manifest.snapshot.takenAt ? 1 : -1));
  const fresh = sorted.find((b) => b.id === input.newId);
  const previous = sorted.filter((b) => b.id !== input.newId).slice(0, 5);
  if (fresh && previous.length) {
    const typical = median(previous.map((b) => b.manifest.artifact.bytes));
    const ratio = input.minSizeRatio ?? 0.5;
    if (fresh.manifest.artifact.bytes < typical * ratio) {
      return {
        remove: [],
        refused: `the new backup (${fresh.manifest.artifact.bytes} bytes) is less than ${Math.round(ratio * 100)}% of the previous ones (median ${Math.round(typical)} bytes): nothing pruned`,
      };
    }
  }
  const verified = new Set(input.logEntries.filter((e) => e.event === 'verified').map((e) => String(e.backupId)));
  const newestVerified = sorted.find((b) => verified.has(b.id))?.id;
  const isPinned = (b: StoredBackup) => (input.pinned ? input.pinned.has(b.id) : b.manifest.annotations.pinned);
  const unpinned = sorted.filter((b) => !isPinned(b));
  const kept = new Set(unpinned.slice(0, input.keep).map((b) => b.id));
  const remove = unpinned.filter((b) => {
    if (b.id === input.newId || b.id === newestVerified) return false;
    const age = input.now.getTime() - Date.parse(b.manifest.snapshot.takenAt);
    const tooOld = input.maxAgeMs !== undefined && age > input.maxAgeMs;
    const recent = input.keepDays !== undefined && age <= input.keepDays * 86_400_000;
    return tooOld || (!kept.has(b.id) && !recent);
  });
  return { remove };
}
