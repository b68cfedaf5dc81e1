import { createInterface } from 'node:readline/promises';
import { backupContext, type BackupContext } from '../../backup/context.js';
import { progressLine } from '../../backup/format.js';
import { restoreBackup, type RestoreOutcome, type RestoreRequest } from '../../backup/restore.js';
import { UsageError } from '../../errors.js';
import { palette, useColor } from '../../util/palette.js';
import { stageReporter } from '../stages.js';

export interface RestoreOptions {
  latest?: boolean;
  yes?: boolean;
  into?: string;
  schemaOnly?: boolean;
  tables?: string;
  dropPrevious?: boolean;
  terminateConnections?: boolean;
  reverify?: boolean;
  json?: boolean;
  config?: string;
}

/** On a terminal the person types the database name; without one, --yes is the only confirmation. */
export function confirmer(options: { yes?: boolean }): RestoreRequest['confirm'] {
  return async (target) => {
    if (options.yes) return true;
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      throw new UsageError(`restore replaces ${target.label} with backup ${target.backupId}; there is no terminal to confirm on`, {
        hint: 'Pass --yes to confirm (a pinned safety backup of the current state is taken first).',
      });
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(
        `Restore ${target.tables ? `the tables ${target.tables.join(', ')} of ` : ''}backup ${target.backupId} over ${target.label}${target.exists ? ' (a pinned safety backup is taken first)' : ''}.\nType the database name (${target.name}) to confirm: `,
      );
      return answer.trim() === target.name;
    } finally {
      rl.close();
    }
  };
}

export function printRestore(outcome: RestoreOutcome, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: true, ...outcome }, null, 2)}\n`);
    return;
  }
  const c = palette(useColor());
  const lines = [
    `${c.green('restored')} ${c.bold(outcome.instance)} from backup ${outcome.backupId} (snapshot ${outcome.takenAt})${outcome.schemaOnly ? ' — definitions only, every table empty' : ''}`,
    `  verified  ${outcome.verification === 'reused' ? 'a recent verification from the log, artifact re-hashed' : 'now, before restoring'}`,
    outcome.safetyBackupId
      ? `  safety    ${outcome.safetyBackupId} (pinned): undo with ${c.cyan(`npx dbsafe-hooks restore ${outcome.safetyBackupId} ${outcome.instance} --yes`)}`
      : '  safety    none: the target did not exist',
    `  swap      ${outcome.swap.method}`,
  ];
  if (outcome.tables) lines.push(`  tables    only ${outcome.tables.join(', ')}; nothing else was changed`);
  for (const dependent of outcome.swap.dependents ?? []) lines.push(`  depends   ${dependent}`);
  if (outcome.swap.previous) lines.push(`  previous  kept as ${outcome.swap.previous} (undo: ${outcome.swap.undo})`);
  lines.push(`  contents  ${outcome.swap.tables} tables, ${outcome.swap.rows} rows: ${outcome.tables ? 'exact counts' : 'objects and counts'} match the manifest`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Run a restore with the command-line confirmation, progress and notices, then print it (restore and rollback). */
export async function runRestore(context: BackupContext, options: RestoreOptions, request: Omit<RestoreRequest, 'confirm' | 'onStage' | 'notice'>): Promise<void> {
  const progress = progressLine(Boolean(process.stderr.isTTY) && !options.json);
  const outcome = await restoreBackup(context, {
    ...request,
    dropPrevious: options.dropPrevious,
    terminateConnections: options.terminateConnections,
    reverify: options.reverify,
    confirm: confirmer(options),
    onStage: stageReporter(progress),
    notice: (message) => {
      progress.done();
      process.stderr.write(`${message}\n`);
    },
  });
  progress.done();
  printRestore(outcome, options.json);
}

/** `dbsafe-hooks restore [backup|--latest] [instance] …`: exit 0 restored, 1 refused (backup does not verify), 2 could not run. */
export async function run(backup: string | undefined, instance: string | undefined, options: RestoreOptions): Promise<number> {
  const context = await backupContext(options);
  // `restore --latest dev`: a lone argument naming an instance is the instance
  if (backup && !instance && Object.hasOwn(context.config.databases, backup) && !/^\d{8}T\d{6}Z-/.test(backup)) {
    instance = backup;
    backup = undefined;
  }
  if (options.latest && backup) throw new UsageError('Give either a backup id or --latest, not both');
  if (!options.latest && !backup) {
    throw new UsageError('Name the backup to restore, or pass --latest', { hint: 'Backups: `npx dbsafe-hooks status`; the newest verified one: `npx dbsafe-hooks rollback`.' });
  }
  const tables = options.tables === undefined ? undefined : options.tables.split(',');
  await runRestore(context, options, { backup, instance, into: options.into, schemaOnly: options.schemaOnly, tables });
  return 0;
}
