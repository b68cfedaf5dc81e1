/**
 * How the git hooks and every command start (dist/cached-start.cjs, called by bin/). Their code is one minified
 * CommonJS file each (dist/hook.cjs from hook/hook-main.ts, dist/cli.cjs from cli-main.ts) run from V8's
 * code cache: no ESM loader, no per-module resolution, and the functions a run compiled last time are not
 * compiled again. Measured: a commit with one small migration 229 → 176 ms for the hook process, where
 * `node -e 0` takes 100 ms; `check` of one file 0.37 → 0.29-0.33 s; an agent's hook call 98 → 86 ms (bench/RESULTS.md,
 * "Hooks", "`check` from V8's code cache" and "Every command from the code cache").
 *
 * The cache is speed only, never trusted for meaning:
 * - it lives in the user's cache directory (src/util/user-cache-dir.ts: 0700 and the user's, or not used);
 * - its name holds the hook or command, the V8 version and the bundle's build (id, size, time): V8 itself
 *   checks only the source's length and its flags, so a cache is never offered to other code;
 * - it is written once (no cache yet, or V8 rejected it), through a temporary file renamed into place, and
 *   only when V8's flags are back to those of the start (V8 refuses a cache written under other flags, and
 *   the parser's tier and `check`'s heap settings change some while running);
 * - any failure to read or write it just runs without it. DBSAFE_CODE_CACHE=0 turns it off.
 * It imports nothing of the project but that directory's helper: this file must stay small, and it loads the bundle.
 */
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { cachedDataVersionTag } from 'node:v8';
import vm from 'node:vm';
import { userCacheDir } from '../util/user-cache-dir.js';

interface CachedBundle {
  /** Every V8 flag the run changed, back to V8's own value (src/util/v8-flags.ts). */
  restoreV8Flags(): void;
}

interface HookBundle extends CachedBundle {
  hookMain(argv: string[]): Promise<number>;
}

interface CliBundle extends CachedBundle {
  cliMain(argv: string[]): Promise<number>;
}

interface CheckWorkerBundle {
  /** Settles when the worker has read its last file: the cache is written then. */
  finished: Promise<void>;
}

/**
 * The runs worth a cache: what git runs on every commit and push, `check` and its worker threads, what coding
 * agents and wrapped commands run before each command, and the commands run often or in a hurry. Each has its
 * own (what a run compiles differs); a typo of a command name gets none.
 */
export const CACHED_RUNS = [
  'pre-commit', 'pre-merge-commit', 'pre-push', 'check', 'check-worker', 'agent-hook', 'guard', 'gate', 'backup', 'verify',
  'restore', 'rollback', 'migrate', 'migrations', 'safe-migrate', 'dry-run', 'status', 'log', 'doctor',
];

/** `hook <name> [args…]`: argv starts at the hook's name. */
export function startHook(argv: string[]): Promise<number> {
  return loadBundle<HookBundle>('hook.cjs', argv[0] ?? '', saveAtExit).hookMain(argv);
}

/** Any command: the whole process.argv, as commander reads it; the command's name names its cache. */
export function startCli(argv: string[]): Promise<number> {
  return loadBundle<CliBundle>('cli.cjs', argv[2] ?? '', saveAtExit).cliMain(argv);
}

/**
 * A worker thread of `check` (dist/check-worker-start.cjs, src/check/parallel-read.ts): its code from the
 * cache too, since a worker compiles everything again. The cache is written when the worker has read its
 * last file (a worker that is terminated runs no exit handler); V8's flags are the calling thread's to restore.
 */
export function startCheckWorker(): void {
  loadBundle<CheckWorkerBundle>('check-worker.cjs', 'check-worker', (bundle, save) => void bundle.finished.then(save));
}

/** The hooks and the commands: the cache is written at exit, once the run has put V8's flags back. */
function saveAtExit(bundle: CachedBundle, save: () => void): void {
  process.once('exit', () => {
    bundle.restoreV8Flags();
    save();
  });
}

function loadBundle<T>(name: string, run: string, whenToSave: (bundle: T, save: () => void) => void): T {
  const tag = cachedDataVersionTag();
  const bundle = path.join(__dirname, name);
  const source = readFileSync(bundle, 'utf8');
  const cacheFile = codeCacheFile(run, bundle, source);
  const cached = cacheFile ? readIfPresent(cacheFile) : undefined;
  // the bundle has no import(): the build turns them into require() (tsup.config.ts)
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData: cached });
  const module = { exports: {} as T };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, __dirname);
  if (cacheFile && (!cached || script.cachedDataRejected)) {
    // late: the cache then holds every function the run compiled by then, not only the top level
    whenToSave(module.exports, () => {
      if (cachedDataVersionTag() === tag) saveCodeCache(cacheFile, () => script.createCachedData());
    });
  }
  return module.exports;
}

/** Where this run's code cache is, or undefined when there is no safe place for it. */
function codeCacheFile(run: string, bundle: string, source: string): string | undefined {
  if (process.env.DBSAFE_CODE_CACHE === '0' || !CACHED_RUNS.includes(run)) return undefined;
  const dir = userCacheDir();
  if (!dir) return undefined;
  // which build: the id tsup writes on the bundle's first line (a new one per build), its size and its
  // time (a rebuild in watch mode keeps the id); hashing the bundle's bytes would cost more than the cache saves
  const build = /^\/\* dbsafe-hooks build ([0-9a-f]+) \*\//.exec(source)?.[1];
  if (!build) return undefined;
  const stat = statSync(bundle);
  return path.join(dir, `${run}-v8-${process.versions.v8}-${build}.${stat.size}.${Math.trunc(stat.mtimeMs)}.cache`);
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Write the cache through a temporary file renamed into place, and drop the one of the build before. */
function saveCodeCache(file: string, data: () => Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data(), { mode: 0o600 });
    renameSync(tmp, file);
    // the same run and V8 with another bundle: an older build (other V8 versions stay, for nvm users)
    const prefix = path.basename(file).slice(0, path.basename(file).lastIndexOf('-') + 1);
    for (const other of readdirSync(path.dirname(file))) {
      if (other !== path.basename(file) && other.startsWith(prefix) && other.endsWith('.cache')) rmSync(path.join(path.dirname(file), other), { force: true });
    }
  } catch {
    rmSync(tmp, { force: true });
  }
}
