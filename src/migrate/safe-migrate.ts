import { randomBytes } from 'node:crypto';
import { durationMs, type BackupContext } from '../backup/context.js';
import { takeBackup } from '../backup/backup.js';
import type { ResolvedInstance } from '../backup/instances.js';
import { appendLogEntry, readLog } from '../backup/log.js';
import { redactCommandLine } from '../backup/redact.js';
import { lockInstance } from '../backup/store.js';
import { BlockedError, DbsafeError } from '../errors.js';
import { describeCommandExit, runCommand } from './command.js';
import { openDatabase, realLocation } from './open.js';
import { dryRun, realDatabaseTouched, type DryRunMigration, type DryRunOutcome } from './dry-run.js';
import { manualRestoreCommand, restoreSafetyBackup, type RestoreReport } from './restore-safety.js';
import { applyPending, assertRunnable, readPlan, type AppliedFile, type Who } from './runner.js';
import { newestVerifiedBackup, type ChosenBackup } from './scratch.js';

/**
 * safe-migrate: lock → backup + verify (or reuse a verified one taken within the gate's maxAge
 * and after the last migration applied through dbsafe) → dry-run with the ledger (stop on an
 * unaccepted loss) → apply to the real database → post-check (exit code, optional --check) → on
 * failure restore the pre-migration backup. Every step is one `migrate` log entry with the run id.
 */

export type Step = 'lock' | 'backup' | 'dry-run' | 'apply' | 'check' | 'restore' | 'done';

export interface StepReport {
  step: Step;
  ok: boolean;
  detail: string;
  /** The dry-run step's full result (for printing the ledger). */
  dryRun?: DryRunOutcome;
}

export interface SafeMigrateRequest {
  instance: ResolvedInstance;
  migration: DryRunMigration;
  /** A shell command run after a successful apply; non-zero exit = the migration failed. */
  check?: string;
  /**
   * Reuse the newest verified backup when it is within `gate.maxAge` and newer than the last apply, instead
   * of taking one. Off by default: an automatic restore of an older backup would discard every write since.
   */
  reuseBackup?: boolean;
  acceptLoss?: string[];
  reason?: string;
  who: Who;
  onStep?: (report: StepReport) => void;
  onStage?: (stage: string) => void;
  /** Always shown (not a progress line): the way back if the run is interrupted. */
  onNotice?: (text: string) => void;
}

export interface SafeMigrateOutcome {
  ok: boolean;
  runId: string;
  instance: string;
  backupId?: string;
  steps: StepReport[];
  dryRun?: DryRunOutcome;
  applied?: AppliedFile[];
  restored?: RestoreReport;
  /** Set when the real database may differ from both states and must be restored by hand. */
  restoreCommand?: string;
}

