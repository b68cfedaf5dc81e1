import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags a run sets (the parser's WASM tier, `check`'s heap and compiler settings), and V8's own values to put
 * back. V8 keys its code cache on the flags and refuses a cache written under others, so the cached start puts
 * them back at exit before it writes one (src/cli/cached-start.ts; it still compares V8's cache tag: a value
 * missed here means no cache, never a bad one).
 */
const ownValues = new Set<string>();

/** Set `flag`; `own` are the flags that restore what it changed (several when V8 implies others from it). */
export function setV8Flag(flag: string, own: readonly string[]): void {
  for (const value of own) ownValues.add(value);
  setFlagsFromString(flag);
}

/** Every flag set through setV8Flag, back to V8's own value. */
export function restoreV8Flags(): void {
  for (const value of ownValues) setFlagsFromString(value);
  ownValues.clear();
}
