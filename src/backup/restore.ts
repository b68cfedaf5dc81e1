import { createHash } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { BlockedError, ConfigError, DbsafeError, UsageError } from '../errors.js';
import { takeBackup } from './backup.js';
import { onInterrupt } from './cleanup.js';
import { durationMs, gitAnnotations, type BackupContext } from './context.js';
import type { RestoreDriver, SwapResult, TargetState } from './engines/restore-types.js';
import { artifactStillMatches, sha256File } from './files.js';
import { resolveInstance, type EngineFamily, type ResolvedInstance } from './instances.js';
import { backupVerdicts, vouchedFor } from './backup-verdicts.js';
import { appendLogEntry, readLog } from './log.js';
import type { Manifest } from './manifest.js';
import { findBackup, SAFETY_REASON } from './find-backup.js';
import { lockInstance, type StoredBackup } from './store.js';
import { privateTempDir, sweepPrivateTemp } from './private-tmp.js';
import { resolveTables } from './restore-tables.js';
import { verifyBackup } from './verify.js';

/**
 * restore: lock → check the target (read only) → confirm → verify the backup (or reuse a recent
 * verification after re-hashing the artifact) → pinned, verified safety backup of the current state →
 * the engine restores beside the target, compares with the manifest and swaps → `restore` log entry.
 * Nothing destructive happens before the safety backup exists and verified; a backup that does not
 * verify is never restored. See docs/restore.md.
 */

export interface RestoreRequest {
  /** Backup id or directory; with neither this nor an id, the newest backup of the instance. */
  backup?: string;
  instance?: string;
  /** Restore into this configured instance, `env:VAR` URL or SQLite path instead of the backup's own. */
  into?: string;
  schemaOnly?: boolean;
  /** Replace only these tables (as typed; matched to the backup's names); everything else is left as it is. */
  tables?: string[];
  dropPrevious?: boolean;
  terminateConnections?: boolean;
  /** Always run a full verify, even when the log holds a recent one. */
  reverify?: boolean;
  /** The caller already holds the target instance's lock (safe-migrate restoring its pre-migration backup). */
  lockHeld?: boolean;
  /** Why this backup (rollback states its choice); recorded in the log. */
  why?: string;
  /** Ask the person (or check --yes); false cancels before anything is touched. */
  confirm(target: TargetState & { instance: string; backupId: string; tables?: string[] }): Promise<boolean>;
  onStage?(stage: string): void;
  /** Lines the user must see even if the run is killed right after (the safety backup's id and command). */
  notice?(message: string): void;
}

export interface RestoreOutcome {
  instance: string;
  backupId: string;
  takenAt: string;
  target: string;
  verification: 'reused' | 'verified';
  safetyBackupId?: string;
  schemaOnly: boolean;
  /** `--tables`: the backup's names of the tables replaced. */
  tables?: string[];
  swap: SwapResult;
  durationMs: number;
}

async function driverFor(family: EngineFamily): Promise<RestoreDriver> {
  switch (family) {
    case 'postgres':
      return (await import('./engines/postgres-restore.js')).postgresRestore;
    case 'mysql':
      return (await import('./engines/mysql-restore.js')).mysqlRestore;
    case 'sqlite':
      return (await import('./engines/sqlite-restore.js')).sqliteRestore;
  }
}

const familyOf = (engine: Manifest['engine']): EngineFamily => (engine === 'postgres' ? 'postgres' : engine === 'sqlite' ? 'sqlite' : 'mysql');

/**
 * Where the backup goes. Without --into: the backup's own instance, refused when that instance now
 * points at another database than the one backed up. With --into: a configured instance, or an
 * `env:VAR` URL / SQLite path (a literal URL with a password is refused, as in the config).
 */
