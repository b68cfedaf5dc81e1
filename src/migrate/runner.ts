import { BlockedError, UsageError } from '../errors.js';
import { MigrationFailure, type MigrationDatabase } from './database.js';
import { compareVersions, type MigrationFile } from './files.js';
import { planMigrations, type HistoryRow, type MigrationPlan } from './plan.js';

/**
 * The built-in runner: read the history table, refuse edited-after-apply and out-of-order files,
 * then apply pending files in version order, one transaction per file where the engine allows it,
 * stopping at the first failure.
 */

export interface Who {
  appliedBy: string;
  gitCommit: string | null;
}

export interface AppliedFile {
  version: string;
  path: string;
  durationMs: number;
  transactional: boolean;
  note?: string;
}

export interface RunOutcome {
  applied: AppliedFile[];
  failed?: { path: string; message: string; partial: boolean };
}

export async function readPlan(db: MigrationDatabase, files: MigrationFile[], to?: string): Promise<MigrationPlan> {
  if (to !== undefined && !files.some((f) => compareVersions(f.version, to) === 0)) {
    throw new UsageError(`--to ${to}: no migration file has that version`, { hint: 'Run `npx dbsafe-hooks migrations status` to list the versions.' });
  }
  return planMigrations(files, await db.readHistory(), to);
}

/** Problems that block applying anything: an applied file was edited, or a pending file is older than what is applied. */
export function blockingProblems(plan: MigrationPlan): string[] {
  return [
    ...plan.edited.map((e) => `${e.file.path} was applied on ${e.row.appliedAt} and has been edited since (checksum ${e.row.checksum.slice(0, 12)}… → ${e.file.checksum.slice(0, 12)}…)`),
    ...plan.outOfOrder.map((f) => `${f.path} (version ${f.version}) is older than the newest applied migration: it would run out of order`),
  ];
}

export function assertRunnable(plan: MigrationPlan, instance: string): void {
  const problems = blockingProblems(plan);
  if (problems.length) {
    throw new BlockedError(`Migrations of "${instance}" cannot run:\n  ${problems.join('\n  ')}`, {
      hint: 'Never edit an applied migration: revert the edit and put the change in a new migration file with a higher version.',
    });
  }
}

export async function applyPending(db: MigrationDatabase, pending: MigrationFile[], who: Who, onFile?: (file: AppliedFile) => void): Promise<RunOutcome> {
  const applied: AppliedFile[] = [];
  for (const file of pending) {
    const started = Date.now();
    const row: HistoryRow = { version: file.version, name: file.name, checksum: file.checksum, appliedAt: new Date().toISOString(), durationMs: 0, appliedBy: who.appliedBy, gitCommit: who.gitCommit, kind: 'applied' };
    try {
      // the history row is written in the file's transaction: its duration is measured up to that point
      const result = await db.apply(file, row);
      const done = { version: file.version, path: file.path, durationMs: Date.now() - started, transactional: result.transactional, note: result.note };
      applied.push(done);
      onFile?.(done);
    } catch (error) {
      if (error instanceof MigrationFailure) return { applied, failed: { path: file.path, message: error.message, partial: error.partial } };
      throw error;
    }
  }
  return { applied };
}

/** `--baseline <version>`: record every file up to it as applied without running it (adopting an existing database). */
export async function baseline(db: MigrationDatabase, files: MigrationFile[], version: string, who: Who): Promise<MigrationFile[]> {
  if (!files.some((f) => compareVersions(f.version, version) === 0)) {
    throw new UsageError(`--baseline ${version}: no migration file has that version`, { hint: 'Run `npx dbsafe-hooks migrations status` to list the versions.' });
  }
  const plan = planMigrations(files, await db.readHistory());
  const adopt = plan.pending.filter((f) => compareVersions(f.version, version) <= 0);
  const now = new Date().toISOString();
  await db.recordBaseline(adopt.map((f) => ({ version: f.version, name: f.name, checksum: f.checksum, appliedAt: now, durationMs: 0, appliedBy: who.appliedBy, gitCommit: who.gitCommit, kind: 'baseline' as const })));
  return adopt;
}
