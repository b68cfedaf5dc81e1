import { reportError } from '../report-error.js';
import { takeShimHandover } from '../../git/shim-handover.js';
import { preferBaselineWasmCompiler } from '../../sql/wasm-tier.js';

// for the cached start (../cached-start.ts), which runs this module as dist/hook.cjs
export { restoreV8Flags } from '../../util/v8-flags.js';

/**
 * `dbsafe-hooks hook <name> [args…]` without commander (bin/ starts it through cached-start.ts). Exit codes and error
 * output are the same as cli/main.ts: typed errors → their code and hint, anything else → 2.
 */
export async function hookMain(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  takeShimHandover(process.env);
  // a commit checks a few small files; pre-push may re-check hundreds of commits with the default tiers
  if (name === 'pre-commit' || name === 'pre-merge-commit') preferBaselineWasmCompiler();
  try {
    const { run } = await import('../commands/hook.js');
    return await run(name!, args, {});
  } catch (error) {
    return reportError(error);
  }
}
