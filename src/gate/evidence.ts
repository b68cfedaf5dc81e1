import { stat } from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from '../backup/files.js';
import { defaultInstanceName, resolveInstance } from '../backup/instances.js';
import { logPathFor } from '../backup/log-path.js';
import { readLog } from '../backup/log.js';
import type { Config } from '../config/schema.js';
import { ConfigError, DbsafeError, GitError, UsageError } from '../errors.js';
import { gitText } from '../git/exec-git.js';
import { toGateEntry, type ArtifactCheck, type ArtifactState, type InstanceTarget, type LogState } from './decide.js';

/**
 * What the gate reads from disk: the log, the configured instances' fingerprints, the artifacts.
 * Read-only: the gate runs on `git push --dry-run` too, so nothing here writes anything.
 */

/** The backup log of the repository containing `cwd` (shared by all its worktrees). */
export async function gateLogPath(cwd: string): Promise<string> {
  const commonDir = await gitText(['rev-parse', '--git-common-dir'], { cwd });
  return logPathFor(path.resolve(cwd, commonDir));
}

export async function readGateLog(logPath: string): Promise<LogState> {
  let result;
  try {
    result = await readLog(logPath);
  } catch (error) {
    return { kind: 'unreadable', message: error instanceof Error ? error.message.replace(/^Could not read the backup log \S+: /, '') : String(error) };
  }
  if (!result.chain.ok) {
    return {
      kind: 'read',
      entries: [],
      broken: { line: result.chain.brokenAt, problem: result.chain.message, fileExists: result.exists },
    };
  }
  if (!result.exists) return { kind: 'missing' };
  return { kind: 'read', entries: result.entries.map((entry) => toGateEntry(entry)) };
}

/** The instances the gate requires: `gate.instances`, else the default one; none when no database is configured. */
export function requiredInstanceNames(config: Config): string[] {
  const configured = Object.keys(config.databases);
  if (configured.length === 0) return [];
  if (config.gate.instances?.length) {
    const unknown = config.gate.instances.filter((name) => !configured.includes(name));
    if (unknown.length) {
      throw new ConfigError(`gate.instances names ${unknown.map((name) => `"${name}"`).join(', ')}, not configured under databases`, {
        hint: `Configured instances: ${configured.join(', ')}.`,
      });
    }
    return [...new Set(config.gate.instances)];
  }
  const fallback = defaultInstanceName(config);
  if (!fallback) {
    throw new ConfigError(`Several database instances are configured (${configured.join(', ')}) and the gate does not know which to require`, {
      hint: 'List them in "gate": { "instances": [...] }, or set "default": true on one.',
    });
  }
  return [fallback];
}

/** Each instance's fingerprint, computed from the config without connecting (an unset env:VAR is that instance's problem). */
export function instanceTargets(config: Config, names: string[], cwd: string): InstanceTarget[] {
  return names.map((name) => {
    try {
      return { name, fingerprint: resolveInstance(config, name, { cwd }).fingerprint };
    } catch (error) {
      if (!(error instanceof DbsafeError)) throw error;
      return { name, fingerprintError: error.message, ...(error.hint ? { fingerprintHint: error.hint } : {}) };
    }
  });
}

/** Stat (and with `rehash`, hash) each artifact the decision depends on. */
export async function checkArtifacts(checks: ArtifactCheck[], rehash: boolean): Promise<Map<string, ArtifactState>> {
  const states = new Map<string, ArtifactState>();
  await Promise.all(checks.map(async (check) => states.set(check.backupId, await checkArtifact(check, rehash))));
  return states;
}

async function checkArtifact(check: ArtifactCheck, rehash: boolean): Promise<ArtifactState> {
  let info;
  try {
    info = await stat(check.artifact);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'unreadable', message: (error as Error).message };
  }
  if (!info.isFile()) return { kind: 'unreadable', message: 'not a regular file' };
  if (typeof check.size !== 'number') return { kind: 'unreadable', message: 'the log recorded no size' };
  if (info.size !== check.size) return { kind: 'size', actual: info.size };
  if (!rehash) return { kind: 'ok' };
  if (!check.sha256) return { kind: 'unreadable', message: 'the log recorded no sha256 to compare with (gate.rehash)' };
  try {
    const { sha256: actual } = await sha256File(check.artifact);
    return actual === check.sha256 ? { kind: 'ok' } : { kind: 'hash', actual };
  } catch (error) {
    return { kind: 'unreadable', message: (error as Error).message };
  }
}

/**
 * The gate's clock: the caller's `now`, else `DBSAFE_NOW` (an ISO-8601 time; for tests, so expiry is
 * tested without sleeping), else the system clock.
 */
export function gateNow(now?: Date, env: NodeJS.ProcessEnv = process.env): Date {
  if (now) return now;
  const injected = env.DBSAFE_NOW;
  if (!injected) return new Date();
  const parsed = new Date(injected);
  if (Number.isNaN(parsed.getTime())) {
    throw new UsageError(`DBSAFE_NOW is not an ISO-8601 time: "${injected}"`, { hint: 'Unset it (it exists for tests), or use a time such as 2026-01-31T12:00:00Z.' });
  }
  return parsed;
}

/** A path as the user should type it: relative to the repository root when inside it. */
export function displayPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** The work tree root of the repository containing `cwd`, or a GitError saying it is not one. */
export async function repoRoot(cwd: string): Promise<string> {
  try {
    const root = await gitText(['rev-parse', '--show-toplevel'], { cwd });
    if (root) return root;
  } catch {
    /* reported below */
  }
  throw new GitError(`Not inside a git work tree: ${cwd}`, { hint: 'Run it inside the repository whose pushes the gate guards.' });
}
