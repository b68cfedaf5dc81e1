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

export async function applyWasmTier(): Promise<void> {
  if (!baselineOnly || applied) return;
  applied = true;
  (await import('node:v8')).setFlagsFromString('--liftoff-only');
}

/**
 * The flags that give V8 its own WASM tiers back ([] when this process never changed them): set at exit,
 * before a code cache is written, since V8 keys the cache on its flags (src/cli/cached-start.ts).
 * `--liftoff-only` also turned off the tier-up flags it implies.
 */
export function wasmTierRestoreFlags(): string[] {
  return applied ? ['--no-liftoff-only', '--wasm-tier-up', '--wasm-dynamic-tiering'] : [];
}
