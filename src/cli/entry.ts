// `guard -- <command>` without options wraps every command a person or script runs: it skips commander
// and the command table, startup time is what they wait for. Everything else goes through main.
// (`hook <name>`, run by git on every commit, does not come here: bin/ starts it from dist/hook.cjs.)
import { exitCodeWithOutput, watchStdout } from './closed-output.js';

watchStdout();
const [first, second] = process.argv.slice(2);
const running =
  first === 'guard' && second === '--' && process.argv.length > 4
    ? import('./guard-fast.js').then(({ guardFast }) => guardFast(process.argv.slice(4)))
    : import('./main.js').then(({ main }) => main(process.argv));
running.then((code) => {
  process.exitCode = exitCodeWithOutput(code);
});
