import { backupVerdicts, RECORDING_EVENTS } from '../backup/backup-verdicts.js';

/**
 * The backup gate's decision, pure: log entries + chain state + the configured instances and their
 * fingerprints + artifact checks + now → per instance: passes (by a backup or a waiver) or the ONE
 * reason it does not. No fs, no clock, no git: the caller (pre-push.ts) gathers the evidence.
 *
 * An instance passes when the log's hash chain is intact and it holds a `verified` entry
 *   - of a backup the log itself recorded (a `backup` entry written when it was taken, or an
 *     explicit `adopted` entry): fingerprint, time, artifact, size and sha256 come from that
 *     record, never from the verification (which read them from an editable manifest),
 *   - whose sha256 is the recorded one,
 *   - at a level that proves a restore (`restorable` or better),
 *   - whose database fingerprint is the configured instance's (the instance name may differ),
 *   - whose backup was TAKEN (not verified) within maxAge of now,
 *   - not revoked by a later `failed` or `pruned` entry for the same backup,
 *   - whose artifact is still there with the recorded size (and hash, when rehash is on),
 * or while a waiver for it (or for every instance) lasts.
 */

/** The fields of a log entry (src/backup/log.ts, docs/backup.md) the gate reads. */
export interface GateLogEntry {
  event: string;
  /** When the entry was written (ISO); for a waiver, when it was granted. */
  ts?: string;
  /** Instance name; `*` on a waiver that covers every instance. */
  instance?: string;
  backupId?: string;
  /** When the backup's snapshot was taken (ISO): the age of the data. */
  takenAt?: string;
  fingerprint?: string;
  /** Absolute path. */
  artifact?: string;
  size?: number;
  sha256?: string;
  level?: string;
  // waiver entries
  reason?: string;
  expiresAt?: string;
  creator?: string;
}

/** Every instance name a waiver can cover is matched by this one. */
export const ALL_INSTANCES = '*';


/**
 * What reading the log found. Any break of the chain (an edited, deleted, reordered, truncated or
 * malformed line) makes the whole log untrusted: a damaged later line may have been the `failed` or
 * `pruned` entry that revoked an earlier verification.
 */
export type LogState =
  | { kind: 'missing' }
  | { kind: 'unreadable'; message: string }
  | { kind: 'read'; entries: GateLogEntry[]; broken?: { line: number; problem: string; fileExists: boolean } };

/** The typed fields of a raw log entry (anything of the wrong type is dropped, so it fails closed). */
export function toGateEntry(raw: Record<string, unknown>): GateLogEntry {
  const entry: GateLogEntry = { event: typeof raw.event === 'string' ? raw.event : '' };
  const strings = ['ts', 'instance', 'backupId', 'takenAt', 'fingerprint', 'artifact', 'sha256', 'level', 'reason', 'expiresAt', 'creator'] as const;
  for (const key of strings) if (typeof raw[key] === 'string') entry[key] = raw[key] as string;
  if (typeof raw.size === 'number' && Number.isFinite(raw.size)) entry.size = raw.size;
  return entry;
}

export interface InstanceTarget {
  name: string;
  /** The configured database's fingerprint; undefined with `fingerprintError` when it could not be computed. */
  fingerprint?: string;
  fingerprintError?: string;
  /** What to do about fingerprintError (e.g. which environment variable to set). */
  fingerprintHint?: string;
}

export type ArtifactState =
  | { kind: 'ok' }
  | { kind: 'missing' }
  | { kind: 'size'; actual: number }
  | { kind: 'hash'; actual: string }
  | { kind: 'unreadable'; message: string };

/** A verified backup whose artifact must be looked at before the decision (see artifactsToCheck). */
export interface ArtifactCheck {
  backupId: string;
  artifact: string;
  size?: number;
  sha256?: string;
}

export interface GateInput {
  log: LogState;
  instances: InstanceTarget[];
  maxAgeMs: number;
  now: Date;
  /** Keyed by backupId; produced for exactly the entries artifactsToCheck returned. */
  artifacts?: ReadonlyMap<string, ArtifactState>;
}

