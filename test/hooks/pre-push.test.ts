import { readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempDir } from '../helpers/repo.js';
import { APPROVED_DROP, CREATE, DEFAULT_CONFIG, DROP, NO_CI, bareRemote, hookRepo, linkBin, run, type HookRepo } from './helpers.js';

/**
 * pre-push through REAL `git push` to a local bare remote (reference §10 and P1-P18). The backup
 * gate is disabled in these repositories (detection only) except in the "gate seam" tests.
 */

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((fn) => fn()));

interface PushRepo extends HookRepo {
  remote: string;
  /** Commit bypassing pre-commit, as cherry-pick / rebase / --no-verify / GUIs do. */
  sneak(file: string, content: string, message?: string): string;
}

function pushRepo(options: Parameters<typeof hookRepo>[0] = {}): PushRepo {
  const r = hookRepo(options);
  const remote = bareRemote(options.objectFormat);
  cleanups.push(() => r.cleanup(), () => remote.cleanup());
  r.git('remote', 'add', 'origin', remote.dir);
  const first = r.push('--no-verify', '-u', 'origin', 'main'); // setup only: the hook is what each test exercises
  if (first.code !== 0) throw new Error(`first push failed: ${first.stderr}`);
  return {
    ...r,
    remote: remote.dir,
    sneak(file, content, message = `add ${file}`) {
      r.write(file, content);
      r.git('add', file);
      r.git('commit', '-q', '--no-verify', '-m', message);
      return r.git('rev-parse', 'HEAD');
    },
  };
}

const remoteHas = (r: PushRepo, ref: string) => run(r.remote, 'git', ['rev-parse', '-q', '--verify', ref]).code === 0;

