import { setFlagsFromString } from 'node:v8';
import { DbsafeError } from '../errors.js';

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
    if (error instanceof DbsafeError) {
      process.stderr.write(`dbsafe-hooks: ${error.message}\n`);
      if (error.hint) process.stderr.write(`  ${error.hint}\n`);
      if (process.env.DBSAFE_DEBUG) process.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`dbsafe-hooks: internal error: ${message}\n`);
    process.stderr.write(
      process.env.DBSAFE_DEBUG && error instanceof Error ? `${error.stack}\n` : '  Run again with DBSAFE_DEBUG=1 for details, and please report it.\n',
    );
    return 2;
  }
}
