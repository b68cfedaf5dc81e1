import path from 'node:path';
import { logPathFor } from '../backup/log-path.js';
import { redactCommandLine } from '../backup/redact.js';
import type { Config } from '../config/schema.js';
import { gitText } from '../git/exec-git.js';
import { gitDirsFromDisk, hookConfig } from '../config/cached.js';
import { classifyArgv, classifyLine, shown, type Classification } from './classify.js';
import type { CommandRow } from './commands.js';
import { classifyMcpCall } from './mcp-calls.js';
import { decideGuard, needsGuard, type Actor, type Approval, type BackupState, type GuardDecision } from './decide.js';

/**
 * The guard's check: the configuration (its `guard.commands` rows), what the command does, and,
 * only when it is destructive, the evidence (evidence.ts: the backup state of the instances it
 * targets by the pre-push gate's rules, and for an agent a grant recorded by a person), then the
 * decision. Reads only; the caller logs.
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
  const shownCommand = typeof command === 'string' ? redactCommandLine(command) : shown(command);
  return check(options, shownCommand, (extraRows) =>
    typeof command === 'string' ? classifyLine(command, { cwd: options.cwd, extraRows }) : classifyArgv(command, { cwd: options.cwd, extraRows }),
  );
}

/** Check a coding agent's call of an MCP server's tool (mcp-calls.ts) against the guard. */
export async function checkMcpCall(call: { server: string; tool: string; input: unknown }, options: GuardCheckOptions): Promise<GuardCheck> {
  return check(options, `mcp__${call.server}__${call.tool}`, () => classifyMcpCall(call.server, call.tool, call.input));
}

async function check(options: GuardCheckOptions, shownCommand: string, classify: (extraRows: CommandRow[]) => Promise<Classification>): Promise<GuardCheck> {
  const actor = options.actor ?? { kind: 'person', tty: false };
  const dirs = await repository(options.cwd);
  const config = await hookConfig({ cwd: options.cwd, root: dirs?.root ?? options.cwd, commonDir: dirs?.commonDir, configPath: options.configPath, writeCache: true });
  const classification = await classify(config.guard.commands.map((row) => ({ ...row })));
  const base = { command: shownCommand, classification, config, root: dirs?.root, logPath: dirs ? logPathFor(dirs.commonDir) : undefined };
  const approval = options.approval ?? { kind: 'none' as const };
  if (!needsGuard(classification, actor)) {
    return { ...base, instances: [], decision: decideGuard({ classification, actor, approval, minReasonLength: config.overrides.minReasonLength }) };
  }

  // only a destructive command needs the gate's evidence: loaded then, so a pass-through stays light
  const { backupState, confirmName, findGrant, gateNow } = await import('./evidence.js');
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
