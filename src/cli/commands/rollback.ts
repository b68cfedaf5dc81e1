import { backupContext } from '../../backup/context.js';
import { progressLine } from '../../backup/format.js';
import { restoreBackup } from '../../backup/restore.js';
import { chooseRollback } from '../../backup/rollback.js';
import { confirmer, printRestore, type RestoreOptions } from './restore.js';

/** `dbsafe-hooks rollback [instance]`: restore the newest verified backup, saying which and why. */
export async function run(instance: string | undefined, options: RestoreOptions): Promise<number> {
  const context = await backupContext(options);
  const { backup, why } = await chooseRollback(context, instance);
  if (!options.json) process.stderr.write(`rollback: backup ${backup.id} (snapshot ${backup.manifest.snapshot.takenAt}): ${why}\n`);
  const progress = progressLine(Boolean(process.stderr.isTTY) && !options.json);
  const outcome = await restoreBackup(context, {
    backup: backup.id,
    instance: backup.manifest.instance,
    terminateConnections: options.terminateConnections,
    dropPrevious: options.dropPrevious,
    reverify: options.reverify,
    why: `rollback: ${why}`,
    confirm: confirmer(options),
    onStage: (stage) => progress.update(`${stage}…`),
    notice: (message) => {
      progress.done();
      process.stderr.write(`${message}\n`);
    },
  });
  progress.done();
  printRestore(outcome, options.json);
  return 0;
}
