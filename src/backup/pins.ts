import { ConfigError } from '../errors.js';
import { gitAnnotations, type BackupContext } from './context.js';
import { findBackup } from './find-backup.js';
import { appendLogEntry, readLog, type LogEntry } from './log.js';
import { lockInstance, type StoredBackup } from './store.js';

/**
 * Pinned backups are never pruned. A backup is pinned when it was taken pinned (`backup --pin`, a
 * restore's safety backup: `pinned` in its manifest), unless the newest `pin` entry of the log for it
 * says otherwise (`pin <id>` / `unpin <id>`): the manifest is checksummed and never rewritten, so a
 * later change of mind lives in the hash-chained log.
 */
export function pinnedIds(backups: StoredBackup[], entries: LogEntry[]): Set<string> {
  const decided = new Map<string, boolean>();
  for (const entry of entries) {
    if (entry.event === 'pin' && typeof entry.backupId === 'string') decided.set(entry.backupId, entry.pinned === true);
  }
  return new Set(backups.filter((b) => decided.get(b.id) ?? b.manifest.annotations.pinned).map((b) => b.id));
}

/** `pin <id>` / `unpin <id>`: a `pin` log entry, written under the instance lock (retention reads pins under it). */
export async function setPinned(context: BackupContext, backup: string, instance: string | undefined, pinned: boolean): Promise<{ instance: string; backupId: string; was: boolean }> {
  const stored = findBackup(context, backup, instance);
  if (!stored.manifest) throw new ConfigError(`Backup ${stored.id} has no readable manifest`, { hint: `See why with \`npx dbsafe-hooks verify ${stored.id}\`.` });
  const name = stored.manifest.instance;
  const lock = await lockInstance(context.commonDir, name, pinned ? 'pin' : 'unpin');
  try {
    const log = await readLog(context.logPath);
    const was = pinnedIds([stored], log.entries.filter((e) => e.instance === name)).has(stored.id);
    const { creator } = await gitAnnotations(context.repoRoot);
    await appendLogEntry(context.logPath, { event: 'pin', instance: name, backupId: stored.id, pinned, creator });
    return { instance: name, backupId: stored.id, was };
  } finally {
    lock.release();
  }
}
