import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/repo.js';
import {
  backupVerified,
  fixLines,
  hoursFromNow,
  logEntries,
  makeGatedRepo,
  sqliteDb,
  stateSnapshot,
  type GatedRepo,
} from './gated-repo.js';

/**
 * The pre-push backup gate end to end: real repositories, a local bare remote, the hook installed
 * by `dbsafe-hooks install`, real `git push`, a real SQLite database backed up and verified by
 * `dbsafe-hooks backup --verify`. Time is injected with DBSAFE_NOW.
 */

const CONFIG = { databases: { dev: { url: 'sqlite:data/dev.db' } } };
const MIGRATION = { 'db/migrations/002_add_orders.sql': 'CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER);\n' };
const FIX = 'npx dbsafe-hooks backup dev --verify';

const repos: GatedRepo[] = [];
function gated(config: unknown = CONFIG): GatedRepo {
  const repo = makeGatedRepo(config);
  sqliteDb(path.join(repo.dir, 'data', 'dev.db'));
  repos.push(repo);
  return repo;
}

beforeAll(() => {
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'cli.cjs'))) throw new Error('build first: flock /tmp/dbsafe-build.lock npm run build');
});

afterEach(() => {
  for (const repo of repos.splice(0)) repo.cleanup();
});

function expectBlocked(result: { code: number; stderr: string }, reason: string | RegExp): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stderr).toContain('push blocked: migrations are pushed without a recent verified backup.');
  if (typeof reason === 'string') expect(result.stderr).toContain(reason);
  else expect(result.stderr).toMatch(reason);
}

function expectPassed(result: { code: number; stderr: string }): void {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toContain('push blocked');
}

