import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { MigrationKind } from './migration-set.js';
import { readJob, unparseable, type ReadJob, type ReadResult } from './read-job.js';
import { makeResolver, type ReferenceSource } from './referenced-files.js';

/**
 * Read many migrations on every core: `check --all` (or a CI range) over thousands of files is
 * bound by the SQL parser. Workers run exactly the pipeline of the sequential path (read-job.ts)
 * and send back operations; the policy, ordering and reporting stay in the calling thread, so the
 * output is the same byte for byte. Below the thresholds the workers' start (~60 ms each, the
 * parser's WASM) costs more than it saves. DBSAFE_WORKERS=0 forces the sequential path
 * (DBSAFE_WORKERS=<n> sets the number of workers).
 */
const MIN_FILES = 64;
const MIN_BYTES = 8 * 1024 * 1024;
/** How long a worker may take to end once told there is no more (writing its code cache). */
const FINISH_MS = 2000;
/** Files per message: few enough to balance the load, enough to keep messages cheap. */
const BATCH_FILES = 16;

export interface ReadContext {
  root: string;
  references: ReferenceSource;
  /** Kinds of the files to come: workers load their reader (and parser) while they wait. */
  warmUp?: MigrationKind[];
}

export interface Reader {
  /** Every job's result, in input order. Never rejects for what is inside a file. */
  readAll(jobs: ReadJob[]): Promise<ReadResult[]>;
}

/** How many workers for this many files (0: read in this thread). */
export function workerCount(files: number, bytes: number): number {
  const forced = process.env.DBSAFE_WORKERS;
  if (forced !== undefined && forced !== '') {
    const n = Number(forced);
    return Number.isInteger(n) && n > 0 ? Math.min(n, 16) : 0;
  }
  // both: on the real corpus (2,149 files / 1.2 MB and 5,963 files / 4 MB) two workers cost more CPU
  // AND more wall than one thread on a quiet 2-core machine (each warms up its own readers and WASM;
  // bench/RESULTS.md); they paid on 11 MB of generated SQL (the section on worker threads there)
  if (files < MIN_FILES || bytes < MIN_BYTES) return 0;
  return Math.min(os.availableParallelism(), 4);
}

/**
 * A reader; with workers > 0 they start now (the caller starts them as soon as it knows how many
 * files there are, so that their start overlaps with reading the blobs). Without the worker script
 * (run from source) or when no worker starts, files are read in this thread.
 */
export function openReader(context: ReadContext, workers: number): Reader {
  const script = workers > 0 ? workerScript() : undefined;
  const pool = script ? startPool(script, context, workers) : undefined;
  // one per reader: each check reads referenced files from its own tree (pre-push checks commit after commit)
  let resolve: ((repoPath: string) => string | undefined) | undefined;
  const resolver = () => (resolve ??= makeResolver(context.root, context.references));
  return {
    async readAll(jobs) {
      const results = new Array<ReadResult>(jobs.length);
      if (pool) await pool.run(jobs, results);
      return readSequentially(jobs, resolver, results);
    },
  };
}

/** Reads the jobs that have no result yet (all of them, or what the workers left). */
async function readSequentially(jobs: ReadJob[], resolver: () => (repoPath: string) => string | undefined, results: ReadResult[]): Promise<ReadResult[]> {
  for (let i = 0; i < jobs.length; i++) {
    if (results[i] !== undefined) continue;
    results[i] = await readJob(jobs[i], resolver());
  }
  return results;
}