describe('pre-push re-checks the pushed commits', () => {
  it('blocks an unapproved DROP that bypassed pre-commit (--no-verify), naming the commit; the remote is unchanged', () => {
    const r = pushRepo();
    const oid = r.sneak('db/migrations/002.sql', DROP);
    r.write('src/app.js', '1\n');
    r.git('add', 'src');
    r.commit('-m', 'code after');
    const result = r.push('origin', 'main');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('drop-table');
    expect(result.stderr).toContain(oid.slice(0, 12));
    expect(result.stderr).toContain('push blocked');
    expect(run(r.remote, 'git', ['rev-parse', 'main']).stdout.trim()).not.toBe(r.git('rev-parse', 'HEAD'));
  });

  // E1: the fix the message gives must work; a marker added by a later commit approves nothing
  it.each([
    ['the DROP commit is HEAD', false],
    ['a commit after the DROP commit', true],
  ])('an unapproved DROP, %s: the message names that commit and how to rewrite it; doing so passes, a new commit does not', (_label, later) => {
    const r = pushRepo();
    const oid = r.sneak('db/migrations/002.sql', DROP, 'drop users');
    if (later) r.sneak('src/app.js', '1\n', 'code after');
    const short = oid.slice(0, 12);
    const blocked = r.push('origin', 'main');
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain('a later commit cannot approve it');
    expect(blocked.stderr).not.toContain('in a new commit');
    expect(blocked.stderr).toContain(later ? `${short} "drop users": git rebase -i ${short}^, mark that commit "edit"` : `${short} "drop users" (HEAD):`);
    expect(blocked.stderr).toContain('db/migrations/002.sql');
    // a new commit that adds the marker leaves the DROP commit unapproved
    r.sneak('db/migrations/002.sql', APPROVED_DROP, 'approve the drop');
    expect(r.push('origin', 'main').code).not.toBe(0);
    r.git('reset', '-q', '--hard', 'HEAD~1');
    // the advice: rewrite that commit
    if (later) {
      const rebase = run(r.dir, 'git', ['rebase', '-i', `${short}^`], { GIT_SEQUENCE_EDITOR: `sed -i 's/^pick ${oid.slice(0, 7)}/edit ${oid.slice(0, 7)}/'` });
      expect(rebase.code, rebase.stderr).toBe(0);
    }
    r.write('db/migrations/002.sql', APPROVED_DROP);
    r.git('add', 'db');
    expect(run(r.dir, 'git', ['commit', '-q', '--amend', '--no-edit']).code).toBe(0);
    if (later) expect(run(r.dir, 'git', ['rebase', '--continue'], { GIT_EDITOR: 'true' }).code).toBe(0);
    const passed = r.push('origin', 'main');
    expect(passed.code, passed.stderr).toBe(0);
  });

  it('lets an approved drop and harmless migrations through', () => {
    const r = pushRepo();
    r.sneak('db/migrations/001.sql', CREATE);
    r.sneak('db/migrations/002.sql', APPROVED_DROP);
    const result = r.push('origin', 'main');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('2 pushed commit(s) touch migrations');
  });

  it('a code-only push does not report anything', () => {
    const r = pushRepo();
    r.write('src/app.js', '1\n');
    r.git('add', 'src');
    r.commit('-m', 'code');
    const result = r.push('origin', 'main');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('P1/P3: nothing to push (git runs the hook with empty stdin) passes', () => {
    const r = pushRepo();
    const result = r.push('origin', 'main');
    expect(result.code).toBe(0);
  });

  it('P1: empty stdin (consumed by an earlier command) falls back to the current branch and says so', () => {
    const r = pushRepo();
    r.sneak('db/migrations/002.sql', DROP);
    const result = run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['hook', 'pre-push', 'origin', r.remote], {}, '');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('@{push}..HEAD');
    expect(result.stderr).toContain('put dbsafe-hooks first');
  });

  it('P2: run by hand from a terminal (stdin is a TTY): checks the current branch without waiting for input', () => {
    const r = pushRepo();
    r.sneak('db/migrations/002.sql', DROP);
    const result = run(r.dir, 'script', ['-qec', `${CLI} hook pre-push origin ${r.remote}`, '/dev/null']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('drop-table');
  });

  it('P3: deleting a remote branch that carries a DROP is not a push of that DROP', () => {
    const r = pushRepo();
    r.git('checkout', '-q', '-b', 'feat');
    r.sneak('db/migrations/002.sql', APPROVED_DROP);
    expect(r.push('origin', 'feat').code).toBe(0);
    // now make the remote branch's content "bad" from the local point of view: it does not matter
    const result = r.push('origin', ':feat');
    expect(result.code).toBe(0);
    expect(remoteHas(r, 'refs/heads/feat')).toBe(false);
  });

  it('P4: a new branch (remote oid all zeros) is compared with the remote-tracking refs', () => {
    const r = pushRepo();
    r.git('checkout', '-q', '-b', 'feat');
    r.sneak('db/migrations/002.sql', DROP);
    const result = r.push('origin', 'feat');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('1 pushed commit(s)');
  });

  it('P4: SHA-256 repository (64-zero oids)', () => {
    const r = pushRepo({ objectFormat: 'sha256' });
    r.git('checkout', '-q', '-b', 'feat');
    r.sneak('db/migrations/002.sql', DROP);
    const result = r.push('origin', 'feat');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('drop-table');
  });

  it('P5: the local ref is an expression (HEAD~1:refs/heads/x): only what is pushed counts', () => {
    const r = pushRepo();
    r.sneak('db/migrations/002.sql', CREATE);
    r.sneak('db/migrations/003.sql', DROP);
    expect(r.push('origin', 'HEAD~1:refs/heads/x').code).toBe(0);
    const result = r.push('origin', 'HEAD:refs/heads/y');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('003.sql');
  });

  it('P6: an annotated tag on a DROP commit carries it; a tag on a tree is skipped', () => {
    const r = pushRepo();
    r.git('checkout', '-q', '-b', 'side');
    r.sneak('db/migrations/002.sql', DROP);
    r.git('tag', '-a', '-m', 'release', 'v1');
    r.git('checkout', '-q', 'main');
    const tagged = r.push('origin', 'v1');
    expect(tagged.code).not.toBe(0);
    expect(tagged.stderr).toContain('drop-table');
    r.git('tag', 'treetag', 'HEAD^{tree}');
    expect(r.push('origin', 'treetag').code).toBe(0);
  });

  it('P7: a force push that replaced the migration commit checks only the new commits', () => {
    const r = pushRepo();
    r.sneak('db/migrations/002.sql', APPROVED_DROP);
    expect(r.push('origin', 'main').code).toBe(0);
    r.git('reset', '-q', '--hard', 'HEAD~1');
    r.sneak('db/migrations/002.sql', CREATE, 'replacement');
    const result = r.push('-f', 'origin', 'main');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('1 pushed commit(s)');
  });

  it('P8: the remote moved (someone else pushed, not fetched): no "bad object", still checked', () => {
    const r = pushRepo();
    const other = tempDir('dbsafe-other-');
    cleanups.push(() => run(other, 'rm', ['-rf', other]));
    run(other, 'git', ['clone', '-q', r.remote, 'c']);
    const clone = path.join(other, 'c');
    writeFileSync(path.join(clone, 'theirs.txt'), 'x\n');
    run(clone, 'git', ['add', '.']);
    run(clone, 'git', ['commit', '-q', '-m', 'theirs']);
    expect(run(clone, 'git', ['push', '-q', 'origin', 'main']).code).toBe(0);
    r.sneak('db/migrations/002.sql', DROP);
    const result = r.push('-f', 'origin', 'main');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('drop-table');
    expect(result.stderr).not.toMatch(/bad object|internal error/);
  });

  it('P9: push to a URL (no remote name, no tracking refs)', () => {
    const r = pushRepo();
    r.write('src/app.js', '1\n');
    r.git('add', 'src');
    r.commit('-m', 'code');
    expect(r.push(r.remote, 'main').code).toBe(0);
    r.sneak('db/migrations/002.sql', DROP);
    const result = r.push(r.remote, 'main');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('1 pushed commit(s)');
  });

  it('P11: shallow clone: a code-only branch pushed by URL is not a false positive; a migration is caught', () => {
    const r = pushRepo();
    r.sneak('db/migrations/001.sql', CREATE);
    expect(r.push('origin', 'main').code).toBe(0);
    const parent = tempDir('dbsafe-shallow-');
    cleanups.push(() => run(parent, 'rm', ['-rf', parent]));
    expect(run(parent, 'git', ['clone', '-q', '--depth', '1', `file://${r.remote}`, 's']).code).toBe(0);
    const s = path.join(parent, 's');
    linkBin(s);
    expect(run(s, 'node_modules/.bin/dbsafe-hooks', ['install'], NO_CI).code).toBe(0);
    run(s, 'git', ['checkout', '-q', '-b', 'code']);
    writeFileSync(path.join(s, 'app.js'), '1\n');
    run(s, 'git', ['add', 'app.js']);
    run(s, 'git', ['commit', '-q', '-m', 'code']);
    const code = run(s, 'git', ['push', '-q', `file://${r.remote}`, 'code']);
    expect(code.code).toBe(0);
    expect(code.stderr).not.toContain('touch migrations');
    writeFileSync(path.join(s, 'db', 'migrations', '002.sql'), DROP);
    run(s, 'git', ['add', '.']);
    run(s, 'git', ['commit', '-q', '--no-verify', '-m', 'drop']);
    const drop = run(s, 'git', ['push', '-q', `file://${r.remote}`, 'code']);
    expect(drop.code).not.toBe(0);
    expect(drop.stderr).toContain('1 pushed commit(s)');
  });

  it('P12: several refs in one push: every line counts', () => {
    const r = pushRepo();
    r.git('branch', 'a');
    r.git('checkout', '-q', '-b', 'b');
    r.sneak('db/migrations/002.sql', DROP);
    r.git('checkout', '-q', 'main');
    const result = r.push('origin', 'a', 'b');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('refs/heads/a, refs/heads/b');
    expect(result.stderr).toContain('drop-table');
  });

  it('P13: a side branch that added a DROP and reverted it, merged in, is still seen (--full-history)', () => {
    const r = pushRepo();
    r.git('checkout', '-q', '-b', 'side');
    r.sneak('db/migrations/002.sql', DROP);
    r.git('rm', '-q', 'db/migrations/002.sql');
    r.git('commit', '-q', '--no-verify', '-m', 'revert');
    r.git('checkout', '-q', 'main');
    r.write('src/app.js', '1\n');
    r.git('add', 'src');
    r.commit('-m', 'code');
    expect(run(r.dir, 'git', ['merge', '-q', '--no-ff', '-m', 'merge side', 'side']).code).toBe(0);
    const result = r.push('origin', 'main');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('drop-table');
  });

  it('P14: very large ranges are bounded, and the output says so', () => {
    const r = pushRepo();
    r.sneak('db/migrations/001.sql', CREATE);
    r.sneak('db/migrations/002.sql', CREATE.replace('users', 'orders'));
    r.sneak('db/migrations/003.sql', CREATE.replace('users', 'items'));
    const result = run(r.dir, 'git', ['push', '-q', 'origin', 'main'], { DBSAFE_PUSH_MAX_COMMITS: '2' });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('only the newest 2 were re-checked');
  });

  it('P15: a pre-push hook that was there before (moved aside and chained) still gets every ref line on stdin', () => {
    const r = hookRepo({ initial: true });
    cleanups.push(() => r.cleanup());
    // uninstall, add a foreign pre-push hook, install again: it is chained
    run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['uninstall']);
    const seen = path.join(r.dir, '.git', 'seen-stdin');
    const foreign = path.join(r.dir, '.git', 'hooks', 'pre-push');
    writeFileSync(foreign, `#!/bin/sh\ncat > '${seen}'\necho "foreign hook ran with $1"\nexit 0\n`);
    chmodSync(foreign, 0o755);
    expect(run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['install'], NO_CI).code).toBe(0);
    const remote = bareRemote();
    cleanups.push(() => remote.cleanup());
    r.git('remote', 'add', 'origin', remote.dir);
    const result = r.push('origin', 'main');
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).toContain('foreign hook ran with origin');
    expect(readFileSync(seen, 'utf8')).toMatch(/^refs\/heads\/main [0-9a-f]{40} refs\/heads\/main 0{40}\n$/);
  });

  it('P15: the chained foreign pre-push hook\'s exit code counts', () => {
    const r = hookRepo();
    cleanups.push(() => r.cleanup());
    run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['uninstall']);
    const foreign = path.join(r.dir, '.git', 'hooks', 'pre-push');
    writeFileSync(foreign, '#!/bin/sh\necho "foreign says no" >&2\nexit 3\n');
    chmodSync(foreign, 0o755);
    run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['install'], NO_CI);
    const remote = bareRemote();
    cleanups.push(() => remote.cleanup());
    r.git('remote', 'add', 'origin', remote.dir);
    const result = r.push('origin', 'main');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('foreign says no');
  });

  it('each pushed commit reads the files its migrations reference from its own tree (Liquibase sqlFile)', () => {
    const r = pushRepo({ config: { migrations: [{ glob: ['db/changelog/*.xml'], format: 'liquibase' }], dialect: 'postgres', gate: { enabled: false } } });
    const changeSet = (id: number) => `  <changeSet id="${id}" author="a">\n    <sqlFile path="sql/cleanup.sql" relativeToChangelogFile="true"/>\n  </changeSet>\n`;
    const changelog = (ids: number[]) => `<?xml version="1.0"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n${ids.map(changeSet).join('')}</databaseChangeLog>\n`;
    r.write('db/changelog/sql/cleanup.sql', 'SELECT 1;\n');
    r.git('add', 'db/changelog/sql/cleanup.sql');
    const harmless = r.sneak('db/changelog/master.xml', changelog([1]));
    // the next commit turns the referenced file into a DROP (and touches the changelog)
    r.write('db/changelog/sql/cleanup.sql', 'DROP TABLE customers;\n');
    r.git('add', 'db/changelog/sql/cleanup.sql');
    const oid = r.sneak('db/changelog/master.xml', changelog([1, 2]));
    const result = r.push('origin', 'main');
    expect(result.code, result.stderr).not.toBe(0);
    expect(result.stderr).toContain('drop-table');
    expect(result.stderr).toContain(oid.slice(0, 12));
    // the first commit referenced a harmless file: it must not be blamed for the later one's content
    expect(result.stderr).not.toContain(harmless.slice(0, 12));
  });

  it('P16: --dry-run runs the hook, which blocks and writes nothing', () => {
    const r = pushRepo();
    r.sneak('db/migrations/002.sql', DROP);
    const before = readdirSync(path.join(r.dir, '.git', 'dbsafe')).sort();
    const result = r.push('--dry-run', 'origin', 'main');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('drop-table');
    expect(readdirSync(path.join(r.dir, '.git', 'dbsafe')).sort()).toEqual(before);
  });

  it('P17: pushing from a linked worktree', () => {
    const r = pushRepo();
    const wt = path.join(tempDir('dbsafe-wt-'), 'wt');
    cleanups.push(() => run('/', 'rm', ['-rf', path.dirname(wt)]));
    r.git('worktree', 'add', '-q', '-b', 'wt', wt);
    linkBin(wt);
    run(wt, 'mkdir', ['-p', 'db/migrations']);
    writeFileSync(path.join(wt, 'db', 'migrations', '002.sql'), DROP);
    run(wt, 'git', ['add', 'db']);
    run(wt, 'git', ['commit', '-q', '--no-verify', '-m', 'drop in worktree']);
    const result = run(wt, 'git', ['push', '-q', 'origin', 'wt']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('drop-table');
  });

  it('P18: special remote refs (Gerrit refs/for/main) are new refs, excluded by the tracking refs', () => {
    const r = pushRepo();
    r.sneak('db/migrations/002.sql', DROP);
    const result = r.push('origin', 'HEAD:refs/for/main');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('1 pushed commit(s)');
  });

  it('pre-commit framework: PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF give the range', () => {
    const r = pushRepo();
    const base = r.git('rev-parse', 'HEAD');
    r.sneak('db/migrations/002.sql', DROP);
    const head = r.git('rev-parse', 'HEAD');
    const result = run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['hook', 'pre-push', 'origin', r.remote], {
      PRE_COMMIT_FROM_REF: base,
      PRE_COMMIT_TO_REF: head,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${base}...${head}`);
  });

  it('a merge commit in the range: the side branch\'s approved drop is not re-flagged through the merge', () => {
    const r = pushRepo();
    r.git('checkout', '-q', '-b', 'side');
    r.sneak('db/migrations/002.sql', APPROVED_DROP);
    r.git('checkout', '-q', 'main');
    r.write('src/app.js', '1\n');
    r.git('add', 'src');
    r.commit('-m', 'code');
    expect(run(r.dir, 'git', ['merge', '-q', '--no-ff', '-m', 'merge', 'side']).code).toBe(0);
    const result = r.push('origin', 'main');
    expect(result.code).toBe(0);
  });
});

describe('the backup gate seam', () => {
  it('with the gate enabled, a push that touches migrations goes to the gate, which blocks without backup evidence', () => {
    const r = pushRepo({ config: { ...DEFAULT_CONFIG, gate: { enabled: true } } });
    r.sneak('db/migrations/002.sql', CREATE);
    const result = r.push('origin', 'main');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('1 pushed commit(s) touch migrations');
    expect(result.stderr).toMatch(/backup|gate/i);
  });

  it('with the gate enabled, a push that touches no migration never reaches the gate', () => {
    const r = pushRepo({ config: { ...DEFAULT_CONFIG, gate: { enabled: true } } });
    r.write('src/app.js', '1\n');
    r.git('add', 'src');
    r.commit('-m', 'code');
    expect(r.push('origin', 'main').code).toBe(0);
  });
});
