// The ESM CLI (dist/cli.js). bin/ starts the same CLI from its CommonJS bundle and V8's code cache
// (cli-main.ts, cached-start.ts); this entry runs it without them.
import { cliMain } from './cli-main.js';

cliMain(process.argv).then((code) => {
  process.exitCode = code;
});
