import { appendLogEntry } from '../../backup/log.js';
import { loadConfig } from '../../config/load.js';
import { FileError, UsageError } from '../../errors.js';
import { creatorOf } from '../../git/identity.js';
import { ALL_INSTANCES } from '../../gate/decide.js';
import { formatDuration, parseDuration } from '../../gate/duration.js';
import { displayPath, gateLogPath, gateNow, readGateLog, repoRoot } from '../../gate/evidence.js';
import { moveLogAside, waiverText } from '../../gate/messages.js';

interface WaiveOptions {
  reason?: string;
  for?: string;
  instance?: string;
  config?: string;
}

/** A waiver is an exception, not a setting: at most a week. */
const MAX_WAIVER_MS = 7 * 86_400_000;

/**
 * `waive --reason "…" [--for 2h] [--instance x]`: let the backup gate pass without a fresh verified
 * backup until the waiver expires. Recorded in the hash-chained log; shown by every gate report and `status`.
 */
export async function run(options: WaiveOptions): Promise<number> {
  const cwd = process.cwd();
  const root = await repoRoot(cwd);
  const { config } = await loadConfig(cwd, root, options.config);

  const reason = (options.reason ?? '').replace(/\s+/g, ' ').trim();
  const minLength = config.overrides.minReasonLength;
  if (reason.length < Math.max(1, minLength)) {
    throw new UsageError(`A waiver needs a reason of at least ${Math.max(1, minLength)} characters (got ${reason.length})`, {
      hint: 'Say why the backup is skipped, e.g. --reason "staging restore in progress, backup after deploy (ticket OPS-12)".',
    });
  }
  const duration = options.for ?? '2h';
  const durationMs = parseDuration(duration);
  if (!durationMs || durationMs <= 0) throw new UsageError(`--for "${duration}" is not a duration`, { hint: 'Use e.g. --for 30m, --for 2h or --for 1d.' });
  if (durationMs > MAX_WAIVER_MS) {
    throw new UsageError(`--for ${duration} is longer than a waiver may last (${formatDuration(MAX_WAIVER_MS)})`, {
      hint: 'To push migrations without backups for good, set "gate": { "enabled": false } in the configuration instead.',
    });
  }
  const configured = Object.keys(config.databases);
  if (options.instance !== undefined && !configured.includes(options.instance)) {
    throw new UsageError(`Unknown database instance "${options.instance}"`, {
      hint: configured.length ? `Configured instances: ${configured.join(', ')}.` : 'No database is configured: leave out --instance to waive the gate as a whole.',
    });
  }
  const instance = options.instance ?? ALL_INSTANCES;

  // a waiver chained after a damaged line would not count: say so instead of recording it
  const logPath = await gateLogPath(root);
  const log = await readGateLog(logPath);
  const damage = log.kind === 'unreadable' ? log.message : log.kind === 'read' && log.broken?.fileExists ? log.broken.problem : undefined;
  if (damage) {
    throw new FileError(`The backup log is damaged (${damage}); a waiver recorded in it would not count`, {
      hint: `Start a new log first (the damaged one is kept): ${moveLogAside(displayPath(root, logPath))}`,
    });
  }

  const now = gateNow();
  const expiresAt = new Date(now.getTime() + durationMs).toISOString();
  const creator = await creatorOf(root);
  await appendLogEntry(logPath, {
    event: 'waiver',
    instance,
    ts: now.toISOString(),
    reason,
    expiresAt,
    duration,
    ...(creator ? { creator } : {}),
  });
  const text = waiverText({ reason, instance, expiresAt, remainingMs: durationMs, ...(creator ? { creator } : {}) });
  process.stdout.write(`dbsafe-hooks: waiver recorded: ${text}\n`);
  process.stdout.write('dbsafe-hooks: until then the backup gate lets migration pushes through and says so in every report.\n');
  return 0;
}
