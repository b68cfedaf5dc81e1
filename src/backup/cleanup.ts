import { liveChildren } from './runner.js';

/**
 * Ctrl-C and SIGTERM during backup or verify: kill our children, run the registered cleanups
 * (drop the scratch database, remove the unfinished backup directory, release locks), then exit
 * 2 (the command could not do its job). Without this a verify interrupted mid-restore would leave
 * `dbsafe_verify_*` behind. From the moment a signal arrives `interrupted()` is true: the main flow
 * keeps running while the cleanups do (a killed restore looks like a failed one), so whatever would
 * record a verdict must ask first (the log refuses to append, see log.ts).
 */

type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();
let installed = false;
let exiting = false;

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  if (exiting) return;
  exiting = true;
  process.stderr.write(`\ndbsafe-hooks: ${signal} received, cleaning up…\n`);
  for (const child of liveChildren) {
    try {
      child.kill('SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const all = [...cleanups].reverse();
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 30_000).unref());
  await Promise.race([
    (async () => {
      for (const cleanup of all) {
        try {
          await cleanup();
        } catch (error) {
          process.stderr.write(`dbsafe-hooks: cleanup failed: ${(error as Error).message}\n`);
        }
      }
    })(),
    timeout,
  ]);
  process.exit(2);
}

/** True once SIGINT / SIGTERM / SIGHUP was received: nothing the run still concludes is a verdict. */
export function interrupted(): boolean {
  return exiting;
}

/**
 * Register a cleanup to run if the process is interrupted; returns the function that unregisters it.
 * Throws once a signal was received: the main flow keeps running while the cleanups do, and must not
 * create anything (a side database, a temp file) that no cleanup would remove. Register before creating.
 */
export function onInterrupt(cleanup: Cleanup): () => void {
  if (exiting) throw new Error('interrupted');
  if (!installed) {
    installed = true;
    process.on('SIGINT', (s) => void onSignal(s));
    process.on('SIGTERM', (s) => void onSignal(s));
    process.on('SIGHUP', (s) => void onSignal(s));
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
