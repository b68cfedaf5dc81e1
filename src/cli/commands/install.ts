import { DbsafeError } from '../../errors.js';

/**
 * `dbsafe-hooks install`: never fails an `npm install`. Outside a repository, in CI or with DBSAFE=0
 * it says why and exits 0. Run from an npm lifecycle script (`prepare`, `postinstall`), any failure
 * is reported and still exits 0; run by hand, a failure exits 2 like every other command.
 */
/** npm scripts that run during `npm install` / `npm ci` (`npx` sets npm_lifecycle_event=npx: a manual run). */
const INSTALL_LIFECYCLE = new Set(['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare']);

export async function run(options: { force?: boolean; config?: string; agent?: string[] }): Promise<number> {
  if (options.agent?.length) {
    // a person's explicit choice, never run from npm install: errors are errors
    const { installAgents } = await import('../../install/agent.js');
    const { lines } = await installAgents(process.cwd(), options.agent.flatMap((name) => name.split(',')).filter(Boolean));
    for (const line of lines) process.stdout.write(`${line}\n`);
    return 0;
  }
  const { install } = await import('../../install/install.js');
  try {
    const report = await install({ cwd: process.cwd(), force: options.force, configPath: options.config });
    for (const line of report.lines) process.stdout.write(`${line}\n`);
    for (const warning of report.warnings) process.stderr.write(`dbsafe-hooks: warning: ${warning}\n`);
    return 0;
  } catch (error) {
    if (!INSTALL_LIFECYCLE.has(process.env.npm_lifecycle_event ?? '')) throw error;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`dbsafe-hooks: hooks not installed: ${message}\n`);
    if (error instanceof DbsafeError && error.hint) process.stderr.write(`  ${error.hint}\n`);
    process.stderr.write('  (exit 0 so that npm install goes on; run `npx dbsafe-hooks install` after fixing it)\n');
    return 0;
  }
}
