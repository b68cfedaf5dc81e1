import { renameSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VERSION } from '../version.js';
import { backupContext, durationMs, gitAnnotations, type BackupContext } from './context.js';
import { engineFor } from './engines/index.js';
import { fsyncPath, mkdirPrivate, noSpaceOn } from './files.js';
import { DatabaseError, DbsafeError } from '../errors.js';
import { resolveInstance } from './instances.js';
import { appendLogEntry, readLog } from './log.js';
import { writeManifest, type Manifest } from './manifest.js';
import { pinnedIds } from './pins.js';
import { planRetention } from './retention.js';
import { deleteBackup, instanceDir, listBackups, lockInstance, newBackupId, sweepLeftovers } from './store.js';
import { onInterrupt } from './cleanup.js';
import { trace } from './trace.js';
import { privateTempDir, sweepPrivateTemp } from './private-tmp.js';
import { verifyBackup, type VerifyOutcome } from './verify.js';

/**
 * backup: lock the instance, dump into `<backupDir>/<instance>/.tmp-<id>/` (0700; artifact 0600,
 * hashed while written), write manifest.json last, rename the directory to `<id>`, append
 * `backup` to the log, optionally verify, then prune. A failure at any point before the rename
 * leaves no backup and no log entry.
 */

export interface BackupRequest {
  instance?: string;
  reason?: string;
  verify?: boolean;
  pinned?: boolean;
  /** The caller (restore) already holds the instance lock. */
  lockHeld?: boolean;
  /** Run retention afterwards (default true; a restore's safety backup must not prune what is being restored). */
  prune?: boolean;
  onProgress?: (bytes: number) => void;
  onStage?: (stage: string) => void;
  warn?: (message: string) => void;
}

export interface BackupOutcome {
  instance: string;
  id: string;
  dir: string;
  artifact: string;
  bytes: number;
  sha256: string;
  takenAt: string;
  tables: number;
  rows: number;
  approximateCounts: boolean;
  warnings: string[];
  verify?: VerifyOutcome;
  pruned: string[];
  pruneRefused?: string;
}

export { backupContext };

