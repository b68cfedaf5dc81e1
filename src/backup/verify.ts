import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, DatabaseError } from '../errors.js';
import type { BackupContext } from './context.js';
import { engineFor } from './engines/index.js';
import { VerifyFailure, type RestoreResult } from './engines/types.js';
import { sha256File } from './files.js';
import { resolveInstance, type ResolvedInstance } from './instances.js';
import { appendLogEntry, readLog, type LogEntry } from './log.js';
import { readManifest, type Manifest } from './manifest.js';
import { catalogChecks, compareCatalog } from './catalog.js';
import { instanceDir, listBackups, lockInstance } from './store.js';
import { interrupted } from './cleanup.js';
import { trace } from './trace.js';
import { privateTempDir, sweepPrivateTemp } from './private-tmp.js';

/**
 * verify = the backup's sha256 and size match its manifest, it decodes fully and restores into a
 * scratch database (or a decompressed scratch copy for SQLite), and the restored object list and
 * exact row counts equal the manifest's (which were read in the dump's own snapshot).
 * The result is appended to the log: `verified` (level `restorable`) or `failed` with its reason.
 */

export type VerifyReason =
  | 'missing-manifest'
  | 'manifest-unreadable'
  | 'manifest-tampered'
  | 'manifest-mismatch'
  | 'missing-artifact'
  | 'size-mismatch'
  | 'checksum-mismatch'
  | 'swapped-artifact'
  | 'decode-failed'
  | 'restore-failed'
  | 'objects-mismatch'
  | 'count-mismatch'
  | 'content-mismatch'
  | 'catalog-mismatch'
  | 'integrity-failed'
  | string;

/** Reasons that mean "could not verify", not "the backup is bad". */
const NOT_A_VERDICT = new Set(['refused-existing-database', 'refused-source', 'scratch-server-too-old', 'aborted', 'no-space']);

/** restorable: objects + exact counts; schema-equal: + definitions, comments, policies, sequences, large objects; content-equal: + row hashes. */
export type VerifyLevel = 'restorable' | 'schema-equal' | 'content-equal';

export interface VerifyOutcome {
  ok: boolean;
  /**
   * False when the log never recorded taking this backup (copied in, or taken before the log was
   * moved aside): the verification is logged but is no gate evidence until the backup is adopted.
   */
  recorded: boolean;
  /** Loud warnings: another database's backup, a backup the log does not know. */
  warnings: string[];
  backupId: string;
  instance: string;
  dir: string;
  level?: VerifyLevel;
  /** What was compared, weakest first (docs/backup.md, "Verification levels"). */
  checks?: string[];
  reason?: VerifyReason;
  message: string;
  differences: string[];
  tables?: number;
  rows?: number;
  approximateCounts?: boolean;
  durationMs: number;
  logEntry?: LogEntry;
}

export interface VerifyRequest {
  /** Backup id, or a backup directory path. */
  backup?: string;
  instance?: string;
  latest?: boolean;
  onStage?: (stage: string) => void;
  /** Take the instance lock (standalone verify; `backup --verify` already holds it). */
  lock?: boolean;
}

/** The log's own record of a backup: the `backup` entry written when it was taken, or an `adopted` one. */
export function recordOf(entries: LogEntry[], backupId: string): LogEntry | undefined {
  return entries.filter((e) => (e.event === 'backup' || e.event === 'adopted') && e.backupId === backupId).pop();
}

function pick(entry: LogEntry, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => entry[key] !== undefined).map((key) => [key, entry[key]]));
}

/** Said loudly: verifying proves a restore of what is in the artifact, not that it is this instance's database. */
function identityWarnings(instance: ResolvedInstance, manifest: Manifest, recorded: LogEntry | undefined): string[] {
  const warnings: string[] = [];
  const fingerprint = recorded?.fingerprint ?? manifest.database.fingerprint;
  if (fingerprint !== instance.fingerprint) {
    warnings.push(
      `this is a backup of ANOTHER database (${manifest.database.url}), not of instance "${instance.name}" as configured now (${instance.redactedUrl}): it proves nothing about that database and the pre-push gate will not count it`,
    );
  }
  if (!recorded) {
    warnings.push(
      `the backup log never recorded taking ${manifest.id} (copied in, or taken before the log was moved aside): its manifest cannot vouch for itself, so this verification is no gate evidence. If you trust it, adopt it on the record: npx dbsafe-hooks adopt ${manifest.id} --reason "…", then verify again`,
    );
  }
  return warnings;
}

