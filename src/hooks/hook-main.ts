import { setFlagsFromString } from 'node:v8';
import { reportError } from '../cli/report-error.js';

/**
 * `dbsafe-hooks hook <name> [args…]` without commander (see cli/entry.ts). Exit codes and error
 * output are the same as cli/main.ts: typed errors → their code and hint, anything else → 2.
 */
export async function hookMain(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  // A hook parses a few small files: the WASM SQL parser's baseline code (Liftoff) is fast enough,
  // and skipping the optimising tier-up halves its startup CPU (measured: bench/hooks-bench.mjs).
  setFlagsFromString('--liftoff-only');
  try {
    const { run } = await import('../cli/commands/hook.js');
    return await run(name!, args, {});
  } catch (error) {
    return reportError(error);
  }
}