function resolveTarget(context: BackupContext, manifest: Manifest, into: string | undefined): { context: BackupContext; target: ResolvedInstance } {
  const resolve = (ctx: BackupContext, name: string) => resolveInstance(ctx.config, name, { cwd: ctx.repoRoot });
  let target: ResolvedInstance;
  let ctx = context;
  if (into === undefined) {
    if (!Object.hasOwn(context.config.databases, manifest.instance)) {
      throw new ConfigError(`The backup's instance "${manifest.instance}" is no longer configured`, { hint: 'Name where to restore it with --into <instance>.' });
    }
    target = resolve(ctx, manifest.instance);
    if (target.fingerprint !== manifest.database.fingerprint) {
      throw new ConfigError(
        `Instance "${target.name}" now points at ${target.redactedUrl}, not at ${manifest.database.url} where backup ${manifest.id} was taken: refusing to restore it over another database`,
        { hint: `If that is really what you want, name the target explicitly: --into ${target.name}` },
      );
    }
  } else if (Object.hasOwn(context.config.databases, into)) {
    target = resolve(ctx, into);
  } else {
    // a target outside the config: its own lock and safety-backup folder, named after its fingerprint
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(into) || /[?&][^=]*pass[^=]*=/i.test(into)) {
      throw new UsageError('--into must not contain a password: the command line is visible to every user of this machine (ps, /proc)', {
        hint: 'Put the URL in an environment variable and pass --into env:THAT_VARIABLE.',
      });
    }
    const probe = { ...context.config, databases: { probe: { url: into } } };
    const fingerprint = resolveInstance(probe, 'probe', { cwd: context.cwd }).fingerprint;
    const name = `into-${createHash('sha256').update(fingerprint).digest('hex').slice(0, 10)}`;
    const url = /^(env:|[a-z][a-z0-9+.-]*:\/\/)/i.test(into) ? into : `sqlite:${path.resolve(context.cwd, into.replace(/^sqlite:/i, ''))}`;
    ctx = { ...context, config: { ...context.config, databases: { ...context.config.databases, [name]: { url } } } };
    target = resolve(ctx, name);
  }
  if (target.family !== familyOf(manifest.engine)) {
    throw new ConfigError(`Backup ${manifest.id} is a ${manifest.engine} backup; "${target.name}" is ${target.engine}`, { hint: 'Restore into a database of the same engine.' });
  }
  return { context: ctx, target };
}

/** The log vouches for this backup (backup-verdicts.ts), its verification is within maxAge, and the artifact is still those bytes. */
async function recentVerification(context: BackupContext, stored: StoredBackup, maxAgeMs: number): Promise<boolean> {
  const log = await readLog(context.logPath);
  if (!log.chain.ok) return false;
  const verdict = backupVerdicts(log.entries, stored.manifest.database.fingerprint).get(stored.id);
  if (!vouchedFor(verdict) || verdict.recorded.instance !== stored.manifest.instance) return false;
  if (verdict.recorded.manifestChecksum !== stored.manifest.checksum || verdict.recorded.sha256 !== stored.manifest.artifact.sha256) return false;
  if (Date.now() - Date.parse(verdict.verified.ts) > maxAgeMs) return false;
  // the artifact must still be exactly what was verified
  const artifact = path.join(stored.dir, stored.manifest.artifact.file);
  if (!existsSync(artifact) || statSync(artifact).size !== stored.manifest.artifact.bytes) return false;
  return (await sha256File(artifact)).sha256 === stored.manifest.artifact.sha256;
}

export function restoreCommand(backupId: string, instance: string): string {
  return `npx dbsafe-hooks restore ${backupId} ${instance} --yes`;
}

