import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withPrecompiledWasm } from '../../src/sql/wasm-precompile.js';
import { tempDir } from '../helpers/repo.js';
import { rmSync } from 'node:fs';

/**
 * libpg-query's WASM is compiled while its glue loads (src/sql/wasm-precompile.ts): the glue's one
 * `WebAssembly.instantiate(bytes, imports)` gets the module compiled ahead; any other call, a missing
 * file or a failure leaves the glue on its own path, and WebAssembly.instantiate is always put back.
 */
const dir = tempDir('dbsafe-wasm-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// the smallest module (magic + version) and one with an exported function, as the glue would instantiate them
const EMPTY = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const ADD = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03,
  0x61, 0x64, 0x64, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
]);
const file = path.join(dir, 'add.wasm');
writeFileSync(file, ADD);

describe('the parser WASM compiled while its glue loads', () => {
  it('gives the glue its module compiled ahead, working, and puts WebAssembly.instantiate back', async () => {
    const original = WebAssembly.instantiate;
    const result = await withPrecompiledWasm(file, async () => {
      expect(WebAssembly.instantiate).not.toBe(original);
      return WebAssembly.instantiate(Uint8Array.from(ADD), {});
    });
    expect(WebAssembly.instantiate).toBe(original);
    expect(result.module).toBeInstanceOf(WebAssembly.Module);
    expect((result.instance.exports.add as (a: number, b: number) => number)(2, 3)).toBe(5);
  });

  it('passes another module through untouched, and a missing file changes nothing', async () => {
    const original = WebAssembly.instantiate;
    const other = await withPrecompiledWasm(file, () => WebAssembly.instantiate(EMPTY, {}));
    expect(other.instance.exports).toEqual({});
    expect(WebAssembly.instantiate).toBe(original);
    const missing = await withPrecompiledWasm(path.join(dir, 'missing.wasm'), async () => WebAssembly.instantiate === original);
    expect(missing).toBe(true);
  });

  it('puts WebAssembly.instantiate back when the load throws', async () => {
    const original = WebAssembly.instantiate;
    await expect(withPrecompiledWasm(file, async () => Promise.reject(new Error('glue failed')))).rejects.toThrow('glue failed');
    expect(WebAssembly.instantiate).toBe(original);
  });
});
