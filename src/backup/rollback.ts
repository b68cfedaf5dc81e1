import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { BlockedError, ConfigError } from '../errors.js';
import type { BackupContext } from './context.js';
import { SAFETY_REASON } from './find-backup.js';
import { resolveInstance } from './instances.js';
import { readLog } from './log.js';
import { listBackups, type StoredBackup } from './store.js';

/**
 * rollback's choice: the newest backup of the instance whose latest verdict in an intact log is
 * `verified` and whose artifact is still there with its recorded size. Safety backups (the state
 * before a restore) are skipped. There is no record yet of migrations applied through dbsafe, so
 * "before the last migration" is not available; the answer says which backup and why.
 */
export async function chooseRollback(context: BackupContext, instanceName: string | undefined): Promise<{ backup: StoredBackup; why: string }> {
  const instance = resolveInstance(context.config, instanceName, { cwd: context.repoRoot });
  const log = await readLog(context.logPath);
  if (!log.chain.ok) {
    throw new BlockedError(`The backup log's chain is broken (${log.chain.message}): which backups verified cannot be trusted`, {
      hint: 'Name the backup to restore yourself (`npx dbsafe-hooks restore <id>`): it is verified again before anything is touched.',
    });
  }
  const verdicts = new Map<string, string>();
  for (const e of log.entries) {
    if (e.instance === instance.name && typeof e.backupId === 'string' && ['verified', 'failed', 'pruned'].includes(e.event)) verdicts.set(e.backupId, e.event);
  }
  const skipped: string[] = [];
  for (const backup of listBackups(context.backupRoot, instance.name)) {
    if (backup.manifest.annotations.reason.startsWith(SAFETY_REASON)) continue;
    const verdict = verdicts.get(backup.id);
    const artifact = path.join(backup.dir, backup.manifest.artifact.file);
    const present = existsSync(artifact) && statSync(artifact).size === backup.manifest.artifact.bytes;
    if (verdict === 'verified' && present) {
      const newer = skipped.length ? `; skipped newer: ${skipped.join(', ')}` : '';
      return {
        backup,
        why: `the newest verified backup of ${instance.name} (no migration applied through dbsafe is recorded, so none is "the last migration")${newer}`,
      };
    }
    skipped.push(`${backup.id} (${!present ? 'artifact missing or resized' : verdict === 'failed' ? 'verify FAILED' : 'not verified'})`);
  }
  throw new ConfigError(`Instance "${instance.name}" has no verified backup to roll back to${skipped.length ? ` (${skipped.join(', ')})` : ''}`, {
    hint: `Verify one with \`npx dbsafe-hooks verify <id>\`, or take one: \`npx dbsafe-hooks backup ${instance.name} --verify\`.`,
  });
}
