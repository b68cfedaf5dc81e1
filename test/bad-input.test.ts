import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, makeRepo, runCli, type TestRepo } from './helpers/repo.js';
import { buildOnce, commit, findingsOf, noStackTrace } from './integration/check-helpers.js';

/**
 * Bad input never passes silently and never crashes: each file gives a clear `unparseable` finding
 * that blocks (exit 1) or a clear error (exit 2); never a stack trace, never a hang, never exit 0
 * with a destructive statement unreported. Files are staged and read from the index, as in a commit.
 */
beforeAll(buildOnce);

let repo: TestRepo;
beforeAll(() => {
  repo = makeRepo();
  commit(repo, { 'README.md': 'x\n' });
});
afterAll(() => repo.cleanup());

function checkStaged(file: string, content: string | Buffer, dialect = 'postgres') {
  repo.write('.dbsaferc.json', JSON.stringify({ dialect, migrations: [{ glob: 'db/**/*.sql' }] }));
  repo.write(file, content);
  repo.git('add', '--', file);
  try {
    const result = runCli(['check', '--format', 'json', file], { cwd: repo.dir });
    noStackTrace(result);
    return result;
  } finally {
    repo.git('rm', '-q', '--cached', '--', file);
  }
}

const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);

describe('files that are not plain UTF-8 SQL', () => {
  it('an empty file is nothing to check (exit 0, no error)', () => {
    const result = checkStaged('db/empty.sql', '');
    expect(result.code).toBe(0);
    expect(findingsOf(result)).toEqual([]);
  });

  it('binary content blocks as unparseable and says what to do instead of a marker', () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.from('DROP TABLE users;')]);
    const result = checkStaged('db/binary.sql', png);
    expect(result.code).toBe(1);
    const [finding] = findingsOf(result);
    expect(finding).toMatchObject({ rule: 'unparseable', file: 'db/binary.sql' });
    expect(finding!.detail).toMatch(/binary.*convert the file to UTF-8.*ignore/s);
  });

  it('invalid UTF-8 (a Latin-1 file) blocks as unparseable, naming the byte and line', () => {
    const latin1 = Buffer.from("-- caf\xe9\nDROP TABLE users;\n", 'latin1');
    const result = checkStaged('db/latin1.sql', latin1);
    expect(result.code).toBe(1);
    expect(findingsOf(result)[0]!.detail).toMatch(/not valid UTF-8 \(invalid byte 0xe9 at line 1\)/);
  });

  it('UTF-16 LE with a BOM (SSMS export) is decoded: its DROP is found on the right line', () => {
    const result = checkStaged('db/utf16le.sql', utf16le('-- exported\r\nDROP TABLE users;\r\n'));
    expect(result.code).toBe(1);
    expect(findingsOf(result)).toEqual([expect.objectContaining({ rule: 'drop-table', object: 'users', line: 2, column: 1 })]);
  });

  it('UTF-16 BE and UTF-8 with a BOM are decoded too', () => {
    const be = checkStaged('db/utf16be.sql', utf16be('DROP TABLE users;\n'));
    expect(findingsOf(be)).toEqual([expect.objectContaining({ rule: 'drop-table', line: 1, column: 1 })]);
    const bom = checkStaged('db/bom.sql', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('TRUNCATE audit;\n')]));
    expect(findingsOf(bom)).toEqual([expect.objectContaining({ rule: 'truncate', line: 1, column: 1 })]);
  });

  it('a 50 MB file neither hangs nor exhausts memory: it blocks as too large to check', () => {
    const line = "INSERT INTO events (id, payload) VALUES (1, 'padding padding padding padding');\n";
    const big = Buffer.from(line.repeat(Math.ceil((50 * 1024 * 1024) / line.length)) + 'DROP TABLE users;\n');
    const result = checkStaged('db/huge.sql', big);
    expect(result.code).toBe(1);
    const [finding] = findingsOf(result);
    expect(finding).toMatchObject({ rule: 'unparseable', file: 'db/huge.sql' });
    expect(finding!.detail).toMatch(/too large to check \(50\.0 MB/);
    // from disk it is refused before being read
    const fromDisk = runCli(['check', '--worktree', '--format', 'json', 'db/huge.sql'], { cwd: repo.dir });
    noStackTrace(fromDisk);
    expect(fromDisk.code).toBe(1);
    expect(findingsOf(fromDisk)[0]!.detail).toMatch(/too large to check \(50\.0 MB/);
  });
});

describe('SQL the readers cannot follow', () => {
  it.each([
    ['an unterminated string', "SELECT 'abc;\nDROP TABLE x;\n", /unterminated string/],
    ['an unterminated quoted identifier', 'SELECT "abc;\nDROP TABLE x;\n', /unterminated quoted identifier/],
    ['an unterminated dollar quote', 'DO $$ BEGIN\nDROP TABLE x;\n', /unterminated dollar-quoted/],
    ['garbage text', 'lorem ipsum dolor sit amet\n}}}{{ @@@\n', /syntax error/],
  ])('%s blocks as unparseable', (_name, sql, detail) => {
    const result = checkStaged('db/bad.sql', sql);
    expect(result.code).toBe(1);
    const findings = findingsOf(result);
    expect(findings[0]).toMatchObject({ rule: 'unparseable', severity: 'error' });
    expect(findings.map((f) => f.detail).join('\n')).toMatch(detail);
  });

  it('100k nested parentheses: unparseable, and the DROP after it is still found', () => {
    const nested = `SELECT ${'('.repeat(100_000)}1${')'.repeat(100_000)};\nDROP TABLE after_nesting;\n`;
    const result = checkStaged('db/nested.sql', nested);
    expect(result.code).toBe(1);
    const findings = findingsOf(result);
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['unparseable', 'drop-table']));
    expect(findings.find((f) => f.rule === 'drop-table')).toMatchObject({ object: 'after_nesting', line: 2 });
  });

  it.each(['mysql', 'sqlite'])('%s: unterminated strings, garbage and deep nesting never hide a DROP', (dialect) => {
    for (const sql of [
      "DROP TABLE x;\nSELECT 'abc;\n",
      'DROP TABLE x;\nlorem ipsum }}}{{\n',
      `SELECT ${'('.repeat(100_000)}1${')'.repeat(100_000)};\nDROP TABLE x;\n`,
    ]) {
      const result = checkStaged('db/bad.sql', sql, dialect);
      expect(result.code).toBe(1);
      expect(findingsOf(result).map((f) => f.rule)).toContain('drop-table');
    }
  });
});

describe('stdout that its reader closes (`dbsafe-hooks doctor | head -1`)', () => {
  it.each([['doctor'], ['log'], ['check', '--worktree', 'README.md']])('%s: exit 2 and words on stderr, never a stack trace', async (...args) => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: repo.dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.stdout.destroy(); // nobody reads: every write to stdout fails with EPIPE
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain('internal error');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/could not be written to stdout \(EPIPE\)/);
  });
});
