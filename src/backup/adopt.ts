import { statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, DatabaseError, UsageError } from '../errors.js';
import type { BackupContext } from './context.js';
import { gitAnnotations } from './context.js';
import { findPgTools } from './engines/postgres.js';
import { sha256File } from './files.js';
import { gzipHeaderTime } from './gzip-time.js';
import { resolveInstance, type ResolvedInstance } from './instances.js';
import { appendLogEntry, readLog, type LogEntry } from './log.js';
import { readManifest, type Manifest } from './manifest.js';
import { runCapture } from './runner.js';
import { instanceDir, lockInstance } from './store.js';
import { recordOf } from './verify.js';

/**
 * `adopt <backup> --reason …`: take on the record a backup the log never recorded (copied in, or
 * taken before the log was moved aside). Until then `verify` may check it, but the gate does not
 * count it: its manifest would be vouching for itself. Adoption is an explicit, logged act:
 *
 * - the manifest must be intact and the artifact must match it (size, sha256, computed now);
 * - it must be a backup of the database the instance is configured for (fingerprint, and for
 *   PostgreSQL the database name inside the archive), else it is refused;
 * - its age counts from the OLDEST time the backup carries: the manifest's snapshot time, the time
 *   written inside the artifact (pg_dump's archive header, our gzip header) and the artifact's
 *   modification time. Editing one of them can only make the backup older, never younger.
 */

export interface AdoptRequest {
  backup: string;
  instance?: string;
  reason: string;
}

export interface AdoptOutcome {
  backupId: string;
  instance: string;
  takenAt: string;
  claimedTakenAt: string;
  timeSources: Record<string, string>;
  logEntry: LogEntry;
}

function locateBackup(context: BackupContext, backup: string, instance?: string): { dir: string; name: string } {
  if (backup.includes('/') || backup.includes(path.sep)) {
    const dir = path.resolve(context.cwd, backup);
    return { dir, name: instance ?? path.basename(path.dirname(dir)) };
  }
  const names = instance ? [instance] : Object.keys(context.config.databases);
  for (const name of names) {
    const dir = path.join(instanceDir(context.backupRoot, name), backup);
    try {
      if (statSync(dir).isDirectory()) return { dir, name };
    } catch {
      /* not under this instance */
    }
  }
  throw new ConfigError(`No backup "${backup}" under ${context.backupRoot}`, { hint: 'Give its id or its directory.' });
}

/** "Archive created at 2026-12-05 08:44:30 UTC" and "dbname: app" from `pg_restore --list` (reads the header and TOC only). */
async function pgArchiveFacts(manifest: Manifest, artifact: string): Promise<{ createdAt?: Date; database?: string }> {
  const major = Number(/^(\d+)/.exec(manifest.server.version)?.[1] ?? 0);
  const tools = await findPgTools(major, manifest.server.version);
  const listed = await runCapture(tools.pgRestore, ['--list', artifact]);
  if (listed.code !== 0) throw new DatabaseError(`pg_restore cannot read the archive ${artifact}: ${listed.stderr.split('\n').slice(-2).join(' ')}`);
  const created = /Archive created at (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?: (\S+))?/.exec(listed.stdout);
  const database = /^;\s+dbname: (.*)$/m.exec(listed.stdout)?.[1]?.trim();
  let createdAt: Date | undefined;
  if (created) {
    const [y, mo, d, h, mi, s] = created.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    // pg_restore prints in its (= our) local time zone
    createdAt = /^(UTC|GMT|Z)$/.test(created[7] ?? '') ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : new Date(y, mo - 1, d, h, mi, s);
  }
  return { createdAt, database };
}

function refuseOtherDatabase(instance: ResolvedInstance, manifest: Manifest, archiveDatabase: string | undefined): void {
  const expectedName = instance.server?.database;
  if (manifest.database.fingerprint !== instance.fingerprint || (archiveDatabase !== undefined && expectedName !== undefined && archiveDatabase !== expectedName)) {
    const inside = archiveDatabase !== undefined ? ` (the archive itself names database "${archiveDatabase}")` : '';
    throw new UsageError(
      `Backup ${manifest.id} is of another database: ${manifest.database.url}${inside}, while instance "${instance.name}" is configured as ${instance.redactedUrl}. Refusing to adopt it`,
      { hint: 'Adopt it under the instance whose database it is (adopt <backup> <instance>), or take a new backup.' },
    );
  }
}