describe('pre-push backup gate (SQLite)', () => {
  it('never asks a code-only push for a backup, even with an unreadable log, and writes nothing', () => {
    const repo = gated();
    repo.commit({ 'src/app.js': 'console.log(2);\n' }, 'code only');
    mkdirSync(repo.logPath, { recursive: true }); // a log that cannot be read matters only for migrations
    const before = stateSnapshot(repo);
    const result = repo.push(['origin', 'main']);
    expectPassed(result);
    expect(result.stderr).not.toContain('backup');
    expect(repo.remoteOid('main')).toBe(repo.repo.git('rev-parse', 'HEAD'));
    expect(stateSnapshot(repo)).toEqual(before);

    repo.commit(MIGRATION, 'add orders table');
    expectBlocked(repo.push(['origin', 'main']), 'instance "dev": the backup log cannot be read (.git/dbsafe/log.jsonl): EISDIR');
  });

  it('blocks a migration without a backup, passes after backup --verify, blocks again once the backup is too old', () => {
    const repo = gated();
    const remoteBefore = repo.remoteOid('main');
    const oid = repo.commit(MIGRATION, 'add orders table');

    const blocked = repo.push(['origin', 'main']);
    expectBlocked(blocked, 'instance "dev": no backup recorded: the backup log does not exist yet (.git/dbsafe/log.jsonl).');
    // which commit and file triggered it
    expect(blocked.stderr).toContain(`${oid.slice(0, 10)}  add orders table`);
    expect(blocked.stderr).toContain('A  db/migrations/002_add_orders.sql');
    expect(fixLines(blocked.stderr)).toEqual([FIX]);
    expect(repo.remoteOid('main')).toBe(remoteBefore);

    const backupId = backupVerified(repo);
    const passed = repo.push(['origin', 'main']);
    expectPassed(passed);
    expect(passed.stderr).toMatch(new RegExp(`backup gate passed for instance "dev": verified backup ${backupId}, taken \\d+s ago`));
    expect(repo.remoteOid('main')).toBe(oid);

    repo.commit({ 'db/migrations/003_more.sql': 'CREATE TABLE items (id INTEGER);\n' }, 'add items');
    const stale = repo.push(['origin', 'main'], { DBSAFE_NOW: hoursFromNow(25) });
    expectBlocked(stale, new RegExp(`instance "dev": the newest verified backup \\(${backupId}\\) was taken 1d 1h ago, 1h more than gate.maxAge \\(24h\\)\\.`));
    expect(fixLines(stale.stderr)).toEqual([FIX]);
    // a backup taken now (verified later or not) is judged by when it was taken: still fine 23h on
    expectPassed(repo.push(['origin', 'main'], { DBSAFE_NOW: hoursFromNow(23) }));
  });

  it('writes nothing on push --dry-run, blocked or passing', () => {
    const repo = gated();
    repo.commit(MIGRATION, 'add orders table');
    const empty = stateSnapshot(repo);
    expect(repo.push(['--dry-run', 'origin', 'main']).code).not.toBe(0);
    expect(stateSnapshot(repo)).toEqual(empty);
    backupVerified(repo);
    const recorded = stateSnapshot(repo);
    expectPassed(repo.push(['--dry-run', 'origin', 'main']));
    expect(stateSnapshot(repo)).toEqual(recorded);
  });

  it('blocks when a log line was edited, and its fix command works', () => {
    const repo = gated();
    backupVerified(repo);
    repo.commit(MIGRATION, 'add orders table');
    // make an old backup look fresh: the kind of edit the chain exists to catch
    const lines = readFileSync(repo.logPath, 'utf8').split('\n');
    const index = lines.findIndex((line) => line.includes('"event":"verified"'));
    lines[index] = lines[index].replace(/"takenAt":"[^"]+"/, `"takenAt":"${hoursFromNow(48)}"`);
    writeFileSync(repo.logPath, lines.join('\n'));

    const blocked = repo.push(['origin', 'main']);
    expectBlocked(blocked, /instance "dev": the backup log is damaged \(line \d+ \(seq \d+\) was edited[^)]*\), so none of it can be trusted: \.git\/dbsafe\/log\.jsonl\./);
    const fixes = fixLines(blocked.stderr);
    expect(fixes).toEqual([`mv .git/dbsafe/log.jsonl .git/dbsafe/log.jsonl.damaged && ${FIX}`]);

    // run the fix as a user would (without a shell: the two commands it chains)
    renameSync(repo.logPath, `${repo.logPath}.damaged`);
    backupVerified(repo);
    expectPassed(repo.push(['origin', 'main']));
  });

  it('blocks when the verified artifact was deleted or changed size', () => {
    const repo = gated();
    backupVerified(repo);
    repo.commit(MIGRATION, 'add orders table');
    const verified = logEntries(repo).find((entry) => entry.event === 'verified')!;
    const artifact = String(verified.artifact);

    writeFileSync(artifact, Buffer.concat([readFileSync(artifact), Buffer.from('x')]));
    expectBlocked(repo.push(['origin', 'main']), `changed on disk: ${artifact} is ${Number(verified.size) + 1} bytes, the log recorded ${verified.size}.`);

    rmSync(artifact);
    const blocked = repo.push(['origin', 'main']);
    expectBlocked(blocked, `instance "dev": the verified backup ${String(verified.backupId)} no longer exists: ${artifact} is missing.`);
    expect(fixLines(blocked.stderr)).toEqual([FIX]);
  });

  it('with gate.rehash, blocks an artifact whose content changed at the same size', () => {
    const repo = gated({ ...CONFIG, gate: { rehash: true } });
    backupVerified(repo);
    repo.commit(MIGRATION, 'add orders table');
    expectPassed(repo.push(['--dry-run', 'origin', 'main']));
    const artifact = String(logEntries(repo).find((entry) => entry.event === 'verified')!.artifact);
    const bytes = readFileSync(artifact);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(artifact, bytes);
    expectBlocked(repo.push(['origin', 'main']), 'no longer matches its recorded sha256');
  });

  it('does not count a backup of a different database', () => {
    const repo = gated({ databases: { dev: { url: 'sqlite:data/other.db' } } });
    sqliteDb(path.join(repo.dir, 'data', 'other.db'));
    backupVerified(repo);
    repo.writeConfig(CONFIG);
    repo.commit(MIGRATION, 'add orders table');
    const blocked = repo.push(['origin', 'main']);
    expectBlocked(blocked, /instance "dev": the backups recorded for it are of a different database \(newest: [^)]+\); none is of the one configured now\./);
    expect(fixLines(blocked.stderr)).toEqual([FIX]);
  });

  it('lets a waiver through with a visible notice until it expires', () => {
    const repo = gated();
    repo.commit(MIGRATION, 'add orders table');
    const waive = repo.cli(['waive', '--reason', 'backup disk full, ops ticket OPS-42', '--for', '2h']);
    expect(waive.code, waive.stderr).toBe(0);
    expect(waive.stdout).toContain('waiver recorded: "backup disk full, ops ticket OPS-42"');
    expect(logEntries(repo)).toMatchObject([{ event: 'waiver', instance: '*', reason: 'backup disk full, ops ticket OPS-42', creator: 'test@example.com' }]);

    const expired = repo.push(['origin', 'main'], { DBSAFE_NOW: hoursFromNow(3) });
    expectBlocked(expired, /\(the waiver "backup disk full, ops ticket OPS-42" ended (59m|1h) ago\)/);

    const waived = repo.push(['origin', 'main']);
    expectPassed(waived);
    expect(waived.stderr).toMatch(/backup gate WAIVED for instance "dev": "backup disk full, ops ticket OPS-42" by test@example.com, for every instance, until \S+ \((1h 59m|2h) left\)/);
    expect(waived.stderr).toContain('without the waiver it would block: no backup of this database is recorded.');

    // `status` shows it while it lasts, and not after
    expect(repo.cli(['status']).stdout).toContain('backup gate WAIVED: "backup disk full, ops ticket OPS-42"');
    expect(JSON.parse(repo.cli(['status', '--json']).stdout).waivers).toMatchObject([{ reason: 'backup disk full, ops ticket OPS-42', instance: '*' }]);
    expect(repo.cli(['status'], { DBSAFE_NOW: hoursFromNow(3) }).stdout).not.toContain('WAIVED');
  });

  it('refuses a waiver without a real reason or beyond a week', () => {
    const repo = gated();
    expect(repo.cli(['waive', '--reason', 'x']).code).toBe(2);
    expect(repo.cli(['waive', '--reason', 'a long enough reason', '--for', '30d']).code).toBe(2);
    expect(repo.cli(['waive', '--reason', 'a long enough reason', '--instance', 'prod']).code).toBe(2);
    expect(logEntries(repo)).toEqual([]);
  });

  it('decides new branches, tags, force pushes and multi-ref pushes by what they carry', () => {
    const repo = gated();
    // new branch, code only
    repo.repo.git('checkout', '-q', '-b', 'feature-code');
    repo.commit({ 'src/feature.js': 'export {};\n' }, 'feature code');
    expectPassed(repo.push(['origin', 'feature-code']));

    // new branch carrying a migration
    repo.repo.git('checkout', '-q', '-b', 'feature-db', 'main');
    const migration = repo.commit(MIGRATION, 'add orders table');
    expectBlocked(repo.push(['origin', 'feature-db']), 'A  db/migrations/002_add_orders.sql');

    // an annotated tag carries the unpushed migration commit too
    repo.repo.git('tag', '-a', 'v1', '-m', 'release', migration);
    expectBlocked(repo.push(['origin', 'v1']), `${migration.slice(0, 10)}  add orders table`);
    expect(repo.remoteOid('refs/tags/v1')).toBe('');

    // multi-ref: a code-only ref next to one with a migration blocks the whole push
    repo.repo.git('checkout', '-q', 'feature-code');
    const code = repo.commit({ 'src/feature.js': 'export const x = 1;\n' }, 'more feature code');
    expectBlocked(repo.push(['origin', 'feature-code', 'feature-db']), 'add orders table');
    expect(repo.remoteOid('feature-code')).not.toBe(code);
    expect(repo.remoteOid('feature-db')).toBe('');

    // force push that replaces the migration commit with code: nothing to back up
    repo.push(['--no-verify', 'origin', 'feature-db']);
    repo.repo.git('checkout', '-q', 'feature-db');
    repo.repo.git('reset', '-q', '--hard', 'main');
    repo.commit({ 'src/other.js': 'export {};\n' }, 'replace migration with code');
    expectPassed(repo.push(['--force', 'origin', 'feature-db']));

    // a tag on a commit the remote already has carries nothing new
    repo.repo.git('tag', 'v0', 'main');
    expectPassed(repo.push(['origin', 'v0']));
  });

  it('blocks migration pushes when no database is configured, unless the gate is turned off', () => {
    const repo = gated({});
    repo.commit(MIGRATION, 'add orders table');
    const blocked = repo.push(['origin', 'main']);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain('push blocked: migrations are pushed but no database is configured for the backup gate.');
    expect(blocked.stderr).toContain('"gate": { "enabled": false }');
    repo.writeConfig({ gate: { enabled: false } });
    expectPassed(repo.push(['origin', 'main']));
  });

  it('blocks with the reason when the database URL comes from an unset environment variable', () => {
    const repo = gated({ databases: { dev: { url: 'env:DBSAFE_TEST_UNSET_URL' } } });
    repo.commit(MIGRATION, 'add orders table');
    const blocked = repo.push(['origin', 'main']);
    expectBlocked(blocked, 'instance "dev": cannot tell which database it is: "databases.dev.url" reads the environment variable DBSAFE_TEST_UNSET_URL, which is not set.');
    expect(fixLines(blocked.stderr)).toEqual([expect.stringContaining('Set DBSAFE_TEST_UNSET_URL')]);
  });

  it('with gate.when = destructive, asks for a backup only when a destructive operation is pushed', () => {
    const repo = gated({ ...CONFIG, gate: { when: 'destructive' } });
    repo.commit(MIGRATION, 'add orders table');
    const created = repo.push(['origin', 'main']);
    expectPassed(created);
    expect(created.stderr).toContain('migrations pushed, none destructive: no backup needed (gate.when = "destructive").');
    repo.commit(
      { 'db/migrations/003_drop_orders.sql': '-- dbsafe:allow drop-table(orders) -- replaced by invoices, data archived (OPS-7)\nDROP TABLE orders;\n' },
      'drop orders',
    );
    const blocked = repo.push(['origin', 'main']);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain('push blocked: destructive migrations are pushed without a recent verified backup.');
    expect(blocked.stderr).toContain('A  db/migrations/003_drop_orders.sql');
    expect(fixLines(blocked.stderr)).toEqual([FIX]);
  });

  // B1: a rule set to "off" stops blocking the commit, not the data loss: the backup is still required
  it.each([
    ['DROP TABLE, drop-table off', 'blocks', { 'drop-table': 'off' }, 'DROP TABLE orders;\n'],
    ['TRUNCATE, truncate off', 'blocks', { truncate: 'off' }, 'TRUNCATE orders;\n'],
    ['DROP COLUMN, drop-column off', 'blocks', { 'drop-column': 'off' }, 'ALTER TABLE orders DROP COLUMN total;\n'],
    ['DELETE without WHERE, delete-all off', 'blocks', { 'delete-all': 'off' }, 'DELETE FROM orders;\n'],
    ['DROP TABLE, unused-override off too', 'blocks', { 'drop-table': 'off', 'unused-override': 'off' }, 'DROP TABLE orders;\n'],
    ['CREATE TABLE, drop-table off', 'passes', { 'drop-table': 'off' }, 'CREATE TABLE invoices (id INTEGER PRIMARY KEY);\n'],
    ['CREATE INDEX, no rule off', 'passes', {}, 'CREATE INDEX orders_total ON orders (total);\n'],
  ])('gate.when = destructive, %s: %s without a backup', (_label, expected, rules, sql) => {
    const repo = gated({ ...CONFIG, rules, gate: { when: 'destructive' } });
    repo.commit({ 'db/migrations/003_change.sql': sql }, 'change orders');
    const gate = repo.cli(['gate', '--base', 'origin/main']);
    const push = repo.push(['origin', 'main']);
    if (expected === 'passes') {
      expect(gate.code, gate.stderr).toBe(0);
      expectPassed(push);
      expect(push.stderr).toContain('none destructive: no backup needed');
    } else {
      expect(gate.code, gate.stderr).toBe(1);
      expect(push.code).not.toBe(0);
      expect(push.stderr).toContain('push blocked: destructive migrations are pushed without a recent verified backup.');
      expect(push.stderr).not.toContain('none destructive');
    }
  });

  it('gate --base judges each commit as the hook does: a drop undone by a later commit was still pushed', () => {
    // Both used to be separate loops: `gate --base` checked the range as one diff and saw no drop here.
    const repo = gated({ ...CONFIG, gate: { when: 'destructive' } });
    const file = 'db/migrations/003_orders.sql';
    repo.commit({ [file]: '-- dbsafe:allow drop-table(orders) -- replaced by invoices, data archived (OPS-7)\nDROP TABLE orders;\n' }, 'drop orders');
    repo.commit({ [file]: 'CREATE TABLE invoices (id INTEGER PRIMARY KEY);\n' }, 'keep orders after all');
    const gate = repo.cli(['gate', '--base', 'origin/main']);
    expect(gate.code, gate.stdout + gate.stderr).toBe(1);
    expect(gate.stderr).toContain('without a recent verified backup');
    const push = repo.push(['origin', 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('push blocked: destructive migrations are pushed without a recent verified backup.');
  });

  it('gate --base decides the same outside a hook', () => {
    const repo = gated();
    expect(repo.cli(['gate', '--base', 'origin/main']).stdout).toContain('touches a migration: no backup needed');
    repo.commit(MIGRATION, 'add orders table');
    const blocked = repo.cli(['gate', '--base', 'origin/main']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('blocked: migrations are in origin/main..HEAD without a recent verified backup.');
    expect(blocked.stderr).toContain('Migrations in origin/main..HEAD:');
    expect(blocked.stderr).toContain('instance "dev": no backup recorded');
    expect(fixLines(blocked.stderr)).toEqual([FIX]);
    backupVerified(repo);
    const passed = repo.cli(['gate', '--base', 'origin/main', '--json']);
    expect(passed.code, passed.stderr).toBe(0);
    expect(JSON.parse(passed.stdout)).toMatchObject({ ok: true, waived: false, commits: [{ subject: 'add orders table' }] });
    expect(repo.cli(['gate', '--base', 'no-such-ref']).code).toBe(2);
  });
});