export async function restoreBackup(context: BackupContext, request: RestoreRequest): Promise<RestoreOutcome> {
  process.umask(0o077);
  const started = Date.now();
  const onStage = request.onStage ?? (() => undefined);
  const notice = request.notice ?? (() => undefined);
  const stored = findBackup(context, request.backup, request.instance);
  if (!stored.manifest) {
    // unreadable or tampered manifest: verify reports (and logs) exactly why; it never restores
    const outcome = await verifyBackup(context, { backup: stored.dir, lock: true, onStage });
    throw new BlockedError(`Backup ${stored.id} does not verify (${outcome.reason}): ${outcome.message}. Nothing was restored.`);
  }
  const manifest = stored.manifest;
  if (request.tables && request.schemaOnly) throw new UsageError('--tables and --schema-only cannot be combined', { hint: 'Restore the definitions of the whole database with --schema-only, or some tables with their data with --tables.' });
  const tables = request.tables ? resolveTables(manifest, request.tables) : undefined;
  const { context: ctx, target } = resolveTarget(context, manifest, request.into);
  const driver = await driverFor(target.family);
  const locks = request.lockHeld ? [] : [await lockInstance(ctx.commonDir, target.name, 'restore')];
  // passfiles live in the swept private tmp inside .git: after a kill -9 the next run removes them
  sweepPrivateTemp(ctx.commonDir);
  const secretsDir = privateTempDir(ctx.commonDir);
  const release = () => {
    rmSync(secretsDir, { recursive: true, force: true });
    for (const lock of locks.splice(0)) lock.release();
  };
  const unregister = onInterrupt(release);
  let safetyBackupId: string | undefined;
  let verification: RestoreOutcome['verification'] = 'verified';
  const annotations = gitAnnotations(ctx.repoRoot);
  annotations.catch(() => undefined);
  const logRestore = async (fields: Record<string, unknown>) => {
    const who = await annotations.catch(() => undefined);
    await appendLogEntry(ctx.logPath, {
      event: 'restore',
      instance: target.name,
      backupId: stored.id,
      sourceInstance: manifest.instance,
      engine: manifest.engine,
      fingerprint: target.fingerprint,
      takenAt: manifest.snapshot.takenAt,
      safetyBackupId: safetyBackupId ?? null,
      schemaOnly: request.schemaOnly ?? false,
      verification,
      why: request.why ?? null,
      git: who?.git ?? null,
      creator: who?.creator ?? null,
      durationMs: Date.now() - started,
      ...fields,
    });
  };
  try {
    // the backup's own instance too, when restoring elsewhere: its retention must not delete what we read
    if (manifest.instance !== target.name && Object.hasOwn(ctx.config.databases, manifest.instance)) {
      locks.push(await lockInstance(ctx.commonDir, manifest.instance, 'restore (reading its backup)'));
    }
    const base = { target, manifest, secretsDir };
    onStage(`checking ${target.redactedUrl}`);
    const state = await driver.inspectTarget({ ...base, terminateConnections: request.terminateConnections ?? false });
    if (tables && !state.exists) {
      throw new UsageError(`--tables replaces tables in ${state.label}, which does not exist`, { hint: 'Restore the whole backup (without --tables) to create it.' });
    }
    if (!(await request.confirm({ ...state, instance: target.name, backupId: stored.id, tables }))) {
      throw new DbsafeError('Restore cancelled: the database name was not confirmed. Nothing was touched.');
    }

    // 1. the backup must verify (never restore one that does not)
    onStage(`verifying backup ${stored.id}`);
    if (!request.reverify && (await recentVerification(ctx, stored, durationMs(ctx.config.gate.maxAge)))) {
      verification = 'reused';
    } else {
      const verified = await verifyBackup(ctx, { backup: stored.dir, onStage });
      if (!verified.ok) {
        throw new BlockedError(`Backup ${stored.id} does not verify (${verified.reason}): ${verified.message}. Nothing was restored.`, {
          hint: [...verified.differences.slice(0, 10), 'Choose another backup (`npx dbsafe-hooks status`).'].join('\n  '),
        });
      }
    }

    // 2. a pinned, verified safety backup of what is there now
    if (state.exists) {
      onStage(`safety backup of ${state.label}`);
      const safety = await takeBackup(ctx, { instance: target.name, reason: `${SAFETY_REASON} of ${stored.id}`, pinned: true, verify: true, lockHeld: true, prune: false, onStage });
      safetyBackupId = safety.id;
      if (!safety.verify?.ok) {
        throw new BlockedError(`The safety backup ${safety.id} of ${state.label} did not verify (${safety.verify?.reason}): ${safety.verify?.message}. Nothing was restored.`);
      }
      notice(`safety backup ${safety.id} of ${state.label} (pinned, verified); to undo this restore: ${restoreCommand(safety.id, target.name)}`);
    }

    // 3. restore beside the target, compare, swap; the artifact is re-hashed alongside
    const artifactPath = path.join(stored.dir, manifest.artifact.file);
    const artifactIntact = artifactStillMatches(
      artifactPath,
      manifest.artifact.sha256,
      (sha256) => new BlockedError(`The artifact of backup ${stored.id} changed after it was verified (sha256 ${sha256.slice(0, 12)}…, manifest ${manifest.artifact.sha256.slice(0, 12)}…): not swapped in`),
    );
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').toLowerCase();
    const swap = await driver.restoreAndSwap({
      ...base,
      artifactPath,
      schemaOnly: request.schemaOnly ?? false,
      tables,
      dropPrevious: request.dropPrevious ?? false,
      terminateConnections: request.terminateConnections ?? false,
      stamp,
      artifactIntact,
      onStage,
    });
    onStage('recording the restore in the log');
    await logRestore({ result: 'restored', previous: swap.previous ?? null, method: swap.method, tables: swap.tables, rows: swap.rows, onlyTables: tables ?? null, dependents: swap.dependents ?? null });
    return {
      instance: target.name,
      backupId: stored.id,
      takenAt: manifest.snapshot.takenAt,
      target: target.redactedUrl,
      verification,
      safetyBackupId,
      schemaOnly: request.schemaOnly ?? false,
      tables,
      swap,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (safetyBackupId) {
      await logRestore({ result: 'failed', error: message }).catch(() => undefined);
      if (error instanceof DbsafeError) {
        const undo = `Safety backup of the state before: ${safetyBackupId} (${restoreCommand(safetyBackupId, target.name)})`;
        throw new (error.constructor as typeof DbsafeError)(message, { hint: error.hint ? `${error.hint}\n  ${undo}` : undo, exitCode: error.exitCode });
      }
    }
    throw error;
  } finally {
    release();
    unregister();
  }
}
