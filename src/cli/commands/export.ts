import { backupContext } from '../../backup/context.js';
import { exportSql, type ExportPart } from '../../backup/export.js';
import { UsageError } from '../../errors.js';

interface Options {
  sql?: boolean;
  schemaOnly?: boolean;
  dataOnly?: boolean;
  output?: string;
  config?: string;
}

/** `dbsafe-hooks export <backup> --sql [--schema-only | --data-only] [-o file]`: exit 0, 1 damaged artifact, 2 could not run. */
export async function run(backup: string, instance: string | undefined, options: Options): Promise<number> {
  if (options.schemaOnly && options.dataOnly) throw new UsageError('Give --schema-only or --data-only, not both (neither: the full dump)');
  const part: ExportPart = options.schemaOnly ? 'schema' : options.dataOnly ? 'data' : 'full';
  const context = await backupContext(options);
  const result = await exportSql(context, { backup, instance, part, output: options.output });
  if (result.output) process.stderr.write(`exported ${part === 'full' ? 'the full dump' : part === 'schema' ? 'the schema' : 'the data'} of ${result.instance} ${result.backupId} to ${result.output}\n`);
  return 0;
}