function locate(context: BackupContext, request: VerifyRequest): { dir: string; instanceName?: string } {
  const { backup } = request;
  if (backup && (backup.includes('/') || backup.includes(path.sep) || backup === '.' || backup === '..')) {
    return { dir: path.resolve(context.cwd, backup) };
  }
  if (backup) {
    const names = request.instance ? [request.instance] : Object.keys(context.config.databases);
    for (const name of names) {
      const dir = path.join(instanceDir(context.backupRoot, name), backup);
      if (existsSync(dir)) return { dir, instanceName: name };
    }
    throw new ConfigError(`No backup "${backup}" under ${context.backupRoot}`, { hint: 'List backups with `npx dbsafe-hooks status` or `npx dbsafe-hooks log`.' });
  }
  const instance = resolveInstance(context.config, request.instance, { cwd: context.repoRoot });
  const newest = listBackups(context.backupRoot, instance.name)[0];
  if (!newest) {
    throw new ConfigError(`Instance "${instance.name}" has no complete backup to verify`, { hint: `Take one with \`npx dbsafe-hooks backup ${instance.name}\`.` });
  }
  return { dir: newest.dir, instanceName: instance.name };
}

export function compare(manifest: Pick<Manifest, 'expected'>, restored: RestoreResult): { reason?: VerifyReason; differences: string[] } {
  const differences: string[] = [];
  let reason: VerifyReason | undefined;
  if (restored.problems.length) {
    reason = 'integrity-failed';
    differences.push(...restored.problems);
  }
  const key = (o: { kind: string; name: string }) => `${o.kind} ${o.name}`;
  const expected = new Set(manifest.expected.objects.map(key));
  const got = new Set(restored.objects.map(key));
  const missing = [...expected].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !expected.has(k));
  if (missing.length || extra.length) {
    reason ??= 'objects-mismatch';
    for (const k of missing) differences.push(`missing after restore: ${k}`);
    for (const k of extra) differences.push(`not in the backup's source: ${k}`);
  }
  const restoredRows = new Map(restored.tables.map((t) => [t.name, t.rows]));
  const restoredHash = new Map(restored.tables.map((t) => [t.name, t.hash]));
  // older manifests counted materialized views; a restore re-runs their query, so their rows are not the dump's
  const materialized = new Set(manifest.expected.objects.filter((o) => o.kind === 'materialized view').map((o) => o.name));
  for (const table of manifest.expected.tables) {
    if (materialized.has(table.name)) continue;
    const rows = restoredRows.get(table.name);
    if (rows === undefined) {
      reason ??= 'count-mismatch';
      differences.push(`table ${table.name}: expected ${table.rows} rows, table missing after restore`);
      continue;
    }
    const min = table.min ?? table.rows;
    // an approximate count is a range, and an empty restore of a table that had rows throughout is never in it
    const ok = table.approximate ? rows >= min && rows <= (table.max ?? table.rows) && !(rows === 0 && min > 0) : rows === table.rows;
    if (!ok) {
      reason ??= 'count-mismatch';
      const expectedText = table.approximate ? `${table.min}..${table.max} (approximate)` : String(table.rows);
      differences.push(`table ${table.name}: expected ${expectedText} rows, restored ${rows}`);
    } else if (table.hash !== undefined && restoredHash.get(table.name) !== table.hash) {
      reason ??= 'content-mismatch';
      differences.push(`table ${table.name}: same ${rows} rows but different content (row hash ${table.hash} → ${restoredHash.get(table.name)})`);
    }
  }
  if (manifest.expected.catalog) {
    const catalogDifferences = compareCatalog(manifest.expected.catalog, restored.catalog);
    if (catalogDifferences.length) {
      reason ??= 'catalog-mismatch';
      differences.push(...catalogDifferences);
    }
  }
  return { reason, differences };
}

/** What a successful comparison proved, weakest first, and the level that names it. */
export function levelReached(manifest: Pick<Manifest, 'expected'>): { level: VerifyLevel; checks: string[] } {
  const checks = ['sha256', 'full restore into scratch', `objects (${manifest.expected.objects.length})`, `row counts (${manifest.expected.tables.length} tables)`];
  let level: VerifyLevel = 'restorable';
  if (manifest.expected.catalog) {
    checks.push(...catalogChecks(manifest.expected.catalog));
    level = 'schema-equal';
  }
  const hashed = manifest.expected.tables.length > 0 && manifest.expected.tables.every((t) => t.hash !== undefined);
  if (hashed) {
    checks.push('row hashes');
    level = 'content-equal';
  }
  return { level, checks };
}

