#!/usr/bin/env node
// CommonJS (bin/package.json): `hook <name>`, which git runs on every commit, starts without the ESM
// loader, from one cached bundle (src/cli/hook/hook-start.ts); every other command is the ESM CLI.
const [first, second] = process.argv.slice(2);
if (first === 'hook' && second !== undefined && !second.startsWith('-')) {
  require('../dist/hook-start.cjs')
    .startHook(process.argv.slice(3))
    .then((code) => {
      process.exitCode = code;
    });
} else {
  import('../dist/cli.js');
}
