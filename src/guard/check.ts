import path from 'node:path';
import { resolveInstance } from '../backup/instances.js';
import { logPathFor, readLog } from '../backup/log.js';
import type { Config } from '../config/schema.js';
import { DbsafeError } from '../errors.js';
import { gitText } from '../git/exec-git.js';
import { displayPath, gateNow, readGateLog, requiredInstanceNames } from '../gate/evidence.js';
import { fixCommand, problemText, waiverText } from '../gate/messages.js';
import { backupVerdict } from '../gate/pre-push.js';
import { gitDirsFromDisk, hookConfig } from '../hooks/hook-config.js';
import { classifyArgv, classifyLine, type Classification } from './classify.js';
import type { CommandRow } from './commands.js';
import { decideGuard, needsGuard, type Actor, type Approval, type BackupState, type GuardDecision, type InstanceBackup } from './decide.js';

/**
 * The guard's evidence, gathered: the configuration (its `guard.commands` rows), what the command
 * does, and, only when it is destructive, the backup state of the instances it targets (the
 * pre-push gate's rules) and, for an agent, a grant recorded by a person. Reads only; the caller logs.
 */

export interface GuardCheckOptions {
  /** Where the command would run. */
  cwd: string;
  /** --config */
  configPath?: string;
  /** Default: a person, not on a terminal. */
  actor?: Actor;
  /** Default: none (for an agent, a recorded grant is looked up). */
  approval?: Approval;
  now?: Date;
}

export interface GuardCheck {
  /** The command as shown to people. */
  command: string;
  classification: Classification;
  /** The instances whose backup it needs (empty when not destructive). */
  instances: string[];
  backup?: BackupState;
  decision: GuardDecision;
  /** What a person types on a terminal to approve it: the targeted database's name. */
  confirmName?: string;
  /** Repository root and log, when inside a repository. */
  root?: string;
  logPath?: string;
  config?: Config;
  /** The grant an agent's call used. */
  grant?: { seq: number; reason: string; creator?: string };
}

/** Check a command (a shell line, or an argv run without a shell) against the guard. */
export async function checkCommand(command: string | readonly string[], options: GuardCheckOptions): Promise<GuardCheck> {
  const actor = options.actor ?? { kind: 'person', tty: false };
  const dirs = await repository(options.cwd);
  const config = dirs
    ? await hookConfig({ cwd: options.cwd, root: dirs.root, commonDir: dirs.commonDir, configPath: options.configPath, writeCache: false })
    : (await (await import('../config/load.js')).loadConfig(options.cwd, options.cwd, options.configPath)).config;
  const extraRows: CommandRow[] = config.guard.commands.map((row) => ({ ...row }));
  const classification = typeof command === 'string'
    ? await classifyLine(command, { cwd: options.cwd, extraRows })
    : await classifyArgv(command, { cwd: options.cwd, extraRows });
  const shownCommand = typeof command === 'string' ? command : (await import('./classify.js')).shown(command);
  const base = { command: shownCommand, classification, config, root: dirs?.root, logPath: dirs ? logPathFor(dirs.commonDir) : undefined };
  const approval = options.approval ?? { kind: 'none' as const };
  if (!needsGuard(classification, actor)) {
    return { ...base, instances: [], decision: decideGuard({ classification, actor, approval, minReasonLength: config.overrides.minReasonLength }) };
  }

  const now = gateNow(options.now);
  const { names, backup } = await backupState(classification, config, dirs, now);
  let usedApproval = approval;
  let grant: GuardCheck['grant'];
  if (actor.kind === 'agent' && dirs) {
    grant = await findGrant(logPathFor(dirs.commonDir), classification, now);
    if (grant) usedApproval = { kind: 'grant', ...grant };
  }
  const decision = decideGuard({ classification, backup, actor, approval: usedApproval, minReasonLength: config.overrides.minReasonLength });
  return { ...base, instances: names, backup, decision, confirmName: confirmName(config, names, dirs?.root ?? options.cwd), ...(grant ? { grant } : {}) };
}

async function repository(cwd: string): Promise<{ root: string; commonDir: string } | undefined> {
  const fromDisk = gitDirsFromDisk(cwd);
  if (fromDisk) return fromDisk;
  try {
    const [root, commonDir] = (await gitText(['rev-parse', '--show-toplevel', '--git-common-dir'], { cwd })).split('\n');
    if (!root || !commonDir) return undefined;
    return { root, commonDir: path.resolve(cwd, commonDir) };
  } catch {
    return undefined;
  }
}

/** The instances a destructive command targets: its row's, else guard.instances, else the gate's. */
function targetedInstances(classification: Classification, config: Config): string[] {
  const fallback = config.guard.instances?.length ? config.guard.instances : requiredInstanceNames(config);
  const names = new Set<string>();
  for (const match of classification.matches) for (const name of match.row.instance ? [match.row.instance] : fallback) names.add(name);
  if (classification.unsure.length || classification.selfApproval.length || names.size === 0) for (const name of fallback) names.add(name);
  return [...names];
}

async function backupState(
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
function confirmName(config: Config, names: string[], root: string): string | undefined {
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
