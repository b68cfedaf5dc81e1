import { formatDuration } from './duration.js';
import { ALL_INSTANCES, type GateVerdict, type InstanceVerdict, type Problem, type Waiver } from './decide.js';

/**
 * Every line the backup gate shows a user. A blocked instance gets ONE reason and ONE command;
 * waivers in force are always shown. Callers print each line behind a `dbsafe-hooks: ` prefix
 * (as git prints `remote: `), so lines carry no prefix of their own.
 */

export interface PushedCommit {
  oid: string;
  subject: string;
  files: Array<{ path: string; status: string }>;
}

export interface RenderContext {
  /** The log file, relative to the repository root when inside it. */
  logPath: string;
  maxAge: string;
  /** Set when deciding outside a hook (`gate --base`): the range, named instead of "this push". */
  range?: string;
  /** gate.when: with 'destructive' the headline says so. */
  when?: 'any-migration' | 'destructive';
  /** The command users run, `npx dbsafe-hooks` by default. */
  bin?: string;
}

const MAX_COMMITS = 10;
const MAX_FILES = 5;

/** The commits and files that made the gate run. */
export function describeTrigger(commits: PushedCommit[], range?: string): string[] {
  const lines = [range ? `  Migrations in ${range}:` : '  Migrations in this push:'];
  for (const commit of commits.slice(0, MAX_COMMITS)) {
    lines.push(`    ${commit.oid.slice(0, 10)}  ${commit.subject}`);
    for (const file of commit.files.slice(0, MAX_FILES)) lines.push(`      ${file.status.padEnd(2)} ${file.path}`);
    if (commit.files.length > MAX_FILES) lines.push(`      … and ${commit.files.length - MAX_FILES} more files`);
  }
  if (commits.length > MAX_COMMITS) lines.push(`    … and ${commits.length - MAX_COMMITS} more commits`);
  return lines;
}

