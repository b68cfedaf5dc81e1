import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import type { BackupContext } from './context.js';
import { resolveInstance } from './instances.js';
import { readManifest } from './manifest.js';
import { instanceDir, listBackups, type StoredBackup } from './store.js';

/** Safety backups (taken by restore before it replaces anything) carry this reason, so `--latest` and `rollback` skip them. */
export const SAFETY_REASON = 'safety backup before restore';

/**
 * A backup by id (searched in every instance, or the one named), by directory, or else the newest
 * non-safety backup of the instance. A backup whose manifest cannot be read comes back with
 * `manifest` undefined: verify reports (and logs) exactly why.
 */
export function findBackup(context: BackupContext, backup: string | undefined, instance: string | undefined): StoredBackup | (Omit<StoredBackup, 'manifest'> & { manifest: undefined }) {
  if (backup && (backup.includes('/') || backup === '.' || backup === '..')) {
    const dir = path.resolve(context.cwd, backup);
    const read = readManifest(dir);
    if (!read.ok) throw new ConfigError(`${dir} is not a usable backup: ${read.message}`);
    return { id: path.basename(dir), dir, manifest: read.manifest };
  }
  if (backup) {
    const names = instance ? [instance] : Object.keys(context.config.databases);
    for (const name of names) {
      const dir = path.join(instanceDir(context.backupRoot, name), backup);
      if (!existsSync(dir)) continue;
      const read = readManifest(dir);
      // an unreadable manifest is left to verify, which reports and logs why
      return read.ok ? { id: backup, dir, manifest: read.manifest } : { id: backup, dir, manifest: undefined };
    }
    throw new ConfigError(`No backup "${backup}"${instance ? ` of instance "${instance}"` : ''} under ${context.backupRoot}`, {
      hint: 'List backups with `npx dbsafe-hooks status` or `npx dbsafe-hooks log`.',
    });
  }
  const resolved = resolveInstance(context.config, instance, { cwd: context.repoRoot });
  const newest = listBackups(context.backupRoot, resolved.name).find((b) => !b.manifest.annotations.reason.startsWith(SAFETY_REASON));
  if (!newest) throw new ConfigError(`Instance "${resolved.name}" has no backup to restore`, { hint: `Take one with \`npx dbsafe-hooks backup ${resolved.name} --verify\`.` });
  return newest;
}

