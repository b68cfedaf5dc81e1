import { DbsafeError } from '../errors.js';
import type { MigrationFile } from './files.js';
import type { HistoryRow } from './plan.js';

/**
 * One database the runner, dry-run and safe-migrate work on (the real one or a scratch copy), the
 * same for every engine: history table, applying a file, the state the loss ledger compares, and
 * a cheap signature that tells whether something changed it.
 */

export interface ColumnState {
  type: string;
  nonNull: number;
  /** Order-independent hash of the column's values: of their text, or by `hashBy`. */
  hash: string;
  /** The type's own hash function that made `hash` (PostgreSQL); absent: the values' text was hashed. */
  hashBy?: string;
  /**
   * After a type change (PostgreSQL): `hash` of the values cast back to the type they had before, hashed the
   * way they were before; equal to the earlier hash when the change kept every value. `null`: no cast back works.
   */
  hashAsBefore?: string | null;
}

export interface TableState {
  rows: number;
  columns: Record<string, ColumnState>;
}

/** Names are `table` in the default schema (public / main / the database), else `schema.table`. */
export interface DbState {
  tables: Record<string, TableState>;
  views: string[];
  sequences: string[];
  schemas: string[];
}

export interface ApplyResult {
  /** Whether the file and its history row were one transaction (rolled back whole on failure). */
  transactional: boolean;
  note?: string;
}

export interface MigrationDatabase {
  readonly family: 'postgres' | 'mysql' | 'sqlite';
  /** For messages: the scratch name or the redacted URL. */
  readonly label: string;
  readHistory(): Promise<HistoryRow[]>;
  apply(file: MigrationFile, row: HistoryRow): Promise<ApplyResult>;
  recordBaseline(rows: HistoryRow[]): Promise<void>;
  /** `before`: the state this one is compared with, so a changed column can also be measured as it was (PostgreSQL). */
  state(before?: DbState): Promise<DbState>;
  /** The values of the migration-naming column of every runner history table there (runner-history.ts). */
  historyKeys(): Promise<string[]>;
  /** Schema and write-activity signature; differs after a command wrote to this database. */
  signature(): Promise<{ schema: string; writes: string }>;
  close(): Promise<void>;
}

/** A migration file failed; `partial` when statements before the failing one stay committed (MySQL DDL). */
export class MigrationFailure extends DbsafeError {
  constructor(
    readonly file: string,
    message: string,
    readonly partial: boolean,
  ) {
    super(message, { exitCode: 1 });
  }
}

/** Statements that open or close a transaction themselves: such a file cannot be wrapped in ours. */
export const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK|START\s+TRANSACTION)\b(?!\s*(ATOMIC|\$))/i;

/** `duration` is SQL computing the duration when the row is written (the row is part of the file's transaction). */
export function historyInsertValues(row: HistoryRow, quote: (text: string) => string, duration = String(Math.round(row.durationMs))): string {
  const text = (v: string | null) => (v === null ? 'NULL' : quote(v));
  return `(${text(row.version)}, ${text(row.name)}, ${text(row.checksum)}, ${text(row.appliedAt)}, ${duration}, ${text(row.appliedBy)}, ${text(row.gitCommit)}, ${text(row.kind)})`;
}

/** Milliseconds from the row's start (`appliedAt`) until now, for rows written by a client. */
export function elapsedSince(row: HistoryRow): number {
  return row.kind === 'applied' ? Math.max(0, Date.now() - Date.parse(row.appliedAt)) : 0;
}

export const HISTORY_COLUMNS = 'version, name, checksum, applied_at, duration_ms, applied_by, git_commit, kind';

export function rowFromDb(r: Record<string, unknown>): HistoryRow {
  return {
    version: String(r.version),
    name: String(r.name),
    checksum: String(r.checksum),
    appliedAt: r.applied_at instanceof Date ? r.applied_at.toISOString() : String(r.applied_at),
    durationMs: Number(r.duration_ms),
    appliedBy: String(r.applied_by),
    gitCommit: r.git_commit === null || r.git_commit === undefined ? null : String(r.git_commit),
    kind: r.kind === 'baseline' ? 'baseline' : 'applied',
  };
}
