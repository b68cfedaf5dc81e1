import { afterAll, describe, expect, it } from 'vitest';
import { APPROVED_DROP, CREATE, DROP, bareRemote, hookRepo, run, type HookRepo } from './helpers.js';

/**
 * Commits that git makes without running pre-commit (reference C2), a huge staged set (C20), and a
 * marker written in the commit message instead of the file (C22), through the installed hooks.
 */

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((fn) => fn()));

/** Hooks installed, pushed once to a local bare remote (setup only, without the hook). */
function pushed(): HookRepo {
  const r = hookRepo();
  const remote = bareRemote();
  cleanups.push(() => r.cleanup(), () => remote.cleanup());
  r.git('remote', 'add', 'origin', remote.dir);
  const first = r.push('--no-verify', '-u', 'origin', 'main');
  if (first.code !== 0) throw new Error(`first push failed: ${first.stderr}`);
  return r;
}

/** A `feature` branch whose one commit adds a DROP (unapproved unless given; committed with --no-verify); back on main. */
function featureWithDrop(r: HookRepo, sql = DROP): string {
  r.git('checkout', '-q', '-b', 'feature');
  r.write('db/migrations/002_drop_users.sql', sql);
  r.git('add', 'db');
  r.git('commit', '-q', '--no-verify', '-m', 'drop users');
  const oid = r.git('rev-parse', 'HEAD');
  r.git('checkout', '-q', 'main');
  return oid;
}

function expectPushBlocked(r: HookRepo, file: string): void {
  const before = r.git('rev-parse', 'origin/main');
  const result = r.push('origin', 'main');
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stderr).toContain('push blocked');
  expect(result.stderr).toContain(file);
  expect(r.git('ls-remote', 'origin', 'refs/heads/main').split('\t')[0]).toBe(before);
}

describe('C2: commits git makes without pre-commit are caught on push', () => {
  it('cherry-pick of an unapproved DROP lands locally (no pre-commit), and pre-push blocks it', () => {
    const r = pushed();
    const oid = featureWithDrop(r);
    const picked = run(r.dir, 'git', ['cherry-pick', oid]);
    expect(picked.code, picked.stderr).toBe(0);
    expect(r.git('log', '-1', '--format=%s')).toBe('drop users');
    expectPushBlocked(r, 'db/migrations/002_drop_users.sql');
  });

  it('rebase replays an unapproved DROP without pre-commit, and pre-push blocks it', () => {
    const r = pushed();
    featureWithDrop(r);
    r.write('src/app.js', 'export {};\n');
    r.git('add', 'src');
    expect(r.commit('-m', 'code on main').code).toBe(0);
    const rebased = run(r.dir, 'git', ['rebase', '-q', 'main', 'feature']);
    expect(rebased.code, rebased.stderr).toBe(0);
    r.git('checkout', '-q', 'main');
    r.git('merge', '-q', '--ff-only', 'feature'); // a fast-forward runs no hook either
    expectPushBlocked(r, 'db/migrations/002_drop_users.sql');
  });

  it('git am applies a patch with an unapproved DROP without pre-commit, and pre-push blocks it', () => {
    const r = pushed();
    const oid = featureWithDrop(r);
    const patch = r.git('format-patch', '-1', '--stdout', oid);
    const applied = run(r.dir, 'git', ['am', '-q'], {}, `${patch}\n`);
    expect(applied.code, applied.stderr).toBe(0);
    expectPushBlocked(r, 'db/migrations/002_drop_users.sql');
  });

  it('revert of a pushed migration deletes an applied migration without pre-commit, and pre-push warns about it', () => {
    const r = pushed();
    r.write('db/migrations/001_users.sql', CREATE);
    r.git('add', 'db');
    expect(r.commit('-m', 'users').code).toBe(0);
    expect(r.push('--no-verify', 'origin', 'main').code).toBe(0);
    const reverted = run(r.dir, 'git', ['revert', '--no-edit', 'HEAD']);
    expect(reverted.code, reverted.stderr).toBe(0);
    const result = r.push('origin', 'main');
    // edited-applied-migration is a warning by default: reported, not blocking
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('edited-applied-migration');
    expect(result.stderr).toContain('db/migrations/001_users.sql');
  });

  it('an approved DROP brought in by cherry-pick passes on push', () => {
    const r = pushed();
    const oid = featureWithDrop(r, APPROVED_DROP);
    expect(run(r.dir, 'git', ['cherry-pick', oid]).code).toBe(0);
    const result = r.push('origin', 'main');
    expect(result.code, result.stderr).toBe(0);
  });
});

describe('C20: a huge staged set', () => {
  it('3,000 staged files with 300 migrations: the one unapproved DROP blocks the commit, by name', () => {
    const r = hookRepo();
    cleanups.push(() => r.cleanup());
    for (let i = 0; i < 2700; i++) r.write(`src/generated/file_${i}.js`, `export const n = ${i};\n`);
    for (let i = 0; i < 299; i++) r.write(`db/migrations/${String(i).padStart(4, '0')}_t${i}.sql`, `CREATE TABLE t${i} (id int);\n`);
    r.write('db/migrations/0299_drop_users.sql', DROP);
    r.git('add', 'src', 'db');
    const blocked = r.commit('-m', 'bulk import');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('db/migrations/0299_drop_users.sql');
    expect(blocked.stderr).toContain('300 migration files');
    expect(blocked.stderr.match(/drop-table/g)?.length).toBeGreaterThanOrEqual(1);
    r.write('db/migrations/0299_drop_users.sql', APPROVED_DROP);
    r.git('add', 'db');
    const passed = r.commit('-m', 'bulk import');
    expect(passed.code, passed.stderr).toBe(0);
  });
});

describe('C22: an override marker belongs in the migration file', () => {
  it('a marker written in the commit message approves nothing, and the message says where it goes', () => {
    const r = hookRepo();
    cleanups.push(() => r.cleanup());
    r.write('db/migrations/002_drop_users.sql', DROP);
    r.git('add', 'db');
    const result = r.commit('-m', 'drop users\n\ndbsafe:allow drop-table(users) -- users moved to accounts in release 42');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('drop-table');
    expect(result.stderr).toContain('override marker in the file');
    expect(r.git('log', '-1', '--format=%s')).toBe('initial');
  });
});
