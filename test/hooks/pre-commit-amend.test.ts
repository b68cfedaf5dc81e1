import { chmodSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { amendsInGitArgs } from '../../src/cli/hook/amend.js';
import { APPROVED_DROP, CREATE, DROP, hookRepo, run, writeFile, type HookRepo } from './helpers.js';

/**
 * `git commit --amend` (reference C6) and an amend at a `rebase -i` edit stop (C24), through REAL git
 * with the hooks installed by `dbsafe-hooks install`. The amended commit replaces HEAD, so what it
 * introduces is the index against HEAD's parent(s): a DROP committed earlier with --no-verify is
 * checked again when that commit is amended.
 */

/** A repository with the hooks installed, removed when the test ends. */
function repo(options?: Parameters<typeof hookRepo>[0]): HookRepo {
  const r = hookRepo(options);
  onTestFinished(() => r.cleanup());
  return r;
}

const AMEND_NOTE = 'git commit --amend: checked against the parent';

/** A commit that skipped the hooks (C1), holding `content` as db/migrations/002_drop.sql. */
function commitUnchecked(r: HookRepo, content: string, file = 'db/migrations/002_drop.sql'): void {
  r.write(file, content);
  r.git('add', 'db');
  r.git('commit', '-q', '--no-verify', '-m', 'skipped the hooks');
}

const subject = (r: HookRepo) => r.git('log', '-1', '--format=%s');

describe('C6: git commit --amend is checked against the parent of the amended commit', () => {
  it('C6: amending a --no-verify commit with an unapproved DROP (index unchanged) is blocked and names the file', () => {
    const r = repo();
    commitUnchecked(r, DROP);
    const result = r.commit('--amend', '-m', 'other');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('db/migrations/002_drop.sql:1');
    expect(result.stderr).toContain('drop-table');
    expect(result.stderr).toContain('dbsafe:allow drop-table(users)');
    expect(result.stderr).toContain(AMEND_NOTE);
    expect(subject(r)).toBe('skipped the hooks');
  });

  it('C6: the same commit with an approval marker in the file can be amended', () => {
    const r = repo();
    commitUnchecked(r, APPROVED_DROP);
    const result = r.commit('--amend', '-m', 'other');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Overrides used/);
    expect(subject(r)).toBe('other');
  });

  it('C6: amending a clean commit passes (a harmless migration; a code-only commit without starting node)', () => {
    const r = repo();
    r.write('db/migrations/001_create.sql', CREATE);
    r.git('add', 'db');
    expect(r.commit('-m', 'create').code).toBe(0);
    const migration = r.commit('--amend', '-m', 'create users');
    expect(migration.code).toBe(0);
    expect(migration.stderr).toContain(AMEND_NOTE);
    expect(subject(r)).toBe('create users');
    r.write('src/app.js', '1\n');
    r.git('add', 'src');
    expect(r.commit('-m', 'code').code).toBe(0);
    const code = r.commit('--amend', '-m', 'code, amended');
    expect(code).toMatchObject({ code: 0, stderr: '' });
  });

  it('C6: amending the root commit (no parent) with an unapproved DROP is blocked (compared with the empty tree)', () => {
    const r = repo({ initial: false });
    r.write('db/migrations/001.sql', DROP);
    r.git('add', '.');
    r.git('commit', '-q', '--no-verify', '-m', 'root');
    const result = r.commit('--amend', '-m', 'root, amended');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('db/migrations/001.sql');
    expect(result.stderr).toContain('drop-table');
    expect(r.git('rev-list', '--count', 'HEAD')).toBe('1');
  });

  it('C6: `git -c core.quotepath=off commit --amend` and `git -C <dir> commit -q --amend` are detected too', () => {
    const r = repo();
    commitUnchecked(r, DROP);
    const withConfig = run(r.dir, 'git', ['-c', 'core.quotepath=off', 'commit', '--amend', '-m', 'other']);
    expect(withConfig.code).toBe(1);
    expect(withConfig.stderr).toContain('002_drop.sql');
    const withDir = run(path.join(r.dir, 'db'), 'git', ['-C', r.dir, 'commit', '-q', '-m', 'other', '--amend']);
    expect(withDir.code).toBe(1);
    expect(withDir.stderr).toContain('002_drop.sql');
  });

  it('C6/C1: a normal commit after a --no-verify DROP commit is not blocked by it (that is pre-push\'s job)', () => {
    const r = repo();
    commitUnchecked(r, DROP);
    r.write('src/app.js', '1\n');
    r.git('add', 'src');
    expect(r.commit('-m', 'code')).toMatchObject({ code: 0, stderr: '' });
    commitUnchecked(r, DROP, 'db/migrations/003_drop.sql');
    r.write('db/migrations/004_create.sql', CREATE);
    r.git('add', 'db');
    const migration = r.commit('-m', 'harmless migration');
    expect(migration.code).toBe(0);
    expect(migration.stderr).not.toContain('drop-table');
    expect(migration.stderr).not.toContain(AMEND_NOTE);
  });

  it('C6/C12: in a migration modified by the amended commit, only operations its parent did not have count', () => {
    const r = repo();
    r.write('db/migrations/001.sql', APPROVED_DROP);
    r.git('add', 'db');
    expect(r.commit('-m', 'approved drop').code).toBe(0);
    // whitespace edit, committed unchecked: the parent's approved drop is not re-flagged
    commitUnchecked(r, `${APPROVED_DROP}\n\n`, 'db/migrations/001.sql');
    expect(r.commit('--amend', '-m', 'whitespace').code).toBe(0);
    // a new DROP in the same file, committed unchecked: amending it is blocked, for that drop only
    commitUnchecked(r, `${APPROVED_DROP}DROP TABLE orders;\n`, 'db/migrations/001.sql');
    const result = r.commit('--amend', '-m', 'new drop');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('drop-table(orders)');
    expect(result.stderr).toContain('1 error');
    expect(result.stderr).not.toContain('Drops table users');
  });

  it('C6/C7: amending a merge commit checks only what differs from every parent', () => {
    const r = repo();
    r.git('checkout', '-q', '-b', 'feat');
    commitUnchecked(r, DROP, 'db/migrations/005.sql');
    r.git('checkout', '-q', 'main');
    r.write('other.txt', 'x\n');
    r.git('add', 'other.txt');
    expect(r.commit('-m', 'diverge').code).toBe(0);
    expect(run(r.dir, 'git', ['merge', '--no-ff', '-q', '-m', 'merge feat', 'feat']).code).toBe(0);
    // the branch's own commit comes unchanged from one parent: not new in the merge (pre-push re-checks it)
    const clean = r.commit('--amend', '-m', 'merge feat, amended');
    expect(clean.code).toBe(0);
    expect(clean.stderr).not.toContain('005.sql');
    expect(r.git('log', '-1', '--format=%P').split(' ')).toHaveLength(2);
    // a DROP added to the merge commit itself differs from both parents
    r.write('db/migrations/006.sql', DROP);
    r.git('add', 'db');
    r.git('commit', '-q', '--no-verify', '--amend', '-m', 'merge with a drop');
    expect(r.git('log', '-1', '--format=%P').split(' ')).toHaveLength(2);
    const blocked = r.commit('--amend', '-m', 'merge, amended again');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('006.sql');
    expect(blocked.stderr).not.toContain('005.sql');
    expect(blocked.stderr).toContain('amending a merge commit');
  });

  it('C6: detected through an extra `sh -e` layer between git and the hook (as husky runs .husky/pre-commit)', () => {
    const r = repo();
    const wrapper = path.join(r.dir, 'wrapped-hooks', 'pre-commit');
    writeFile(r.dir, 'wrapped-hooks/pre-commit', `#!/bin/sh\nsh -e '${path.join(r.dir, '.git', 'hooks', 'pre-commit')}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    r.git('config', 'core.hooksPath', 'wrapped-hooks');
    r.write('src/app.js', '1\n');
    r.git('add', 'src');
    expect(r.commit('-m', 'code')).toMatchObject({ code: 0, stderr: '' });
    commitUnchecked(r, DROP);
    const result = r.commit('--amend', '-m', 'other');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('002_drop.sql');
  });
});

describe('C24: git commit --amend at a `rebase -i` edit stop', () => {
  const rebaseEnv = { GIT_SEQUENCE_EDITOR: "sed -i -e '1s/^pick /edit /'", GIT_EDITOR: 'true' };

  /** A repo stopped (`edit`) at its last commit, which `stopped` set up. */
  function stoppedAt(stopped: (r: HookRepo) => void): HookRepo {
    const r = repo();
    stopped(r);
    const rebase = run(r.dir, 'git', ['rebase', '-i', 'HEAD~1'], rebaseEnv);
    expect(rebase.code, rebase.stderr).toBe(0);
    expect(existsSync(path.join(r.dir, '.git', 'rebase-merge'))).toBe(true);
    return r;
  }

  it('C24: a DROP added while amending is blocked; with an approval marker it passes; rebase --continue completes', () => {
    const r = stoppedAt((r) => {
      r.write('src/app.js', '1\n');
      r.git('add', 'src');
      expect(r.commit('-m', 'code').code).toBe(0);
    });
    r.write('db/migrations/002_drop.sql', DROP);
    r.git('add', 'db');
    const blocked = r.commit('--amend', '--no-edit');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('002_drop.sql');
    expect(blocked.stderr).toContain('drop-table');
    r.write('db/migrations/002_drop.sql', APPROVED_DROP);
    r.git('add', 'db');
    expect(r.commit('--amend', '--no-edit').code).toBe(0);
    const continued = run(r.dir, 'git', ['rebase', '--continue'], rebaseEnv);
    expect(continued.code, continued.stderr).toBe(0);
    expect(existsSync(path.join(r.dir, '.git', 'rebase-merge'))).toBe(false);
    expect(r.git('show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['db/migrations/002_drop.sql', 'src/app.js']);
  });

  it('C24: amending the stopped commit whose DROP skipped the hooks is blocked even with nothing staged', () => {
    const r = stoppedAt((r) => commitUnchecked(r, DROP));
    const blocked = r.commit('--amend', '--no-edit');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('002_drop.sql');
    r.write('db/migrations/002_drop.sql', APPROVED_DROP);
    r.git('add', 'db');
    expect(r.commit('--amend', '--no-edit').code).toBe(0);
    expect(run(r.dir, 'git', ['rebase', '--continue'], rebaseEnv).code).toBe(0);
  });
});

describe('C6: which git command lines are an amend (what the hook reads from the parent git process)', () => {
  it.each([
    [['commit', '--amend'], true],
    [['commit', '-q', '-m', 'x', '--amend', '--', 'db'], true],
    [['-c', 'core.quotepath=off', '-C', 'dir', '--no-pager', 'commit', '--amend'], true],
    [['commit', '--amen'], true],
    [['commit', '-mmessage', '--amend'], true],
    [['commit', '--amend', '--no-amend'], false],
    [['commit', '-m', '--amend'], false],
    [['commit', '-am', '--amend'], false],
    [['commit', '--message', '--amend'], false],
    [['commit', '--', '--amend'], false],
    [['commit', '-a'], false],
    [['-c', 'commit', 'log', '--amend'], false],
    [['merge', '--amend'], false],
  ])('C6: git %j → amend %s', (args, expected) => {
    expect(amendsInGitArgs(args)).toBe(expected);
  });
});
