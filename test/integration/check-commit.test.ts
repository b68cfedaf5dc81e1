import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, makeRepo, type TestRepo } from '../helpers/repo.js';
import { buildOnce, commit } from './check-helpers.js';

/**
 * A real `git commit` running a plain pre-commit hook that calls `dbsafe-hooks check`: git sets
 * GIT_INDEX_FILE (index.lock for -a, next-index-<pid>.lock for `commit -- paths`) and runs the
 * hook at the root with GIT_PREFIX; the check must judge exactly what that commit contains.
 */
beforeAll(buildOnce);

let repo: TestRepo;
afterEach(() => repo?.cleanup());

function withHook(): TestRepo {
  const r = makeRepo();
  const hook = path.join(r.dir, '.git', 'hooks', 'pre-commit');
  writeFileSync(hook, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" check\n`);
  chmodSync(hook, 0o755);
  return r;
}

function gitCommit(args: string[], cwd?: string) {
  const result = spawnSync('git', ['commit', '-q', '-m', 'test', ...args], { cwd: cwd ?? repo.dir, env: cleanEnv(), encoding: 'utf8' });
  return { code: result.status, stderr: result.stderr };
}

describe('inside git commit', () => {
  it('blocks a staged DROP committed from a subdirectory, and HEAD does not move', () => {
    repo = withHook();
    commit(repo, { 'app/README.md': 'x\n' });
    const before = repo.git('rev-parse', 'HEAD');
    repo.write('db/migrations/002.sql', 'DROP TABLE users;\n');
    repo.git('add', '.');
    const result = gitCommit([], path.join(repo.dir, 'app'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/db\/migrations\/002\.sql:1:1 {2}error drop-table/);
    expect(repo.git('rev-parse', 'HEAD')).toBe(before);
  });

  it('commit -a: a DROP only in the working tree is part of the commit (index.lock) and blocks', () => {
    repo = withHook();
    commit(repo, { 'db/migrations/001.sql': 'CREATE TABLE a (id int);\n' });
    repo.write('db/migrations/001.sql', 'CREATE TABLE a (id int);\nDROP TABLE a;\n');
    const result = gitCommit(['-a']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/drop-table/);
  });

  it('commit -- <path>: a DROP staged in another file is not part of this commit (next-index lock)', () => {
    repo = withHook();
    commit(repo, { 'db/migrations/001.sql': 'CREATE TABLE a (id int);\n', 'README.md': 'x\n' });
    repo.write('db/migrations/002.sql', 'DROP TABLE users;\n');
    repo.git('add', '.');
    repo.write('README.md', 'y\n');
    const result = gitCommit(['--', 'README.md']);
    expect(result.code).toBe(0);
    expect(repo.git('show', '--name-only', '--format=', 'HEAD')).toBe('README.md');
  });

  it('in a linked worktree (absolute GIT_DIR and GIT_INDEX_FILE in the hook) the worktree\'s own index is checked', () => {
    repo = withHook();
    commit(repo, { 'README.md': 'x\n' });
    const worktree = `${repo.dir}-wt`;
    repo.git('worktree', 'add', '-q', '-b', 'wt', worktree);
    try {
      writeFileSync(path.join(worktree, 'drop.sql'), 'DROP TABLE users;\n');
      spawnSync('git', ['add', 'drop.sql'], { cwd: worktree, env: cleanEnv() });
      const blocked = gitCommit([], worktree);
      expect(blocked.code).not.toBe(0);
      expect(blocked.stderr).toMatch(/drop\.sql:1:1 {2}error drop-table/);
      // the main worktree has nothing staged: its commits are not affected
      repo.write('README.md', 'y\n');
      repo.git('add', 'README.md');
      expect(gitCommit([]).code).toBe(0);
    } finally {
      repo.git('worktree', 'remove', '--force', worktree);
    }
  });

  it('a clean merge (pre-merge-commit) does not re-judge the branch\'s committed DROP', () => {
    repo = withHook();
    const hook = path.join(repo.dir, '.git', 'hooks', 'pre-merge-commit');
    writeFileSync(hook, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" check\n`);
    chmodSync(hook, 0o755);
    commit(repo, { 'README.md': 'x\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    commit(repo, { 'db/migrations/005.sql': 'DROP TABLE reviewed;\n' });
    repo.git('checkout', '-q', 'main');
    commit(repo, { 'other.txt': 'y\n' });
    const merge = spawnSync('git', ['merge', '--no-ff', '-q', '-m', 'merge feature', 'feature'], { cwd: repo.dir, env: cleanEnv(), encoding: 'utf8' });
    expect(merge.stderr).not.toMatch(/drop-table/);
    expect(merge.status).toBe(0);
    expect(repo.git('rev-list', '--parents', '-n', '1', 'HEAD').split(' ')).toHaveLength(3);
  });

  it('an override marker with a reason lets the commit through and lists the override', () => {
    repo = withHook();
    commit(repo, { 'README.md': 'x\n' });
    repo.write('db/migrations/003.sql', '-- dbsafe:allow drop-table(legacy) -- replaced by accounts in 0042\nDROP TABLE legacy;\n');
    repo.git('add', '.');
    const result = spawnSync('git', ['commit', '-m', 'ok'], { cwd: repo.dir, env: cleanEnv(), encoding: 'utf8' });
    expect(result.status).toBe(0);
    // git sends a hook's stdout to stderr
    expect(result.stdout + result.stderr).toMatch(/Overrides used \(1\):\n {2}db\/migrations\/003\.sql:1 {2}drop-table\(legacy\) {2}-- replaced by accounts in 0042/);
  });
});
