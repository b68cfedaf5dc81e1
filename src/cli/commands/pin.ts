import { backupContext } from '../../backup/context.js';
import { setPinned } from '../../backup/pins.js';

interface Options {
  config?: string;
}

async function change(backup: string, instance: string | undefined, options: Options, pinned: boolean): Promise<number> {
  const context = await backupContext(options);
  const result = await setPinned(context, backup, instance, pinned);
  const verb = pinned ? 'pinned' : 'unpinned';
  const note = result.was === pinned ? ` (it already was ${verb})` : '';
  const effect = pinned ? 'retention will never delete it' : 'retention may delete it once it is older than the kept ones';
  process.stdout.write(`${verb} ${result.instance} ${result.backupId}${note}: ${effect}\n`);
  return 0;
}

/** `dbsafe-hooks pin <backup> [instance]`. */
export function run(backup: string, instance: string | undefined, options: Options): Promise<number> {
  return change(backup, instance, options, true);
}

/** `dbsafe-hooks unpin <backup> [instance]`. */
export function runUnpin(backup: string, instance: string | undefined, options: Options): Promise<number> {
  return change(backup, instance, options, false);
}