export async function safeMigrate(context: BackupContext, request: SafeMigrateRequest): Promise<SafeMigrateOutcome> {
  const { instance } = request;
  const runId = randomBytes(6).toString('hex');
  const outcome: SafeMigrateOutcome = { ok: false, runId, instance: instance.name, steps: [] };
  const step = async (name: Step, ok: boolean, detail: string, extra: Record<string, unknown> = {}) => {
    const report = { step: name, ok, detail };
    outcome.steps.push(report);
    request.onStep?.(name === 'dry-run' ? { ...report, dryRun: outcome.dryRun } : report);
    await appendLogEntry(context.logPath, { event: 'migrate', instance: instance.name, runId, step: name, ok, detail, backupId: outcome.backupId, ...extra });
  };

  const lock = await lockInstance(context.commonDir, instance.name, 'safe-migrate');
  try {
    await step('lock', true, `instance ${instance.name} locked (pid ${process.pid})`);
    const backup = await safetyBackup(context, request);
    outcome.backupId = backup.id;
    await step('backup', true, `${backup.reused ? 'reusing' : 'took'} verified backup ${backup.id} (taken ${backup.manifest.snapshot.takenAt})`, { reused: backup.reused });

    const rehearsal = await dryRun(context, { ...request, backup });
    outcome.dryRun = rehearsal;
    if (realDatabaseTouched(rehearsal.realDatabase)) {
      outcome.restoreCommand = manualRestoreCommand(instance, backup);
      await step('dry-run', false, rehearsal.verdict, { ledgerHash: rehearsal.ledger.hash });
      return outcome;
    }
    await step('dry-run', rehearsal.ok, rehearsal.verdict, { ledgerHash: rehearsal.ledger.hash });
    if (!rehearsal.ok) return outcome;

    // from here on the real database changes: an interruption is undone with this command
    outcome.restoreCommand = manualRestoreCommand(instance, backup);
    request.onNotice?.(`applying to ${instance.name}; if this is interrupted, restore with: ${outcome.restoreCommand}`);
    const applied = await applyToReal(request);
    outcome.applied = applied.files;
    let failure = applied.failure;
    await step('apply', !failure, failure ?? `applied${applied.files ? ` ${applied.files.length} file(s)` : ''}`, { files: applied.files?.map((f) => f.path) });
    if (!failure && request.check) {
      request.onStage?.('running the post-check');
      const exit = await runCommand([request.check], process.env, { shell: true });
      // the log keeps what it is given forever: a URL with a password in --check must not reach it
      const shown = redactCommandLine(request.check);
      failure = exit.code === 0 ? undefined : `the post-check \`${shown}\` failed (${describeCommandExit(exit)})`;
      await step('check', !failure, failure ?? `post-check \`${shown}\` passed`);
    }
    if (!failure) {
      outcome.ok = true;
      outcome.restoreCommand = undefined;
      await step('done', true, 'migrated');
      return outcome;
    }
    try {
      outcome.restored = await restoreSafetyBackup(context, instance, backup, { onStage: request.onStage, notice: request.onNotice });
      outcome.restoreCommand = undefined;
      const kept = outcome.restored.previous ? `; the failed state is kept as ${outcome.restored.previous}` : '';
      const safety = outcome.restored.safetyBackupId ? ` (safety backup of the failed state: ${outcome.restored.safetyBackupId})` : '';
      await step('restore', true, `restored backup ${backup.id} (taken ${outcome.restored.takenAt})${kept}${safety}`);
    } catch (error) {
      // the database is as the failed migration left it (restore swaps only a checked copy): say why, and the way back
      outcome.restoreCommand = manualRestoreCommand(instance, backup);
      const hint = error instanceof DbsafeError && error.hint ? ` (${error.hint.split('\n')[0]})` : '';
      await step('restore', false, `automatic restore failed: ${(error as Error).message}${hint}`);
    }
    return outcome;
  } finally {
    lock.release();
  }
}

async function safetyBackup(context: BackupContext, request: SafeMigrateRequest): Promise<ChosenBackup & { reused: boolean }> {
  const { instance } = request;
  if (request.reuseBackup) {
    const newest = await newestVerifiedBackup(context, instance);
    const maxAge = durationMs(context.config.gate.maxAge);
    if (newest && Date.now() - Date.parse(newest.manifest.snapshot.takenAt) <= maxAge) {
      // a backup older than the last migration applied through dbsafe is not the state being migrated
      const log = await readLog(context.logPath);
      const lastApply = log.entries.filter((e) => e.event === 'migrate' && e.instance === instance.name && e.step === 'apply').pop();
      if (!lastApply || lastApply.ts < newest.manifest.snapshot.takenAt) return { ...newest, reused: true };
    }
  }
  request.onStage?.('taking the pre-migration backup');
  const taken = await takeBackup(context, { instance: instance.name, verify: true, pinned: true, reason: 'pre-migrate', lockHeld: true, onStage: request.onStage });
  if (!taken.verify?.ok) throw new BlockedError(`The pre-migration backup ${taken.id} failed verification (${taken.verify?.reason}): nothing was migrated`);
  return { ...(await newestVerifiedBackup(context, instance))!, reused: false };
}

async function applyToReal(request: SafeMigrateRequest): Promise<{ failure?: string; files?: AppliedFile[] }> {
  const { instance, migration } = request;
  if (migration.kind === 'command') {
    request.onStage?.(`running ${migration.argv[0]} on ${instance.name}`);
    const exit = await runCommand(migration.argv, process.env);
    return exit.code === 0 ? {} : { failure: `${migration.argv[0]} failed (${describeCommandExit(exit)})` };
  }
  const db = await openDatabase(realLocation(instance), instance.redactedUrl);
  try {
    const plan = await readPlan(db, migration.files, migration.to);
    assertRunnable(plan, instance.name);
    // a stage per file: progress, and a step boundary for the fault tests (kill-point.ts)
    let done = 0;
    const announce = () => {
      const file = plan.pending[done];
      if (file) request.onStage?.(`applying ${file.path} to ${instance.name}`);
    };
    announce();
    const run = await applyPending(db, plan.pending, request.who, () => {
      done += 1;
      announce();
    });
    return { files: run.applied, failure: run.failed?.message };
  } finally {
    await db.close();
  }
}
