import type { Classification } from './classify.js';

/**
 * The guard's decision, pure: what the command does (classify.ts) + the backup state of the instances
 * it targets (the pre-push gate's rules, gathered by check.ts) + who asks and what approval they
 * bring → pass, allow, ask the person, or refuse with every missing piece.
 *
 * A destructive command needs BOTH a fresh verified backup of each targeted instance AND a person's
 * approval: typed on a terminal, `--approve "<reason>"`, or (for a coding agent) a single-use grant a
 * person recorded in the log from a terminal. An agent never approves itself.
 */

export type Actor = { kind: 'person'; tty: boolean } | { kind: 'agent'; protocol: string };

export type Approval =
  | { kind: 'none' }
  /** `--approve "<reason>"` */
  | { kind: 'reason'; reason: string }
  /** The person typed the database name on the terminal. */
  | { kind: 'typed' }
  /** A grant recorded by a person (`guard --grant`), for an agent's call. */
  | { kind: 'grant'; seq: number; reason: string; creator?: string };

export interface InstanceBackup {
  instance: string;
  ok: boolean;
  /** The verified backup that makes it ok. */
  backupId?: string;
  /** Why it is not ok (the gate's words). */
  problem?: string;
  /** The command that fixes it. */
  fix?: string;
}

export interface BackupState {
  ok: boolean;
  instances: InstanceBackup[];
  /** Set when no instance could be judged (no database configured, not in a repository…). */
  unavailable?: { problem: string; fix: string };
}

export interface GuardInput {
  classification: Classification;
  /** Undefined when the command is not destructive (nothing was looked up). */
  backup?: BackupState;
  actor: Actor;
  approval: Approval;
  minReasonLength: number;
}

export type Missing = 'backup' | 'approval' | 'self-approval';

export type GuardDecision =
  | { verdict: 'pass' }
  | { verdict: 'allow'; by: 'reason' | 'typed' | 'grant' }
  /** Backup fine; a person on the terminal must type the database name. */
  | { verdict: 'ask' }
  | { verdict: 'refuse'; missing: Missing[]; reasons: string[] };

/** Whether the command needs the guard's approval at all (an agent approving itself always does). */
export function needsGuard(classification: Classification, actor: Actor): boolean {
  return classification.matches.length > 0 || classification.unsure.length > 0 || (actor.kind === 'agent' && classification.selfApproval.length > 0);
}

export function decideGuard(input: GuardInput): GuardDecision {
  const { classification, actor, approval } = input;
  if (!needsGuard(classification, actor)) return { verdict: 'pass' };
  const missing: Missing[] = [];
  const reasons: string[] = [];

  if (actor.kind === 'agent' && classification.selfApproval.length > 0) {
    missing.push('self-approval');
    reasons.push(`an agent cannot approve or waive on its own: ${classification.selfApproval.join('; ')}`);
  }

  const backup = input.backup;
  if (!backup) {
    missing.push('backup');
    reasons.push('the backups of the targeted database were not checked');
  } else if (backup.unavailable) {
    missing.push('backup');
    reasons.push(backup.unavailable.problem);
  } else if (!backup.ok) {
    missing.push('backup');
    for (const instance of backup.instances.filter((entry) => !entry.ok)) reasons.push(`instance "${instance.instance}": ${instance.problem ?? 'no fresh verified backup'}`);
  }

  const approved = approvalProblem(input);
  if (approved.problem) {
    missing.push('approval');
    reasons.push(approved.problem);
  }
  if (missing.length) return { verdict: 'refuse', missing, reasons };
  if (approved.by) return { verdict: 'allow', by: approved.by };
  return { verdict: 'ask' };
}

function approvalProblem(input: GuardInput): { problem?: string; by?: 'reason' | 'typed' | 'grant' } {
  const { actor, approval, classification } = input;
  if (actor.kind === 'agent') {
    if (approval.kind === 'grant') {
      // a grant names commands; what the line could also run (unsure) was not granted
      if (classification.unsure.length) return { problem: `a person's grant covers named commands only, and this one cannot be read with certainty: ${classification.unsure.join('; ')}` };
      return { by: 'grant' };
    }
    return { problem: 'a person must approve it: an agent cannot approve a destructive command itself' };
  }
  if (approval.kind === 'typed') return { by: 'typed' };
  if (approval.kind === 'reason') {
    const length = approval.reason.replace(/\s+/g, ' ').trim().length;
    const minimum = Math.max(1, input.minReasonLength);
    if (length < minimum) return { problem: `the --approve reason is ${length} characters; at least ${minimum} are needed` };
    return { by: 'reason' };
  }
  if (approval.kind === 'grant') return { by: 'grant' };
  if (actor.tty) return {};
  return { problem: 'no approval: not on a terminal, and no --approve "<reason>" was given' };
}
