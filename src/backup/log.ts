import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { FileError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { interrupted } from './cleanup.js';
import { fsyncPath, mkdirPrivate } from './files.js';
import { acquireLock, LockBusyError } from './lock.js';
import { readWitnesses, witnessReports, writeWitnesses, type FoundWitness, type WitnessReport } from './log-witness.js';

/**
 * The backup log: `$(git rev-parse --git-common-dir)/dbsafe/log.jsonl` (shared by all worktrees,
 * never committed), mode 0600, one JSON object per line, append-only and hash-chained:
 *
 *   hash = sha256(canonicalJson(entry without `hash`))     (hex)
 *   prev = hash of the previous line, or 64 zeros for the first line
 *   seq  = 1, 2, 3 … (line number)
 *
 * Two witnesses of the log's end (log-witness.ts: `log.head` beside it and a copy outside the
 * repository) remember the last seq and hash, so deleting lines at the END of the log (which the
 * chain alone cannot show) is detected too, even when one witness is deleted with them.
 * This is tamper-evident against accidents and single edits, not against someone who rewrites the
 * whole chain and both witnesses: see docs/backup.md.
 */

/**
 * `adopted`: a backup the log did not record when it was taken, taken on the record with a reason (adopt.ts);
 * `guard-approved` / `guard-refused`: a destructive command the guard let run or refused (docs/guard.md); `pin`: pinned
 * or unpinned (docs/restore.md); `dry-run` (a loss ledger and what was accepted) and `migrate` (one step of migrate /
 * safe-migrate) are written by src/migrate.
 */
export type LogEvent = 'backup' | 'adopted' | 'verified' | 'failed' | 'restore' | 'waiver' | 'pruned' | 'guard-approved' | 'guard-refused' | 'pin' | 'dry-run' | 'migrate';

export const LOG_EVENTS: readonly LogEvent[] = ['backup', 'adopted', 'verified', 'failed', 'restore', 'waiver', 'pruned', 'guard-approved', 'guard-refused', 'pin', 'dry-run', 'migrate'];

export const GENESIS_HASH = '0'.repeat(64);

export interface LogEntry {
  v: 1;
  seq: number;
  /** ISO-8601 UTC time the entry was written. */
  ts: string;
  event: LogEvent;
  /** Configured database instance name ('*' for a waiver that covers every instance). */
  instance: string;
  prev: string;
  hash: string;
  [key: string]: unknown;
}

/** What a caller supplies; v, seq, ts (unless given), prev and hash are filled in by appendLogEntry. */
export type NewLogEntry = { event: LogEvent; instance: string; ts?: string } & Record<string, unknown>;

export type ChainBreakReason =
  /** a line's content no longer matches its own hash, or the next line's `prev` (line rewritten and rehashed) */
  | 'edited'
  /** one or more lines are missing: seq jumps forward */
  | 'deleted'
  /** lines are out of order: seq goes backwards or repeats */
  | 'reordered'
  /** the last lines are missing: the log ends before the seq/hash a witness recorded, or no witness is left */
  | 'truncated'
  /** the file is another log than the one the witnesses recorded (its first entry differs) */
  | 'replaced'
  /** a line that is not a JSON log entry (or an unfinished last line) */
  | 'malformed';

export type ChainStatus =
  | { ok: true }
  | { ok: false; brokenAt: number; reason: ChainBreakReason; message: string };

export interface ReadLogResult {
  /** Every line that parsed as an entry, in file order (also those after a break, for display). */
  entries: LogEntry[];
  chain: ChainStatus;
  /** False when the log file does not exist yet (an empty, intact log). */
  exists: boolean;
  /** How each witness of the log's end stands against its last entry (log-witness.ts, witnessWarnings). */
  witnesses: WitnessReport[];
}

export function entryHash(entry: Omit<LogEntry, 'hash'> | LogEntry): string {
  const { hash: _hash, ...rest } = entry as LogEntry;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

function isEntry(value: unknown): value is LogEntry {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  return (
    e.v === 1 &&
    Number.isInteger(e.seq) &&
    typeof e.ts === 'string' &&
    typeof e.event === 'string' &&
    (LOG_EVENTS as readonly string[]).includes(e.event) &&
    typeof e.instance === 'string' &&
    typeof e.prev === 'string' &&
    /^[0-9a-f]{64}$/.test(e.prev) &&
    typeof e.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(e.hash)
  );
}

interface Head {
  seq: number;
  hash: string;
}

/** Check the chain of already-split lines. `lines` excludes the final empty string after the last newline. */
function checkChain(lines: string[], endsWithNewline: boolean, witnesses: FoundWitness[]): { entries: LogEntry[]; chain: ChainStatus } {
  const entries: LogEntry[] = [];
  let chain: ChainStatus = { ok: true };
  const broken = (line: number, reason: ChainBreakReason, message: string) => {
    if (chain.ok) chain = { ok: false, brokenAt: line, reason, message };
  };
  // seqs present anywhere in the file tell a reorder (the missing seq shows up later) from a deletion
  const seqsPresent = new Set<number>();
  for (const text of lines) {
    try {
      const seq = (JSON.parse(text) as { seq?: unknown }).seq;
      if (typeof seq === 'number') seqsPresent.add(seq);
    } catch {
      /* reported below */
    }
  }
  let previous: LogEntry | undefined;
  lines.forEach((text, index) => {
    const line = index + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      broken(line, 'malformed', `line ${line} is not valid JSON`);
      return;
    }
    if (!isEntry(parsed)) {
      broken(line, 'malformed', `line ${line} is not a log entry (missing or wrong v/seq/ts/event/instance/prev/hash)`);
      return;
    }
    entries.push(parsed);
    if (entryHash(parsed) !== parsed.hash) {
      broken(line, 'edited', `line ${line} (seq ${parsed.seq}) was edited: its content does not match its hash`);
    }
    const expectedSeq = previous ? previous.seq + 1 : 1;
    if (parsed.seq > expectedSeq && seqsPresent.has(expectedSeq)) {
      broken(line, 'reordered', `line ${line} has seq ${parsed.seq} but seq ${expectedSeq} comes later: lines were reordered`);
    } else if (parsed.seq > expectedSeq) {
      broken(line, 'deleted', `entries ${expectedSeq}..${parsed.seq - 1} are missing before line ${line}`);
    } else if (parsed.seq < expectedSeq) {
      broken(line, 'reordered', `line ${line} has seq ${parsed.seq} after seq ${previous?.seq ?? 0}: lines were reordered or duplicated`);
    } else if (parsed.prev !== (previous ? previous.hash : GENESIS_HASH)) {
      broken(previous ? line - 1 : line, 'edited', `line ${line} does not chain to the line before it: that line was rewritten`);
    }
    previous = parsed;
  });
  if (lines.length > 0 && !endsWithNewline) broken(lines.length, 'malformed', `line ${lines.length} is unfinished (no newline)`);
  if (chain.ok) checkEnd(entries, lines.length, witnesses, broken);
  return { entries, chain };
}

/** The end of an intact chain against every witness of it (log-witness.ts). */
function checkEnd(entries: LogEntry[], lineCount: number, witnesses: FoundWitness[], broken: (line: number, reason: ChainBreakReason, message: string) => void): void {
  const last = entries[entries.length - 1];
  if (last && witnesses.length === 0) {
    broken(lineCount + 1, 'truncated', `no record of where the log ended was found (log.head and its copy outside the repository are both gone), so lines deleted from its end would go unnoticed`);
    return;
  }
  for (const { file, witness } of witnesses) {
    if (witness.genesis && entries[0] && entries[0].hash !== witness.genesis) {
      broken(1, 'replaced', `the log's first entry is not the one recorded in ${file}: the file was replaced by another log`);
      return;
    }
    if (!last || last.seq < witness.seq) {
      broken(lineCount + 1, 'truncated', `the log ends at seq ${last?.seq ?? 0} but ${witness.seq} entries were written (recorded in ${file}): lines were deleted from the end`);
      return;
    }
    const same = entries[witness.seq - 1];
    if (same && same.hash !== witness.hash) {
      broken(witness.seq, 'edited', `line ${witness.seq} does not match the hash recorded in ${file} when it was written`);
      return;
    }
  }
}

/** Read and check the whole log. A missing file is an empty, intact log (unless a witness says entries existed). */
export async function readLog(logPath: string): Promise<ReadLogResult> {
  let text: string;
  try {
    text = readFileSync(logPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new FileError(`Could not read the backup log ${logPath}: ${(error as Error).message}`);
    }
    const head = readWitnesses(logPath).find(({ witness }) => witness.seq > 0);
    if (head) {
      return {
        entries: [],
        exists: false,
        witnesses: witnessReports(logPath, 0),
        chain: { ok: false, brokenAt: 1, reason: 'truncated', message: `the log file is gone but ${head.witness.seq} entries were written (recorded in ${head.file})` },
      };
    }
    return { entries: [], chain: { ok: true }, exists: false, witnesses: witnessReports(logPath, 0) };
  }
  const endsWithNewline = text.length === 0 || text.endsWith('\n');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const checked = checkChain(lines, endsWithNewline, readWitnesses(logPath));
  const lastSeq = checked.entries[checked.entries.length - 1]?.seq ?? 0;
  return { ...checked, exists: true, witnesses: witnessReports(logPath, lastSeq) };
}

/** The last line's seq and hash and the first line's hash, read from the file itself (the chain is extended from what is there). */
function tail(logPath: string): Head & { genesis?: string } {
  let text = '';
  try {
    text = readFileSync(logPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const lines = text.split('\n').filter((line) => line.length > 0);
  const last = lines[lines.length - 1];
  if (last === undefined) return { seq: 0, hash: GENESIS_HASH };
  const lineHash = (line: string): string => {
    try {
      const parsed = JSON.parse(line) as Partial<LogEntry>;
      if (typeof parsed.hash === 'string') return parsed.hash;
    } catch {
      /* fall through */
    }
    return createHash('sha256').update(line).digest('hex');
  };
  const genesis = lineHash(lines[0]!);
  try {
    const parsed = JSON.parse(last) as Partial<LogEntry>;
    if (Number.isInteger(parsed.seq) && typeof parsed.hash === 'string') return { seq: parsed.seq as number, hash: parsed.hash, genesis };
  } catch {
    /* fall through */
  }
  // an unreadable last line stays visible as a break; new entries chain to its raw bytes
  return { seq: lines.length, hash: lineHash(last), genesis };
}

/**
 * Append one entry under the log lock (O_EXCL lock file, stale locks of dead processes broken),
 * with O_APPEND and fsync. Safe for concurrent appenders from several worktrees and processes.
 */
export async function appendLogEntry(logPath: string, entry: NewLogEntry): Promise<LogEntry> {
  const dir = path.dirname(logPath);
  const oldUmask = process.umask(0o077);
  try {
    mkdirPrivate(dir);
    let lock;
    try {
      lock = await acquireLock(`${logPath}.lock`, { waitMs: 30_000, staleMs: 60_000, purpose: 'log append' });
    } catch (error) {
      if (error instanceof LockBusyError) {
        throw new FileError(`The backup log is locked: ${error.message}`, { hint: `If no dbsafe-hooks process is running, remove ${logPath}.lock` });
      }
      throw error;
    }
    try {
      // a verdict reached after Ctrl-C / SIGTERM is an artifact of the interruption (a killed restore
      // looks like a failed one): record nothing. Nothing below awaits, so no signal handler can run
      // between this check and the write.
      if (interrupted()) throw new FileError('Interrupted: nothing was recorded in the backup log');
      const last = tail(logPath);
      const { ts, ...fields } = entry;
      const draft = {
        ...fields,
        v: 1 as const,
        seq: last.seq + 1,
        ts: ts ?? new Date().toISOString(),
        event: entry.event,
        instance: entry.instance,
        prev: last.hash,
      };
      // round-trip through JSON so what we hash is exactly what a reader will parse
      const plain = JSON.parse(JSON.stringify(draft)) as Omit<LogEntry, 'hash'>;
      const full = { ...plain, hash: entryHash(plain) } as LogEntry;
      const line = `${canonicalJson(full)}\n`;
      const fd = openSync(logPath, 'a', 0o600);
      try {
        writeSync(fd, line);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      chmodSync(logPath, 0o600);
      const witnessProblem = writeWitnesses(logPath, { seq: full.seq, hash: full.hash, genesis: last.genesis ?? full.hash });
      // best effort, never silent: the guarantee it weakens is the user's to know (docs/backup.md)
      if (witnessProblem) process.stderr.write(`dbsafe-hooks: warning: ${witnessProblem}\n`);
      fsyncPath(dir);
      return full;
    } finally {
      lock.release();
    }
  } finally {
    process.umask(oldUmask);
  }
}
