import { describe, expect, it } from 'vitest';
import {
  activeWaivers,
  artifactsToCheck,
  decide,
  type ArtifactState,
  type GateInput,
  type GateLogEntry,
  type LogState,
} from '../../src/gate/decide.js';
import { fixCommand, problemText, renderVerdict } from '../../src/gate/messages.js';
import { formatDuration, parseDuration } from '../../src/gate/duration.js';

const NOW = new Date('2026-11-21T12:00:00Z');
const HOUR = 3_600_000;
const DEV = { name: 'dev', fingerprint: 'fp-dev' };

function at(hoursAgo: number): string {
  return new Date(NOW.getTime() - hoursAgo * HOUR).toISOString();
}

function backup(id: string, hoursAgo: number, extra: Partial<GateLogEntry> = {}): GateLogEntry {
  return { event: 'backup', backupId: id, takenAt: at(hoursAgo), fingerprint: 'fp-dev', instance: 'dev', artifact: `/b/${id}.gz`, size: 100, sha256: 'aa', ...extra };
}
function verified(id: string, hoursAgo: number, extra: Partial<GateLogEntry> = {}): GateLogEntry {
  return { ...backup(id, hoursAgo, extra), event: 'verified', level: 'restorable', ...extra };
}
/** A backup recorded when it was taken, then verified: what `backup --verify` writes. */
function taken(id: string, hoursAgo: number, extra: Partial<GateLogEntry> = {}): GateLogEntry[] {
  return [backup(id, hoursAgo, extra), verified(id, hoursAgo, extra)];
}
function waiver(hoursAgo: number, forHours: number, instance = '*'): GateLogEntry {
  return { event: 'waiver', reason: 'hotfix, backups broken', ts: at(hoursAgo), expiresAt: at(hoursAgo - forHours), instance, creator: 'ana@example.com' };
}
function read(entries: GateLogEntry[], broken?: { line: number; problem: string; fileExists: boolean }): LogState {
  return { kind: 'read', entries, ...(broken ? { broken } : {}) };
}

/** Run the two passes as the gate does, with the given artifact states (default: every artifact fine). */
function run(log: LogState, options: { artifacts?: Record<string, ArtifactState>; instances?: GateInput['instances']; maxAgeHours?: number } = {}) {
  const input = { log, instances: options.instances ?? [DEV], maxAgeMs: (options.maxAgeHours ?? 24) * HOUR, now: NOW };
  const checks = artifactsToCheck(input);
  const artifacts = new Map(checks.map((check) => [check.backupId, options.artifacts?.[check.backupId] ?? ({ kind: 'ok' } as ArtifactState)]));
  return { verdict: decide({ ...input, artifacts }), checks };
}

function problemOf(result: ReturnType<typeof run>) {
  const instance = result.verdict.instances[0];
  return instance.ok ? undefined : instance.problem;
}

