import { backupContext } from '../../backup/context.js';
import { progressLine } from '../../backup/format.js';
import { resolveInstance } from '../../backup/instances.js';
import { UsageError } from '../../errors.js';
import { migrationTexts } from '../../migrate/files.js';
import { safeMigrate, type SafeMigrateOutcome, type SafeMigrateRequest } from '../../migrate/safe-migrate.js';
import type { BackupContext } from '../../backup/context.js';
import { renderDryRun } from '../migrate-report.js';
import { splitCommand, takeInstance, who } from '../migrate-args.js';
import { palette, useColor } from '../../util/palette.js';
import { stageReporter } from '../stages.js';

interface Options {
  check?: string;
  reuseBackup?: boolean;
  acceptLoss?: string[];
  reason?: string;
  json?: boolean;
  config?: string;
}

/**
 * `dbsafe-hooks safe-migrate [instance] -- <command…>`: exit 0 migrated, 1 stopped (unaccepted loss,
 * failed migration: restored), 2 could not run or the database must be restored by hand.
 */
export async function run(args: string[], options: Options): Promise<number> {
  const context = await backupContext(options);
  const { before, command } = splitCommand(args);
  const { instance: name, rest } = takeInstance(context, before);
  if (rest.length) throw new UsageError(`Unexpected ${rest.join(' ')}: put the migration command after \`--\``, { hint: 'e.g. `npx dbsafe-hooks safe-migrate prod -- npx prisma migrate deploy`' });
  const instance = resolveInstance(context.config, name, { cwd: context.repoRoot });
  if (!command.length) throw new UsageError('Give the migration command after `--`', { hint: 'e.g. `npx dbsafe-hooks safe-migrate -- npx knex migrate:latest`; plain SQL directories: `npx dbsafe-hooks migrate`' });
  return runSafeMigrate(context, { instance, migration: { kind: 'command', argv: command, markerTexts: await migrationTexts(context.config, context.repoRoot) } }, options);
}

/** Shared with `migrate`: run, print step by step (stderr) and the summary, return the exit code. */
export async function runSafeMigrate(context: BackupContext, base: Pick<SafeMigrateRequest, 'instance' | 'migration'>, options: Options): Promise<number> {
  const outcome = await safeMigrateWithProgress(context, base, options);
  if (options.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  else process.stdout.write(`${summary(outcome).join('\n')}\n`);
  return exitCode(outcome);
}

export async function safeMigrateWithProgress(context: BackupContext, base: Pick<SafeMigrateRequest, 'instance' | 'migration'>, options: Options): Promise<SafeMigrateOutcome> {
  const c = palette(useColor(process.stderr));
  const progress = progressLine(Boolean(process.stderr.isTTY) && !options.json);
  const outcome = await safeMigrate(context, {
    ...base,
    check: options.check,
    reuseBackup: options.reuseBackup,
    acceptLoss: options.acceptLoss,
    reason: options.reason,
    who: await who(context),
    onStage: stageReporter(progress),
    onNotice: (text) => {
      progress.done();
      process.stderr.write(`${text}\n`);
    },
    onStep: (report) => {
      progress.done();
      if (options.json) return;
      process.stderr.write(`${report.ok ? c.green('✓') : c.red('✗')} ${report.step.padEnd(8)} ${report.detail}\n`);
      if (report.dryRun) process.stderr.write(`${renderDryRun(report.dryRun, c).map((line) => `           ${line}`).join('\n')}\n`);
    },
  });
  progress.done();
  return outcome;
}

export function exitCode(outcome: SafeMigrateOutcome): number {
  if (outcome.ok) return 0;
  return outcome.restoreCommand ? 2 : 1;
}

function summary(outcome: SafeMigrateOutcome): string[] {
  const c = palette(useColor());
  if (outcome.ok) return [`${c.green('migrated')} ${outcome.instance} (pre-migration backup ${outcome.backupId}, run ${outcome.runId})`];
  const lines = [`${c.red('not migrated')} ${outcome.instance}: ${outcome.steps[outcome.steps.length - 1]?.detail ?? 'stopped'}`];
  if (outcome.restored) lines.push(`  ${c.green('restored')} the pre-migration backup ${outcome.restored.backupId} (taken ${outcome.restored.takenAt}): ${outcome.instance} is as it was before the migration${outcome.restored.previous ? `; the failed state is kept at ${outcome.restored.previous}` : ''}`);
  if (outcome.restoreCommand) lines.push(`  ${c.red('the database may be changed')}: restore it with ${c.cyan(outcome.restoreCommand)}`);
  return lines;
}