async function findSwapSource(context: BackupContext, sha256: string, selfDir: string): Promise<string | undefined> {
  for (const name of Object.keys(context.config.databases)) {
    for (const other of listBackups(context.backupRoot, name)) {
      if (other.dir !== selfDir && other.manifest.artifact.sha256 === sha256) return other.id;
    }
  }
  return undefined;
}

export async function verifyBackup(context: BackupContext, request: VerifyRequest): Promise<VerifyOutcome> {
  if (!request.lock) return verifyUnlocked(context, request);
  const { dir, instanceName } = locate(context, request);
  // retention of a concurrent backup must not delete what is being verified
  const lock = await lockInstance(context.commonDir, instanceName ?? path.basename(path.dirname(dir)), 'verify');
  try {
    return await verifyUnlocked(context, { ...request, backup: dir });
  } finally {
    lock.release();
  }
}

async function verifyUnlocked(context: BackupContext, request: VerifyRequest): Promise<VerifyOutcome> {
  const started = Date.now();
  trace('verify: start');
  const onStage = request.onStage ?? (() => undefined);
  const { dir, instanceName } = locate(context, request);
  const backupId = path.basename(dir);
  const read = readManifest(dir);
  const base = { backupId, dir, differences: [] as string[] };
  // identity, time and artifact come from the log's own record of the backup, never from the
  // manifest (anyone can edit it and recompute its checksum); see docs/backup.md
  const log = await readLog(context.logPath);
  const recorded = recordOf(log.entries, backupId);
  const warnings: string[] = [];
  let instance: ResolvedInstance | undefined;
  const finish = async (outcome: Omit<VerifyOutcome, 'durationMs' | 'instance' | 'recorded' | 'warnings'>, manifest?: Manifest): Promise<VerifyOutcome> => {
    const name = recorded?.instance ?? instanceName ?? manifest?.instance ?? request.instance ?? path.basename(path.dirname(dir));
    const durationMs = Date.now() - started;
    const identity = recorded
      ? pick(recorded, ['engine', 'fingerprint', 'artifact', 'size', 'sha256', 'takenAt', 'manifest'])
      : {
          engine: manifest?.engine,
          fingerprint: manifest?.database.fingerprint ?? instance?.fingerprint,
          artifact: manifest ? path.join(dir, manifest.artifact.file) : undefined,
          size: manifest?.artifact.bytes,
          sha256: manifest?.artifact.sha256,
          takenAt: manifest?.snapshot.takenAt,
          manifest: path.join(dir, 'manifest.json'),
        };
    const common = { instance: name, backupId, ...identity, recorded: Boolean(recorded), durationMs };
    // Ctrl-C / SIGTERM: whatever the run concluded is not a verdict on the backup
    if (interrupted()) throw new DatabaseError(`Verify of ${backupId} was interrupted: nothing was recorded`);
    const logEntry = outcome.ok
      ? await appendLogEntry(context.logPath, {
          ...common,
          event: 'verified',
          level: outcome.level,
          checks: outcome.checks,
          approximateCounts: outcome.approximateCounts ?? false,
          tables: outcome.tables,
          rows: outcome.rows,
        })
      : await appendLogEntry(context.logPath, {
          ...common,
          event: 'failed',
          stage: 'verify',
          failure: outcome.reason,
          error: outcome.message,
          differences: outcome.differences.slice(0, 50),
        });
    return { ...outcome, instance: name, recorded: Boolean(recorded), warnings, durationMs, logEntry };
  };

  if (!read.ok) return finish({ ...base, ok: false, reason: read.problem, message: read.message });
  const manifest = read.manifest;
  if (manifest.id !== backupId) {
    return finish({ ...base, ok: false, reason: 'manifest-mismatch', message: `manifest.json belongs to backup ${manifest.id}, not ${backupId}` }, manifest);
  }
  // a manifest rewritten with a fresh self-checksum still disagrees with what the log recorded at backup time
  if (recorded && recorded.manifestChecksum !== undefined && recorded.manifestChecksum !== manifest.checksum) {
    return finish(
      { ...base, ok: false, reason: 'manifest-tampered', message: 'manifest.json was rewritten after the backup was taken (its checksum differs from the one the log recorded)' },
      manifest,
    );
  }
  if (recorded && (recorded.sha256 !== manifest.artifact.sha256 || recorded.size !== manifest.artifact.bytes)) {
    return finish(
      { ...base, ok: false, reason: 'manifest-tampered', message: `manifest.json records sha256 ${manifest.artifact.sha256.slice(0, 12)}… (${manifest.artifact.bytes} bytes) but the log recorded ${String(recorded.sha256).slice(0, 12)}… (${String(recorded.size)} bytes) when the backup was taken` },
      manifest,
    );
  }
  const configuredName = recorded?.instance ?? instanceName ?? manifest.instance;
  instance = resolveInstance(context.config, configuredName, { cwd: context.repoRoot });
  warnings.push(...identityWarnings(instance, manifest, recorded));
  const artifactPath = path.join(dir, manifest.artifact.file);
  let size: number;
  try {
    size = statSync(artifactPath).size;
  } catch {
    return finish({ ...base, ok: false, reason: 'missing-artifact', message: `the artifact ${artifactPath} is missing` }, manifest);
  }
  const swapped = async (sha: string) => {
    const other = await findSwapSource(context, sha, dir);
    return other ? `the artifact is a copy of backup ${other}'s artifact (swapped)` : undefined;
  };
  if (size !== manifest.artifact.bytes) {
    const { sha256 } = await sha256File(artifactPath);
    const swap = await swapped(sha256);
    if (swap) return finish({ ...base, ok: false, reason: 'swapped-artifact', message: swap }, manifest);
    return finish(
      { ...base, ok: false, reason: 'size-mismatch', message: `the artifact is ${size} bytes, the manifest says ${manifest.artifact.bytes} (truncated or appended to)` },
      manifest,
    );
  }

  const engine = await engineFor(instance.family);
  sweepPrivateTemp(context.commonDir);
  const secretsDir = privateTempDir(context.commonDir);
  const controller = new AbortController();
  onStage('checking sha256');
  const hashing = sha256File(artifactPath).then(async ({ sha256 }) => {
    if (sha256 === manifest.artifact.sha256) return undefined;
    controller.abort();
    const swap = await swapped(sha256);
    return swap
      ? new VerifyFailure('swapped-artifact', swap)
      : new VerifyFailure('checksum-mismatch', `the artifact's sha256 is ${sha256.slice(0, 12)}…, the manifest says ${manifest.artifact.sha256.slice(0, 12)}… (damaged or modified)`);
  });
  try {
    // restore runs alongside the hash (same file, page cache): verify costs about one restore
    const restoring = engine
      .restoreAndInspect({ instance, manifest, artifactPath, secretsDir, signal: controller.signal, onStage })
      .then((value) => ({ value }), (error: unknown) => ({ error }));
    const hashFailure = await hashing;
    trace('verify: hash done');
    const restored = await restoring;
    if (hashFailure) return finish({ ...base, ok: false, reason: hashFailure.reason, message: hashFailure.message }, manifest);
    if ('error' in restored) {
      const error = restored.error;
      // refusing a scratch name or an interrupted run says nothing about the backup: no log entry
      // (a `failed` entry would revoke an earlier successful verification of it)
      if (interrupted()) throw new DatabaseError(`Verify of ${backupId} was interrupted: nothing was recorded`);
      if (error instanceof VerifyFailure && NOT_A_VERDICT.has(error.reason)) {
        throw new DatabaseError(`Could not verify ${backupId}: ${error.message}`, {
          hint: error.reason === 'refused-existing-database' ? 'Drop or rename that database yourself if it is not needed, or set verifyUrl to another server.' : undefined,
        });
      }
      if (error instanceof VerifyFailure) return finish({ ...base, ok: false, reason: error.reason, message: error.message, differences: error.differences }, manifest);
      throw error;
    }
    trace('verify: restore done (scratch dropped)');
    const { reason, differences } = compare(manifest, restored.value);
    const rows = restored.value.tables.reduce((sum, t) => sum + t.rows, 0);
    if (reason) {
      return finish({ ...base, ok: false, reason, differences, message: `the restored copy differs from the backup's manifest (${differences.length} difference${differences.length === 1 ? '' : 's'})` }, manifest);
    }
    return finish(
      {
        ...base,
        ok: true,
        ...levelReached(manifest),
        tables: restored.value.tables.length,
        rows,
        approximateCounts: manifest.expected.approximateCounts,
        message: `restored into ${restored.value.scratch}: ${manifest.expected.objects.length} objects and ${manifest.expected.tables.length} tables (${rows} rows) match the manifest`,
      },
      manifest,
    );
  } finally {
    rmSync(secretsDir, { recursive: true, force: true });
  }
}