describe('backup gate decision', () => {
  it('passes with a fresh verified backup of the configured database', () => {
    const result = run(read([backup('b1', 2), verified('b1', 2)]));
    expect(result.verdict.ok).toBe(true);
    expect(result.verdict.instances[0]).toMatchObject({ ok: true, by: 'backup', backup: { backupId: 'b1' } });
    expect(result.checks.map((check) => check.backupId)).toEqual(['b1']);
  });

  it('blocks when there is no log, and says so', () => {
    expect(problemOf(run({ kind: 'missing' }))).toEqual({ kind: 'no-log' });
  });

  it('blocks when nothing of this database is recorded', () => {
    expect(problemOf(run(read([])))).toEqual({ kind: 'none' });
  });

  it('judges age by when the backup was taken, not when it was verified', () => {
    const result = run(read([backup('b1', 30), { ...verified('b1', 30), ts: at(1) }]));
    expect(result.checks).toEqual([]);
    expect(problemOf(result)).toMatchObject({ kind: 'too-old', backup: { backupId: 'b1' }, overByMs: 6 * HOUR });
  });

  it('blocks an unverified backup, one whose verification failed later, and one only checked for integrity', () => {
    expect(problemOf(run(read([backup('b1', 1)])))).toMatchObject({ kind: 'unverified', why: 'never' });
    const revoked = run(read([backup('b1', 1), verified('b1', 1), { event: 'failed', backupId: 'b1', instance: 'dev' }]));
    expect(problemOf(revoked)).toMatchObject({ kind: 'unverified', why: 'failed' });
    const intact = run(read([backup('b1', 1), verified('b1', 1, { level: 'intact' })]));
    expect(problemOf(intact)).toMatchObject({ kind: 'unverified', why: 'level', level: 'intact' });
    expect(intact.checks).toEqual([]);
  });

  it('ignores a failed verification of another backup', () => {
    const result = run(read([...taken('b1', 1), { event: 'failed', backupId: 'b2', instance: 'dev' }]));
    expect(result.verdict.ok).toBe(true);
  });

  it('treats a pruned backup as gone without looking for its file', () => {
    const result = run(read([...taken('b1', 1), { event: 'pruned', backupId: 'b1', instance: 'dev', artifact: '/b/b1.gz' }]));
    expect(result.checks).toEqual([]);
    expect(problemOf(result)).toMatchObject({ kind: 'artifact-missing', pruned: true });
  });

  it('takes identity, time and artifact from the backup entry, never from a verification (which read an editable manifest)', () => {
    // verified, but the log never recorded taking it: no evidence, and the message says why
    expect(problemOf(run(read([verified('copied', 1)])))).toEqual({ kind: 'unrecorded', backupId: 'copied' });
    // a verification claiming a fresher time does not make the recorded backup younger
    expect(problemOf(run(read([backup('b1', 30), verified('b1', 1)])))).toMatchObject({ kind: 'too-old', backup: { backupId: 'b1', ageMs: 30 * HOUR } });
    // a verification of another artifact (another sha256) does not verify the recorded one
    expect(problemOf(run(read([backup('b1', 1), verified('b1', 1, { sha256: 'bb' })])))).toMatchObject({ kind: 'unverified', why: 'never' });
    // … nor does one that names no sha256 at all, or of a backup recorded without one
    expect(problemOf(run(read([backup('b1', 1), verified('b1', 1, { sha256: undefined })])))).toMatchObject({ kind: 'unverified', why: 'never' });
    expect(problemOf(run(read([backup('b1', 1, { sha256: undefined }), verified('b1', 1, { sha256: undefined })])))).toMatchObject({ kind: 'unverified', why: 'never' });
    // which database it is comes from the backup entry: a verification of the same bytes counts whatever it says
    expect(problemOf(run(read([backup('b1', 1), verified('b1', 1, { fingerprint: 'fp-other', artifact: '/elsewhere.gz' })])))).toBeUndefined();
    // the artifact checked is the recorded one
    expect(run(read([backup('b1', 1), verified('b1', 1, { artifact: '/elsewhere.gz', size: 5 })])).checks).toEqual([{ backupId: 'b1', artifact: '/b/b1.gz', size: 100, sha256: 'aa' }]);
    // an explicit adoption records a backup like a backup entry does
    expect(run(read([{ ...backup('b1', 2), event: 'adopted' }, verified('b1', 2)])).verdict.ok).toBe(true);
  });

  it('reports the backup that came closest: a fresh unverified one over a stale verified one', () => {
    const result = run(read([backup('old', 48), verified('old', 48), backup('new', 1)]));
    expect(problemOf(result)).toMatchObject({ kind: 'unverified', backup: { backupId: 'new' } });
  });

  it('reports a stale verified backup over older unverified ones', () => {
    const result = run(read([backup('a', 100), backup('b', 50), verified('b', 50)]));
    expect(problemOf(result)).toMatchObject({ kind: 'too-old', backup: { backupId: 'b' } });
  });

  it('does not count a backup of another database, and says that is why', () => {
    const other = { fingerprint: 'fp-other' };
    const result = run(read([backup('b1', 1, other), verified('b1', 1, other)]));
    expect(result.checks).toEqual([]);
    expect(problemOf(result)).toMatchObject({ kind: 'fingerprint-mismatch', backupId: 'b1' });
  });

  it('counts a backup of the same database recorded under another instance name', () => {
    const result = run(read([...taken('b1', 1, { instance: 'old-name' })]));
    expect(result.verdict.ok).toBe(true);
  });

  it('blocks when the artifact is missing, changed size or changed content, and falls back to another good backup', () => {
    const log = read([...taken('b1', 3), ...taken('b2', 1)]);
    expect(problemOf(run(log, { artifacts: { b1: { kind: 'missing' }, b2: { kind: 'missing' } } }))).toMatchObject({ kind: 'artifact-missing', pruned: false, backup: { backupId: 'b2' } });
    expect(problemOf(run(log, { artifacts: { b1: { kind: 'size', actual: 7 }, b2: { kind: 'hash', actual: 'bb' } } }))).toMatchObject({ kind: 'artifact-hash', backup: { backupId: 'b2' } });
    expect(problemOf(run(read([...taken('b1', 1)]), { artifacts: { b1: { kind: 'size', actual: 7 } } }))).toMatchObject({ kind: 'artifact-size', expected: 100, actual: 7 });
    expect(run(log, { artifacts: { b2: { kind: 'missing' } } }).verdict.ok).toBe(true);
  });

  it('fails closed when an artifact was not checked', () => {
    const verdict = decide({ log: read([...taken('b1', 1)]), instances: [DEV], maxAgeMs: 24 * HOUR, now: NOW });
    expect(verdict.ok).toBe(false);
  });

  it('trusts nothing in a log whose chain is broken, even a good backup before the break', () => {
    // the damaged line could have been the `failed` entry that revoked b1
    const result = run(read([...taken('b1', 2), backup('x', 1)], { line: 2, problem: 'line 2 (seq 2) was edited', fileExists: true }));
    expect(problemOf(result)).toEqual({ kind: 'chain-broken', line: 2, problem: 'line 2 (seq 2) was edited', fileExists: true });
    expect(result.checks).toEqual([]);
  });

  it('blocks an unreadable log', () => {
    expect(problemOf(run({ kind: 'unreadable', message: 'EACCES' }))).toEqual({ kind: 'log-unreadable', message: 'EACCES' });
  });

  it('blocks with the reason when the fingerprint cannot be computed', () => {
    const result = run(read([...taken('b1', 1)]), { instances: [{ name: 'dev', fingerprintError: 'DATABASE_URL is not set', fingerprintHint: 'Set DATABASE_URL' }] });
    expect(problemOf(result)).toEqual({ kind: 'fingerprint-unavailable', message: 'DATABASE_URL is not set', hint: 'Set DATABASE_URL' });
  });

  it('requires every configured instance', () => {
    const result = run(read([...taken('b1', 1)]), { instances: [DEV, { name: 'prod', fingerprint: 'fp-prod' }] });
    expect(result.verdict.ok).toBe(false);
    expect(result.verdict.instances.map((instance) => instance.ok)).toEqual([true, false]);
  });

  it('does not trust a backup dated in the future', () => {
    expect(problemOf(run(read([...taken('b1', -2)])))).toMatchObject({ kind: 'future' });
    expect(run(read([...taken('b1', -0.01)])).verdict.ok).toBe(true);
  });

  describe('waivers', () => {
    it('pass while they last, showing what they cover, then expire', () => {
      const live = run(read([waiver(1, 2)]));
      expect(live.verdict.ok).toBe(true);
      expect(live.verdict.instances[0]).toMatchObject({ ok: true, by: 'waiver', problem: { kind: 'none' } });
      expect(live.verdict.activeWaivers).toHaveLength(1);

      const expired = run(read([waiver(3, 2)]));
      expect(expired.verdict.ok).toBe(false);
      expect(expired.verdict.instances[0]).toMatchObject({ ok: false, expiredWaiver: { reason: 'hotfix, backups broken' } });
      expect(expired.verdict.activeWaivers).toEqual([]);
    });

    it('cover only their instance', () => {
      const result = run(read([waiver(1, 2, 'prod')]), { instances: [DEV, { name: 'prod', fingerprint: 'fp-prod' }] });
      expect(result.verdict.instances.map((instance) => instance.ok)).toEqual([false, true]);
    });

    it('are listed even when backups pass', () => {
      const result = run(read([...taken('b1', 1), waiver(1, 2, 'prod')]));
      expect(result.verdict.ok).toBe(true);
      expect(result.verdict.activeWaivers).toHaveLength(1);
      const text = renderVerdict(result.verdict, [], { logPath: '.git/dbsafe/log.jsonl', maxAge: '24h' }).join('\n');
      expect(text).toContain('waiver in force: "hotfix, backups broken" by ana@example.com, for instance "prod"');
      expect(activeWaivers([verified('b1', 1), waiver(1, 2, 'prod')], NOW)).toMatchObject([{ instance: 'prod', reason: 'hotfix, backups broken' }]);
    });

    it('in a broken log do not count', () => {
      const result = run(read([backup('x', 1), waiver(1, 2)], { line: 1, problem: 'was edited', fileExists: true }));
      expect(result.verdict.ok).toBe(false);
    });

    it('written with a future date do not count', () => {
      expect(activeWaivers([waiver(-1, 2)], NOW)).toEqual([]);
      expect(activeWaivers([waiver(0.5, 2)], NOW)).toHaveLength(1);
    });
  });
});

