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

/** Repeatable option values (`--accept-loss a --accept-loss b`). */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command('dbsafe-hooks')
    .description('Keep destructive database migrations from landing by accident.')
    .version(VERSION, '-v, --version')
    .option('--config <path>', 'use this configuration file instead of searching for one')
    .showHelpAfterError('(run with --help for usage)')
    // every subcommand's --help lists --config (it is accepted before or after the subcommand)
    .configureHelp({ showGlobalOptions: true })
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
    .option('--agent <names...>', 'instead: make a coding agent check its shell commands (claude-code, cursor, gemini)')
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
    .option('--pin', 'pin it: retention never deletes it (production deploys)')
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
    .command('restore')
    .description('restore a verified backup: verify, pinned safety backup, restore beside the target, compare, swap')
    .argument('[backup]', 'backup id or directory')
    .argument('[instance]', 'database instance (default: the backup\'s own)')
    .option('--latest', 'the newest backup of the instance (safety backups skipped)')
    .option('--yes', 'confirm without a terminal (otherwise you type the database name)')
    .option('--into <target>', 'restore into another configured instance, an env:VAR URL or a SQLite path')
    .option('--schema-only', 'definitions only: every table restored empty (to rehearse a migration)')
    .option('--tables <names>', 'only these tables, comma-separated (data and definitions; what depends on them is stated); everything else is left as it is')
    .option('--terminate-connections', 'PostgreSQL: end other sessions on the database right before the swap')
    .option('--drop-previous', 'drop the previous database (file) after the swap instead of keeping it')
    .option('--reverify', 'verify again even when the log holds a recent verification')
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('./commands/restore.js')));

  program
    .command('rollback')
    .description('restore the newest verified backup of an instance (says which and why), like restore')
    .argument('[instance]', 'database instance')
    .option('--yes', 'confirm without a terminal (otherwise you type the database name)')
    .option('--terminate-connections', 'PostgreSQL: end other sessions on the database right before the swap')
    .option('--drop-previous', 'drop the previous database (file) after the swap instead of keeping it')
    .option('--reverify', 'verify again even when the log holds a recent verification')
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('./commands/rollback.js')));

  program
    .command('export')
    .description('write plain SQL (full, schema only or data only) from a backup\'s artifact')
    .argument('<backup>', 'backup id or directory')
    .argument('[instance]', 'database instance')
    .requiredOption('--sql', 'plain SQL (the only format)')
    .option('--schema-only', 'definitions only')
    .option('--data-only', 'rows only')
    .option('-o, --output <file>', 'write to this file (0600, written atomically) instead of stdout')
    .action(lazy(() => import('./commands/export.js')));

  program
    .command('pin')
    .description('pin a backup: retention never deletes it')
    .argument('<backup>', 'backup id')
    .argument('[instance]', 'database instance')
    .action(lazy(() => import('./commands/pin.js')));

  program
    .command('unpin')
    .description('unpin a backup (safety backups too): retention may delete it again')
    .argument('<backup>', 'backup id')
    .argument('[instance]', 'database instance')
    .action(lazy(() => import('./commands/pin.js').then((m) => ({ run: m.runUnpin }))));

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
    .addOption(new Option('--format <format>', 'output format (markdown: a table of backups to keep in the repository)').choices(['text', 'json', 'markdown']))
    .option('-o, --output <file>', 'write to this file (atomically) instead of standard output')
    .option('--json', 'print entries as JSON (same as --format json)')
    .action(lazy(() => import('./commands/log.js')));

  program
    .command('status')
    .description('per instance: latest backup, verified or not, its age, and whether the log chain is intact')
    .argument('[instance]', 'only this configured database instance')
    .option('--all', 'every configured instance (the default when no instance is named)')
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
    .command('config')
    .description('print the configuration in effect (validated, defaults filled in) and the file it came from')
    .option('--json', 'print it as JSON: {"file": ..., "config": ...} (what the Alembic guard reads)')
    .action(lazy(() => import('./commands/config.js')));

  program
    .command('migrate')
    .description('apply pending SQL migration files in version order, through safe-migrate unless --direct')
    .argument('[instance]', 'database instance (default: the default instance)')
    .option('--all', 'every configured instance, in the order the config lists them; stops at the first failure')
    .option('--to <version>', 'apply pending files up to this version')
    .option('--baseline <version>', 'record the files up to this version as applied without running them (adopt an existing database)')
    .option('--direct', 'apply without the backup, dry-run and automatic restore (still locked, still one transaction per file where the engine allows it)')
    .option('--check <command>', 'after applying, run this shell command; a non-zero exit restores the pre-migration backup')
    .option('--reuse-backup', 'reuse the newest verified backup if it is within gate.maxAge and newer than the last apply, instead of taking one (an automatic restore then also discards writes made since it was taken)')
    .option('--accept-loss <object>', 'accept a loss the dry-run measures on this object (repeatable; needs --reason)', collect)
    .option('--reason <text>', 'why the accepted losses are fine (logged)')
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('./commands/migrate.js')));

  program
    .command('migrations')
    .description('the built-in runner\'s migrations')
    .command('status')
    .description('applied, pending and edited-after-apply migration files per instance')
    .argument('[instance]', 'database instance (default: the default instance)')
    .option('--all', 'every configured instance')
    .option('--json', 'print the status as JSON')
    .action(lazy(() => import('./commands/migrations-status.js')));

  program
    .command('dry-run')
    .description('rehearse a migration on a restored copy and print the loss ledger (what it would destroy)')
    .argument('[args...]', '[instance] <migration files…>, or [instance] -- <migration command…>')
    .option('--fresh', 'take and verify a new backup instead of using the newest verified one')
    .option('--accept-loss <object>', 'accept a measured loss on this object (repeatable; needs --reason)', collect)
    .option('--reason <text>', 'why the accepted losses are fine (logged)')
    .option('--json', 'print the ledger as JSON')
    .action(lazy(() => import('./commands/dry-run.js')));

  program
    .command('safe-migrate')
    .description('lock, back up and verify, dry-run, apply, check, and restore the backup automatically if it fails')
    .argument('[args...]', '[instance] -- <migration command…>')
    .option('--check <command>', 'after applying, run this shell command; a non-zero exit restores the pre-migration backup')
    .option('--reuse-backup', 'reuse the newest verified backup if it is within gate.maxAge and newer than the last apply, instead of taking one (an automatic restore then also discards writes made since it was taken)')
    .option('--accept-loss <object>', 'accept a measured loss on this object (repeatable; needs --reason)', collect)
    .option('--reason <text>', 'why the accepted losses are fine (logged)')
    .option('--json', 'print a summary as JSON')
    .action(lazy(() => import('./commands/safe-migrate.js')));

  program
    .command('gate')
    .description('run the pre-push backup gate outside a hook (CI, scripts)')
    .option('--base <ref>', 'decide for the commits in <ref>..HEAD (default: the current branch\'s unpushed commits)')
    .option('--json', 'print the decision as JSON')
    .action(lazy(() => import('./commands/gate.js')));

  program
    .command('guard')
    .description('run a command; one that destroys a database runs only with a fresh verified backup and a person\'s approval')
    .argument('[command...]', 'the command, after -- (one quoted argument is run as a shell line)')
    .option('--approve <reason>', 'approve a destructive command without a terminal (recorded in the log)')
    .option('--backup-first', 'take and verify the backup the command needs, then ask')
    .option('--grant <reason>', 'on a terminal: let a coding agent run this command once (recorded in the log)')
    .option('--for <duration>', 'with --grant: how long the grant lasts', '30m')
    .option('--check', 'only say what would happen (nothing runs, nothing is recorded)')
    .option('--json', 'with --check: print the decision as JSON')
    .allowUnknownOption()
    .action(lazy(() => import('./commands/guard.js')));

  program
    .command('agent-hook')
    .description('check a coding agent\'s shell command (called by the agent hooks that install --agent writes)')
    .argument('<protocol>', 'claude-code | cursor | gemini')
    .action(lazy(() => import('./commands/agent-hook.js')));

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
