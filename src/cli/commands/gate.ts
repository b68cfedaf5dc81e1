import { loadConfig } from '../../config/load.js';
import { repoRoot } from '../../gate/evidence.js';
import { backupGate } from '../../gate/pre-push.js';
import { gateRange, migrationsInRange } from '../../gate/range.js';

interface GateOptions {
  base?: string;
  json?: boolean;
  config?: string;
}

/**
 * `gate [--base <ref>]`: the pre-push backup gate outside a hook (CI, scripts). Decides for the
 * commits in `<ref>..HEAD` (default: the current branch's unpushed commits). Exit 0 pass, 1 blocked.
 */
export async function run(options: GateOptions): Promise<number> {
  const cwd = process.cwd();
  const root = await repoRoot(cwd);
  const { config } = await loadConfig(cwd, root, options.config);
  const range = await gateRange(root, options.base);
  const pushed = range ? await migrationsInRange(root, config, range) : { commits: [], destructive: false };
  const decision = await backupGate({ cwd: root, config, pushed, range: range?.label ?? 'HEAD' });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ok: decision.ok, waived: decision.waived ?? false, range: range?.label, commits: pushed.commits, verdict: decision.verdict, report: decision.report }, null, 2)}\n`);
    return decision.ok ? 0 : 1;
  }
  const report = pushed.commits.length
    ? decision.report
    : [`no commit in ${range?.label ?? 'HEAD'} touches a migration: no backup needed.`];
  const stream = decision.ok ? process.stdout : process.stderr;
  for (const line of report) stream.write(`dbsafe-hooks: ${line}\n`);
  return decision.ok ? 0 : 1;
}
