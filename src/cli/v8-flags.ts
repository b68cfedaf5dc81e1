import { setFlagsFromString } from 'node:v8';
import { wasmTierRestoreFlags } from '../sql/wasm-tier.js';
import { restoreV8Defaults } from '../util/v8-tuning.js';

/**
 * Every V8 flag this process set, back to V8's own value: the bundles run from V8's code cache call it at
 * exit (src/cli/cached-start.ts), because V8 keys a cache on the flags and would refuse one written under
 * others. The caller still compares V8's cache tag before writing: a flag this misses means no cache, not a bad one.
 */
export function restoreV8Flags(): void {
  restoreV8Defaults();
  for (const flag of wasmTierRestoreFlags()) setFlagsFromString(flag);
}
