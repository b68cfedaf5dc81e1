// `hook <name>` (what the installed git hooks call on every commit) skips commander and the
// command table: startup time is what a developer waits for. Everything else goes through main.
const [first, second] = process.argv.slice(2);
// `guard -- <command>` without options wraps every command a person or script runs: same reason.
const running =
  first === 'hook' && second !== undefined && !second.startsWith('-')
    ? import('./hook/hook-main.js').then(({ hookMain }) => hookMain(process.argv.slice(3)))
    : first === 'guard' && second === '--' && process.argv.length > 4
      ? import('./guard-fast.js').then(({ guardFast }) => guardFast(process.argv.slice(4)))
      : import('./main.js').then(({ main }) => main(process.argv));
running.then((code) => {
  process.exitCode = code;
});
