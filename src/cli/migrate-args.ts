import type { BackupContext } from '../backup/context.js';
import { gitAnnotations } from '../backup/context.js';
import type { Who } from '../migrate/runner.js';

/**
 * Shared by migrate, dry-run and safe-migrate: what came after `--` (a migration command, run
 * as given, never through a shell) and who is migrating (recorded in the history table).
 */

export function splitCommand(args: string[], argv = process.argv): { before: string[]; command: string[] } {
  const at = argv.indexOf('--');
  if (at === -1) return { before: args, command: [] };
  const command = argv.slice(at + 1);
  return { before: args.slice(0, Math.max(0, args.length - command.length)), command };
}

/** A leading argument that names a configured instance is the instance (like `verify dev`). */
export function takeInstance(context: BackupContext, args: string[]): { instance?: string; rest: string[] } {
  if (args[0] !== undefined && Object.hasOwn(context.config.databases, args[0])) return { instance: args[0], rest: args.slice(1) };
  return { rest: args };
}

export async function who(context: BackupContext): Promise<Who> {
  const annotations = await gitAnnotations(context.repoRoot);
  return { appliedBy: annotations.creator, gitCommit: annotations.git.commit };
}

