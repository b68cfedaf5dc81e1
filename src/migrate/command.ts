import { spawn } from 'node:child_process';
import type { ScratchTarget } from '../backup/engines/types.js';
import { liveChildren } from '../backup/runner.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';

/**
 * Running the user's migration command (prisma migrate deploy, alembic upgrade head, a script…):
 * no shell, the program and its arguments as given after `--`. On a scratch copy the command
 * finds the copy through the instance's own environment variable, which is the only way to point
 * an arbitrary runner elsewhere: an instance whose URL is not read from the environment is refused.
 */

/** The variable an instance's URL is read from (`env:DATABASE_URL` → DATABASE_URL), or undefined. */
export function urlVariable(config: Config, instance: string): string | undefined {
  return /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(config.databases[instance]?.url ?? '')?.[1];
}

export function requireUrlVariable(config: Config, instance: string): string {
  const variable = urlVariable(config, instance);
  if (!variable) {
    throw new ConfigError(`Instance "${instance}" has its URL written in the config, so a migration command cannot be pointed at a scratch copy`, {
      hint: `Write "url": "env:DATABASE_URL" for databases.${instance} (and export DATABASE_URL=… with the value you use now); the command then gets the scratch copy's URL in DATABASE_URL. Migration files can be dry-run without it: \`npx dbsafe-hooks dry-run ${instance} <files…>\`.`,
    });
  }
  return variable;
}

/** The scratch copy's URL in the same form as the real one (scheme, query parameters, `sqlite:` prefix). */
export function scratchUrl(realUrl: string, scratch: ScratchTarget): string {
  if (scratch.family === 'sqlite') {
    const prefix = /^(sqlite|file):(\/\/)?/i.exec(realUrl)?.[0] ?? '';
    return `${prefix}${scratch.path}`;
  }
  const url = new URL(realUrl);
  url.pathname = `/${encodeURIComponent(scratch.server.database)}`;
  if (scratch.server.socket === undefined || url.searchParams.get('host') === null) {
    url.hostname = scratch.server.host;
    url.port = String(scratch.server.port);
  }
  if (scratch.server.user !== undefined) url.username = scratch.server.user; // the setter percent-encodes
  if (scratch.server.password !== undefined) url.password = scratch.server.password;
  return url.toString();
}

export interface CommandExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: string;
}

/** Run `argv` to completion; its output goes to our stderr so `--json` stdout stays parseable. */
export async function runCommand(argv: string[], env: NodeJS.ProcessEnv, options: { shell?: boolean } = {}): Promise<CommandExit> {
  const [file, ...args] = options.shell ? ['/bin/sh', '-c', argv.join(' ')] : argv;
  const child = spawn(file!, args, { env, stdio: ['ignore', process.stderr, process.stderr] });
  liveChildren.add(child);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      liveChildren.delete(child);
      resolve({ code: null, signal: null, error: `${file} could not be started: ${error.message}` });
    });
    child.once('close', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
  });
}

export function describeCommandExit(exit: CommandExit): string {
  if (exit.error) return exit.error;
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
