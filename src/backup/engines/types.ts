import type { ExpectedObject, ExpectedTable, Manifest } from '../manifest.js';
import type { ResolvedInstance, ServerTarget } from '../instances.js';
import type { CatalogEvidence } from '../catalog.js';

/** What each engine (postgres, mysql, sqlite) provides to the backup and verify orchestrators. */

export interface DumpContext {
  instance: ResolvedInstance;
  /** Private temp directory (0700) that becomes the backup directory on success. */
  dir: string;
  /** Private scratch directory for passfiles and the like; removed by the caller. */
  secretsDir: string;
  onProgress(bytes: number): void;
  warn(message: string): void;
}

export interface DumpResult {
  /** File name of the artifact inside `dir`. */
  file: string;
  bytes: number;
  sha256: string;
  client: Manifest['client'];
  server: Manifest['server'];
  snapshot: Omit<Manifest['snapshot'], 'finishedAt'>;
  options: Manifest['options'];
  objects: ExpectedObject[];
  tables: ExpectedTable[];
  /** Definitions, large objects, sequence values (PostgreSQL): compared by verify when present. */
  catalog?: CatalogEvidence;
  approximateCounts: boolean;
  databaseName?: string;
}

export interface RestoreContext {
  instance: ResolvedInstance;
  manifest: Manifest;
  artifactPath: string;
  secretsDir: string;
  /** Aborted when the checksum running alongside the restore fails, or on Ctrl-C. */
  signal: AbortSignal;
  onStage(stage: string): void;
  /** Scratch database name instead of `dbsafe_verify_<id>` (dry-run uses its own). */
  scratchName?: string;
  /**
   * Runs once the backup is restored, in place of the inspection, before the scratch is dropped: dry-run migrates
   * and measures the copy of a backup that was verified before. The result then lists no objects or tables.
   */
  whileRestored?(scratch: ScratchTarget): Promise<void>;
}

/** Where a backup was restored: a SQLite file, or a database on a server (`database` is the scratch name). */
export type ScratchTarget = { family: 'sqlite'; path: string } | { family: 'postgres' | 'mysql'; server: ServerTarget };

export interface RestoreResult {
  objects: ExpectedObject[];
  tables: Array<{ name: string; rows: number; hash?: string }>;
  catalog?: CatalogEvidence;
  /** Where it was restored (scratch database name or scratch file), for the report. */
  scratch: string;
  /** Engine-specific integrity findings (SQLite integrity_check / foreign_key_check). */
  problems: string[];
}

/** What restoreAndInspect returns when `whileRestored` took the copy over: nothing was inspected. */
export function handedOver(scratch: string): RestoreResult {
  return { objects: [], tables: [], scratch, problems: [] };
}

export interface EngineDriver {
  dump(context: DumpContext): Promise<DumpResult>;
  /** Restore into scratch, inspect, and ALWAYS drop the scratch (also when aborted). */
  restoreAndInspect(context: RestoreContext): Promise<RestoreResult>;
}

/** A failure that verify reports with a stable reason code. */
export class VerifyFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly differences: string[] = [],
  ) {
    super(message);
  }
}

/** Scratch database name for a backup id: `dbsafe_verify_<id>` (lowercase, [a-z0-9_]). */
export function scratchName(backupId: string): string {
  return `dbsafe_verify_${backupId.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`.slice(0, 63);
}