export function renderVerdict(verdict: GateVerdict, commits: PushedCommit[], context: RenderContext): string[] {
  const bin = context.bin ?? 'npx dbsafe-hooks';
  const lines: string[] = [];
  if (verdict.ok) {
    for (const instance of verdict.instances) lines.push(...passLines(instance, context));
    lines.push(...waiverNotices(verdict.activeWaivers, verdict.instances));
    return lines;
  }
  const what = context.when === 'destructive' ? 'destructive migrations are' : 'migrations are';
  lines.push(
    context.range
      ? `blocked: ${what} in ${context.range} without a recent verified backup.`
      : `push blocked: ${what} pushed without a recent verified backup.`,
    '',
  );
  lines.push(...describeTrigger(commits, context.range), '');
  for (const instance of verdict.instances) {
    if (instance.ok) {
      lines.push(...passLines(instance, context).map((line) => `  ${line}`), '');
      continue;
    }
    lines.push(`  ${instanceLabel(instance.instance)}: ${problemText(instance.problem, context)}`);
    if (instance.expiredWaiver) lines.push(`    (the waiver "${instance.expiredWaiver.reason}" ended ${formatDuration(-instance.expiredWaiver.remainingMs)} ago)`);
    lines.push(`    Fix: ${fixCommand(instance.problem, instance.instance, context, bin)}`, '');
  }
  lines.push(...waiverNotices(verdict.activeWaivers, verdict.instances));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** With no database configured and the gate on, migration pushes are blocked (fail closed). */
export function renderNoDatabase(commits: PushedCommit[], waiver?: Waiver, range?: string): string[] {
  if (waiver) {
    return [
      `backup gate WAIVED (no database is configured): ${waiverText(waiver)}`,
    ];
  }
  return [
    range
      ? `blocked: migrations are in ${range} but no database is configured for the backup gate.`
      : 'push blocked: migrations are pushed but no database is configured for the backup gate.',
    '',
    ...describeTrigger(commits, range),
    '',
    '  Configure the database to back up under `databases` (e.g. "databases": { "dev": { "url": "sqlite:dev.db" } }),',
    '  or turn the gate off with "gate": { "enabled": false } in the dbsafe configuration.',
  ];
}

/** Shown when only destructive migrations need a backup and none is pushed. */
export function renderNotDestructive(): string[] {
  return ['backup gate: migrations pushed, none destructive: no backup needed (gate.when = "destructive").'];
}

export function waiverText(waiver: Waiver): string {
  const who = waiver.creator ? ` by ${waiver.creator}` : '';
  const scope = waiver.instance === ALL_INSTANCES ? 'every instance' : `instance "${waiver.instance}"`;
  return `"${waiver.reason}"${who}, for ${scope}, until ${waiver.expiresAt} (${formatDuration(waiver.remainingMs)} left)`;
}

function passLines(instance: InstanceVerdict, context: RenderContext): string[] {
  if (!instance.ok) return [];
  if (instance.by === 'backup') {
    return [
      `backup gate passed for ${instanceLabel(instance.instance)}: verified backup ${instance.backup.backupId}, taken ${formatDuration(instance.backup.ageMs)} ago.`,
    ];
  }
  return [
    `backup gate WAIVED for ${instanceLabel(instance.instance)}: ${waiverText(instance.waiver)}`,
    `  without the waiver it would block: ${problemText(instance.problem, context)}`,
  ];
}

/** Waivers in force that were not already shown as the reason an instance passed. */
function waiverNotices(waivers: Waiver[], instances: InstanceVerdict[]): string[] {
  const used = new Set(instances.flatMap((instance) => (instance.ok && instance.by === 'waiver' ? [instance.waiver] : [])));
  return waivers.filter((waiver) => !used.has(waiver)).map((waiver) => `waiver in force: ${waiverText(waiver)}`);
}

function instanceLabel(name: string): string {
  return `instance "${name}"`;
}

export function problemText(problem: Problem, context: RenderContext): string {
  switch (problem.kind) {
    case 'no-log':
      return `no backup recorded: the backup log does not exist yet (${context.logPath}).`;
    case 'log-unreadable':
      return `the backup log cannot be read (${context.logPath}): ${problem.message}.`;
    case 'chain-broken':
      return `the backup log is damaged (${problem.problem}), so none of it can be trusted: ${context.logPath}.`;
    case 'fingerprint-unavailable':
      return `cannot tell which database it is: ${problem.message}.`;
    case 'none':
      return 'no backup of this database is recorded.';
    case 'fingerprint-mismatch':
      return `the backups recorded for it are of a different database (newest: ${problem.backupId}); none is of the one configured now.`;
    case 'unrecorded':
      return `backup ${problem.backupId} was verified, but the log never recorded taking it (copied in, or from before the log was moved aside), so its manifest would vouch for itself; adopt it on the record or take a new one.`;
    case 'too-old':
      return `the newest verified backup (${problem.backup.backupId}) was taken ${formatDuration(problem.backup.ageMs)} ago, ${formatDuration(problem.overByMs)} more than gate.maxAge (${context.maxAge}).`;
    case 'future':
      return `backup ${problem.backup.backupId} is dated ${formatDuration(-problem.backup.ageMs)} in the future (${problem.backup.takenAt}); check the system clock.`;
    case 'unverified': {
      const which = `the newest backup (${problem.backup.backupId}, taken ${formatDuration(problem.backup.ageMs)} ago)`;
      if (problem.why === 'failed') return `${which} failed verification.`;
      if (problem.why === 'level') return `${which} was only checked at level "${problem.level}", never restored.`;
      return `${which} was never verified.`;
    }
    case 'artifact-missing':
      return problem.pruned
        ? `the verified backup ${problem.backup.backupId} was pruned by retention.`
        : `the verified backup ${problem.backup.backupId} no longer exists: ${problem.artifact} is missing.`;
    case 'artifact-size':
      return `the verified backup ${problem.backup.backupId} changed on disk: ${problem.artifact} is ${problem.actual} bytes, the log recorded ${problem.expected}.`;
    case 'artifact-hash':
      return `the verified backup ${problem.backup.backupId} changed on disk: ${problem.artifact} no longer matches its recorded sha256.`;
    case 'artifact-unreadable':
      return `the verified backup ${problem.backup.backupId} cannot be read: ${problem.artifact}: ${problem.message}.`;
    case 'artifact-unrecorded':
      return `the log entry of verified backup ${problem.backup.backupId} names no artifact.`;
  }
}

export function fixCommand(problem: Problem, instance: string, context: RenderContext, bin = 'npx dbsafe-hooks'): string {
  const backup = `${bin} backup ${quoteArg(instance)} --verify`;
  switch (problem.kind) {
    case 'chain-broken':
      // the log file is gone: the next entry starts a new chain
      if (!problem.fileExists) return backup;
    // falls through
    case 'log-unreadable':
      return `${moveLogAside(context.logPath)} && ${backup}`;
    case 'unrecorded':
      return `${backup}   (or: ${bin} adopt ${quoteArg(problem.backupId)} --reason "…" && ${bin} verify ${quoteArg(problem.backupId)})`;
    case 'fingerprint-unavailable':
      return problem.hint ?? `fix databases.${instance} in the dbsafe configuration, then ${backup}`;
    default:
      return backup;
  }
}

/** A new entry would be chained after the damage: start a new log, keeping the damaged one to inspect. */
export function moveLogAside(logPath: string): string {
  return `mv ${quoteArg(logPath)} ${quoteArg(`${logPath}.damaged`)}`;
}

function quoteArg(text: string): string {
  return /^[A-Za-z0-9_.,/:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