/** The worker's start next to this module in dist/ (tsup entry `check-worker-start`); absent when run from source. */
function workerScript(): string | undefined {
  try {
    const file = fileURLToPath(new URL('./check-worker-start.cjs', import.meta.url));
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Jobs are handed out in batches as workers ask for more. A worker that cannot start just takes no
 * share (when none starts, `run` resolves and the calling thread reads everything). A worker that
 * dies mid-batch: the file it was on becomes `unparseable` (fail closed, like a reader exception in
 * the sequential path) and the rest of its batch goes back to the queue.
 */
function startPool(script: string, context: ReadContext, count: number) {
  // loaded lazily by the caller's module graph anyway; require-free ESM import of a builtin is instant
  const workersModule = import('node:worker_threads');
  let jobs: ReadJob[] | undefined;
  let results: ReadResult[] = [];
  const queue: number[][] = [];
  const idle: (() => void)[] = [];
  let live = 0;
  let done: (() => void) | undefined;
  const settle = () => {
    if (jobs && done && live === 0) done();
    else if (jobs && done && queue.length === 0 && idle.length === live) done();
  };

  const spawn = (WorkerClass: typeof Worker) => {
    let worker: Worker;
    try {
      worker = new WorkerClass(script, { workerData: context });
    } catch {
      return;
    }
    // not keeping the process alive while no read is under way (run() holds it while reading)
    worker.unref();
    workers.push(worker);
    live++;
    let batch: number[] = [];
    let finished = 0;
    const next = () => {
      const indexes = queue.shift();
      if (!indexes) {
        batch = [];
        idle.push(next);
        return settle();
      }
      batch = indexes;
      finished = 0;
      // a Buffer may be a view of a large pool: a compact copy keeps the message small
      worker.postMessage(indexes.map((i) => ({ index: i, job: compactJob(jobs![i]) })));
    };
    worker.on('message', (message: { ready: true } | { index: number; result: ReadResult }) => {
      if ('ready' in message) {
        return jobs ? next() : void idle.push(next);
      }
      results[message.index] = message.result;
      if (++finished === batch.length) next();
    });
    let gone = false;
    const exit = (reason: string) => {
      if (gone) return;
      gone = true;
      live--;
      const mine = idle.indexOf(next);
      if (mine !== -1) idle.splice(mine, 1);
      if (batch.length > finished) {
        // fail closed on the file it was reading; the rest of its batch goes to another worker
        const crashed = batch[finished];
        const job = jobs![crashed];
        results[crashed] = { ok: true, text: '', operations: [unparseable(job.path, job.kind.dialect, `the reader crashed on this file (${reason})`)], previousVersions: [] };
        const rest = batch.slice(finished + 1);
        batch = [];
        if (rest.length) {
          queue.unshift(rest);
          idle.shift()?.();
        }
      }
      settle();
    };
    worker.on('error', (error) => exit(`worker error: ${error?.message ?? String(error)}`));
    worker.on('exit', (code) => exit(`worker exited with code ${code}`));
  };
  const workers: Worker[] = [];
  const spawned = workersModule.then(
    ({ Worker: WorkerClass }) => {
      for (let i = 0; i < count; i++) spawn(WorkerClass);
    },
    () => undefined,
  );

  return {
    /** Fills `results` with what the workers read; what is left undefined is read by the caller. */
    async run(all: ReadJob[], into: ReadResult[]): Promise<void> {
      await spawned;
      for (const worker of workers) worker.ref();
      jobs = all;
      results = into;
      for (let i = 0; i < all.length; i += BATCH_FILES) queue.push(Array.from({ length: Math.min(BATCH_FILES, all.length - i) }, (_, k) => i + k));
      await new Promise<void>((resolve) => {
        done = resolve;
        for (const wake of idle.splice(0)) wake();
        settle();
      });
      await Promise.all(workers.map(letFinish));
    },
  };
}

/**
 * No more files: the worker writes its code cache when it has none yet (cli/cached-start.ts: a worker that
 * is terminated runs no exit handler) and ends. One that does not end soon is terminated.
 */
async function letFinish(worker: Worker): Promise<void> {
  if (worker.threadId === -1) return; // already ended
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage(null);
  const timer = setTimeout(() => void worker.terminate(), FINISH_MS);
  await ended;
  clearTimeout(timer);
}

/** A job as posted to a worker. */
function compactJob(job: ReadJob): ReadJob {
  return { ...job, bytes: compact(job.bytes), previous: job.previous.map((b) => b && compact(b)) };
}

function compact(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
