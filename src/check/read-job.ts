import type { Dialect, Operation } from '../model/operation.js';
import { decodeMigration } from './decode.js';
import type { MigrationKind } from './migration-set.js';
import type { ModelState } from '../readers/django-model-state.js';

/**
 * The pure part of reading one migration: bytes → text → operations, plus the operations of the
 * versions it is compared with. Runs in the main thread (hooks, few files) or in a worker thread
 * (`check --all` over many files, src/check/parallel-read.ts); both give the same result.
 */
export interface ReadJob {
  path: string;
  kind: MigrationKind;
  bytes: Uint8Array;
  /** Earlier versions (undefined: not readable, contributes nothing) and the path they had. */
  previous: (Uint8Array | undefined)[];
  previousPath: string;
  /** Django: the app's model state before this file (check/django-history.ts). */
  djangoModels?: ModelState;
}

export type ReadResult =
  | { ok: false; problem: string }
  | { ok: true; text: string; note?: string; operations: Operation[]; previousVersions: Operation[][] };

export async function readJob(job: ReadJob, resolveFile: (repoPath: string) => string | undefined): Promise<ReadResult> {
  const decoded = decodeMigration(toBuffer(job.bytes));
  if (!decoded.ok) return { ok: false, problem: decoded.problem };
  const operations = await readOperations(job, decoded.text, resolveFile);
  const previousVersions: Operation[][] = [];
  for (const old of job.previous) {
    const oldDecoded = old ? decodeMigration(toBuffer(old)) : undefined;
    // an older version that cannot be read contributes nothing: everything counts as new (fail closed)
    if (oldDecoded?.ok) previousVersions.push(await readOperations({ path: job.previousPath, kind: job.kind, djangoModels: job.djangoModels }, oldDecoded.text, resolveFile));
  }
  return { ok: true, text: decoded.text, note: decoded.note, operations, previousVersions };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// imported once, on the first file (a dynamic import per file costs a module-loader round trip)
let readersModule: Promise<typeof import('../readers/index.js')> | undefined;

/** The reader for this file; an exception in a reader is that file's `unparseable` finding, never a crash. */
async function readOperations(
  file: { path: string; kind: MigrationKind; djangoModels?: ModelState },
  text: string,
  resolveFile: (repoPath: string) => string | undefined,
): Promise<Operation[]> {
  // same whitespace as trim(), without copying the text
  if (!/\S/.test(text)) return [];
  try {
    readersModule ??= import('../readers/index.js');
    const { readMigration } = await readersModule;
    return await readMigration({ path: file.path, text, format: file.kind.format, dialect: file.kind.dialect, resolveFile, djangoModels: file.djangoModels });
  } catch (error) {
    return [unparseable(file.path, file.kind.dialect, `the reader failed on this file: ${(error as Error)?.message ?? String(error)}`)];
  }
}

/** What cannot be read blocks: one `unparseable` operation at the top of the file. */
export function unparseable(file: string, dialect: Dialect, detail: string): Operation {
  return { kind: 'unparseable', file, line: 1, column: 1, direction: 'up', flags: {}, statement: '', statementLine: 1, detail, dialect };
}