describe('gate messages', () => {
  const context = { logPath: '.git/dbsafe/log.jsonl', maxAge: '24h' };
  const commits = [{ oid: 'a'.repeat(40), subject: 'drop legacy table', files: [{ path: 'db/migrations/002_drop.sql', status: 'A' }] }];

  it('give one reason and one command per blocked instance', () => {
    const { verdict } = run(read([backup('b1', 30), verified('b1', 30)]));
    const lines = renderVerdict(verdict, commits, context);
    expect(lines[0]).toBe('push blocked: migrations are pushed without a recent verified backup.');
    expect(lines).toContain(`    ${'a'.repeat(10)}  drop legacy table`);
    expect(lines).toContain('      A  db/migrations/002_drop.sql');
    expect(lines).toContain('  instance "dev": the newest verified backup (b1) was taken 1d 6h ago, 6h more than gate.maxAge (24h).');
    expect(lines.filter((line) => line.includes('Fix:'))).toEqual(['    Fix: npx dbsafe-hooks backup dev --verify']);
  });

  it('tell how to get past a damaged log', () => {
    const problem = { kind: 'chain-broken', line: 3, problem: 'line 3 (seq 3) was edited', fileExists: true } as const;
    expect(problemText(problem, context)).toBe('the backup log is damaged (line 3 (seq 3) was edited), so none of it can be trusted: .git/dbsafe/log.jsonl.');
    expect(fixCommand(problem, 'dev', context)).toBe(
      'mv .git/dbsafe/log.jsonl .git/dbsafe/log.jsonl.damaged && npx dbsafe-hooks backup dev --verify',
    );
    expect(fixCommand({ ...problem, fileExists: false }, 'dev', context)).toBe('npx dbsafe-hooks backup dev --verify');
  });

  it('show the waiver that lets a push through and what it hides', () => {
    const { verdict } = run(read([waiver(1, 2)]));
    const lines = renderVerdict(verdict, commits, context);
    expect(lines[0]).toMatch(/^backup gate WAIVED for instance "dev": "hotfix, backups broken" by ana@example.com, for every instance, until .* \(1h left\)$/);
    expect(lines[1]).toBe('  without the waiver it would block: no backup of this database is recorded.');
  });

  it('mention an expired waiver under the reason', () => {
    const { verdict } = run(read([waiver(3, 2)]));
    expect(renderVerdict(verdict, commits, context)).toContain('    (the waiver "hotfix, backups broken" ended 1h ago)');
  });
});

describe('durations', () => {
  it('parse config strings and format ages', () => {
    expect(parseDuration('24h')).toBe(24 * HOUR);
    expect(parseDuration('1.5h')).toBe(1.5 * HOUR);
    expect(parseDuration('2w')).toBe(14 * 24 * HOUR);
    expect(parseDuration('soon')).toBeUndefined();
    expect(formatDuration(26 * HOUR + 5 * 60_000)).toBe('1d 2h');
    expect(formatDuration(2 * HOUR + 5 * 60_000)).toBe('2h 5m');
    expect(formatDuration(42_000)).toBe('42s');
  });
});
