import type { BackupContext } from '../backup/context.js';
import { takeBackup } from '../backup/backup.js';
import type { ResolvedInstance } from '../backup/instances.js';
import { appendLogEntry } from '../backup/log.js';
import { lockInstance } from '../backup/store.js';
import { trace } from '../backup/trace.js';
import { BlockedError, DatabaseError, UsageError } from '../errors.js';
import { applyAcceptances, flagSources, markerSources, type Acceptances } from './acceptance.js';
import { describeCommandExit, requireUrlVariable, runCommand, scratchUrl } from './command.js';
import { openDatabase, realLocation } from './open.js';
import type { DbState } from './database.js';
import type { MigrationFile } from './files.js';
import { buildLedger, type Ledger } from './ledger.js';
import { applyPending, assertRunnable, readPlan, type AppliedFile, type Who } from './runner.js';
import { filesAppliedBy, newHistoryKeys } from './runner-history.js';
import { newestVerifiedBackup, withScratchCopy, type ChosenBackup } from './scratch.js';

/**
 * dry-run: restore the newest verified backup (or a fresh one) into scratch, run the migration
 * there (files through the built-in runner, or any command that finds the copy through the
 * instance's URL variable), and measure what it destroyed into a loss ledger. The real database
 * is looked at before and after (schema and write signature): a command that ignored the scratch
 * URL and changed the real database is reported, and the dry-run says nothing about it.
 */

export type DryRunMigration = { kind: 'files'; files: MigrationFile[]; to?: string; markerTexts: Array<{ path: string; text: string }> } | { kind: 'command'; argv: string[]; markerTexts: Array<{ path: string; text: string }> };

export interface DryRunRequest {
  instance: ResolvedInstance;
  migration: DryRunMigration;
  fresh?: boolean;
  acceptLoss?: string[];
  reason?: string;
  who: Who;
  /** safe-migrate: the backup it just took or reused (and it holds the lock). */
  backup?: ChosenBackup;
  onStage?: (stage: string) => void;
}

export interface DryRunOutcome {
  ok: boolean;
  instance: string;
  backupId: string;
  ledger: Ledger;
  acceptances: Acceptances;
  migration: { ok: boolean; message?: string; applied?: AppliedFile[] };
  /**
   * schemaChanged: the real database's schema changed during the rehearsal. writesSeen: its rows did.
   * unexplainedWrites: a command changed nothing on the copy while the real database was written to, so it
   * may have written there (a dotenv that overrides the URL) and the empty ledger proves nothing.
   */
  realDatabase: { schemaChanged: boolean; writesSeen: boolean; unexplainedWrites: boolean };
  /**
   * Whose override markers could accept a loss: the files given (files), the files a command applied on the
   * copy as its runner's history table says (applied), or, when no history table changed, every migration
   * file (unknown). `files`: the files whose markers were read.
   */
  markers: { from: 'files' | 'applied' | 'unknown'; files: string[]; historyKeys?: string[] };
  /** Why it is not ok, one line. */
  verdict: string;
}

