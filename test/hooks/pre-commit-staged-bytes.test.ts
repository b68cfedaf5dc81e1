import { execFileSync } from 'node:child_process';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/repo.js';
import { CREATE, DROP, hookRepo, run, type HookRepo } from './helpers.js';

// pre-commit checks what is staged. A staged file whose bytes are also in the work tree is read there (its
// blob id is the hash of its bytes: src/git/blobs.ts, blobsFromWorktree), everything else from git. Whatever the
// work tree holds, the answer is the one for the staged bytes. And what the shim hands to node (its git
// layout and staged diff, src/git/shim-handover.ts) is used only where it applies: else git is asked.

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function repo(options: Parameters<typeof hookRepo>[0] = {}): HookRepo {
  const r = hookRepo(options);
  cleanups.push(() => r.cleanup());
  return r;
}

const FILE = 'db/migrations/002.sql';

/** What the work tree holds at FILE once the staged version is in the index. */
const WORKTREE: Array<{ name: string; staged: string; then: (r: HookRepo) => void; blocked: boolean }> = [
  { name: 'staged DROP, the same bytes on disk', staged: DROP, then: () => undefined, blocked: true },
  { name: 'staged DROP, edited to a CREATE on disk since', staged: DROP, then: (r) => r.write(FILE, CREATE), blocked: true },
  { name: 'staged CREATE, edited to a DROP on disk since', staged: CREATE, then: (r) => r.write(FILE, DROP), blocked: false },
  { name: 'staged DROP, deleted from disk', staged: DROP, then: (r) => rmSync(path.join(r.dir, FILE)), blocked: true },
  {
    name: 'staged DROP, on disk a symlink to a file with the same bytes',
    staged: DROP,
    then: (r) => {
      const other = path.join(tempDir(), 'same.sql');
      writeFileSync(other, DROP);
      rmSync(path.join(r.dir, FILE));
      symlinkSync(other, path.join(r.dir, FILE));
    },
    blocked: true,
  },
  {
    name: 'staged DROP, on disk a FIFO nobody writes to (never opened for reading)',
    staged: DROP,
    then: (r) => {
      rmSync(path.join(r.dir, FILE));
      execFileSync('mkfifo', [path.join(r.dir, FILE)]);
    },
    blocked: true,
  },
  { name: 'staged CREATE, on disk the CREATE followed by a DROP (appended since)', staged: CREATE, then: (r) => r.write(FILE, CREATE + DROP), blocked: false },
];

describe('pre-commit reads the staged bytes, whatever the work tree holds', () => {
  for (const objectFormat of ['sha1', 'sha256'] as const) {
    for (const c of WORKTREE) {
      it(`${objectFormat}: ${c.name} → ${c.blocked ? 'blocked' : 'passes'}`, () => {
        const r = repo({ objectFormat });
        r.write(FILE, c.staged);
        r.git('add', FILE);
        c.then(r);
        const result = run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['hook', 'pre-commit']);
        expect(result.code, result.stderr).toBe(c.blocked ? 1 : 0);
        if (c.blocked) expect(result.stderr).toContain('error drop-table');
      });
    }
  }

  it('line endings converted on the way into the index (core.autocrlf): the staged text is what is checked', () => {
    const r = repo();
    r.git('config', 'core.autocrlf', 'true');
    r.write(FILE, 'CREATE TABLE t (id int);\r\nDROP TABLE users;\r\n');
    r.git('add', FILE);
    const result = r.commit('-m', 'crlf');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/002\.sql:2:1\s+error drop-table/);
  });
});

describe('what the shim hands to node (git/shim-handover.ts)', () => {
  it('a commit through the installed shim: first commit (no HEAD yet) and later ones', () => {
    const r = repo({ initial: false });
    r.write(FILE, DROP);
    r.git('add', FILE);
    expect(r.commit('-m', 'first').code).toBe(1);
    r.write(FILE, CREATE);
    r.git('add', FILE);
    expect(r.commit('-m', 'first').code).toBe(0);
    r.write('db/migrations/003.sql', DROP);
    r.git('add', 'db');
    const blocked = r.commit('-m', 'second');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('003.sql');
  });

  it('a layout describing another repository (an inherited variable) is not used', () => {
    const r = repo();
    const other = repo();
    const otherHead = other.git('rev-parse', 'HEAD');
    const layout = ['0', other.dir, other.dir, '.git', path.join(other.dir, '.git'), 'sha1', otherHead].join('\n');
    r.write(FILE, DROP);
    r.git('add', FILE);
    const result = run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['hook', 'pre-commit'], { DBSAFE_GIT_LAYOUT: layout });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('002.sql:1:1');
    expect(result.stderr).toContain('error drop-table');
  });

  it('a malformed layout is ignored: git is asked', () => {
    const r = repo();
    r.write(FILE, DROP);
    r.git('add', FILE);
    for (const layout of ['', 'garbage', '7\n/\n', `0\nrelative/dir\n${r.dir}`]) {
      const result = run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['hook', 'pre-commit'], { DBSAFE_GIT_LAYOUT: layout });
      expect(result.code, layout).toBe(1);
      expect(result.stderr).toContain('error drop-table');
    }
  });

  /** The hook with `input` on a pipe (as the shim gives it: a FIFO; anything else on stdin is never read). */
  const piped = (r: HookRepo, input: string, variable: string) =>
    run(r.dir, 'sh', ['-c', 'printf "%s" "$DIFF_INPUT" | node_modules/.bin/dbsafe-hooks hook pre-commit'], { DBSAFE_STAGED_DIFF: variable, DIFF_INPUT: input });

  // a DROP is staged; the diff on stdin claims the index holds nothing new: it must not be believed
  // unless it is whole and about the base the check compares with
  const staleDiffs: Array<{ name: string; env: (head: string) => string; input: string }> = [
    { name: 'no end marker (git failed half way)', env: (head) => `${head} dbsafe-diff-end-7`, input: '' },
    { name: 'another base than HEAD', env: () => `${'1'.repeat(40)} dbsafe-diff-end-7`, input: 'dbsafe-diff-end-7\n' },
    { name: 'another end marker', env: (head) => `${head} dbsafe-diff-end-7`, input: 'dbsafe-diff-end-8\n' },
    { name: 'a marker that is not at a record end', env: (head) => `${head} dbsafe-diff-end-7`, input: ':100644 100644 abc dbsafe-diff-end-7\n' },
    { name: 'a malformed variable', env: () => 'garbage', input: 'dbsafe-diff-end-7\n' },
  ];
  for (const c of staleDiffs) {
    it(`a staged diff on stdin with ${c.name} is not used: the DROP is still found`, () => {
      const r = repo();
      r.write(FILE, DROP);
      r.git('add', FILE);
      const head = r.git('rev-parse', 'HEAD');
      const result = piped(r, c.input, c.env(head));
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain('error drop-table');
    });
  }

  it('a whole staged diff about HEAD is used (what the shim pipes): nothing staged in it, nothing checked', () => {
    // proves the handover is read at all: the index holds a DROP, the handed diff says nothing is staged
    const r = repo();
    r.write(FILE, DROP);
    r.git('add', FILE);
    const head = r.git('rev-parse', 'HEAD');
    const result = piped(r, 'dbsafe-diff-end-7\n', `${head} dbsafe-diff-end-7`);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('drop-table');
  });
});
