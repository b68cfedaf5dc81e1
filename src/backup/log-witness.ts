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

function readWitness(file: string): Witness | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Witness;
    return Number.isInteger(parsed.seq) && typeof parsed.hash === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Every witness of this log that applies to this repository (a copy left by a previous repository at the same path does not). */
export function readWitnesses(logPath: string): FoundWitness[] {
  const repository = repositoryId(logPath);
  const found: FoundWitness[] = [];
  for (const file of [headPathFor(logPath), outsideWitnessPath(logPath)]) {
    const witness = readWitness(file);
    if (!witness) continue;
    if (witness.repository && repository && witness.repository !== repository) continue;
    found.push({ file, witness });
  }
  return found;
}

/**
 * Record the log's new end in both places. `log.head` must be written (it is in the directory we
 * just appended to); the outside copy is best effort (a read-only home must not stop a backup),
 * and its absence is visible: `log` and `status` say how many witnesses were found.
 */
export function writeWitnesses(logPath: string, end: { seq: number; hash: string; genesis: string }): void {
  const witness: Witness = { ...end, repository: repositoryId(logPath), log: path.resolve(logPath) };
  const text = `${JSON.stringify(witness)}\n`;
  writeFileAtomic(headPathFor(logPath), text, path.dirname(logPath));
  try {
    const outside = outsideWitnessPath(logPath);
    mkdirSync(path.dirname(outside), { recursive: true, mode: 0o700 });
    writeFileAtomic(outside, text, path.dirname(outside));
  } catch {
    /* best effort, see above */
  }
}