export async function takeBackup(context: BackupContext, request: BackupRequest): Promise<BackupOutcome> {
  process.umask(0o077);
  trace('backup: start');
  const instance = resolveInstance(context.config, request.instance, { cwd: context.repoRoot });
  const lock = request.lockHeld ? { release: () => undefined } : await lockInstance(context.commonDir, instance.name, 'backup');
  const root = instanceDir(context.backupRoot, instance.name);
  let tmp: string | undefined;
  sweepPrivateTemp(context.commonDir);
  const secretsDir = privateTempDir(context.commonDir);
  const cleanup = () => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    rmSync(secretsDir, { recursive: true, force: true });
    lock.release();
  };
  const unregister = onInterrupt(cleanup);
  try {
    mkdirPrivate(context.backupRoot);
    // backups must never be committed by accident
    const ignore = path.join(context.backupRoot, '.gitignore');
    if (!existsSync(ignore)) writeFileSync(ignore, '*\n', { mode: 0o600 });
    mkdirPrivate(root);
    sweepLeftovers(context.backupRoot, instance.name);
    const id = newBackupId();
    tmp = path.join(root, `.tmp-${id}`);
    mkdirPrivate(tmp);
    const warnings: string[] = [];
    request.onStage?.(`dumping ${instance.name} (${instance.redactedUrl})`);
    // git metadata is collected while the dump runs
    const annotationsPending = gitAnnotations(context.repoRoot);
    annotationsPending.catch(() => undefined);
    const engine = await engineFor(instance.family);
    const dumped = await engine.dump({
      instance,
      dir: tmp,
      secretsDir,
      onProgress: request.onProgress ?? (() => undefined),
      warn: (message) => {
        warnings.push(message);
        request.warn?.(message);
      },
    });
    trace('backup: dump finished');
    const finishedAt = new Date().toISOString();
    const annotations = await annotationsPending;
    const manifestBody: Omit<Manifest, 'checksum'> = {
      formatVersion: 1,
      id,
      instance: instance.name,
      engine: instance.engine === 'mysql' && dumped.server.flavor === 'mariadb' ? 'mariadb' : instance.engine,
      status: 'complete',
      tool: { name: 'dbsafe-hooks', version: VERSION },
      client: dumped.client,
      server: dumped.server,
      database: { url: instance.redactedUrl, fingerprint: instance.fingerprint, name: dumped.databaseName },
      snapshot: { ...dumped.snapshot, finishedAt },
      options: dumped.options,
      annotations: { ...annotations, reason: request.reason ?? 'manual', pinned: request.pinned ?? false },
      artifact: { file: dumped.file, bytes: dumped.bytes, sha256: dumped.sha256 },
      expected: { objects: dumped.objects, tables: dumped.tables, approximateCounts: dumped.approximateCounts, ...(dumped.catalog ? { catalog: dumped.catalog } : {}) },
      warnings,
    };
    const written = writeManifest(tmp, manifestBody);
    const dir = path.join(root, id);
    renameSync(tmp, dir);
    tmp = undefined;
    fsyncPath(root);
    const artifact = path.join(dir, dumped.file);
    const rows = dumped.tables.reduce((sum, t) => sum + t.rows, 0);
    await appendLogEntry(context.logPath, {
      event: 'backup',
      instance: instance.name,
      backupId: id,
      engine: manifestBody.engine,
      fingerprint: instance.fingerprint,
      artifact,
      size: dumped.bytes,
      sha256: dumped.sha256,
      takenAt: dumped.snapshot.takenAt,
      manifest: path.join(dir, 'manifest.json'),
      manifestChecksum: written.checksum,
      git: annotations.git,
      creator: annotations.creator,
      reason: request.reason ?? 'manual',
      pinned: request.pinned ?? false,
      tables: dumped.tables.length,
      rows,
    });
    trace('backup: published and logged');
    const outcome: BackupOutcome = {
      instance: instance.name,
      id,
      dir,
      artifact,
      bytes: dumped.bytes,
      sha256: dumped.sha256,
      takenAt: dumped.snapshot.takenAt,
      tables: dumped.tables.length,
      rows,
      approximateCounts: dumped.approximateCounts,
      warnings,
      pruned: [],
    };
    if (request.verify) {
      request.onStage?.('verifying');
      outcome.verify = await verifyBackup(context, { backup: dir, instance: instance.name, onStage: request.onStage });
    }
    // retention runs only now that the new backup is complete (and verified when asked)
    if (request.prune !== false && (!outcome.verify || outcome.verify.ok)) {
      const log = await readLog(context.logPath);
      const backups = listBackups(context.backupRoot, instance.name);
      const entries = log.entries.filter((e) => e.instance === instance.name);
      // pins live in the log: an unreadable chain could hide one, so nothing is pruned
      const plan = !log.chain.ok
        ? { remove: [], refused: `the backup log's chain is broken (${log.chain.message}): pins cannot be trusted, nothing pruned` }
        : planRetention({
            backups,
            newId: id,
            keep: instance.keep,
            keepDays: instance.keepDays,
            pinned: pinnedIds(backups, entries),
            maxAgeMs: context.config.maxAge ? durationMs(context.config.maxAge) : undefined,
            now: new Date(),
            logEntries: entries,
          });
      if (plan.refused) {
        outcome.pruneRefused = plan.refused;
        request.warn?.(plan.refused);
      }
      for (const old of plan.remove) {
        deleteBackup(old.dir);
        await appendLogEntry(context.logPath, { event: 'pruned', instance: instance.name, backupId: old.id, artifact: path.join(old.dir, old.manifest.artifact.file) });
        outcome.pruned.push(old.id);
      }
    }
    trace('backup: retention done');
    return outcome;
  } catch (error) {
    // the manifest or the log could not be written: say why in words, not ENOSPC
    const full = error instanceof DbsafeError ? undefined : noSpaceOn(error, root);
    if (full) throw new DatabaseError(`Backup failed: ${full}`);
    throw error;
  } finally {
    cleanup();
    unregister();
  }
}
