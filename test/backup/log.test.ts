import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logPathFor } from '../../src/backup/log-path.js';
import { appendLogEntry, entryHash, readLog } from '../../src/backup/log.js';
import { outsideWitnessPath } from '../../src/backup/log-witness.js';
import { canonicalJson } from '../../src/backup/canonical-json.js';
import { PROJECT_ROOT } from '../helpers/repo.js';

let dir: string;
let logPath: string;

let stateHome: string;
const savedStateHome = process.env.XDG_STATE_HOME;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-log-'));
  logPath = logPathFor(dir);
  // the witness kept outside the repository lives in the user's state directory
  stateHome = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-state-'));
  process.env.XDG_STATE_HOME = stateHome;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(stateHome, { recursive: true, force: true });
  if (savedStateHome === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedStateHome;
});

async function fill(n: number) {
  for (let i = 0; i < n; i++) await appendLogEntry(logPath, { event: 'backup', instance: 'dev', backupId: `b${i}` });
}
const lines = () => readFileSync(logPath, 'utf8').split('\n').filter(Boolean);
const writeLines = (l: string[]) => writeFileSync(logPath, `${l.join('\n')}\n`);

describe('backup log', () => {
  it('appends hash-chained entries into <git-common-dir>/dbsafe/log.jsonl with mode 0600', async () => {
    await fill(3);
    expect(logPath).toBe(path.join(dir, 'dbsafe', 'log.jsonl'));
    expect(statSync(logPath).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(logPath)).mode & 0o777).toBe(0o700);
    const { entries, chain } = await readLog(logPath);
    expect(chain).toEqual({ ok: true });
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]!.prev).toBe('0'.repeat(64));
    expect(entries[1]!.prev).toBe(entries[0]!.hash);
    expect(entries[2]!.hash).toBe(entryHash(entries[2]!));
    expect(entries[1]!.backupId).toBe('b1');
  });

  it('a missing log is empty and intact', async () => {
    expect(await readLog(logPath)).toMatchObject({ entries: [], chain: { ok: true }, exists: false });
  });

  it('detects an edited line', async () => {
    await fill(3);
    const l = lines();
    l[1] = l[1]!.replace('"b1"', '"b9"');
    writeLines(l);
    expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'edited', brokenAt: 2 });
  });

  it('detects an edited line even when its hash was recomputed (the next line no longer chains)', async () => {
    await fill(3);
    const l = lines();
    const e = JSON.parse(l[1]!);
    e.backupId = 'forged';
    e.hash = entryHash(e);
    l[1] = canonicalJson(e);
    writeLines(l);
    expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'edited', brokenAt: 2 });
  });

  it('detects a deleted line in the middle', async () => {
    await fill(4);
    const l = lines();
    l.splice(1, 1);
    writeLines(l);
    expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'deleted', brokenAt: 2 });
  });

  it('detects reordered lines', async () => {
    await fill(4);
    const l = lines();
    [l[1], l[2]] = [l[2]!, l[1]!];
    writeLines(l);
    expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'reordered', brokenAt: 2 });
  });

  it('detects lines deleted from the end, and a deleted log file', async () => {
    await fill(3);
    writeLines(lines().slice(0, 2));
    expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'truncated' });
    unlinkSync(logPath);
    expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('detects lines cut from the end when either witness was deleted with them, or both', async () => {
    await fill(4);
    const full = lines();
    const head = path.join(dir, 'dbsafe', 'log.head');
    const outside = outsideWitnessPath(logPath);
    expect(statSync(outside).isFile()).toBe(true);
    expect(outside.startsWith(stateHome)).toBe(true);
    // a trailing entry (e.g. the `failed` that revoked a backup) removed together with log.head
    writeLines(full.slice(0, 3));
    unlinkSync(head);
    expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'truncated', message: expect.stringContaining(outside) });
    // … or together with the copy outside the repository
    writeLines(full);
    await appendLogEntry(logPath, { event: 'failed', instance: 'dev', backupId: 'b3' });
    writeLines(full);
    unlinkSync(outside);
    expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'truncated', message: expect.stringContaining('log.head') });
    // both witnesses gone: the end of a non-empty log can no longer be vouched for
    unlinkSync(head);
    expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'truncated', message: expect.stringContaining('both gone') });
  });

  it('detects a log replaced by another one, and ignores a witness left by an earlier repository at the same path', async () => {
    await fill(2);
    const other = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-log-other-'));
    try {
      const otherLog = logPathFor(other);
      await appendLogEntry(otherLog, { event: 'backup', instance: 'dev', backupId: 'elsewhere' });
      await appendLogEntry(otherLog, { event: 'backup', instance: 'dev', backupId: 'elsewhere2' });
      writeFileSync(logPath, readFileSync(otherLog));
      expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'replaced', brokenAt: 1 });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    // the repository was deleted and created again at the same path: its old witness outside says 2 entries
    const outside = outsideWitnessPath(logPath);
    const stale = JSON.parse(readFileSync(outside, 'utf8'));
    rmSync(path.join(dir, 'dbsafe'), { recursive: true, force: true });
    writeFileSync(outside, JSON.stringify({ ...stale, repository: '1:2:3' }));
    expect(await readLog(logPath)).toMatchObject({ entries: [], chain: { ok: true }, exists: false });
  });

  it('detects a malformed line and an unfinished last line', async () => {
    await fill(2);
    writeFileSync(logPath, `${lines()[0]}\nnot json\n${lines()[1]}\n`);
    expect((await readLog(logPath)).chain).toMatchObject({ ok: false, reason: 'malformed', brokenAt: 2 });
    await fill(2);
    writeFileSync(logPath, readFileSync(logPath, 'utf8').slice(0, -1));
    const status = (await readLog(logPath)).chain;
    expect(status.ok).toBe(false);
  });

  it('keeps the chain intact with many concurrent appenders in separate processes', async () => {
    const script = path.join(dir, 'append.mts');
    writeFileSync(
      script,
      `import { appendLogEntry } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/backup/log.ts'))};\n` +
        `for (let i = 0; i < 10; i++) await appendLogEntry(process.argv[2], { event: 'verified', instance: 'p' + process.argv[3], i });\n`,
    );
    const runOne = (n: number) =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, logPath, String(n)], { cwd: PROJECT_ROOT, stdio: 'inherit' });
        child.on('close', (code) => resolve(code ?? -1));
      });
    const codes = await Promise.all([0, 1, 2, 3, 4, 5].map(runOne));
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    const { entries, chain } = await readLog(logPath);
    expect(chain).toEqual({ ok: true });
    expect(entries).toHaveLength(60);
  }, 60_000);
});
