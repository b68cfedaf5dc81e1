import { appendLogEntry, type LogEntry } from '../backup/log.js';
import { redactCommandLine } from '../backup/redact.js';
import { creatorOf } from '../git/identity.js';
import type { GuardCheck } from './check.js';
import type { Actor } from './decide.js';

/**
 * Approvals and refusals of destructive commands, appended to the hash-chained backup log
 * (`guard-approved` / `guard-refused`). Command lines are redacted (a URL's password never lands in
 * the log) and cut to a readable length.
 */

const MAX_COMMAND = 1000;

export interface GuardRecord {
  event: 'guard-approved' | 'guard-refused';
  actor: Actor;
  /** How it was approved (`typed`, `reason`, `grant`) or why it was refused. */
  by?: string;
  reason?: string;
  /** Extra fields (a grant's `grant`, `commands`, `expiresAt`; the `grantSeq` a call used). */
  fields?: Record<string, unknown>;
}

export async function recordGuard(check: GuardCheck, record: GuardRecord): Promise<LogEntry | undefined> {
  if (!check.logPath || !check.root) return undefined;
  const creator = record.actor.kind === 'person' ? await creatorOf(check.root) : undefined;
  return appendLogEntry(check.logPath, {
    event: record.event,
    instance: check.instances.join(',') || '*',
    command: redactCommandLine(check.command).slice(0, MAX_COMMAND),
    matched: check.classification.matches.map((match) => match.row.pattern),
    ...(check.classification.unsure.length ? { unsure: check.classification.unsure.map((reason) => redactCommandLine(reason)) } : {}),
    backups: (check.backup?.instances ?? []).filter((entry) => entry.backupId).map((entry) => entry.backupId),
    actor: record.actor.kind === 'agent' ? `agent:${record.actor.protocol}` : 'person',
    ...(record.by ? { by: record.by } : {}),
    ...(record.reason ? { reason: redactCommandLine(record.reason) } : {}),
    ...(creator ? { creator } : {}),
    ...record.fields,
  });
}