export interface Waiver {
  reason: string;
  /** Instance name, or `*` for every instance. */
  instance: string;
  creator?: string;
  /** When it was granted (ISO). */
  grantedAt?: string;
  expiresAt: string;
  /** Milliseconds left (in force) or, negative, since it ended. */
  remainingMs: number;
}

export interface BackupRef {
  backupId: string;
  takenAt: string;
  ageMs: number;
}

/** Why an instance does not pass; exactly one per instance. */
export type Problem =
  | { kind: 'no-log' }
  | { kind: 'log-unreadable'; message: string }
  | { kind: 'chain-broken'; line: number; problem: string; fileExists: boolean }
  | { kind: 'fingerprint-unavailable'; message: string; hint?: string }
  | { kind: 'none' }
  | { kind: 'fingerprint-mismatch'; backupId: string }
  /** verified, but the log never recorded taking (or adopting) it: its identity came from its own manifest */
  | { kind: 'unrecorded'; backupId: string }
  | { kind: 'too-old'; backup: BackupRef; overByMs: number }
  | { kind: 'future'; backup: BackupRef }
  | { kind: 'unverified'; backup: BackupRef; why: 'never' | 'failed' | 'level'; level?: string }
  | { kind: 'artifact-missing'; backup: BackupRef; artifact: string; pruned: boolean }
  | { kind: 'artifact-size'; backup: BackupRef; artifact: string; expected: number; actual: number }
  | { kind: 'artifact-hash'; backup: BackupRef; artifact: string }
  | { kind: 'artifact-unreadable'; backup: BackupRef; artifact: string; message: string }
  | { kind: 'artifact-unrecorded'; backup: BackupRef };

export type InstanceVerdict =
  | { instance: string; ok: true; by: 'backup'; backup: BackupRef }
  | { instance: string; ok: true; by: 'waiver'; waiver: Waiver; problem: Problem }
  | { instance: string; ok: false; problem: Problem; expiredWaiver?: Waiver };

export interface GateVerdict {
  ok: boolean;
  instances: InstanceVerdict[];
  /** Every waiver in force now (shown in every gate report, passing or not). */
  activeWaivers: Waiver[];
}

/** A backup or waiver dated this far in the future is not trusted (clock skew tolerance). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** The verified backups whose artifacts decide the outcome: fresh, of the right database, verified, trusted. */
export function artifactsToCheck(input: Omit<GateInput, 'artifacts'>): ArtifactCheck[] {
  const checks: ArtifactCheck[] = [];
  const trusted = trustedEntries(input.log);
  for (const target of input.instances) {
    if (!target.fingerprint) continue;
    for (const candidate of candidatesFor(trusted.entries, target.fingerprint, input)) {
      const verified = candidate.verified;
      if (candidate.stage !== 'artifact' || !verified?.artifact || candidate.pruned) continue;
      if (checks.some((check) => check.backupId === candidate.ref.backupId)) continue;
      checks.push({ backupId: candidate.ref.backupId, artifact: verified.artifact, size: verified.size, sha256: verified.sha256 });
    }
  }
  return checks;
}

export function decide(input: GateInput): GateVerdict {
  const trusted = trustedEntries(input.log);
  const waivers = waiversIn(trusted.entries, input.now);
  const instances = input.instances.map((target): InstanceVerdict => {
    const outcome = judgeInstance(target, trusted, input);
    if ('backup' in outcome) return { instance: target.name, ok: true, by: 'backup', backup: outcome.backup };
    const covering = waivers.filter((waiver) => waiver.instance === ALL_INSTANCES || waiver.instance === target.name);
    const active = covering.find((waiver) => waiver.remainingMs > 0);
    if (active) return { instance: target.name, ok: true, by: 'waiver', waiver: active, problem: outcome.problem };
    const expiredWaiver = covering.find((waiver) => waiver.remainingMs <= 0);
    return { instance: target.name, ok: false, problem: outcome.problem, ...(expiredWaiver ? { expiredWaiver } : {}) };
  });
  return {
    ok: instances.every((verdict) => verdict.ok),
    instances,
    activeWaivers: waivers.filter((waiver) => waiver.remainingMs > 0),
  };
}

