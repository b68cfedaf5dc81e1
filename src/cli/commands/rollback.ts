import { backupContext } from '../../backup/context.js';
import { chooseRollback } from '../../backup/rollback.js';
import { runRestore, type RestoreOptions } from './restore.js';

/** `dbsafe-hooks rollback [instance]`: restore the newest verified backup, saying which and why. */
export async function run(instance: string | undefined, options: RestoreOptions): Promise<number> {
  const context = await backupContext(options);
  const { backup, why } = await chooseRollback(context, instance);
  if (!options.json) process.stderr.write(`rollback: backup ${backup.id} (snapshot ${backup.manifest.snapshot.takenAt}): ${why}\n`);
  await runRestore(context, options, { backup: backup.id, instance: backup.manifest.instance, why: `rollback: ${why}` });
  return 0;
}
