import { randomBytes } from 'node:crypto';
import { backupContext, type BackupContext } from '../../backup/context.js';
import { resolveInstance } from '../../backup/instances.js';
import { lockInstance } from '../../backup/store.js';
import { UsageError } from '../../errors.js';
import { openDatabase, realLocation } from '../../migrate/open.js';
import { listMigrationFiles, type MigrationFile } from '../../migrate/files.js';
import { applyPending, assertRunnable, baseline, readPlan } from '../../migrate/runner.js';
import { palette, useColor } from '../../util/palette.js';
import { who } from '../migrate-args.js';
import { exitCode, safeMigrateWithProgress } from './safe-migrate.js';
import { appendLogEntry } from '../../backup/log.js';

interface Options {
  all?: boolean;
  to?: string;
  baseline?: string;
  direct?: boolean;
  check?: string;
  reuseBackup?: boolean;
  acceptLoss?: string[];
  reason?: string;
  json?: boolean;
  config?: string;
}

interface InstanceResult {
  instance: string;
  ok: boolean;
  pending: string[];
  applied?: string[];
  baselined?: string[];
  detail: string;
  safeMigrate?: unknown;
}

/**
 * `dbsafe-hooks migrate [instance | --all] [--to v] [--baseline v] [--direct]`: apply the pending SQL
 * migration files, through safe-migrate unless --direct. --all runs every configured instance in the
 * order the config lists them and stops at the first one that fails.
 */
export async function run(instanceArg: string | undefined, options: Options): Promise<number> {
  const context = await backupContext(options);
  if (options.all && instanceArg) throw new UsageError('Give an instance or --all, not both');
  if (options.baseline && options.to) throw new UsageError('--baseline records files as applied without running them; it does not combine with --to');
  const names = options.all ? Object.keys(context.config.databases) : [resolveInstance(context.config, instanceArg, { cwd: context.repoRoot }).name];
  const files = await listMigrationFiles(context.config, context.repoRoot);
  const c = palette(useColor());
  const results: InstanceResult[] = [];
  let code = 0;
  if (options.all && !options.json) process.stderr.write(`migrating ${names.join(' → ')} (the order of "databases" in the config; stops at the first failure)\n`);
  for (const name of names) {
    const result = await migrateOne(context, name, files, options);
    results.push(result);
    if (!options.json) process.stdout.write(`${result.ok ? c.green('✓') : c.red('✗')} ${c.bold(name)}: ${result.detail}\n`);
    if (!result.ok) {
      code = (result.safeMigrate ? exitCode(result.safeMigrate as never) : 1) || 1;
      const skipped = names.slice(names.indexOf(name) + 1);
      if (skipped.length && !options.json) process.stdout.write(`${c.yellow('stopped')}: not run on ${skipped.join(', ')}\n`);
      break;
    }
  }
  if (options.json) process.stdout.write(`${JSON.stringify({ ok: code === 0, order: names, results }, null, 2)}\n`);
  return code;
}

async function migrateOne(context: BackupContext, name: string, files: MigrationFile[], options: Options): Promise<InstanceResult> {
  const instance = resolveInstance(context.config, name, { cwd: context.repoRoot });
  const identity = await who(context);
  if (options.baseline) {
    const lock = await lockInstance(context.commonDir, name, 'migrate --baseline');
    const db = await openDatabase(realLocation(instance), instance.redactedUrl);
    try {
      const adopted = await baseline(db, files, options.baseline, identity);
      return { instance: name, ok: true, pending: [], baselined: adopted.map((f) => f.path), detail: `baseline ${options.baseline}: ${adopted.length} file(s) recorded as applied without running them` };
    } finally {
      await db.close();
      lock.release();
    }
  }
  const db = await openDatabase(realLocation(instance), instance.redactedUrl);
  let pending: MigrationFile[];
  try {
    const plan = await readPlan(db, files, options.to);
    assertRunnable(plan, name);
    pending = plan.pending;
  } finally {
    await db.close();
  }
  if (!pending.length) return { instance: name, ok: true, pending: [], detail: 'up to date' };
  if (options.direct) {
    const lock = await lockInstance(context.commonDir, name, 'migrate');
    const real = await openDatabase(realLocation(instance), instance.redactedUrl);
    try {
      const plan = await readPlan(real, files, options.to);
      assertRunnable(plan, name);
      const run = await applyPending(real, plan.pending, identity);
      const applied = run.applied.map((f) => f.path);
      // a direct apply is a migration too: rollback and safe-migrate's backup reuse date "the last migration" from it
      if (applied.length) {
        await appendLogEntry(context.logPath, { event: 'migrate', instance: name, runId: randomBytes(6).toString('hex'), step: 'apply', ok: !run.failed, direct: true, detail: `--direct: applied ${applied.join(', ')}`, files: applied });
      }
      if (run.failed) return { instance: name, ok: false, pending: pending.map((f) => f.path), applied, detail: `${run.failed.message}${run.failed.partial ? ' (partially applied)' : ''}` };
      return { instance: name, ok: true, pending: pending.map((f) => f.path), applied, detail: `applied ${applied.join(', ')} (--direct: no backup, no dry-run)` };
    } finally {
      await real.close();
      lock.release();
    }
  }
  const outcome = await safeMigrateWithProgress(
    context,
    { instance, migration: { kind: 'files', files, to: options.to, markerTexts: pending.map((f) => ({ path: f.path, text: f.sql })) } },
    options,
  );
  const last = outcome.steps[outcome.steps.length - 1];
  return {
    instance: name,
    ok: outcome.ok,
    pending: pending.map((f) => f.path),
    applied: outcome.applied?.map((f) => f.path),
    detail: outcome.ok
      ? `applied ${outcome.applied?.map((f) => f.path).join(', ')} (backup ${outcome.backupId})`
      : `${last?.detail ?? 'stopped'}${outcome.restored ? ` — restored backup ${outcome.restored.backupId}` : ''}${outcome.restoreCommand ? ` — restore by hand: ${outcome.restoreCommand}` : ''}`,
    safeMigrate: outcome,
  };
}
