#!/usr/bin/env node
// CommonJS (bin/package.json): `hook <name>`, which git runs on every commit, and every command (`check` over
// thousands of files in CI, `agent-hook` before each command a coding agent runs…) start without the ESM loader,
// each from one cached bundle (src/cli/cached-start.ts).
const [first, second] = process.argv.slice(2);
const hook = first === 'hook' && second !== undefined && !second.startsWith('-');
const cannotStart = (error) => {
  // a broken install (dist/ missing or damaged): blocked, said in words, never a stack trace
  const what = hook ? 'hook' : first && /^[a-z][a-z-]*$/.test(first) ? `${first} command` : 'command line';
  process.stderr.write(`dbsafe-hooks: the ${what} cannot start: ${error && error.message ? error.message : error}\n`);
  process.stderr.write('  Fix: reinstall dbsafe-hooks (npm install), then run `npx dbsafe-hooks doctor`.\n');
  process.exitCode = 2;
};
try {
  const start = require('../dist/cached-start.cjs');
  (hook ? start.startHook(process.argv.slice(3)) : start.startCli(process.argv)).then((code) => {
    process.exitCode = code;
  }, cannotStart);
} catch (error) {
  cannotStart(error);
}
