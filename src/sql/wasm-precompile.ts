import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * libpg-query's emscripten glue reads its .wasm file and compiles it only once `require` has compiled the
 * glue itself (~7-10 ms). Started first, the compile (V8 does it off this thread) overlaps that require;
 * the glue's own `WebAssembly.instantiate(bytes, imports)` is then given the module already compiled.
 * Anything unexpected (the file moved, another call) falls back to the glue's own path: only time is at stake.
 */
export async function withPrecompiledWasm<T>(packageFile: string, load: () => Promise<T>): Promise<T> {
  let compiled: Promise<WebAssembly.Module> | undefined;
  let size = -1;
  try {
    const bytes = readFileSync(createRequire(import.meta.url).resolve(packageFile));
    size = bytes.byteLength;
    compiled = WebAssembly.compile(bytes);
    compiled.catch(() => undefined);
  } catch {
    return load();
  }
  const instantiate = WebAssembly.instantiate;
  const restore = () => {
    if (WebAssembly.instantiate !== instantiate) WebAssembly.instantiate = instantiate;
  };
  // the one call made with the same bytes gets the compiled module (and the shape the glue expects back)
  WebAssembly.instantiate = ((source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) => {
    restore();
    if (source instanceof WebAssembly.Module || source.byteLength !== size) return instantiate(source, imports);
    return compiled!.then(
      async (module) => ({ module, instance: await instantiate(module, imports) }),
      () => instantiate(source, imports),
    );
  }) as typeof WebAssembly.instantiate;
  try {
    return await load();
  } finally {
    restore();
  }
}
