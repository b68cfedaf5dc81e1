import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/repo.js';
import { APPROVED_DROP, CREATE, DROP, git, hookRepo, run, type HookRepo } from './helpers.js';

/**
 * The pre-commit / pre-merge-commit hooks through REAL `git commit` / `git merge` with the hooks
 * installed by `dbsafe-hooks install` (reference §11, C1-C29 that git 2.39 can set up).
 */

const repos: HookRepo[] = [];
function repo(options?: Parameters<typeof hookRepo>[0]): HookRepo {
  const r = hookRepo(options);
  repos.push(r);
  return r;
}
afterAll(() => repos.forEach((r) => r.cleanup()));

/** A PATH with git and the shell tools the hooks use, but no node (a GUI client with nvm). */
let noNodePath: string;
beforeAll(() => {
  noNodePath = tempDir('dbsafe-nonode-');
  for (const tool of ['git', 'sh', 'mktemp', 'cat', 'rm', 'dirname']) {
    symlinkSync(path.join('/usr/bin', tool), path.join(noNodePath, tool));
  }
});

describe('pre-commit through git commit', () => {
  it('blocks a staged DROP TABLE and names the rule, the file and the marker to write', () => {
    const r = repo();
    r.write('db/migrations/002_drop.sql', DROP);
    r.git('add', 'db');
    const result = r.commit('-m', 'drop users');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('db/migrations/002_drop.sql:1');
    expect(result.stderr).toContain('drop-table');
    expect(result.stderr).toContain('dbsafe:allow drop-table(users)');
    expect(r.git('rev-list', '--count', 'HEAD')).toBe('1');
  });

  it('never reuses a config validated by a build with another schema (the cache is keyed on the schema)', () => {
    const r = repo({ config: { protected: ['users'] } });
    r.write('db/migrations/001_create.sql', CREATE);
    r.git('add', 'db');
    expect(r.commit('-m', 'create').code).toBe(0);
    const cacheFile = path.join(r.dir, '.git', 'dbsafe', 'config-cache.json');
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
    expect(cache.config.protected).toEqual(['users']);
    // What an older build might have cached for the same file: same bytes, another schema, no protection.
    writeFileSync(cacheFile, JSON.stringify({ ...cache, schema: 'older-build', config: { ...cache.config, protected: [] } }));
    r.write('db/migrations/002_drop.sql', APPROVED_DROP.replace(/drop-table\(users\)/, 'drop-table'));
    r.git('add', 'db');
    const result = r.commit('-m', 'drop users');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('protected');
  });

  it('lets a harmless migration and an approved drop through, listing the override', () => {
    const r = repo();
    r.write('db/migrations/001_create.sql', CREATE);
    r.git('add', 'db');
    expect(r.commit('-m', 'create').code).toBe(0);
    r.write('db/migrations/002_drop.sql', APPROVED_DROP);
    r.git('add', 'db');
    const result = r.commit('-m', 'approved drop');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Overrides used/);
  });

  it('does not start node when no migration is staged (passes even with node missing from PATH)', () => {
    const r = repo();
    r.write('src/app.js', 'console.log(1)\n');
    r.git('add', 'src');
    const result = run(r.dir, 'git', ['commit', '-q', '-m', 'code'], { PATH: noNodePath });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('C25: node missing and a migration staged: blocked with a message that says why and how to fix it', () => {
    const r = repo();
    r.write('db/migrations/001_create.sql', CREATE);
    r.git('add', 'db');
    const result = run(r.dir, 'git', ['commit', '-q', '-m', 'create'], { PATH: noNodePath });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('node is not on the PATH');
    expect(result.stderr).toContain('dbsafe-hooks doctor');
  });

  it('C4: reads the index, not the working tree (partial staging both ways)', () => {
    const r = repo();
    // staged: the DROP; working tree: a harmless file → blocked
    r.write('db/migrations/002.sql', DROP);
    r.git('add', 'db');
    r.write('db/migrations/002.sql', CREATE);
    expect(r.commit('-m', 'x').code).toBe(1);
    // staged: harmless; working tree: a DROP → passes
    r.git('add', 'db');
    r.write('db/migrations/002.sql', DROP);
    expect(r.commit('-m', 'y').code).toBe(0);
  });

  it('C5: initial commit (unborn HEAD) is checked against the empty tree', () => {
    const r = repo({ initial: false });
    r.write('db/migrations/001.sql', DROP);
    r.git('add', '.');
    const blocked = r.commit('-m', 'initial');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('drop-table');
    r.write('db/migrations/001.sql', CREATE);
    r.git('add', '.');
    expect(r.commit('-m', 'initial').code).toBe(0);
  });

  it('C5: initial commit in a SHA-256 repository', () => {
    const r = repo({ initial: false, objectFormat: 'sha256' });
    r.write('db/migrations/001.sql', DROP);
    r.git('add', '.');
    expect(r.commit('-m', 'initial').code).toBe(1);
  });

  it('C12: a whitespace edit of a migration with an approved drop is not re-flagged; a new DROP in it is', () => {
    const r = repo();
    r.write('db/migrations/001.sql', `${CREATE}${APPROVED_DROP}`);
    r.git('add', 'db');
    expect(r.commit('-m', 'one').code).toBe(0);
    r.write('db/migrations/001.sql', `${CREATE}\n${APPROVED_DROP}`);
    r.git('add', 'db');
    const edited = r.commit('-m', 'whitespace');
    expect(edited.stderr).not.toMatch(/error drop-table/);
    r.write('db/migrations/001.sql', `${CREATE}\n${APPROVED_DROP}DROP TABLE orders;\n`);
    r.git('add', 'db');
    const added = r.commit('-m', 'new drop');
    expect(added.code).toBe(1);
    expect(added.stderr).toContain('orders');
  });

  it('C10: renaming a committed migration is reported as editing an applied migration', () => {
    const r = repo();
    r.write('db/migrations/001.sql', CREATE);
    r.git('add', 'db');
    expect(r.commit('-m', 'one').code).toBe(0);
    r.git('mv', 'db/migrations/001.sql', 'db/migrations/001_renamed.sql');
    const result = r.commit('-m', 'rename');
    expect(result.stderr).toContain('edited-applied-migration');
    expect(result.stderr).toContain('001_renamed.sql');
  });

  it('C11: deleting a committed migration is reported as editing an applied migration', () => {
    const r = repo();
    r.write('db/migrations/001.sql', CREATE);
    r.git('add', 'db');
    expect(r.commit('-m', 'one').code).toBe(0);
    r.git('rm', '-q', 'db/migrations/001.sql');
    const result = r.commit('-m', 'delete');
    expect(result.stderr).toContain('edited-applied-migration');
    expect(result.stderr).toContain('db/migrations/001.sql');
  });

  it('C17: paths with spaces, quotes, non-ASCII characters and a newline', () => {
    const r = repo();
    for (const name of ['002 ünïcødé "q".sql', '003 new\nline.sql']) {
      r.write(`db/migrations/${name}`, DROP);
      r.git('add', 'db');
      const result = r.commit('-m', 'odd');
      expect(result.code, name).toBe(1);
      expect(result.stderr, name).toContain(name.split('\n')[0]);
      r.git('rm', '-q', '--cached', '--', `db/migrations/${name}`);
    }
  });

  it('C15: a Git LFS pointer where a migration should be is not read as SQL: it blocks as unreadable', () => {
    const r = repo();
    r.write(
      'db/migrations/002.sql',
      'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n',
    );
    r.git('add', 'db');
    const result = r.commit('-m', 'lfs');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/LFS/i);
  });

  it('C13: a migration committed as a symbolic link cannot be checked: blocked with a message', () => {
    const r = repo();
    r.write('real.sql', DROP);
    mkdirSync(path.join(r.dir, 'db', 'migrations'), { recursive: true });
    symlinkSync('../../real.sql', path.join(r.dir, 'db', 'migrations', '002.sql'));
    r.git('add', 'db');
    const result = r.commit('-m', 'symlink');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('symbolic link');
  });

  it('C14: a UTF-16 LE migration with a BOM is decoded and checked; a binary file blocks as unreadable', () => {
    const r = repo();
    r.write('db/migrations/002.sql', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DROP, 'utf16le')]));
    r.git('add', 'db');
    const utf16 = r.commit('-m', 'utf16');
    expect(utf16.code).toBe(1);
    expect(utf16.stderr).toContain('drop-table');
    r.write('db/migrations/002.sql', Buffer.from([0x00, 0x01, 0x02, 0x03, 0xde, 0xad, 0xbe, 0xef, 0x00]));
    r.git('add', 'db');
    const binary = r.commit('-m', 'binary');
    expect(binary.code).toBe(1);
    expect(binary.stderr).toContain('unparseable');
  });

  it('C19: a staged migration that is not on disk (sparse checkout / skip-worktree) is read from the index', () => {
    const r = repo();
    const oid = run(r.dir, 'git', ['hash-object', '-w', '--stdin'], {}, DROP).stdout.trim();
    r.git('update-index', '--add', '--cacheinfo', `100644,${oid},db/migrations/002.sql`);
    r.git('update-index', '--skip-worktree', 'db/migrations/002.sql');
    const result = r.commit('-m', 'index only');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('drop-table');
  });

  it('C16: an intent-to-add migration (git add -N) is not checked until its content is staged', () => {
    const r = repo();
    r.write('db/migrations/002.sql', DROP);
    r.git('add', '-N', 'db/migrations/002.sql');
    r.write('src/app.js', '1\n');
    r.git('add', 'src/app.js');
    // the ITA entry is not committed with its working-tree DROP
    const result = r.commit('-m', 'code only');
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('drop-table');
  });

  it('C18: commit from a subdirectory', () => {
    const r = repo();
    r.write('db/migrations/002.sql', DROP);
    r.git('add', 'db');
    const result = run(path.join(r.dir, 'db', 'migrations'), 'git', ['commit', '-q', '-m', 'from subdir']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('db/migrations/002.sql');
  });

  it('C3: git commit -a (index.lock) sees the auto-staged modification', () => {
    const r = repo();
    r.write('db/migrations/001.sql', CREATE);
    r.git('add', 'db');
    expect(r.commit('-m', 'one').code).toBe(0);
    r.write('db/migrations/001.sql', `${CREATE}${DROP}`);
    const result = r.commit('-a', '-m', 'all');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('drop-table');
  });

  it('C3: git commit -- <paths> (next-index lock) checks only those paths', () => {
    const r = repo();
    r.write('db/migrations/002.sql', DROP);
    r.write('src/app.js', '1\n');
    r.git('add', 'db', 'src');
    r.git('commit', '-q', '--no-verify', '-m', 'seed both', '--', 'src/app.js');
    // the staged DROP is not part of `commit -- src/app.js`
    r.write('src/app.js', '2\n');
    expect(r.commit('-m', 'only app', '--', 'src/app.js').code).toBe(0);
    // …and is when named
    const result = r.commit('-m', 'only sql', '--', 'db/migrations/002.sql');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('002.sql');
  });

  it('C21: files given as arguments are a filter; content still comes from the index', () => {
    const r = repo();
    r.write('db/migrations/002.sql', DROP);
    r.write('db/migrations/003.sql', CREATE);
    r.git('add', 'db');
    r.write('db/migrations/002.sql', CREATE); // disk differs from the index
    const only003 = run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['hook', 'pre-commit', path.join(r.dir, 'db/migrations/003.sql')]);
    expect(only003.code).toBe(0);
    const only002 = run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['hook', 'pre-commit', 'db/migrations/002.sql']);
    expect(only002.code).toBe(1);
    expect(only002.stderr).toContain('drop-table');
  });

  it('C23: outside a work tree, `hook pre-commit` fails with a clear message (exit 2), never a stack trace', () => {
    const dir = tempDir();
    const result = run(dir, 'node', [path.join(process.cwd(), 'bin', 'dbsafe-hooks.js'), 'hook', 'pre-commit']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not inside a git/i);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('merges: pre-merge-commit and conflicted merge commits', () => {
  function branchWithApprovedDrop(r: HookRepo, branch: string, file: string): void {
    r.git('checkout', '-q', '-b', branch);
    r.write(file, APPROVED_DROP);
    r.git('add', 'db');
    expect(r.commit('-m', `approved drop on ${branch}`).code).toBe(0);
    r.git('checkout', '-q', 'main');
  }

  it('C8: a clean merge runs pre-merge-commit; the branch\'s already-checked migration does not block', () => {
    const r = repo();
    branchWithApprovedDrop(r, 'feat', 'db/migrations/005.sql');
    r.write('other.txt', 'x\n');
    r.git('add', 'other.txt');
    expect(r.commit('-m', 'diverge').code).toBe(0);
    const merged = run(r.dir, 'git', ['merge', '--no-ff', '-q', '-m', 'merge feat', 'feat']);
    expect(merged.code).toBe(0);
    expect(r.git('log', '-1', '--format=%P').split(' ')).toHaveLength(2);
  });

  it('C8: pre-merge-commit (no MERGE_HEAD yet in git 2.39; GITHEAD_<oid> env) does not re-flag the branch\'s own commit', () => {
    const r = repo();
    r.git('checkout', '-q', '-b', 'sneaky');
    r.write('db/migrations/005.sql', DROP);
    r.git('add', 'db');
    r.git('commit', '-q', '--no-verify', '-m', 'skip hooks');
    r.git('checkout', '-q', 'main');
    r.write('other.txt', 'x\n');
    r.git('add', 'other.txt');
    r.commit('-m', 'diverge');
    // the branch's commit was never checked, but it is not new in the merge commit either: the
    // merge itself adds nothing; pre-push re-checks the branch's commits (see pre-push tests)
    const merged = run(r.dir, 'git', ['merge', '--no-ff', '-q', '-m', 'merge', 'sneaky']);
    expect(merged.stderr).not.toContain('drop-table');
    expect(merged.code).toBe(0);
  });

  it('C7: conflicted merge: only files that differ from every parent are checked (a DROP added while resolving blocks)', () => {
    const r = repo();
    r.write('conflict.txt', 'base\n');
    r.git('add', 'conflict.txt');
    r.commit('-m', 'base');
    r.git('checkout', '-q', '-b', 'feat');
    r.write('conflict.txt', 'feat\n');
    r.write('db/migrations/005.sql', APPROVED_DROP);
    r.git('add', '.');
    expect(r.commit('-m', 'feat').code).toBe(0);
    r.git('checkout', '-q', 'main');
    r.write('conflict.txt', 'main\n');
    r.git('add', 'conflict.txt');
    r.commit('-m', 'main');
    expect(run(r.dir, 'git', ['merge', 'feat']).code).not.toBe(0);
    r.write('conflict.txt', 'resolved\n');
    r.write('db/migrations/006.sql', DROP);
    r.git('add', '.');
    const blocked = r.commit('--no-edit');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('006.sql');
    expect(blocked.stderr).not.toContain('005.sql');
    r.git('rm', '-q', '--cached', 'db/migrations/006.sql');
    expect(r.commit('--no-edit').code).toBe(0);
  });

  it('C7: octopus merge with approved drops on two branches passes', () => {
    const r = repo();
    branchWithApprovedDrop(r, 'a', 'db/migrations/010.sql');
    branchWithApprovedDrop(r, 'b', 'db/migrations/011.sql');
    r.write('other.txt', 'x\n');
    r.git('add', 'other.txt');
    r.commit('-m', 'diverge');
    const merged = run(r.dir, 'git', ['merge', '-q', '-m', 'octopus', 'a', 'b']);
    expect(merged.code).toBe(0);
    expect(r.git('log', '-1', '--format=%P').split(' ')).toHaveLength(3);
  });

  it('C9: merge --squash then commit checks the whole branch diff', () => {
    const r = repo();
    r.git('checkout', '-q', '-b', 'feat');
    r.write('db/migrations/005.sql', DROP);
    r.git('add', 'db');
    r.git('commit', '-q', '--no-verify', '-m', 'unchecked');
    r.git('checkout', '-q', 'main');
    r.git('merge', '--squash', '-q', 'feat');
    const result = r.commit('-m', 'squash');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('005.sql');
  });
});

describe('worktrees', () => {
  it('C3/P17: a commit in a linked worktree runs the shared hook and reads that worktree\'s index', () => {
    const r = repo();
    const wt = path.join(tempDir('dbsafe-wt-'), 'wt');
    r.git('worktree', 'add', '-q', '-b', 'wt', wt);
    mkdirSync(path.join(wt, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(path.join(r.dir, 'node_modules', '.bin', 'dbsafe-hooks'), path.join(wt, 'node_modules', '.bin', 'dbsafe-hooks'));
    mkdirSync(path.join(wt, 'db', 'migrations'), { recursive: true });
    run(wt, 'sh', ['-c', `printf '%s' '${DROP.trim()}' > db/migrations/002.sql`]);
    expect(git(wt, 'add', 'db').code).toBe(0);
    const result = run(wt, 'git', ['commit', '-q', '-m', 'in worktree']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('drop-table');
    // the main worktree's index was not touched
    expect(r.git('status', '--porcelain', '--', 'db')).toBe('');
  });
});