export async function dryRun(context: BackupContext, request: DryRunRequest): Promise<DryRunOutcome> {
  const { instance, migration } = request;
  const onStage = request.onStage ?? (() => undefined);
  const variable = migration.kind === 'command' ? requireUrlVariable(context.config, instance.name) : undefined;
  if (request.acceptLoss?.length && !(request.reason ?? '').trim()) {
    throw new UsageError('--accept-loss needs --reason "<why this loss is fine>"');
  }
  const flags = flagSources(request.acceptLoss ?? [], request.reason);
  if (flags.invalid.length) throw new UsageError(`--accept-loss ${flags.invalid[0]}: not an object name (write e.g. orders, orders.legacy_total or billing.invoices)`);

  const lock = request.backup ? undefined : await lockInstance(context.commonDir, instance.name, 'dry-run');
  try {
    let backup = request.backup;
    if (!backup && !request.fresh) backup = await newestVerifiedBackup(context, instance);
    if (!backup) {
      if (!request.fresh) {
        throw new BlockedError(`Instance "${instance.name}" has no verified backup to rehearse on`, {
          hint: `Take one with \`npx dbsafe-hooks backup ${instance.name} --verify\`, or run the dry-run with --fresh.`,
        });
      }
      onStage('taking a fresh backup');
      const taken = await takeBackup(context, { instance: instance.name, verify: true, reason: 'dry-run', lockHeld: true, onStage });
      if (!taken.verify?.ok) throw new BlockedError(`The fresh backup ${taken.id} failed verification: ${taken.verify?.message}`);
      backup = (await newestVerifiedBackup(context, instance))!;
    }

    trace('dry-run: backup chosen');
    // the real database's signature is read while the copy is restored (it does not depend on it)
    const realBeforeRead = realSignature(instance);
    realBeforeRead.catch(() => undefined);
    let realBefore: { schema: string; writes: string } | undefined;
    let before: DbState | undefined;
    let after: DbState | undefined;
    let result: DryRunOutcome['migration'] = { ok: false };
    let historyBefore: string[] = [];
    let historyAfter: string[] = [];
    await withScratchCopy(
      context,
      instance,
      backup,
      async (scratch) => {
        realBefore = await realBeforeRead;
        const db = await openDatabase(scratch, 'the scratch copy');
        try {
          before = await db.state();
          trace('dry-run: copy measured');
          if (migration.kind === 'command') historyBefore = await db.historyKeys();
          if (migration.kind === 'files') {
            onStage('running the migration files on the copy');
            const plan = await readPlan(db, migration.files, migration.to);
            assertRunnable(plan, instance.name);
            const run = await applyPending(db, plan.pending, request.who);
            result = run.failed ? { ok: false, message: run.failed.message, applied: run.applied } : { ok: true, applied: run.applied };
          } else {
            onStage(`running ${migration.argv[0]} on the copy`);
            const env = { ...process.env, [variable!]: scratchUrl(process.env[variable!]!, scratch) };
            const exit = await runCommand(migration.argv, env);
            result = exit.code === 0 ? { ok: true } : { ok: false, message: `${migration.argv[0]} failed on the copy (${describeCommandExit(exit)})` };
          }
          onStage('measuring what was lost');
          after = await db.state(before);
          trace('dry-run: copy measured again');
          if (migration.kind === 'command') historyAfter = await db.historyKeys();
        } finally {
          await db.close();
        }
      },
      onStage,
    );

    trace('dry-run: scratch dropped');
    const realAfter = await realSignature(instance);
    const writesSeen = realAfter.writes !== realBefore!.writes;
    const copyUnchanged = JSON.stringify(before) === JSON.stringify(after);
    const realDatabase = {
      schemaChanged: realAfter.schema !== realBefore!.schema,
      writesSeen,
      unexplainedWrites: migration.kind === 'command' && result.ok && writesSeen && copyUnchanged,
    };
    const ledger = buildLedger(before!, after!);
    const minReasonLength = context.config.overrides.minReasonLength;
    const markers = markerFiles(migration, historyBefore, historyAfter);
    const markerTexts = migration.markerTexts.filter((file) => markers.files.includes(file.path));
    const sources = [...markerSources(markerTexts, instance.family, minReasonLength), ...flags.sources];
    const acceptances = applyAcceptances(ledger, sources, instance.family, minReasonLength);

    let verdict = 'no data is lost';
    if (realDatabase.schemaChanged) verdict = `the REAL database's schema changed while the migration ran on the copy: the command did not use ${variable ?? 'the scratch copy'}`;
    else if (realDatabase.unexplainedWrites) verdict = `the command changed nothing on the copy while rows of the REAL database changed: it may have ignored ${variable}, or another client wrote meanwhile; the empty ledger proves nothing`;
    else if (!result.ok) verdict = `the migration failed on the copy: ${result.message}`;
    else if (acceptances.unaccepted.length) verdict = `${acceptances.unaccepted.length} loss${acceptances.unaccepted.length === 1 ? '' : 'es'} not accepted`;
    else if (acceptances.accepted.length) verdict = 'every loss is accepted';
    const ok = result.ok && !realDatabaseTouched(realDatabase) && acceptances.unaccepted.length === 0;
    await appendLogEntry(context.logPath, {
      event: 'dry-run',
      instance: instance.name,
      backupId: backup.id,
      fingerprint: instance.fingerprint,
      ok,
      mode: migration.kind,
      program: migration.kind === 'command' ? migration.argv[0] : undefined,
      files: migration.kind === 'files' ? migration.files.map((f) => f.path) : undefined,
      migrationOk: result.ok,
      ledgerHash: ledger.hash,
      losses: ledger.entries.filter((e) => e.destroysData).length,
      accepted: acceptances.accepted.map((a) => ({ kind: a.loss.kind, object: a.loss.object, by: a.by, reason: a.reason })),
      unaccepted: acceptances.unaccepted.map((l) => ({ kind: l.kind, object: l.object })),
      realSchemaChanged: realDatabase.schemaChanged,
      realWritesSeen: realDatabase.writesSeen,
      realWritesUnexplained: realDatabase.unexplainedWrites,
      markersFrom: markers.from,
      markerFiles: markers.files,
    });
    return { ok, instance: instance.name, backupId: backup.id, ledger, acceptances, migration: result, realDatabase, markers, verdict };
  } finally {
    lock?.release();
  }
}

/**
 * Whose markers count. Files: the files given. A command: only the files its runner's history table on the
 * copy gained (a marker in a file applied long ago must not accept a new loss); when no history table
 * changed, which files it applied is unknown and every migration file counts, as the output says.
 */
function markerFiles(migration: DryRunMigration, historyBefore: string[], historyAfter: string[]): DryRunOutcome['markers'] {
  const all = migration.markerTexts.map((file) => file.path);
  if (migration.kind === 'files') return { from: 'files', files: all };
  const added = newHistoryKeys(historyBefore, historyAfter);
  if (!added.length) return { from: 'unknown', files: all };
  return { from: 'applied', files: filesAppliedBy(added, migration.markerTexts), historyKeys: added };
}

/** A cheap look at the real database (schema and write signature), taken before and after the rehearsal. */
async function realSignature(instance: ResolvedInstance): Promise<{ schema: string; writes: string }> {
  const db = await openDatabase(realLocation(instance), instance.redactedUrl);
  try {
    return await db.signature();
  } finally {
    await db.close();
  }
}

/** The rehearsal cannot vouch for anything: the real database changed in a way the copy does not explain. */
export function realDatabaseTouched(real: DryRunOutcome['realDatabase']): boolean {
  return real.schemaChanged || real.unexplainedWrites;
}

/** The real database was changed by a command meant for the copy: never a silent pass. */
export function realDatabaseError(outcome: DryRunOutcome, restoreHint: string): DatabaseError {
  return new DatabaseError(`REFUSED: ${outcome.verdict}. The ledger describes the copy, not what happened to the real database.`, { hint: restoreHint });
}
