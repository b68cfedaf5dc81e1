import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendLogEntry } from '../../src/backup/log.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { checkArtifacts, gateNow, instanceTargets, readGateLog, requiredInstanceNames } from '../../src/gate/evidence.js';
import { tempDir } from '../helpers/repo.js';

const dirs: string[] = [];
function scratch(): string {
  const dir = tempDir('dbsafe-gate-');
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function logWith(count: number): Promise<string> {
  const logPath = path.join(scratch(), 'dbsafe', 'log.jsonl');
  for (let i = 0; i < count; i++) await appendLogEntry(logPath, { event: 'backup', instance: 'dev', backupId: `b${i}`, takenAt: new Date().toISOString() });
  return logPath;
}

describe('reading the log for the gate', () => {
  it('tells a missing log from an intact one', async () => {
    expect(await readGateLog(path.join(scratch(), 'dbsafe', 'log.jsonl'))).toEqual({ kind: 'missing' });
    const read = await readGateLog(await logWith(2));
    expect(read).toMatchObject({ kind: 'read', entries: [{ event: 'backup', backupId: 'b0' }, { event: 'backup', backupId: 'b1' }] });
  });

  it('reports a deleted line as a break of an existing file', async () => {
    const logPath = await logWith(3);
    const lines = readFileSync(logPath, 'utf8').split('\n');
    writeFileSync(logPath, [lines[0], lines[2], ''].join('\n'));
    const read = await readGateLog(logPath);
    expect(read).toMatchObject({ kind: 'read', entries: [], broken: { line: 2, fileExists: true } });
  });

  it('reports a deleted log file (its head remains) as a break without a file to move aside', async () => {
    const logPath = await logWith(1);
    rmSync(logPath);
    expect(await readGateLog(logPath)).toMatchObject({ kind: 'read', broken: { fileExists: false } });
  });

  it('reports a log it cannot read as unreadable', async () => {
    const logPath = path.join(scratch(), 'dbsafe', 'log.jsonl');
    mkdirSync(logPath, { recursive: true });
    expect(await readGateLog(logPath)).toMatchObject({ kind: 'unreadable', message: expect.stringContaining('EISDIR') });
  });
});

describe('checking artifacts', () => {
  it('compares size always and sha256 only with rehash', async () => {
    const dir = scratch();
    const file = path.join(dir, 'dump.gz');
    writeFileSync(file, 'hello');
    const sha256 = createHash('sha256').update('hello').digest('hex');
    const check = { backupId: 'b', artifact: file, size: 5, sha256 };
    expect((await checkArtifacts([check], true)).get('b')).toEqual({ kind: 'ok' });
    writeFileSync(file, 'HELLO');
    expect((await checkArtifacts([check], false)).get('b')).toEqual({ kind: 'ok' });
    expect((await checkArtifacts([check], true)).get('b')).toMatchObject({ kind: 'hash' });
    writeFileSync(file, 'hello!');
    expect((await checkArtifacts([check], false)).get('b')).toEqual({ kind: 'size', actual: 6 });
    expect((await checkArtifacts([{ ...check, artifact: path.join(dir, 'gone.gz') }], false)).get('b')).toEqual({ kind: 'missing' });
    expect((await checkArtifacts([{ ...check, artifact: dir }], false)).get('b')).toMatchObject({ kind: 'unreadable' });
    expect((await checkArtifacts([{ ...check, size: 6, sha256: undefined }], true)).get('b')).toMatchObject({ kind: 'unreadable', message: expect.stringContaining('no sha256') });
  });
});

describe('which instances the gate requires', () => {
  const cwd = '/repo';
  it('defaults to the default instance, and names configuration mistakes', () => {
    expect(requiredInstanceNames(parseConfig({}, 'test'))).toEqual([]);
    expect(requiredInstanceNames(parseConfig({ databases: { dev: { url: 'dev.db' } } }, 'test'))).toEqual(['dev']);
    const two = { databases: { dev: { url: 'dev.db' }, prod: { url: 'env:PROD_URL', default: true } } };
    expect(requiredInstanceNames(parseConfig(two, 'test'))).toEqual(['prod']);
    expect(requiredInstanceNames(parseConfig({ ...two, gate: { instances: ['dev', 'prod'] } }, 'test'))).toEqual(['dev', 'prod']);
    expect(() => requiredInstanceNames(parseConfig({ ...two, gate: { instances: ['staging'] } }, 'test'))).toThrow(ConfigError);
    const noDefault = { databases: { dev: { url: 'dev.db' }, prod: { url: 'prod.db' } } };
    expect(() => requiredInstanceNames(parseConfig(noDefault, 'test'))).toThrow(/does not know which to require/);
  });

  it('gives each instance its fingerprint, or the reason it has none', () => {
    const config = parseConfig({ databases: { dev: { url: 'sqlite:dev.db' }, prod: { url: 'env:DBSAFE_TEST_NEVER_SET' } } }, 'test');
    const [dev, prod] = instanceTargets(config, ['dev', 'prod'], cwd);
    expect(dev).toMatchObject({ name: 'dev', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(prod).toMatchObject({ name: 'prod', fingerprintError: expect.stringContaining('DBSAFE_TEST_NEVER_SET'), fingerprintHint: expect.any(String) });
  });
});

describe('the gate clock', () => {
  it('uses the injected time, then DBSAFE_NOW, then the system clock', () => {
    const injected = new Date('2026-01-01T00:00:00Z');
    expect(gateNow(injected, { DBSAFE_NOW: '2030-01-01T00:00:00Z' })).toBe(injected);
    expect(gateNow(undefined, { DBSAFE_NOW: '2030-01-01T00:00:00Z' }).toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(() => gateNow(undefined, { DBSAFE_NOW: 'tomorrow' })).toThrow(UsageError);
    expect(Math.abs(gateNow(undefined, {}).getTime() - Date.now())).toBeLessThan(60_000);
  });
});
