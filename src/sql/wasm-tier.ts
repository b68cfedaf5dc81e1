import { setV8Flag } from '../util/v8-flags.js';

/**
 * Which V8 tier compiles the PostgreSQL parser's WASM. A hook parses a few small files: the baseline
 * compiler (Liftoff) alone is fast enough, and skipping the optimising tier-up halves the parser's
 * startup CPU (measured: bench/hooks-bench.mjs). `check` uses it too (bench/corpus-bench.mjs: less CPU
 * on thousands of real files, the same on a 10 MB file); pre-push re-checking many commits keeps the default tiers.
 * The flag is set only when the parser is really loaded: most hook runs never need it.
 */
let baselineOnly = false;

/** Called by the hooks before any SQL is read. */
export function preferBaselineWasmCompiler(): void {
  baselineOnly = true;
}

/** Called right before the WASM module is compiled. */
let applied = false;

export function applyWasmTier(): void {
  if (!baselineOnly || applied) return;
  applied = true;
  // V8 turns its tier-up flags off with it: all three come back at exit (util/v8-flags.ts)
  setV8Flag('--liftoff-only', ['--no-liftoff-only', '--wasm-tier-up', '--wasm-dynamic-tiering']);
}
