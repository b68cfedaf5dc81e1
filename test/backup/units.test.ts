import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { databaseFingerprint, resolveInstance } from '../../src/backup/instances.js';
import { redactText, redactUrl } from '../../src/backup/redact.js';
import { planRetention } from '../../src/backup/retention.js';
import { compare } from '../../src/backup/verify.js';
import type { StoredBackup } from '../../src/backup/store.js';
import type { LogEntry } from '../../src/backup/log.js';

const config = (databases: Record<string, unknown>, extra: Record<string, unknown> = {}) => parseConfig({ databases, ...extra }, 'test');

describe('instances', () => {
  it('reads URLs from env:VAR, fingerprints without secrets, and redacts', () => {
    const c = config({ prod: { url: 'env:PROD_URL' } });
    const a = resolveInstance(c, undefined, { cwd: '/repo', env: { PROD_URL: 'postgres://app:s3cret@DB.example.com:6432/shop?sslmode=require' } });
    const b = resolveInstance(c, 'prod', { cwd: '/repo', env: { PROD_URL: 'postgres://app:other@db.example.com:6432/shop' } });
    expect(a).toMatchObject({ name: 'prod', engine: 'postgres', family: 'postgres', isDefault: true, redactedUrl: 'postgres://app:***@DB.example.com:6432/shop?sslmode=require' });
    // same database, different password: same identity
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toContain('s3cret');
    const otherDb = resolveInstance(c, 'prod', { cwd: '/repo', env: { PROD_URL: 'postgres://app:s3cret@db.example.com:6432/shop2' } });
    expect(otherDb.fingerprint).not.toBe(a.fingerprint);
  });

  it('SQLite paths resolve against the repository root', () => {
    const c = config({ dev: { url: 'sqlite:data/dev.db' } });
    const i = resolveInstance(c, undefined, { cwd: '/nonexistent-repo' });
    expect(i).toMatchObject({ engine: 'sqlite', sqlitePath: '/nonexistent-repo/data/dev.db' });
    expect(i.fingerprint).toBe(databaseFingerprint({ family: 'sqlite', path: '/nonexistent-repo/data/dev.db' }));
    expect(resolveInstance(config({ dev: { url: './x.sqlite3' } }), undefined, { cwd: '/r' }).engine).toBe('sqlite');
  });

  it('the default instance is the explicit one, or the only one; two explicit defaults are an error', () => {
    expect(resolveInstance(config({ a: { url: 'a.db' }, b: { url: 'b.db', default: true } }), undefined, { cwd: '/r' }).name).toBe('b');
    expect(() => resolveInstance(config({ a: { url: 'a.db', default: true }, b: { url: 'b.db', default: true } }), undefined, { cwd: '/r' })).toThrow(/More than one/);
    expect(() => resolveInstance(config({ a: { url: 'a.db' } }), 'nope', { cwd: '/r' })).toThrow(/Unknown database instance "nope"/);
  });

  it('mysql URLs and a verifyUrl', () => {
    const c = config({ shop: { url: 'env:SHOP', verifyUrl: 'env:SCRATCH' } });
    const i = resolveInstance(c, undefined, { cwd: '/r', env: { SHOP: 'mysql://u:p@127.0.0.1/shop', SCRATCH: 'mysql://root:q@127.0.0.1:3307/mysql' } });
    expect(i).toMatchObject({ engine: 'mysql', family: 'mysql', server: { port: 3306, database: 'shop' }, verifyServer: { port: 3307 } });
  });
});

describe('redaction', () => {
  it('removes passwords from URLs, key=value strings and known secrets', () => {
    expect(redactUrl('mysql://root:pa%3Ass@h/db?password=x&sslkey=/k')).toBe('mysql://root:***@h/db?password=***&sslkey=***');
    expect(redactText('could not connect to postgres://u:hunter2@h/db: password=hunter2 failed; token hunter2', ['hunter2'])).not.toContain('hunter2');
  });
});