export async function adoptBackup(context: BackupContext, request: AdoptRequest): Promise<AdoptOutcome> {
  const reason = request.reason.replace(/\s+/g, ' ').trim();
  const minLength = Math.max(1, context.config.overrides.minReasonLength);
  if (reason.length < minLength) {
    throw new UsageError(`Adopting a backup needs a reason of at least ${minLength} characters (got ${reason.length})`, {
      hint: 'Say where it comes from, e.g. --reason "taken before the log was moved aside on 2026-12-01 (ticket OPS-7)".',
    });
  }
  const { dir, name } = locateBackup(context, request.backup, request.instance);
  const backupId = path.basename(dir);
  const lock = await lockInstance(context.commonDir, name, 'adopt');
  try {
    const log = await readLog(context.logPath);
    if (!log.chain.ok) throw new DatabaseError(`The backup log is damaged (${log.chain.message}): an adoption appended to it would not count`, { hint: 'Move the log aside first, as `status` explains.' });
    if (recordOf(log.entries, backupId)) throw new UsageError(`Backup ${backupId} is already recorded in the log: nothing to adopt`, { hint: `Verify it: npx dbsafe-hooks verify ${backupId}` });
    const read = readManifest(dir);
    if (!read.ok) throw new DatabaseError(`Cannot adopt ${backupId}: ${read.message}`);
    const manifest = read.manifest;
    if (manifest.id !== backupId) throw new DatabaseError(`Cannot adopt ${backupId}: its manifest belongs to backup ${manifest.id}`);
    const instance = resolveInstance(context.config, name, { cwd: context.repoRoot });
    if (instance.engine !== manifest.engine && !(instance.engine === 'mysql' && manifest.engine === 'mariadb')) {
      throw new UsageError(`Backup ${backupId} is a ${manifest.engine} backup; instance "${name}" is ${instance.engine}`);
    }
    const artifact = path.join(dir, manifest.artifact.file);
    let info;
    try {
      info = statSync(artifact);
    } catch {
      throw new DatabaseError(`Cannot adopt ${backupId}: its artifact ${artifact} is missing`);
    }
    const { sha256, bytes } = await sha256File(artifact);
    if (bytes !== manifest.artifact.bytes || sha256 !== manifest.artifact.sha256) {
      throw new DatabaseError(`Cannot adopt ${backupId}: its artifact does not match its manifest (${bytes} bytes, sha256 ${sha256.slice(0, 12)}…; the manifest says ${manifest.artifact.bytes} bytes, ${manifest.artifact.sha256.slice(0, 12)}…)`);
    }
    const sources: Record<string, Date> = { manifest: new Date(manifest.snapshot.takenAt), 'artifact mtime': info.mtime };
    let archiveDatabase: string | undefined;
    if (manifest.engine === 'postgres') {
      const facts = await pgArchiveFacts(manifest, artifact);
      if (facts.createdAt) sources['pg_dump archive header'] = facts.createdAt;
      archiveDatabase = facts.database;
    } else {
      const inside = gzipHeaderTime(artifact);
      if (inside) sources['gzip header'] = inside;
    }
    refuseOtherDatabase(instance, manifest, archiveDatabase);
    const valid = Object.values(sources).filter((date) => !Number.isNaN(date.getTime()));
    const takenAt = new Date(Math.min(...valid.map((date) => date.getTime()))).toISOString();
    const annotations = await gitAnnotations(context.repoRoot);
    const logEntry = await appendLogEntry(context.logPath, {
      event: 'adopted',
      instance: name,
      backupId,
      engine: manifest.engine,
      fingerprint: instance.fingerprint,
      artifact,
      size: bytes,
      sha256,
      takenAt,
      claimedTakenAt: manifest.snapshot.takenAt,
      manifest: path.join(dir, 'manifest.json'),
      manifestChecksum: manifest.checksum,
      reason,
      creator: annotations.creator,
      tables: manifest.expected.tables.length,
      rows: manifest.expected.tables.reduce((sum, table) => sum + table.rows, 0),
    });
    return {
      backupId,
      instance: name,
      takenAt,
      claimedTakenAt: manifest.snapshot.takenAt,
      timeSources: Object.fromEntries(Object.entries(sources).map(([key, date]) => [key, date.toISOString()])),
      logEntry,
    };
  } finally {
    lock.release();
  }
}
