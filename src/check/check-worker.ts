/**
 * A worker thread of src/check/parallel-read.ts (dist/check-worker.cjs, started from V8's code cache by
 * cli/check-worker-start.ts): reads migrations with the same pure pipeline as the sequential path, one at
 * a time in the order they arrive, and posts one result per file (with the caller's index), so that a
 * crash is pinned on the file being read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MigrationKind } from './migration-set.js';
import { readJob, type ReadJob } from './read-job.js';
import { makeResolver, type ReferenceSource } from './referenced-files.js';

const port = parentPort!;
const context = workerData as { root: string; references: ReferenceSource; warmUp?: MigrationKind[] };
const resolveFile = makeResolver(context.root, context.references);

let noMoreFiles!: () => void;
/**
 * Settles when the caller has no more files for this worker (a `null` message) and every read is done:
 * cli/cached-start.ts writes the code cache then, and the worker ends.
 */
export const finished = new Promise<void>((resolve) => (noMoreFiles = resolve));
void finished.then(() => setImmediate(() => port.close()));

// messages may arrive while a read awaits: reads stay one at a time, in order
let reading: Promise<void> = Promise.resolve();
port.on('message', (jobs: { index: number; job: ReadJob }[] | null) => {
  reading = reading.then(async () => {
    if (jobs === null) return noMoreFiles();
    for (const { index, job } of jobs) port.postMessage({ index, result: await readJob(job, resolveFile) });
  });
});
// load the readers and the parser (WASM) for the kinds of files to come while the caller is still
// reading blobs: one tiny statement per kind, its result thrown away (readers are pure)
async function warmUp(): Promise<void> {
  for (const kind of context.warmUp ?? []) {
    const bytes = new TextEncoder().encode('CREATE TABLE warm_up (id int);\n');
    await readJob({ path: 'warm-up.sql', kind, bytes, previous: [], previousPath: 'warm-up.sql' }, () => undefined).catch(() => undefined);
  }
}
void warmUp().finally(() => port.postMessage({ ready: true }));
