import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BackupContext } from '../backup/context.js';
import { onInterrupt } from '../backup/cleanup.js';
import { engineFor } from '../backup/engines/index.js';
import { scratchName, type ScratchTarget } from '../backup/engines/types.js';
import { artifactStillMatches } from '../backup/files.js';
import { SAFETY_REASON } from '../backup/find-backup.js';
import { privateTempDir, sweepPrivateTemp } from '../backup/private-tmp.js';
import type { ResolvedInstance } from '../backup/instances.js';
import { backupVerdicts, vouchedFor } from '../backup/backup-verdicts.js';
import { readLog } from '../backup/log.js';
import { readManifest, type Manifest } from '../backup/manifest.js';
import { BlockedError, DatabaseError } from '../errors.js';

/**
 * A scratch copy of an instance: the newest verified backup (per the log: a `verified` entry with
 * the instance's fingerprint, no later `failed` or `pruned` entry, artifact still there) restored
 * by the engine's own verify restore, which drops the copy afterwards, also on Ctrl-C.
 */

export interface ChosenBackup {
  id: string;
  dir: string;
  manifest: Manifest;
}

export async function newestVerifiedBackup(context: BackupContext, instance: ResolvedInstance): Promise<ChosenBackup | undefined> {
  const log = await readLog(context.logPath);
  if (!log.chain.ok) {
    throw new BlockedError(`The backup log's chain is broken (line ${log.chain.brokenAt}: ${log.chain.reason}); no backup in it can be trusted as verified`, {
      hint: 'Use --fresh to take and verify a new backup, and see `npx dbsafe-hooks log`.',
    });
  }
  // newest snapshot first, by the time the log recorded when the backup was taken
  const vouched = [...backupVerdicts(log.entries, instance.fingerprint).values()]
    .filter(vouchedFor)
    .sort((a, b) => (String(a.recorded.takenAt) < String(b.recorded.takenAt) ? 1 : -1));
  for (const { recorded } of vouched) {
    const dir = path.dirname(String(recorded.manifest));
    if (!existsSync(String(recorded.artifact))) continue;
    const read = readManifest(dir);
    // a restore's safety backup holds the state before that restore (a failed migration's, say): never the copy to rehearse on
    if (read.ok && read.manifest.annotations.reason.startsWith(SAFETY_REASON)) continue;
    if (read.ok && read.manifest.id === recorded.backupId && read.manifest.artifact.sha256 === recorded.sha256) return { id: read.manifest.id, dir, manifest: read.manifest };
  }
  return undefined;
}

/**
 * Restore `backup` into a scratch copy, run `inside` there, and drop the copy whatever happens. The artifact is
 * re-hashed alongside the restore (the same file, in the page cache): a mismatch aborts the restore, and `inside`
 * never runs on a copy of an artifact that changed since it was verified.
 */
export async function withScratchCopy(
  context: BackupContext,
  instance: ResolvedInstance,
  backup: ChosenBackup,
  inside: (scratch: ScratchTarget) => Promise<void>,
  onStage: (stage: string) => void = () => undefined,
): Promise<void> {
  const artifactPath = path.join(backup.dir, backup.manifest.artifact.file);
  onStage(`checking backup ${backup.id}`);
  const aborted = new AbortController();
  const artifactIntact = artifactStillMatches(
    artifactPath,
    backup.manifest.artifact.sha256,
    (sha256) =>
      new DatabaseError(`Backup ${backup.id} changed since it was verified (sha256 ${sha256.slice(0, 12)}…, manifest ${backup.manifest.artifact.sha256.slice(0, 12)}…)`, {
        hint: `Run \`npx dbsafe-hooks verify ${backup.id}\` to record the failure, and use --fresh.`,
      }),
  );
  artifactIntact.catch(() => aborted.abort());
  const engine = await engineFor(instance.family);
  // passfiles and the SQLite copy live in the swept private tmp inside .git (gone after the next run, even after kill -9)
  sweepPrivateTemp(context.commonDir);
  const secretsDir = privateTempDir(context.commonDir);
  const removeSecrets = () => rmSync(secretsDir, { recursive: true, force: true });
  const unregister = onInterrupt(removeSecrets);
  let ran = false;
  try {
    await engine.restoreAndInspect({
      instance,
      manifest: backup.manifest,
      artifactPath,
      secretsDir,
      signal: aborted.signal,
      onStage,
      scratchName: scratchName(backup.id).replace(/^dbsafe_verify_/, 'dbsafe_dryrun_'),
      whileRestored: async (scratch) => {
        await artifactIntact;
        ran = true;
        await inside(scratch);
      },
    });
  } catch (error) {
    if (ran) throw error;
    // the first cause: a changed artifact aborted the restore
    await artifactIntact;
    throw new DatabaseError(`Could not restore backup ${backup.id} into a scratch copy: ${(error as Error).message}`);
  } finally {
    removeSecrets();
    unregister();
  }
}
