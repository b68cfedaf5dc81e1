import { backupContext } from '../../backup/context.js';
import { resolveInstance } from '../../backup/instances.js';
import { UsageError } from '../../errors.js';
import { openDatabase, realLocation } from '../../migrate/open.js';
import { listMigrationFiles } from '../../migrate/files.js';
import { blockingProblems, readPlan } from '../../migrate/runner.js';
import { renderStatus } from '../migrate-report.js';
import { palette, useColor } from '../../util/palette.js';

interface Options {
  all?: boolean;
  json?: boolean;
  config?: string;
}

/** `dbsafe-hooks migrations status [instance | --all]`: exit 1 when an applied file was edited or a pending one is out of order. */
export async function run(instanceArg: string | undefined, options: Options): Promise<number> {
  const context = await backupContext(options);
  if (options.all && instanceArg) throw new UsageError('Give an instance or --all, not both');
  const names = options.all ? Object.keys(context.config.databases) : [resolveInstance(context.config, instanceArg, { cwd: context.repoRoot }).name];
  const files = await listMigrationFiles(context.config, context.repoRoot);
  const c = palette(useColor());
  const out: Array<Record<string, unknown>> = [];
  let blocked = false;
  for (const name of names) {
    const instance = resolveInstance(context.config, name, { cwd: context.repoRoot });
    const db = await openDatabase(realLocation(instance), instance.redactedUrl);
    try {
      const plan = await readPlan(db, files);
      const problems = blockingProblems(plan);
      blocked ||= problems.length > 0;
      if (options.json) {
        out.push({
          instance: name,
          applied: plan.applied.map((a) => ({ ...a.row, path: a.file?.path })),
          pending: plan.pending.map((f) => ({ version: f.version, path: f.path })),
          edited: plan.edited.map((e) => ({ version: e.row.version, path: e.file.path, recorded: e.row.checksum, now: e.file.checksum })),
          missing: plan.missing.map((r) => r.version),
          outOfOrder: plan.outOfOrder.map((f) => f.path),
          problems,
        });
      } else process.stdout.write(`${renderStatus(name, plan, c).join('\n')}\n`);
    } finally {
      await db.close();
    }
  }
  if (options.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return blocked ? 1 : 0;
}
