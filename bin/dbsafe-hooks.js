#!/usr/bin/env node
// CommonJS (bin/package.json): `hook <name>`, which git runs on every commit, and `check`, which CI runs over
// thousands of files, start without the ESM loader, each from one cached bundle (src/cli/cached-start.ts);
// every other command is the ESM CLI.
const [first, second] = process.argv.slice(2);
const cached = first === 'check' || (first === 'hook' && second !== undefined && !second.startsWith('-'));
if (cached) {
  const cannotStart = (error) => {
    // a broken install (dist/ missing or damaged): blocked, said in words, never a stack trace
    process.stderr.write(`dbsafe-hooks: the ${first === 'check' ? 'check command' : 'hook'} cannot start: ${error && error.message ? error.message : error}\n`);
    process.stderr.write('  Fix: reinstall dbsafe-hooks (npm install), then run `npx dbsafe-hooks doctor`.\n');
    process.exitCode = 2;
  };
  try {
    const start = require('../dist/cached-start.cjs');
    (first === 'check' ? start.startCheck(process.argv) : start.startHook(process.argv.slice(3))).then((code) => {
      process.exitCode = code;
    }, cannotStart);
  } catch (error) {
    cannotStart(error);
  }
} else {
  import('../dist/cli.js');
}
