import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/repo.js';
import { DROP, bareRemote, hookRepo, run, type HookRepo } from './helpers.js';

/**
 * C1: where the hooks find the CLI. A linked worktree (`git worktree add`) has no node_modules of its own:
 * the hooks use the CLI install recorded in the common git dir. When no CLI can be found at all, the hooks
 * say so in dbsafe-hooks' words (never npm's errors), block what contains migrations, and let the rest through.
 */

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((fn) => fn()));

function setup(): { r: HookRepo; wt: string } {
  const r = hookRepo();
  const remote = bareRemote();
  cleanups.push(() => r.cleanup(), () => remote.cleanup());
  r.git('remote', 'add', 'origin', remote.dir);
  expect(r.push('--no-verify', '-u', 'origin', 'main').code).toBe(0);
  const wt = path.join(tempDir('dbsafe-wt-'), 'wt');
  r.git('worktree', 'add', '-q', '-b', 'feat', wt);
  return { r, wt };
}

function commitIn(dir: string, file: string, content: string, verify = false): { code: number; stderr: string } {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), content);
  run(dir, 'git', ['add', file]);
  return run(dir, 'git', ['commit', '-q', ...(verify ? [] : ['--no-verify']), '-m', `add ${file}`]);
}

const NPM_NOISE = /npm (ERR|error)|404|E404/;

describe('C1: a linked worktree without node_modules uses the CLI install recorded', () => {
  it.each([
    ['a code-only push passes', 'src/app.js', '1\n', 'push', 0, ''],
    ['a pushed DROP is blocked by the re-check', 'db/migrations/002.sql', DROP, 'push', 1, 'drop-table'],
    ['a staged DROP is blocked by pre-commit', 'db/migrations/002.sql', DROP, 'commit', 1, 'drop-table'],
    ['a staged harmless migration is committed', 'db/migrations/002.sql', 'CREATE TABLE t (id int);\n', 'commit', 0, ''],
  ])('%s', (_label, file, content, what, code, says) => {
    const { wt } = setup();
    const result = what === 'commit' ? commitIn(wt, file, content, true) : (commitIn(wt, file, content), run(wt, 'git', ['push', '-q', 'origin', 'feat']));
    expect(result.code, result.stderr).toBe(code);
    if (says) expect(result.stderr).toContain(says);
    expect(result.stderr).not.toMatch(NPM_NOISE);
  });
});

describe('C1: no CLI anywhere: a dbsafe-hooks message, fail closed only for migrations', () => {
  it.each([
    ['a code-only push passes with a note', 'src/app.js', '1\n', 'push', 0, 'touches no migration, so it goes on'],
    ['a push with a migration is blocked', 'db/migrations/002.sql', 'CREATE TABLE t (id int);\n', 'push', 1, 'the dbsafe-hooks CLI is not installed in this worktree'],
    ['a staged migration is blocked', 'db/migrations/002.sql', 'CREATE TABLE t (id int);\n', 'commit', 1, 'the dbsafe-hooks CLI is not installed in this worktree'],
    ['a code-only commit passes', 'src/app.js', '1\n', 'commit', 0, ''],
  ])('%s', (_label, file, content, what, code, says) => {
    const { r } = setup();
    rmSync(path.join(r.dir, 'node_modules'), { recursive: true, force: true });
    const result = what === 'commit' ? commitIn(r.dir, file, content, true) : (commitIn(r.dir, file, content), run(r.dir, 'git', ['push', '-q', 'origin', 'main']));
    expect(result.code, result.stderr).toBe(code);
    if (says) expect(result.stderr).toContain(says);
    if (code) expect(result.stderr).toContain("Fix: run 'npm install' in this worktree");
    expect(result.stderr).not.toMatch(NPM_NOISE);
  });
});
