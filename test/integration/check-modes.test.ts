import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, tempDir, type TestRepo } from '../helpers/repo.js';
import { buildOnce, checkJson, commit, findingsOf, noStackTrace } from './check-helpers.js';

/** `check --all`, `check <files>`, `check --worktree <files>`, `check --base <ref>` and errors (exit 2). */
beforeAll(buildOnce);

let repo: TestRepo;
afterEach(() => repo?.cleanup());

const check = (args: string[] = [], cwd?: string) => checkJson(repo, args, cwd);

describe('--all', () => {
  it('checks every migration: the index (not HEAD only) plus untracked files, but not ignored ones', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'DROP TABLE committed;\n', '.gitignore': 'tmp/\n', 'README.md': 'x\n' });
    repo.write('db/migrations/002.sql', 'DROP TABLE staged;\n');
    repo.git('add', '.');
    repo.write('db/migrations/002.sql', 'SELECT 1;\n'); // the index wins for tracked files
    repo.write('db/migrations/003.sql', 'DROP TABLE untracked;\n');
    repo.write('tmp/ignored.sql', 'DROP TABLE ignored;\n');
    const result = check(['--all']);
    expect(result.code).toBe(1);
    expect(findingsOf(result).map((f) => f.object).sort()).toEqual(['committed', 'staged', 'untracked']);
    expect(JSON.parse(result.stdout).summary.files).toBe(3);
  });

  it('with only safe migrations exits 0 and counts the files', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'CREATE TABLE a (id int);\n', 'db/migrations/002.sql': 'ALTER TABLE a ADD COLUMN b int;\n' });
    const result = check(['--all']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).summary).toMatchObject({ errors: 0, files: 2 });
  });
});

describe('explicit files', () => {
  it('reads content from the index by default, with absolute or cwd-relative paths', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'DROP TABLE in_index;\n' });
    repo.write('db/migrations/001.sql', 'SELECT 1;\n');
    const absolute = check([path.join(repo.dir, 'db/migrations/001.sql')]);
    expect(absolute.code).toBe(1);
    expect(findingsOf(absolute)[0]).toMatchObject({ object: 'in_index', file: 'db/migrations/001.sql' });
    const relative = check(['001.sql'], path.join(repo.dir, 'db/migrations'));
    expect(relative.code).toBe(1);
    expect(findingsOf(relative)[0]).toMatchObject({ file: 'db/migrations/001.sql' });
  });

  it('--worktree reads the files from disk', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'DROP TABLE in_index;\n' });
    repo.write('db/migrations/001.sql', 'SELECT 1;\n');
    expect(check(['--worktree', 'db/migrations/001.sql']).code).toBe(0);
  });

  it('a path that is not in the index is read from disk, with a note', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    repo.write('db/migrations/009.sql', 'TRUNCATE events;\n');
    const result = check(['db/migrations/009.sql']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/009\.sql: not in the git index; read from the working tree/);
  });

  it('a path that does not exist is an error (exit 2), never a pass', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    const result = check(['db/migrations/nope.sql']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nope\.sql: no such file/);
  });

  it('a path outside the repository is a usage error (exit 2)', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    const result = check(['../elsewhere.sql']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\.\.\/elsewhere\.sql is not a file inside the repository/);
  });

  it('a file outside the migration globs is skipped with a note', () => {
    repo = makeRepo();
    commit(repo, { '.dbsaferc.json': JSON.stringify({ migrations: [{ glob: 'db/migrations/*.sql' }] }), 'scripts/x.sql': 'DROP TABLE x;\n' });
    const result = check(['scripts/x.sql']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/scripts\/x\.sql: not a migration according to the configuration/);
  });

  it('--worktree works outside any git repository', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'm'));
    writeFileSync(path.join(dir, 'm/1.sql'), 'DROP TABLE t;\n');
    const result = runCli(['check', '--worktree', 'm/1.sql', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(findingsOf(result)[0]).toMatchObject({ file: 'm/1.sql', rule: 'drop-table' });
  });
});

describe('--base <ref> (CI)', () => {
  it('checks what the branch changed since it forked, judging modified files against the merge base', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'DROP TABLE grandfathered;\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    commit(repo, { 'db/migrations/002.sql': 'DROP TABLE branch_drop;\n' }, 'add drop');
    commit(repo, { 'db/migrations/003.sql': 'CREATE TABLE ok (id int);\n' }, 'safe');
    repo.git('checkout', '-q', 'main');
    commit(repo, { 'db/migrations/004.sql': 'DROP TABLE on_main_after_fork;\n' });
    repo.git('checkout', '-q', 'feature');
    const result = check(['--base', 'main']);
    expect(result.code).toBe(1);
    expect(findingsOf(result).map((f) => f.object)).toEqual(['branch_drop']);
  });

  it('SARIF and GitHub formats work in CI mode', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    commit(repo, { 'db/migrations/002.sql': 'DROP TABLE t;\n' });
    const sarif = runCli(['check', '--base', 'main', '--format', 'sarif'], { cwd: repo.dir });
    expect(sarif.code).toBe(1);
    expect(JSON.parse(sarif.stdout).runs[0].results[0]).toMatchObject({ ruleId: 'drop-table', level: 'error' });
    const github = runCli(['check', '--base', 'main', '--format', 'github'], { cwd: repo.dir });
    expect(github.stdout).toMatch(/^::error file=db\/migrations\/002\.sql,line=1,col=1,title=dbsafe drop-table::/m);
  });

  it('--head checks another commit than HEAD', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    commit(repo, { 'db/migrations/002.sql': 'DROP TABLE t;\n' });
    repo.git('checkout', '-q', 'main');
    expect(check(['--base', 'main']).code).toBe(0);
    const result = check(['--base', 'main', '--head', 'feature']);
    expect(result.code).toBe(1);
    expect(findingsOf(result)[0]).toMatchObject({ rule: 'drop-table', file: 'db/migrations/002.sql' });
  });

  it('an unknown ref is a clear error (exit 2)', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    const result = check(['--base', 'origin/nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown git ref "origin\/nope"/);
  });
});

describe('the tool cannot do its job: exit 2 with a clear message', () => {
  it('outside a git repository', () => {
    const result = runCli(['check'], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Not inside a git repository/);
    noStackTrace(result);
  });

  it('an invalid configuration names the key', () => {
    repo = makeRepo();
    commit(repo, { '.dbsaferc.json': '{"dialekt":"postgres"}' });
    repo.write('db/migrations/1.sql', 'DROP TABLE t;\n');
    repo.git('add', '.');
    const result = check([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dialekt/);
  });

  it('conflicting flags', () => {
    repo = makeRepo();
    const result = check(['--all', '--base', 'main']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot be combined/);
  });
});

describe('colours', () => {
  it('none when stdout is not a terminal, ANSI with FORCE_COLOR, none again with NO_COLOR', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    repo.write('db/migrations/1.sql', 'DROP TABLE t;\n');
    repo.git('add', '.');
    const ANSI = /\u001b\[\d+m/;
    const piped = runCli(['check'], { cwd: repo.dir });
    expect(piped.code).toBe(1);
    expect(piped.stdout).not.toMatch(ANSI);
    expect(runCli(['check'], { cwd: repo.dir, env: { FORCE_COLOR: '1' } }).stdout).toMatch(ANSI);
    expect(runCli(['check'], { cwd: repo.dir, env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toMatch(ANSI);
  });
});
