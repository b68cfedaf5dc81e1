import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Source maps only for coverage runs (scripts/run-tests.mjs maps the spawned CLI's coverage back to src/).
const coverage = process.env.DBSAFE_COVERAGE === '1' || (process.env.DBSAFE_COVERAGE !== '0' && process.env.CI === 'true');

// The library (dist/index.js, its types) as ESM with code splitting: parsers and database drivers are
// dynamic imports, loaded only when a call needs them. Dependencies stay external (libpg-query finds its
// .wasm next to its own module). The CLI is the CommonJS bundles below.
// What decides a validated config's shape (fields, defaults, rule ids): the hook's config cache is keyed on
// it, so a build that changes the schema never reads a config validated by another (src/config/cached.ts).
const schemaHash = createHash('sha256');
for (const dir of ['src/config', 'src/model']) {
  for (const name of readdirSync(dir).sort()) schemaHash.update(name).update(readFileSync(`${dir}/${name}`));
}

const define = { __DBSAFE_SCHEMA_HASH__: JSON.stringify(schemaHash.digest('hex').slice(0, 16)) };

export default defineConfig([
  {
    define,
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: true,
    sourcemap: coverage,
    clean: false, // parallel builds and test runs share dist/: never delete it under them
    dts: { entry: { index: 'src/index.ts' } },
    outDir: 'dist',
    // picomatch (pure CommonJS, on the hook path) bundled into our ESM chunk: skips Node's CJS loader
    // and 5 file reads at start (measured: import 10 ms → 4 ms; bench/hooks-bench.mjs)
    noExternal: ['picomatch'],
    // the per-chunk size list (~100 lines, printed again by every `npm install` + `npm test`) hides what
    // matters; errors still print, and scripts/write-schema.mjs prints one summary line
    silent: true,
  },
  // How bin/ starts the git hooks and every command (src/cli/cached-start.ts): each as ONE minified CommonJS
  // file, run from V8's code cache, and their small loader. CommonJS skips the ESM loader and its per-module
  // resolution; one file lets V8 cache the compiled code of the whole path (bench/RESULTS.md, "Hooks").
  {
    define,
    // check-worker(-start): the worker threads of src/check/parallel-read.ts (found next to the chunks)
    entry: {
      hook: 'src/cli/hook/hook-main.ts',
      cli: 'src/cli/cli-main.ts',
      'cached-start': 'src/cli/cached-start.ts',
      'check-worker': 'src/check/check-worker.ts',
      'check-worker-start': 'src/cli/check-worker-start.ts',
    },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    target: 'node20',
    platform: 'node',
    splitting: false,
    minify: process.env.DBSAFE_MINIFY !== '0', // DBSAFE_MINIFY=0: readable names in profiles
    shims: true, // import.meta.url (the worker's file, src/check/parallel-read.ts) from __filename
    // import() becomes require(): code V8 restores from its cache has no dynamic-import callback in Node 20
    // ("A dynamic import callback was not specified"), and every package the hooks load has a CommonJS build
    esbuildOptions(options) {
      options.supported = { ...options.supported, 'dynamic-import': false };
    },
    sourcemap: coverage,
    clean: false,
    outDir: 'dist',
    noExternal: ['picomatch'],
    // a new id per build: the code cache's name holds it (src/cli/cached-start.ts)
    banner: { js: `/* dbsafe-hooks build ${randomBytes(8).toString('hex')} */` },
    silent: true,
  },
]);
