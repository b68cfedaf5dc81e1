import { exitCodeWithOutput, watchStdout } from './closed-output.js';

// for the cached start (cached-start.ts), which runs this module as dist/cli.cjs
export { restoreV8Flags } from '../util/v8-flags.js';

/**
 * The CLI, every command but the git hooks (`hook <name>` has its own bundle). bin/ runs it from one CommonJS
 * bundle, dist/cli.cjs, that V8 restores from its code cache (cached-start.ts): no ESM loader, no per-module
 * resolution, the functions a command compiled last time not compiled again (bench/RESULTS.md: `check` of one
 * file 0.37 → 0.29-0.33 s; an agent's hook call, `verify`, `backup` 11-36 ms less).
 *
 * `guard -- <command>` without options wraps every command a person or script runs: it skips commander and
 * the command table, startup time is what they wait for. Both paths are loaded only when taken.
 */
export async function cliMain(argv: string[]): Promise<number> {
  const [first, second] = argv.slice(2);
  // `check`'s report writer stops at the first failed write
  watchStdout(first === 'check' ? 'report' : 'output');
  const code =
    first === 'guard' && second === '--' && argv.length > 4
      ? await import('./guard-fast.js').then(({ guardFast }) => guardFast(argv.slice(4)))
      : await import('./main.js').then(({ main }) => main(argv));
  return exitCodeWithOutput(code);
}