/**
 * Waivers in force at `now`, longest-lasting first (for `status` and every gate report). Pass the
 * entries of an intact log only: with a broken chain no waiver counts.
 */
export function activeWaivers(entries: Array<GateLogEntry | Record<string, unknown>>, now: Date): Waiver[] {
  const typed = entries.map((entry) => toGateEntry(entry as Record<string, unknown>));
  return waiversIn(typed, now).filter((waiver) => waiver.remainingMs > 0);
}

// ---------------------------------------------------------------------------------------------

interface Trusted {
  entries: GateLogEntry[];
  /** Outranks anything the entries say: a new backup would be chained after the damage and not count either. */
  problem?: Problem;
}

function trustedEntries(log: LogState): Trusted {
  if (log.kind === 'missing') return { entries: [] };
  if (log.kind === 'unreadable') return { entries: [], problem: { kind: 'log-unreadable', message: log.message } };
  if (log.broken) return { entries: [], problem: { kind: 'chain-broken', ...log.broken } };
  return { entries: log.entries };
}

type Outcome = { backup: BackupRef } | { problem: Problem };

function judgeInstance(target: InstanceTarget, trusted: Trusted, input: GateInput): Outcome {
  if (trusted.problem) return { problem: trusted.problem };
  if (!target.fingerprint) {
    return { problem: { kind: 'fingerprint-unavailable', message: target.fingerprintError ?? 'unknown database', ...(target.fingerprintHint ? { hint: target.fingerprintHint } : {}) } };
  }
  const artifacts = input.artifacts ?? new Map<string, ArtifactState>();
  // the backup that came closest to passing explains the block: stage reached, then the newest
  let best: { rank: number; takenAt: number; problem: Problem } | undefined;
  const consider = (rank: number, candidate: Candidate, problem: Problem) => {
    const takenAt = Date.parse(candidate.ref.takenAt);
    if (!best || rank > best.rank || (rank === best.rank && takenAt > best.takenAt)) best = { rank, takenAt, problem };
  };
  for (const candidate of candidatesFor(trusted.entries, target.fingerprint, input)) {
    const ref = candidate.ref;
    if (candidate.stage === 'future') consider(1, candidate, { kind: 'future', backup: ref });
    else if (candidate.stage === 'age') consider(1, candidate, { kind: 'too-old', backup: ref, overByMs: ref.ageMs - input.maxAgeMs });
    else if (candidate.stage === 'verified') {
      const why = candidate.failed ? 'failed' : candidate.level ? 'level' : 'never';
      consider(2, candidate, { kind: 'unverified', backup: ref, why, ...(candidate.level ? { level: candidate.level } : {}) });
    } else {
      const verified = candidate.verified!;
      const artifact = verified.artifact;
      if (!artifact) {
        consider(3, candidate, { kind: 'artifact-unrecorded', backup: ref });
        continue;
      }
      if (candidate.pruned) {
        consider(3, candidate, { kind: 'artifact-missing', backup: ref, artifact, pruned: true });
        continue;
      }
      const state = artifacts.get(ref.backupId);
      // an artifact nobody looked at is no evidence: fail closed
      if (!state) consider(3, candidate, { kind: 'artifact-unreadable', backup: ref, artifact, message: 'not checked' });
      else if (state.kind === 'ok') return { backup: ref };
      else if (state.kind === 'missing') consider(3, candidate, { kind: 'artifact-missing', backup: ref, artifact, pruned: false });
      else if (state.kind === 'size') {
        consider(3, candidate, { kind: 'artifact-size', backup: ref, artifact, expected: verified.size ?? -1, actual: state.actual });
      } else if (state.kind === 'hash') consider(3, candidate, { kind: 'artifact-hash', backup: ref, artifact });
      else consider(3, candidate, { kind: 'artifact-unreadable', backup: ref, artifact, message: state.message });
    }
  }
  if (best) return { problem: best.problem };
  return { problem: otherDatabaseBackup(trusted.entries, target) ?? (input.log.kind === 'missing' ? { kind: 'no-log' } : { kind: 'none' }) };
}

