import { reportError } from './report-error.js';

/** `guard -- <command…>` without commander (cli/cli-main.ts): the guard's own errors reported as every command's. */
export async function guardFast(command: string[]): Promise<number> {
  try {
    const { run } = await import('./commands/guard.js');
    return await run(command, {});
  } catch (error) {
    return reportError(error);
  }
}
