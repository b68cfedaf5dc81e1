import { compareVersions, type MigrationFile } from './files.js';

/**
 * What the history table says against what the files say (pure): applied, pending, applied files
 * edited since (checksum changed: blocks), applied versions whose file is gone, and pending files
 * older than the newest applied one (out of order: blocks, like Flyway's default).
 */

export const HISTORY_TABLE = 'dbsafe_schema_migrations';

export interface HistoryRow {
  version: string;
  name: string;
  checksum: string;
  appliedAt: string;
  durationMs: number;
  appliedBy: string;
  gitCommit: string | null;
  /** `applied` (run by dbsafe-hooks) or `baseline` (adopted with --baseline, never run). */
  kind: 'applied' | 'baseline';
}

export interface MigrationPlan {
  applied: Array<{ row: HistoryRow; file?: MigrationFile }>;
  pending: MigrationFile[];
  edited: Array<{ row: HistoryRow; file: MigrationFile }>;
  missing: HistoryRow[];
  outOfOrder: MigrationFile[];
}

export function planMigrations(files: MigrationFile[], history: HistoryRow[], to?: string): MigrationPlan {
  const byVersion = new Map(files.map((f) => [normal(f.version), f]));
  const appliedVersions = new Set(history.map((r) => normal(r.version)));
  const applied = [...history]
    .sort((a, b) => compareVersions(normal(a.version), normal(b.version)))
    .map((row) => ({ row, file: byVersion.get(normal(row.version)) }));
  const edited = applied.filter((a) => a.file && a.row.kind === 'applied' && a.file.checksum !== a.row.checksum) as MigrationPlan['edited'];
  const missing = applied.filter((a) => !a.file).map((a) => a.row);
  const newest = applied.length ? normal(applied[applied.length - 1]!.row.version) : undefined;
  let pending = files.filter((f) => !appliedVersions.has(normal(f.version)));
  const outOfOrder = newest === undefined ? [] : pending.filter((f) => compareVersions(f.version, newest) < 0);
  if (to !== undefined) pending = pending.filter((f) => compareVersions(f.version, to) <= 0);
  return { applied, pending, edited, missing, outOfOrder };
}

/** `0001` and `1` are the same version. */
function normal(version: string): string {
  return /^\d+(\.\d+)*$/.test(version)
    ? version
        .split('.')
        .map((p) => String(BigInt(p)))
        .join('.')
    : version;
}
