import path from 'node:path';
import { resolveInstance } from '../backup/instances.js';
import { logPathFor } from '../backup/log-path.js';
import { readLog } from '../backup/log.js';
import type { Config } from '../config/schema.js';
import { DbsafeError } from '../errors.js';
import { displayPath, gateNow, readGateLog, requiredInstanceNames } from '../gate/evidence.js';
import { fixCommand, problemText, waiverText } from '../gate/messages.js';
import { backupVerdict } from '../gate/pre-push.js';
import type { Classification } from './classify.js';
import type { BackupState, InstanceBackup } from './decide.js';

/**
 * What a destructive command needs looked up: the backup state of the instances it targets (the
 * pre-push gate's own rules and code), the database name a person types, a grant for an agent.
 */

export { gateNow } from '../gate/evidence.js';

/** The instances a destructive command targets: its row's, else guard.instances, else the gate's. */
function targetedInstances(classification: Classification, config: Config): string[] {
  const fallback = config.guard.instances?.length ? config.guard.instances : requiredInstanceNames(config);
  const names = new Set<string>();
  for (const match of classification.matches) for (const name of match.row.instance ? [match.row.instance] : fallback) names.add(name);
  if (classification.unsure.length || classification.selfApproval.length || names.size === 0) for (const name of fallback) names.add(name);
  return [...names];
}

export async function backupState(
  classification: Classification,
  config: Config,
  dirs: { root: string; commonDir: string } | undefined,
  now: Date,
): Promise<{ names: string[]; backup: BackupState }> {
  const configure = 'configure the database under "databases" in the dbsafe configuration (e.g. "databases": { "dev": { "url": "env:DATABASE_URL" } })';
  if (!dirs) {
    return { names: [], backup: { ok: false, instances: [], unavailable: { problem: 'not inside a git repository, where the backup log is kept (.git/dbsafe/log.jsonl)', fix: 'run it from the repository whose database it changes' } } };
  }
  let names: string[];
  try {
    names = targetedInstances(classification, config);
  } catch (error) {
    if (!(error instanceof DbsafeError)) throw error;
    return { names: [], backup: { ok: false, instances: [], unavailable: { problem: error.message, fix: error.hint ?? configure } } };
  }
  if (names.length === 0) {
    return { names, backup: { ok: false, instances: [], unavailable: { problem: 'no database is configured, so no backup of it can be checked', fix: configure } } };
  }
  const unknown = names.filter((name) => !(name in config.databases));
  if (unknown.length) {
    return { names, backup: { ok: false, instances: [], unavailable: { problem: `instance ${unknown.map((name) => `"${name}"`).join(', ')} is not configured under "databases"`, fix: configure } } };
  }
  const logPath = logPathFor(dirs.commonDir);
  const verdict = await backupVerdict({ cwd: dirs.root, config, names, log: await readGateLog(logPath), now });
  const context = { logPath: displayPath(dirs.root, logPath), maxAge: config.gate.maxAge };
  const instances = verdict.instances.map((entry): InstanceBackup => {
    if (entry.ok && entry.by === 'backup') return { instance: entry.instance, ok: true, backupId: entry.backup.backupId };
    // a waiver lets a push through; it does not stand in for the backup of a command that destroys data
    const problem = entry.ok
      ? `only a waiver covers it (${waiverText(entry.waiver)}); a destructive command needs the backup itself: ${problemText(entry.problem, context)}`
      : problemText(entry.problem, context);
    return { instance: entry.instance, ok: false, problem, fix: fixCommand(entry.problem, entry.instance, context) };
  });
  return { names, backup: { ok: instances.every((entry) => entry.ok), instances } };
}

/** The database name a person types to approve: the server database, or the SQLite file's name. */
export function confirmName(config: Config, names: string[], root: string): string | undefined {
  const first = names[0];
  if (!first) return undefined;
  try {
    const resolved = resolveInstance(config, first, { cwd: root });
    return resolved.server?.database ?? (resolved.sqlitePath ? path.basename(resolved.sqlitePath) : first);
  } catch {
    return first;
  }
}

/**
 * A grant a person recorded (`guard --grant`) that covers every command this call runs, in force and
 * not used yet. Only from an intact log: a damaged chain could hide the entry that used it.
 */
export async function findGrant(logPath: string, classification: Classification, now: Date): Promise<{ seq: number; reason: string; creator?: string } | undefined> {
  if (classification.matches.length === 0) return undefined;
  let read;
  try {
    read = await readLog(logPath);
  } catch {
    return undefined;
  }
  if (!read.chain.ok) return undefined;
  const used = new Set(read.entries.map((entry) => entry.grantSeq).filter((seq): seq is number => typeof seq === 'number'));
  const wanted = classification.matches.map((match) => match.command);
  for (const entry of [...read.entries].reverse()) {
    if (entry.event !== 'guard-approved' || entry.grant !== true || used.has(entry.seq)) continue;
    const expires = Date.parse(String(entry.expiresAt ?? ''));
    if (Number.isNaN(expires) || expires <= now.getTime()) continue;
    const covered = Array.isArray(entry.commands) ? (entry.commands as unknown[]).filter((item): item is string => typeof item === 'string') : [];
    if (!wanted.every((command) => covered.includes(command))) continue;
    return { seq: entry.seq, reason: String(entry.reason ?? ''), ...(typeof entry.creator === 'string' ? { creator: entry.creator } : {}) };
  }
  return undefined;
}
