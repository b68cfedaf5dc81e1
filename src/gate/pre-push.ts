import type { Config } from '../config/schema.js';
import { ALL_INSTANCES, artifactsToCheck, decide, type GateVerdict, type LogState, type Waiver } from './decide.js';
import { parseDuration } from './duration.js';
import {
  checkArtifacts,
  displayPath,
  gateLogPath,
  gateNow,
  instanceTargets,
  readGateLog,
  requiredInstanceNames,
} from './evidence.js';
import { renderNoDatabase, renderNotDestructive, renderVerdict, type PushedCommit } from './messages.js';

/** What the pre-push hook found in the commits being pushed (computed by src/git/push-refs.ts). */
export interface PushedMigrations {
  /** Commits that touch migration files, newest first. */
  commits: PushedCommit[];
  /** True when at least one pushed migration operation is destructive (for gate.when = 'destructive'). */
  destructive: boolean;
}

export interface GateContext {
  /** Repository root. */
  cwd: string;
  config: Config;
  pushed: PushedMigrations;
  /** Outside a hook (`gate --base`): the range decided on, named in the report instead of "this push". */
  range?: string;
  /** Injected in tests; defaults to DBSAFE_NOW (tests) or the current time. */
  now?: Date;
}

export interface GateDecision {
  ok: boolean;
  /** Lines for the user: why it passed (waiver notice) or exactly what is missing and the command that fixes it. */
  report: string[];
  /** True when it passed only because of a waiver. */
  waived?: boolean;
  /** The per-instance verdict, when the gate looked at the log. */
  verdict?: GateVerdict;
}

const DEFAULT_MAX_AGE_MS = 24 * 3_600_000;

/**
 * The gate's verdict for these instances from an already-read log: fingerprints, the artifacts of
 * the candidate backups, then decide(). The one place the freshness rules are applied (the pre-push
 * gate and the command guard both call it).
 */
export async function backupVerdict(options: { cwd: string; config: Config; names: string[]; log: LogState; now: Date }): Promise<GateVerdict> {
  const { cwd, config, names, log, now } = options;
  const input = {
    log,
    instances: instanceTargets(config, names, cwd),
    maxAgeMs: parseDuration(config.gate.maxAge) ?? DEFAULT_MAX_AGE_MS,
    now,
  };
  const artifacts = await checkArtifacts(artifactsToCheck(input), config.gate.rehash);
  return decide({ ...input, artifacts });
}

/**
 * The backup requirement of the pre-push hook (spec/backup.md, "The pre-push gate"). Reads the
 * log, the config and the artifacts; writes nothing (it also runs on `git push --dry-run`).
 * Never looks at anything when no migration is pushed.
 */
export async function backupGate(context: GateContext): Promise<GateDecision> {
  const { config, pushed, cwd } = context;
  if (!config.gate.enabled) return { ok: true, report: ['backup gate disabled (gate.enabled = false)'] };
  if (pushed.commits.length === 0) return { ok: true, report: [] };
  if (config.gate.when === 'destructive' && !pushed.destructive) return { ok: true, report: renderNotDestructive() };

  const now = gateNow(context.now);
  const names = requiredInstanceNames(config);
  const logPath = await gateLogPath(cwd);
  const log = await readGateLog(logPath);

  if (names.length === 0) {
    // fail closed: migrations without any database to back up are blocked unless the gate is off
    // (or an all-instance waiver is in force)
    const waiver = allInstanceWaiver(decide({ log, instances: [], maxAgeMs: 0, now }).activeWaivers);
    return { ok: Boolean(waiver), report: renderNoDatabase(pushed.commits, waiver, context.range), waived: Boolean(waiver) };
  }

  const verdict = await backupVerdict({ cwd, config, names, log, now });
  const report = renderVerdict(verdict, pushed.commits, { logPath: displayPath(cwd, logPath), maxAge: config.gate.maxAge, when: config.gate.when, range: context.range });
  const waived = verdict.ok && verdict.instances.some((instance) => instance.ok && instance.by === 'waiver');
  return { ok: verdict.ok, report, waived, verdict };
}

function allInstanceWaiver(waivers: Waiver[]): Waiver | undefined {
  return waivers.find((waiver) => waiver.instance === ALL_INSTANCES);
}
