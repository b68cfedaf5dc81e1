import { backupContext } from '../../backup/context.js';
import { progressLine } from '../../backup/format.js';
import { resolveInstance } from '../../backup/instances.js';
import { UsageError } from '../../errors.js';
import { dryRun, realDatabaseError, realDatabaseTouched, type DryRunMigration } from '../../migrate/dry-run.js';
import { migrationFromPath, migrationTexts } from '../../migrate/files.js';
import { renderDryRun } from '../migrate-report.js';
import { splitCommand, takeInstance, who } from '../migrate-args.js';
import { palette, useColor } from '../../util/palette.js';
import { stageReporter } from '../stages.js';

interface Options {
  fresh?: boolean;
  acceptLoss?: string[];
  reason?: string;
  json?: boolean;
  config?: string;
}

/**
 * `dbsafe-hooks dry-run [instance] <files…>` / `dry-run [instance] -- <command…>`:
 * exit 0 nothing lost or every loss accepted, 1 unaccepted loss or the migration failed on the copy,
 * 2 could not rehearse (or the command changed the real database).
 */
export async function run(args: string[], options: Options): Promise<number> {
  const context = await backupContext(options);
  const { before, command } = splitCommand(args);
  const { instance: name, rest: files } = takeInstance(context, before);
  if (!command.length && !files.length) throw new UsageError('Nothing to rehearse: give migration files, or a migration command after `--`', { hint: 'e.g. `npx dbsafe-hooks dry-run db/migrations/0007_drop_legacy.sql` or `npx dbsafe-hooks dry-run -- npx prisma migrate deploy`' });
  if (command.length && files.length) throw new UsageError(`Give migration files or a command after \`--\`, not both (got ${files.join(' ')} and -- ${command.join(' ')})`);
  const instance = resolveInstance(context.config, name, { cwd: context.repoRoot });
  let migration: DryRunMigration;
  if (command.length) {
    migration = { kind: 'command', argv: command, markerTexts: await migrationTexts(context.config, context.repoRoot) };
  } else {
    const parsed = files.map((file) => migrationFromPath(file, context.repoRoot, context.cwd));
    migration = { kind: 'files', files: parsed, markerTexts: parsed.map((f) => ({ path: f.path, text: f.sql })) };
  }
  const progress = progressLine(Boolean(process.stderr.isTTY) && !options.json);
  const outcome = await dryRun(context, {
    instance,
    migration,
    fresh: options.fresh,
    acceptLoss: options.acceptLoss,
    reason: options.reason,
    who: await who(context),
    onStage: stageReporter(progress),
  });
  progress.done();
  if (options.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  else process.stdout.write(`${renderDryRun(outcome, palette(useColor())).join('\n')}\n`);
  if (realDatabaseTouched(outcome.realDatabase)) {
    throw realDatabaseError(outcome, `Point the command at ${instance.name}'s URL variable (it receives the scratch copy's URL) and re-run while nothing else writes to ${instance.name}; restore ${instance.name} from backup ${outcome.backupId} if a change was not wanted.`);
  }
  return outcome.ok ? 0 : 1;
}
