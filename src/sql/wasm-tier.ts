/**
 * Which V8 tier compiles the PostgreSQL parser's WASM. A hook parses a few small files: the baseline
 * compiler (Liftoff) alone is fast enough, and skipping the optimising tier-up halves the parser's
 * startup CPU (measured: bench/hooks-bench.mjs). A long `check --all` keeps the default tiers.
 * The flag is set only when the parser is really loaded: most hook runs never need it.
 */
let baselineOnly = false;

/** Called by the hooks before any SQL is read. */
export function preferBaselineWasmCompiler(): void {
  baselineOnly = true;
}

/** Called right before the WASM module is compiled. */
export async function applyWasmTier(): Promise<void> {
  if (baselineOnly) (await import('node:v8')).setFlagsFromString('--liftoff-only');
}