describe('retention plan', () => {
  const backup = (id: string, hoursAgo: number, bytes = 1000, pinned = false): StoredBackup => ({
    id,
    dir: `/b/${id}`,
    manifest: { snapshot: { takenAt: new Date(Date.UTC(2026, 0, 10) - hoursAgo * 3600e3).toISOString() }, artifact: { bytes }, annotations: { pinned } } as any,
  });
  const verified = (id: string) => ({ event: 'verified', backupId: id }) as unknown as LogEntry;
  const now = new Date(Date.UTC(2026, 0, 10));

  it('keeps the newest N and never the newest verified or a pinned one', () => {
    const backups = [backup('n', 0), backup('a', 1), backup('b', 2), backup('c', 3, 1000, true), backup('d', 4)];
    const plan = planRetention({ backups, newId: 'n', keep: 2, now, logEntries: [verified('d')] });
    expect(plan.remove.map((b) => b.id)).toEqual(['b']);
  });

  it('fewer backups than N is not an error', () => {
    expect(planRetention({ backups: [backup('n', 0)], newId: 'n', keep: 10, now, logEntries: [] })).toEqual({ remove: [] });
  });

  it('refuses to prune after a suspiciously small backup', () => {
    const backups = [backup('n', 0, 10), backup('a', 1), backup('b', 2), backup('c', 3)];
    const plan = planRetention({ backups, newId: 'n', keep: 1, now, logEntries: [] });
    expect(plan.remove).toEqual([]);
    expect(plan.refused).toMatch(/less than 50%/);
  });

  it('maxAge prunes old backups but never the new one or the newest verified one', () => {
    const backups = [backup('n', 0), backup('a', 30), backup('b', 50)];
    const plan = planRetention({ backups, newId: 'n', keep: 10, maxAgeMs: 24 * 3600e3, now, logEntries: [verified('b')] });
    expect(plan.remove.map((b) => b.id)).toEqual(['a']);
  });
});

describe('verify comparison', () => {
  const expected = {
    expected: {
      objects: [{ kind: 'table', name: 'public.t' }],
      tables: [{ name: 'public.t', rows: 2, hash: '42' }],
      approximateCounts: false,
    },
  };
  const restored = (rows: number, hash: string, objects = expected.expected.objects) => ({ objects, tables: [{ name: 'public.t', rows, hash }], scratch: 's', problems: [] });

  it('same counts but a different row hash is a content mismatch, reported per table', () => {
    expect(compare(expected, restored(2, '42'))).toEqual({ reason: undefined, differences: [] });
    expect(compare(expected, restored(2, '43'))).toMatchObject({ reason: 'content-mismatch', differences: [expect.stringContaining('public.t: same 2 rows but different content')] });
  });

  it('a count difference and a missing object are each named', () => {
    expect(compare(expected, restored(1, '42'))).toMatchObject({ reason: 'count-mismatch', differences: ['table public.t: expected 2 rows, restored 1'] });
    expect(compare(expected, restored(2, '42', []))).toMatchObject({ reason: 'objects-mismatch', differences: ['missing after restore: table public.t'] });
  });

  // an approximate count is a range; an empty restore of a table that had rows before and after the dump is never in it
  it.each([
    ['inside the range', { min: 3, max: 9 }, 5, undefined],
    ['an empty restore, lower bound above zero', { min: 3, max: 9 }, 0, 'count-mismatch'],
    ['an empty restore, the table was emptied during the dump', { min: 0, max: 9 }, 0, undefined],
    ['above the range', { min: 3, max: 9 }, 10, 'count-mismatch'],
    ['no bounds recorded: the count itself', {}, 0, 'count-mismatch'],
  ])('approximate count, %s', (_name, bounds, rows, reason) => {
    const approximate = { expected: { objects: expected.expected.objects, tables: [{ name: 'public.t', rows: 5, approximate: true, ...bounds }], approximateCounts: true } };
    expect(compare(approximate, { ...restored(rows, '42'), tables: [{ name: 'public.t', rows }] }).reason).toBe(reason);
  });
});
