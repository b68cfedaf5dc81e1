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

/** Whether this process changed a V8 flag (the hooks' code cache is keyed on them: src/cli/hook/hook-start.ts). */
export function changedV8Flags(): boolean {
  return applied;
}
