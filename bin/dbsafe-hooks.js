#!/usr/bin/env node
// CommonJS (bin/package.json): `hook <name>`, which git runs on every commit, starts without the ESM
// loader, from one cached bundle (src/cli/hook/hook-start.ts); every other command is the ESM CLI.
const [first, second] = process.argv.slice(2);
if (first === 'hook' && second !== undefined && !second.startsWith('-')) {
  const cannotStart = (error) => {
    // a broken install (dist/ missing or damaged): blocked, said in words, never a stack trace
    process.stderr.write(`dbsafe-hooks: the hook cannot start: ${error && error.message ? error.message : error}\n`);
    process.stderr.write('  Fix: reinstall dbsafe-hooks (npm install), then run `npx dbsafe-hooks doctor`.\n');
    process.exitCode = 2;
  };
  try {
    require('../dist/hook-start.cjs')
      .startHook(process.argv.slice(3))
      .then((code) => {
        process.exitCode = code;
      }, cannotStart);
  } catch (error) {
    cannotStart(error);
  }
} else {
  import('../dist/cli.js');
}
