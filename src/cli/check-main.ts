import { exitCodeWithOutput, watchStdout } from './closed-output.js';
import { main } from './main.js';

// for the cached start (cached-start.ts), which runs this module as dist/check.cjs
export { restoreV8Flags } from '../util/v8-flags.js';

/**
 * `dbsafe-hooks check …` (bin/ starts it through cached-start.ts): the CLI of main.ts, from one CommonJS bundle
 * that V8 restores from its code cache. `check` is what CI and `--all` run over thousands of files, and the
 * ESM loader compiles ~40 modules on every start (bench/RESULTS.md: 0.37 → 0.29-0.33 s for one file).
 */
export async function checkMain(argv: string[]): Promise<number> {
  watchStdout('report');
  return exitCodeWithOutput(await main(argv));
}
