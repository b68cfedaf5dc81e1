/** The file a worker thread of `check` runs (src/check/parallel-read.ts): its code comes from V8's code cache. */
import { startCheckWorker } from './cached-start.js';

startCheckWorker();
