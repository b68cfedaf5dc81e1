import { DatabaseError } from '../../errors.js';
import type { ResolvedInstance } from '../instances.js';
import type { Manifest } from '../manifest.js';

/**
 * What each engine provides to `restore` (src/backup/restore.ts): checks before anything is touched,
 * then "restore beside the target, check against the manifest, swap it in". The orchestrator takes the
 * lock, verifies the backup and takes the safety backup between the two calls.
 */

export interface RestoreTargetRequest {
  /** Where the backup goes (the backup's own instance, or the one named with --into). */
  target: ResolvedInstance;
  manifest: Manifest;
  secretsDir: string;
}

export interface SwapRequest extends RestoreTargetRequest {
  artifactPath: string;
  /** Definitions only: every table restored empty. */
  schemaOnly: boolean;
  /** `--tables`: replace only these tables (the manifest's names) in the target; everything else is left as it is. */
  tables?: string[];
  /** Drop the previous database (file) after the swap instead of keeping it. */
  dropPrevious: boolean;
  /** PostgreSQL: end other sessions on the target right before the swap. */
  terminateConnections: boolean;
  /** UTC stamp for side names, e.g. 20261205t083931z (lowercase: a valid unquoted identifier part). */
  stamp: string;
  /** Resolves when the artifact's sha256 (read alongside the restore) matched; rejects otherwise. Awaited before the swap. */
  artifactIntact: Promise<void>;
  onStage(stage: string): void;
}

export interface TargetState {
  /** False when the target database (file) does not exist yet: nothing to back up, nothing to keep. */
  exists: boolean;
  /** The name a person types to confirm (database name, or the SQLite file name). */
  name: string;
  /** For messages: `database "app" on 127.0.0.1:5432`. */
  label: string;
}

export interface SwapResult {
  /** Where the state before the restore is kept (database or file), unless dropped or there was none. */
  previous?: string;
  /** How to put the previous state back without the safety backup (a command or SQL), when kept. */
  undo?: string;
  /** What the engine did to swap, for the report (states which step was atomic). */
  method: string;
  tables: number;
  rows: number;
  /** `--tables`: objects outside the named tables that depend on them, and what became of them. */
  dependents?: string[];
}

export interface RestoreDriver {
  /** Read-only checks: target exists?, server major, other sessions, a process holding the file. Throws DatabaseError to refuse. */
  inspectTarget(request: RestoreTargetRequest & { terminateConnections: boolean }): Promise<TargetState>;
  /** Restore into a new database next to the target, compare with the manifest, swap. The target is untouched if this throws before the swap. */
  restoreAndSwap(request: SwapRequest): Promise<SwapResult>;
}

/** `<base><suffix>` within `max` bytes (PostgreSQL and MariaDB names are limited to 63/64). */
export function sideName(base: string, suffix: string, max = 63): string {
  const room = max - Buffer.byteLength(suffix);
  let head = base;
  while (Buffer.byteLength(head) > room) head = head.slice(0, -1);
  return `${head}${suffix}`;
}

/**
 * The first of `make('')`, `make('_2')`, `make('_3')`… that `taken` says is free: the previous state is named
 * by the second the restore started, and a second restore in that second must neither fail on the name nor
 * replace the state the first one kept (and printed as its undo).
 */
export async function freeName(make: (suffix: string) => string, taken: (name: string) => boolean | Promise<boolean>): Promise<string> {
  for (let n = 1; n <= 99; n++) {
    const name = make(n === 1 ? '' : `_${n}`);
    if (!(await taken(name))) return name;
  }
  throw new DatabaseError(`Every name for the previous state is taken (${make('')}, ${make('_2')} … ${make('_99')}): nothing was swapped in`, {
    hint: 'Drop or move the previous states of earlier restores you no longer need, then restore again.',
  });
}
