/**
 * Worker thread entry (dist/check-worker.js) for src/check/parallel-read.ts: reads batches of
 * migrations with the same pure pipeline as the sequential path and posts one result per file,
 * so that a crash is pinned on the file being read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MigrationKind } from './migration-set.js';
import { readJob, type ReadJob } from './read-job.js';
import { makeResolver, type ReferenceSource } from './referenced-files.js';

const port = parentPort!;
const context = workerData as { root: string; references: ReferenceSource; warmUp?: MigrationKind[] };
const resolveFile = makeResolver(context.root, context.references);

port.on('message', async (jobs: ReadJob[]) => {
  for (let index = 0; index < jobs.length; index++) {
    port.postMessage({ index, result: await readJob(jobs[index], resolveFile) });
  }
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
