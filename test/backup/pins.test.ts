import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/backup/log.js';
import { pinnedIds } from '../../src/backup/pins.js';
import { planRetention } from '../../src/backup/retention.js';
import type { StoredBackup } from '../../src/backup/store.js';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { backupDirs, logEntries } from './helpers.js';

/** Pinned backups are never pruned; `keep` may be a count or `{ last, days }`. */

const backup = (id: string, daysAgo: number, pinned = false): StoredBackup => ({
  id,
  dir: `/b/${id}`,
  manifest: { snapshot: { takenAt: new Date(Date.UTC(2026, 0, 31) - daysAgo * 86_400e3).toISOString() }, artifact: { bytes: 1000 }, annotations: { pinned } } as any,
});
const pin = (id: string, pinned: boolean) => ({ event: 'pin', backupId: id, pinned }) as unknown as LogEntry;
const now = new Date(Date.UTC(2026, 0, 31));

describe('retention with pins and keep.days (cases)', () => {
  const backups = [backup('new', 0), backup('d2', 2), backup('d10', 10), backup('d40', 40, true), backup('d50', 50)];
  const cases: Array<[string, Parameters<typeof planRetention>[0], string[]]> = [
    ['keep 1: everything older and unpinned goes', { backups, newId: 'new', keep: 1, now, logEntries: [] }, ['d2', 'd10', 'd50']],
    ['keep 1, days 30: younger than 30 days stay', { backups, newId: 'new', keep: 1, keepDays: 30, now, logEntries: [] }, ['d50']],
    ['keep 1, days 5', { backups, newId: 'new', keep: 1, keepDays: 5, now, logEntries: [] }, ['d10', 'd50']],
    ['a pin from the log protects d50', { backups, newId: 'new', keep: 1, now, logEntries: [], pinned: pinnedIds(backups, [pin('d50', true)]) }, ['d2', 'd10']],
    ['unpinning a backup taken pinned makes it prunable', { backups, newId: 'new', keep: 1, now, logEntries: [], pinned: pinnedIds(backups, [pin('d40', false)]) }, ['d2', 'd10', 'd40', 'd50']],
    ['the newest pin entry wins', { backups, newId: 'new', keep: 1, now, logEntries: [], pinned: pinnedIds(backups, [pin('d50', true), pin('d50', false)]) }, ['d2', 'd10', 'd50']],
  ];
  it.each(cases)('%s', (_name, input, removed) => {
    expect(planRetention(input).remove.map((b) => b.id)).toEqual(removed);
  });
});

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite && process.env.CI) throw new Error('CI: sqlite3 CLI missing');

let repos: TestRepo[] = [];
afterEach(() => {
  for (const repo of repos) repo.cleanup();
  repos = [];
});

function sqliteRepo(config: Record<string, unknown>) {
  const repo = makeRepo();
  repos.push(repo);
  spawnSync('sqlite3', [path.join(repo.dir, 'dev.db')], { input: 'CREATE TABLE t(x); INSERT INTO t VALUES (1);' });
  repo.write('.dbsaferc.json', JSON.stringify({ databases: { dev: { url: 'sqlite:dev.db' } }, ...config }));
  return Object.assign(repo, { cli: (...args: string[]) => runCli(args, { cwd: repo.dir }) });
}

const take = (repo: ReturnType<typeof sqliteRepo>, ...args: string[]) => {
  const r = repo.cli('backup', '--json', ...args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { id: string; pruned: string[]; pruneRefused?: string };
};

describe.skipIf(!hasSqlite)('pin, unpin, backup --pin (SQLite)', { timeout: 120_000 }, () => {
  it('a pinned backup survives retention until it is unpinned; both are logged', () => {
    const repo = sqliteRepo({ keep: 1 });
    const pinned = take(repo, '--pin');
    const later = take(repo);
    expect(later.pruned).toEqual([]);
    const plain = take(repo);
    expect(plain.pruned).toEqual([later.id]);
    expect(backupDirs(repo.dir, 'dev')).toContain(pinned.id);

    const unpin = repo.cli('unpin', pinned.id);
    expect(unpin.code, unpin.stderr).toBe(0);
    expect(unpin.stdout).toMatch(`unpinned dev ${pinned.id}`);
    const next = take(repo);
    expect(next.pruned.sort()).toEqual([pinned.id, plain.id].sort());

    const again = repo.cli('pin', next.id);
    expect(again.code).toBe(0);
    take(repo);
    expect(backupDirs(repo.dir, 'dev')).toContain(next.id);
    expect(logEntries(repo.dir).filter((e) => e.event === 'pin').map((e) => [e.backupId, e.pinned])).toEqual([
      [pinned.id, false],
      [next.id, true],
    ]);
    const log = repo.cli('log');
    expect(log.stdout).toMatch(new RegExp(`pin\\s+dev\\s+${pinned.id} unpinned`));
  });

  it('keep: { last: 1, days: 30 } keeps every recent backup; a bad keep is a config error (exit 2)', () => {
    const repo = sqliteRepo({ keep: { last: 1, days: 30 } });
    take(repo);
    take(repo);
    expect(take(repo).pruned).toEqual([]);
    expect(backupDirs(repo.dir, 'dev')).toHaveLength(3);
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { dev: { url: 'sqlite:dev.db' } }, keep: { last: 0 } }));
    const bad = repo.cli('backup');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/keep/);
  });

  it('an unknown id is exit 2; a broken log chain prunes nothing (pins could be hidden)', () => {
    const repo = sqliteRepo({ keep: 1 });
    const unknown = repo.cli('pin', '20990101T000000Z-abcdef');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No backup "20990101T000000Z-abcdef"/);
    take(repo);
    take(repo);
    const logPath = path.join(repo.dir, '.git', 'dbsafe', 'log.jsonl');
    expect(existsSync(logPath)).toBe(true);
    appendFileSync(logPath, 'not json\n');
    const after = take(repo);
    expect(after.pruned).toEqual([]);
    expect(after.pruneRefused).toMatch(/chain is broken/);
  });
});
