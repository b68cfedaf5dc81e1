import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { BlockedError, ConfigError } from '../errors.js';
import type { BackupContext } from './context.js';
import { SAFETY_REASON } from './find-backup.js';
import { resolveInstance } from './instances.js';
import { backupVerdicts, vouchedFor } from './backup-verdicts.js';
import { readLog } from './log.js';
import { listBackups, type StoredBackup } from './store.js';

/**
 * rollback's choice: the newest backup of the instance the intact log vouches for (backup-verdicts.ts),
 * whose artifact is still there with its recorded size, and whose snapshot was taken
 * before the last migration applied through dbsafe (safe-migrate, migrate and migrate --direct log an
 * `apply` step). With no migration recorded, the newest verified backup; the answer says which and why.
 * Safety backups (the state before a restore) are skipped.
 */
export async function chooseRollback(context: BackupContext, instanceName: string | undefined): Promise<{ backup: StoredBackup; why: string }> {
  const instance = resolveInstance(context.config, instanceName, { cwd: context.repoRoot });
  const log = await readLog(context.logPath);
  if (!log.chain.ok) {
    throw new BlockedError(`The backup log's chain is broken (${log.chain.message}): which backups verified cannot be trusted`, {
      hint: 'Name the backup to restore yourself (`npx dbsafe-hooks restore <id>`): it is verified again before anything is touched.',
    });
  }
  const lastApply = log.entries.filter((e) => e.event === 'migrate' && e.instance === instance.name && e.step === 'apply').pop();
  const verdicts = backupVerdicts(log.entries, instance.fingerprint);
  const skipped: string[] = [];
  for (const backup of listBackups(context.backupRoot, instance.name)) {
    if (backup.manifest.annotations.reason.startsWith(SAFETY_REASON)) continue;
    const verdict = verdicts.get(backup.id);
    // the time the log recorded when the backup was taken, not the manifest's (which anyone can edit)
    const takenAt = String(verdict?.recorded.takenAt ?? backup.manifest.snapshot.takenAt);
    if (lastApply && takenAt >= lastApply.ts) {
      skipped.push(`${backup.id} (taken after the last migration)`);
      continue;
    }
    const artifact = path.join(backup.dir, backup.manifest.artifact.file);
    const present = existsSync(artifact) && statSync(artifact).size === backup.manifest.artifact.bytes;
    const vouched = vouchedFor(verdict) && verdict.recorded.sha256 === backup.manifest.artifact.sha256;
    if (vouched && present) {
      const newer = skipped.length ? `; skipped newer: ${skipped.join(', ')}` : '';
      return {
        backup,
        why: lastApply
          ? `the newest verified backup of ${instance.name} taken before the last migration applied through dbsafe (${lastApply.ts}${lastApply.files ? `: ${(lastApply.files as string[]).join(', ')}` : ''})${newer}`
          : `the newest verified backup of ${instance.name} (no migration applied through dbsafe is recorded, so none is "the last migration")${newer}`,
      };
    }
    const why = !present ? 'artifact missing or resized' : !verdict ? 'not on the record of this database' : verdict.pruned ? 'pruned' : verdict.failed ? 'verify FAILED' : 'not verified';
    skipped.push(`${backup.id} (${why})`);
  }
  throw new ConfigError(`Instance "${instance.name}" has no verified backup to roll back to${skipped.length ? ` (${skipped.join(', ')})` : ''}`, {
    hint: `Verify one with \`npx dbsafe-hooks verify <id>\`, or take one: \`npx dbsafe-hooks backup ${instance.name} --verify\`.`,
  });
}
