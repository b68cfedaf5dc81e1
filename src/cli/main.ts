import { Command, CommanderError, Option } from 'commander';
import { reportError } from './report-error.js';
import { VERSION } from '../version.js';

/**
 * argv → command → exit code. Every command module is imported lazily so `hook pre-commit`
 * with nothing staged never loads a parser, a database driver or the config loader.
 * Exit codes: 0 ok (warnings allowed), 1 blocked, 2 the tool could not do its job.
 */

type Action = (...args: any[]) => Promise<number>;

function lazy(load: () => Promise<{ run: Action }>): (...args: any[]) => Promise<void> {
  return async (...args: any[]) => {
    const module = await load();
    // commander passes (positional..., options, command): hand over the positionals and the
    // command's options merged with the global ones (--config)
    const command = args[args.length - 1] as Command;
    process.exitCode = await module.run(...args.slice(0, -2), command.optsWithGlobals());
  };
}

export function buildProgram(): Command {
  const program = new Command('dbsafe-hooks')
    .description('Keep destructive database migrations from landing by accident.')
    .version(VERSION, '-v, --version')
    .option('--config <path>', 'use this configuration file instead of searching for one')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('check')
    .description('find destructive operations in migrations (default: what is staged in the git index)')
    .argument('[files...]', 'check these migration files, whole, as they are in the index (from disk when not in it, or with --worktree)')
    .option('--staged', 'check what the commit being made changes, from the git index (default); with files: only those (lint-staged)')
    .option('--all', 'check every migration file: the index plus untracked, non-ignored files')
    .option('--worktree', 'read the given files from disk instead of the index')
    .option('--base <ref>', 'check what changed in <ref>...HEAD (for CI)')
    .option('--head <ref>', 'with --base: check this commit instead of HEAD')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif', 'github']).default('text'))
    .action(lazy(() => import('./commands/check.js')));

  program
    .command('install')
    .description('install the git hooks through the hook manager this repository uses')
    .option('--force', 'install even in CI or with DBSAFE=0')
    .action(lazy(() => import('./commands/install.js')));

  program
    .command('uninstall')
    .description('remove exactly what install added, restoring chained hooks')
    .action(lazy(() => import('./commands/uninstall.js')));

  program
    .command('doctor')
    .description('check what would stop the hooks from running, and say how to fix it')
    .action(lazy(() => import('./commands/doctor.js')));

  program
    .command('hook')
    .description('run a git hook (called by the installed shims)')
    .argument('<name>', 'pre-commit | pre-merge-commit | pre-push')
    .argument('[args...]', 'the arguments git passed to the hook')
    .action(lazy(() => import('./commands/hook.js')));

  program
    .command('backup')
    .description('back up a database instance and record it in the log')
    .argument('[instance]', 'configured database instance (default: the default instance)')
    .option('--verify', 'verify the backup right after taking it')
    .option('--reason <text>', 'why this backup was taken (recorded in the manifest and log)')
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('./commands/backup.js')));

  program
    .command('verify')
    .description('prove a backup restores: checksum, full decode, restore into scratch, compare counts')
    .argument('[backup]', 'backup id or directory')
    .argument('[instance]', 'database instance')
    .option('--latest', 'verify the newest backup of the instance')
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('./commands/verify.js')));

  program
    .command('adopt')
    .description('record in the log a backup it never recorded (copied in, or from before the log was moved aside), with a reason')
    .argument('<backup>', 'backup id or directory')
    .argument('[instance]', 'database instance it is a backup of (default: the directory it is in)')
    .requiredOption('--reason <text>', 'where the backup comes from and why it can be trusted')
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('./commands/adopt.js')));

  program
    .command('log')
    .description('list the backup log and check its hash chain')
    .option('--json', 'print entries as JSON')
    .action(lazy(() => import('./commands/log.js')));

  program
    .command('status')
    .description('per instance: latest backup, verified or not, its age, and whether the log chain is intact')
    .option('--json', 'print the status as JSON')
    .action(lazy(() => import('./commands/status.js')));

  program
    .command('waive')
    .description('let the pre-push gate pass without a fresh backup for a limited time (recorded in the log)')
    .requiredOption('--reason <text>', 'why the backup requirement is waived')
    .option('--for <duration>', 'how long the waiver lasts', '2h')
    .option('--instance <name>', 'waive for this instance only')
    .action(lazy(() => import('./commands/waive.js')));

  program
    .command('gate')
    .description('run the pre-push backup gate outside a hook (CI, scripts)')
    .option('--base <ref>', 'decide for the commits in <ref>..HEAD (default: the current branch\'s unpushed commits)')
    .option('--json', 'print the decision as JSON')
    .action(lazy(() => import('./commands/gate.js')));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  // commander already printed its own message (or help/version, which exit 0)
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  return reportError(error);
}