interface Candidate {
  ref: BackupRef;
  /**
   * The first check it failed, in order age → verified → artifact: 'future'/'age' failed the age
   * check, 'verified' has no restore-level verification in force, 'artifact' reached the artifact check.
   */
  stage: 'future' | 'age' | 'verified' | 'artifact';
  verified?: GateLogEntry;
  failed: boolean;
  pruned: boolean;
  /** The level of a verification too weak to count. */
  level?: string;
}


/** One candidate per backup of this database, as the log's one rule judges it (backup/backup-verdicts.ts). */
function candidatesFor(entries: GateLogEntry[], fingerprint: string, input: Omit<GateInput, 'artifacts'>): Candidate[] {
  const byId = backupVerdicts(entries, fingerprint);
  const now = input.now.getTime();
  const candidates: Candidate[] = [];
  for (const [backupId, record] of byId) {
    const takenAt = record.recorded.takenAt;
    const taken = Date.parse(takenAt ?? '');
    if (Number.isNaN(taken)) continue;
    const ref: BackupRef = { backupId, takenAt: takenAt!, ageMs: now - taken };
    // the artifact to check is the recorded one, whatever a verification entry says
    const verified = record.verified ? { ...record.verified, artifact: record.recorded.artifact, size: record.recorded.size, sha256: record.recorded.sha256 } : undefined;
    const base = { ref, verified, failed: record.failed, pruned: record.pruned, ...(record.weakLevel ? { level: record.weakLevel } : {}) };
    if (ref.ageMs < -FUTURE_TOLERANCE_MS) candidates.push({ ...base, stage: 'future' });
    else if (ref.ageMs > input.maxAgeMs) candidates.push({ ...base, stage: 'age' });
    else if (!record.verified) candidates.push({ ...base, stage: 'verified' });
    else candidates.push({ ...base, stage: 'artifact' });
  }
  return candidates;
}

/**
 * Why nothing of this database counts although the log mentions the instance: the newest entry under
 * its name is a verification of a backup the log never recorded, or a backup of another database.
 */
function otherDatabaseBackup(entries: GateLogEntry[], target: InstanceTarget): Problem | undefined {
  const recordedIds = new Set(entries.filter((entry) => RECORDING_EVENTS.has(entry.event) && entry.backupId).map((entry) => entry.backupId));
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    if (!entry.backupId || (entry.instance !== target.name && entry.fingerprint !== target.fingerprint)) continue;
    if (entry.event === 'verified' && !recordedIds.has(entry.backupId)) return { kind: 'unrecorded', backupId: entry.backupId };
    if (RECORDING_EVENTS.has(entry.event) && entry.instance === target.name) return { kind: 'fingerprint-mismatch', backupId: entry.backupId };
  }
  return undefined;
}

function waiversIn(entries: GateLogEntry[], now: Date): Waiver[] {
  const waivers: Waiver[] = [];
  for (const entry of entries) {
    if (entry.event !== 'waiver' || !entry.expiresAt || !entry.reason) continue;
    const expires = Date.parse(entry.expiresAt);
    if (Number.isNaN(expires)) continue;
    const granted = Date.parse(entry.ts ?? '');
    // a waiver granted after `now` was not in force then
    if (!Number.isNaN(granted) && granted > now.getTime() + FUTURE_TOLERANCE_MS) continue;
    waivers.push({
      reason: entry.reason,
      instance: entry.instance ?? ALL_INSTANCES,
      ...(entry.creator ? { creator: entry.creator } : {}),
      ...(entry.ts ? { grantedAt: entry.ts } : {}),
      expiresAt: entry.expiresAt,
      remainingMs: expires - now.getTime(),
    });
  }
  return waivers.sort((a, b) => b.remainingMs - a.remainingMs);
}
