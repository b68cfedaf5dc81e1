import { palette, useColor } from '../../util/palette.js';

/**
 * `dbsafe-hooks doctor`: one line per check, a fix under each problem or warning.
 * Exit 1 when a problem was found (a hook would not run or not work), 0 with warnings only.
 */
export async function run(options: { config?: string }): Promise<number> {
  const { doctor } = await import('../../install/doctor.js');
  const checks = await doctor(process.cwd(), options.config);
  const { agentChecks, agentLocation } = await import('../../install/agent.js');
  const location = await agentLocation(process.cwd());
  if (location) checks.push(...agentChecks(location));
  const c = palette(useColor(process.stdout));
  for (const check of checks) {
    const mark = check.level === 'ok' ? c.green('ok     ') : check.level === 'warning' ? c.yellow('warning') : c.red('problem');
    process.stdout.write(`${mark}  ${check.message}\n`);
    if (check.fix && check.level !== 'ok') process.stdout.write(`         fix: ${check.fix}\n`);
  }
  const problems = checks.filter((check) => check.level === 'problem').length;
  const warnings = checks.filter((check) => check.level === 'warning').length;
  process.stdout.write(`${problems} problem(s), ${warnings} warning(s)\n`);
  return problems ? 1 : 0;
}
