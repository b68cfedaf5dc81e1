import type { Config } from '../config/schema.js';
import { BlockedError } from '../errors.js';

/** What the pre-push hook found in the commits being pushed (computed by src/git/push-refs.ts). */
export interface PushedMigrations {
  /** Commits that touch migration files, newest first. */
  commits: Array<{ oid: string; subject: string; files: Array<{ path: string; status: string }> }>;
  /** True when at least one pushed migration operation is destructive (for gate.when = 'destructive'). */
  destructive: boolean;
}

export interface GateContext {
  /** Repository root. */
  cwd: string;
  config: Config;
  pushed: PushedMigrations;
  /** Injected in tests; defaults to the current time. */
  now?: Date;
}

export interface GateDecision {
  ok: boolean;
  /** Lines for the user: why it passed (waiver notice) or exactly what is missing and the command that fixes it. */
  report: string[];
}

/**
 * The backup requirement of the pre-push hook (spec/backup.md, "The pre-push gate").
 * Temporary body until the gate is implemented: it never passes a migration push silently.
 */
export async function backupGate(context: GateContext): Promise<GateDecision> {
  if (!context.config.gate.enabled) return { ok: true, report: ['backup gate disabled (gate.enabled = false)'] };
  throw new BlockedError('the backup gate is not implemented in this build yet');
}
