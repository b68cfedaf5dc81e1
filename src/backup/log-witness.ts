import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './files.js';

/**
 * Witnesses of the log's end. The hash chain shows a line edited, deleted or moved in the middle,
 * but not lines cut from the END (the remaining prefix is a valid chain). So every append also
 * writes what the log then ended with, `{seq, hash, genesis}`, to two places:
 *
 *   1. `log.head` beside the log (in `.git/dbsafe`), and
 *   2. a copy OUTSIDE the repository, in the user's state directory
 *      (`$XDG_STATE_HOME/dbsafe-hooks/log-heads/<key>.json`, default `~/.local/state/…`), keyed by
 *      the real path of the git common dir.
 *
 * The log is read against every witness found: cutting its tail goes unnoticed only if both copies,
 * in two directories, are rewritten too (docs/backup.md, threat model). A witness also records the
 * log's first entry (`genesis`) and the identity of the git directory (device, inode, birth time),
 * so a copy left by an older repository at the same path (deleted and cloned again) is ignored
 * instead of being mistaken for a truncation of the new one.
 */

export interface Witness {
  seq: number;
  hash: string;
  /** Hash of the log's first entry: which log this witness is about. */
  genesis?: string;
  /** Identity of the git common dir the log lives in (see repositoryId). */
  repository?: string;
  /** The log it was written for (for a human reading the file). */
  log?: string;
}

export interface FoundWitness {
  file: string;
  witness: Witness;
}

export function headPathFor(logPath: string): string {
  return `${logPath.replace(/\.jsonl$/, '')}.head`;
}

/** The git common dir that holds `<commonDir>/dbsafe/log.jsonl`. */
function commonDirOf(logPath: string): string {
  return path.dirname(path.dirname(path.resolve(logPath)));
}

function realCommonDir(logPath: string): string {
  try {
    return realpathSync(commonDirOf(logPath));
  } catch {
    return commonDirOf(logPath);
  }
}

/** device:inode:birth of the git common dir: changes when the repository is deleted and created again. */
function repositoryId(logPath: string): string | undefined {
  try {
    const info = statSync(commonDirOf(logPath), { bigint: true });
    return `${info.dev}:${info.ino}:${info.birthtimeNs}`;
  } catch {
    return undefined;
  }
}

function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'dbsafe-hooks', 'log-heads');
}

/** The copy outside the repository. */
export function outsideWitnessPath(logPath: string): string {
  const key = createHash('sha256').update(realCommonDir(logPath)).digest('hex').slice(0, 32);
  return path.join(stateDir(), `${key}.json`);
}

type WitnessRead = { witness: Witness } | { missing: true } | { unreadable: string };

function readWitness(file: string): WitnessRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
    return { unreadable: (error as Error).message };
  }
  try {
    const parsed = JSON.parse(text) as Witness;
    if (Number.isInteger(parsed.seq) && typeof parsed.hash === 'string') return { witness: parsed };
  } catch {
    /* reported below */
  }
  return { unreadable: 'not a witness record (JSON with seq and hash)' };
}

function witnessFiles(logPath: string): Array<{ file: string; where: WitnessReport['where'] }> {
  return [
    { file: headPathFor(logPath), where: 'log.head' },
    { file: outsideWitnessPath(logPath), where: 'outside' },
  ];
}

/** Every witness of this log that applies to this repository (a copy left by a previous repository at the same path does not). */
export function readWitnesses(logPath: string): FoundWitness[] {
  const repository = repositoryId(logPath);
  const found: FoundWitness[] = [];
  for (const { file } of witnessFiles(logPath)) {
    const read = readWitness(file);
    if (!('witness' in read)) continue;
    const { witness } = read;
    if (witness.repository && repository && witness.repository !== repository) continue;
    found.push({ file, witness });
  }
  return found;
}

/**
 * How each witness stands against the log's last entry, so a weakened guarantee is shown instead of
 * silently relied on: a witness that is missing, unreadable or behind (an append could not write it,
 * e.g. an unwritable or different home) no longer detects lines cut from the end on its own.
 * Read for `log`, `status` and `doctor`; the chain check itself is readLog's.
 */
export interface WitnessReport {
  file: string;
  where: 'log.head' | 'outside';
  state: 'current' | 'behind' | 'missing' | 'unreadable' | 'other-repository';
  /** The seq it recorded (current or behind). */
  seq?: number;
  message?: string;
}

export function witnessReports(logPath: string, lastSeq: number): WitnessReport[] {
  const repository = repositoryId(logPath);
  return witnessFiles(logPath).map(({ file, where }): WitnessReport => {
    const read = readWitness(file);
    if ('missing' in read) return { file, where, state: 'missing' };
    if ('unreadable' in read) return { file, where, state: 'unreadable', message: read.unreadable };
    const { witness } = read;
    if (witness.repository && repository && witness.repository !== repository) return { file, where, state: 'other-repository' };
    return { file, where, state: witness.seq >= lastSeq ? 'current' : 'behind', seq: witness.seq };
  });
}

/** One line per witness that no longer covers the log's end on its own (empty when both do). */
export function witnessWarnings(reports: WitnessReport[], lastSeq: number): string[] {
  if (lastSeq === 0) return [];
  return reports
    .filter((report) => report.state !== 'current')
    .map((report) => {
      const name = report.where === 'log.head' ? `log.head (${report.file})` : `the copy outside the repository (${report.file})`;
      const why =
        report.state === 'behind'
          ? `is behind: it records seq ${report.seq} but the log ends at seq ${lastSeq} (an append could not write it: unwritable, or another HOME/XDG_STATE_HOME)`
          : report.state === 'missing'
            ? 'is missing'
            : report.state === 'unreadable'
              ? `cannot be read (${report.message})`
              : 'belongs to an earlier repository at this path';
      return `witness ${name} ${why}; lines cut from the log's end are now detected by the other witness only. The next append rewrites both.`;
    });
}

/**
 * Record the log's new end in both places. `log.head` must be written (it is in the directory we
 * just appended to); the outside copy is best effort (a read-only home must not stop a backup), but
 * never silently: the problem is returned for the caller to print, and `log`, `status` and `doctor`
 * show a witness that is missing or behind (witnessWarnings).
 */
export function writeWitnesses(logPath: string, end: { seq: number; hash: string; genesis: string }): string | undefined {
  const witness: Witness = { ...end, repository: repositoryId(logPath), log: path.resolve(logPath) };
  const text = `${JSON.stringify(witness)}\n`;
  writeFileAtomic(headPathFor(logPath), text, path.dirname(logPath));
  const outside = outsideWitnessPath(logPath);
  try {
    mkdirSync(path.dirname(outside), { recursive: true, mode: 0o700 });
    writeFileAtomic(outside, text, path.dirname(outside));
    return undefined;
  } catch (error) {
    return `could not write the log's witness outside the repository (${outside}): ${(error as Error).message}. Lines cut from the log's end are detected by log.head alone until it is written again.`;
  }
}
