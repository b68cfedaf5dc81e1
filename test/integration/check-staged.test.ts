import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { buildOnce, checkJson, commit, findingsOf } from './check-helpers.js';

/**
 * `dbsafe-hooks check` (default: --staged) in real git repositories: content comes from the index,
 * never the working tree, and only what the commit being made adds is judged.
 */
beforeAll(buildOnce);

let repo: TestRepo;
afterEach(() => repo?.cleanup());

const check = (args: string[] = [], cwd?: string) => checkJson(repo, args, cwd);

describe('staged content, not the working tree', () => {
  it('blocks a staged DROP even when the file on disk is clean', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    repo.write('db/migrations/002_drop.sql', 'DROP TABLE users;\n');
    repo.git('add', '.');
    repo.write('db/migrations/002_drop.sql', 'SELECT 1;\n');
    const result = check();
    expect(result.code).toBe(1);
    expect(findingsOf(result)).toEqual([expect.objectContaining({ rule: 'drop-table', file: 'db/migrations/002_drop.sql', line: 1 })]);
  });

  it('passes a clean staged file even when the file on disk has a DROP', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    repo.write('db/migrations/002_ok.sql', 'CREATE TABLE t (id int);\n');
    repo.git('add', '.');
    repo.write('db/migrations/002_ok.sql', 'DROP TABLE users;\n');
    const result = check();
    expect(result.code).toBe(0);
    expect(findingsOf(result)).toEqual([]);
  });

  it('with nothing staged, passes quietly', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'DROP TABLE old;\n' });
    const result = runCli(['check'], { cwd: repo.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/0 errors/);
  });
});

describe('initial commit (no HEAD yet)', () => {
  it.each(['sha1', 'sha256'] as const)('diffs against the empty tree of a %s repository', (objectFormat) => {
    repo = makeRepo({ objectFormat });
    repo.write('db/migrations/001.sql', 'CREATE TABLE a (id int);\nDROP TABLE b;\n');
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(1);
    expect(findingsOf(result)).toEqual([expect.objectContaining({ rule: 'drop-table', line: 2, column: 1 })]);
  });
});

describe('modified, renamed and deleted migrations', () => {
  const approved = '-- dbsafe:allow drop-table(legacy) -- replaced by accounts in 0042\nDROP TABLE legacy;\n';

  it('a whitespace edit of an approved (or grandfathered) drop is not re-flagged; the edit itself is a warning', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'DROP TABLE users;\n', 'db/migrations/002.sql': approved });
    repo.write('db/migrations/001.sql', '\n\nDROP   TABLE\n   users ;\n');
    repo.write('db/migrations/002.sql', `-- reviewed\n${approved}`);
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(0);
    const findings = findingsOf(result);
    expect(findings.map((f) => [f.rule, f.severity, f.file])).toEqual([
      ['edited-applied-migration', 'warn', 'db/migrations/001.sql'],
      ['edited-applied-migration', 'warn', 'db/migrations/002.sql'],
    ]);
  });

  it('a new drop added to an old file is flagged, plus edited-applied-migration', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'DROP TABLE users;\n' });
    repo.write('db/migrations/001.sql', 'DROP TABLE users;\nDROP TABLE orders;\n');
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(1);
    const findings = findingsOf(result);
    expect(findings.map((f) => [f.rule, f.severity, f.line])).toEqual([
      ['drop-table', 'error', 2],
      ['edited-applied-migration', 'warn', 1],
    ]);
    expect(findings[0]!.object).toBe('orders');
  });

  it('a pure rename and a deletion are edited-applied-migration warnings', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'DROP TABLE users;\n', 'db/migrations/002.sql': 'CREATE TABLE x (id int);\n' });
    repo.git('mv', 'db/migrations/001.sql', 'db/migrations/001_renamed.sql');
    repo.git('rm', '-q', 'db/migrations/002.sql');
    const result = check();
    expect(result.code).toBe(0);
    const findings = findingsOf(result);
    expect(findings.map((f) => [f.rule, f.file])).toEqual([
      ['edited-applied-migration', 'db/migrations/001_renamed.sql'],
      ['edited-applied-migration', 'db/migrations/002.sql'],
    ]);
    expect(findings[0]!.message).toMatch(/001\.sql/);
  });

  it('a rename with a new drop reports the new drop', () => {
    repo = makeRepo();
    const body = Array.from({ length: 20 }, (_, i) => `CREATE TABLE t${i} (id int);`).join('\n');
    commit(repo, { 'db/migrations/001.sql': `${body}\n` });
    repo.git('mv', 'db/migrations/001.sql', 'db/migrations/001_init.sql');
    repo.write('db/migrations/001_init.sql', `${body}\nDROP TABLE t3;\n`);
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(1);
    expect(findingsOf(result).map((f) => [f.rule, f.line])).toEqual([
      ['drop-table', 21],
      ['edited-applied-migration', 1],
    ]);
  });
});

describe('merges', () => {
  it("conflicted merge: the other branch's committed DROP is not re-flagged; a file added during resolution is", () => {
    repo = makeRepo();
    commit(repo, { 'notes.txt': 'base\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    commit(repo, { 'db/migrations/005.sql': 'DROP TABLE reviewed;\n', 'notes.txt': 'feature\n' });
    repo.git('checkout', '-q', 'main');
    commit(repo, { 'notes.txt': 'main\n' });
    expect(() => repo.git('merge', '-q', 'feature')).toThrow();
    repo.write('notes.txt', 'resolved\n');
    repo.write('db/migrations/006.sql', 'DROP TABLE sneaky;\n');
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(1);
    expect(findingsOf(result).map((f) => [f.rule, f.file])).toEqual([['drop-table', 'db/migrations/006.sql']]);
    expect(result.stderr).toMatch(/merge in progress/);
  });

  it('octopus merge (MERGE_HEAD with two parents): only what differs from every parent is new', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    for (const [branch, file] of [
      ['b1', 'db/migrations/010.sql'],
      ['b2', 'db/migrations/011.sql'],
    ] as const) {
      repo.git('checkout', '-q', '-b', branch, 'main');
      commit(repo, { [file]: `DROP TABLE from_${branch};\n` });
    }
    repo.git('checkout', '-q', 'main');
    repo.git('merge', '-q', '--no-commit', '--no-ff', 'b1', 'b2');
    expect(repo.git('rev-parse', '--git-path', 'MERGE_HEAD')).toBeTruthy();
    expect(check().code).toBe(0);
    repo.write('db/migrations/012.sql', 'TRUNCATE audit;\n');
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(1);
    expect(findingsOf(result).map((f) => [f.rule, f.file])).toEqual([['truncate', 'db/migrations/012.sql']]);
  });

  it('a migration changed on both sides: only operations that no parent had are new', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'CREATE TABLE a (id int);\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    commit(repo, { 'db/migrations/001.sql': 'CREATE TABLE a (id int);\nDROP TABLE from_feature;\n' });
    repo.git('checkout', '-q', 'main');
    commit(repo, { 'db/migrations/001.sql': 'CREATE TABLE a (id int);\nDROP TABLE from_main;\n' });
    expect(() => repo.git('merge', '-q', 'feature')).toThrow();
    repo.write('db/migrations/001.sql', 'CREATE TABLE a (id int);\nDROP TABLE from_main;\nDROP TABLE from_feature;\nDROP TABLE brand_new;\n');
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(1);
    expect(findingsOf(result).filter((f) => f.rule === 'drop-table').map((f) => f.object)).toEqual(['brand_new']);
  });
});

describe('paths and index entries that need care', () => {
  it('non-ASCII, space, quote and newline paths are read and reported exactly', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    const odd = ['db/migrations/004 ünï "q".sql', 'db/migrations/new\nline.sql', 'db/migrations/日本 語.sql'];
    for (const file of odd) repo.write(file, 'DROP TABLE users;\n');
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(1);
    expect(findingsOf(result).map((f) => f.file).sort()).toEqual([...odd].sort());
  });

  it('intent-to-add (git add -N) is not staged content: skipped', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    repo.write('db/migrations/005.sql', 'DROP TABLE users;\n');
    repo.git('add', '-N', 'db/migrations/005.sql');
    const result = check();
    expect(result.code).toBe(0);
    expect(findingsOf(result)).toEqual([]);
  });

  it('a migration that is a symbolic link blocks as unparseable with a clear reason', () => {
    repo = makeRepo();
    commit(repo, { 'sql/real.sql': 'DROP TABLE users;\n' });
    mkdirSync(path.join(repo.dir, 'db/migrations'), { recursive: true });
    symlinkSync('../../sql/real.sql', path.join(repo.dir, 'db/migrations/link.sql'));
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(1);
    const [finding] = findingsOf(result);
    expect(finding).toMatchObject({ rule: 'unparseable', file: 'db/migrations/link.sql' });
    expect(finding!.detail).toMatch(/symbolic link \(to \.\.\/\.\.\/sql\/real\.sql\)/);
  });

  it('a Git LFS pointer blocks as unparseable and says why', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    repo.write('db/migrations/007.sql', 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n');
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(1);
    expect(findingsOf(result)[0]).toMatchObject({ rule: 'unparseable', file: 'db/migrations/007.sql' });
    expect(findingsOf(result)[0]!.detail).toMatch(/Git LFS pointer/);
  });

  it('a submodule whose path matches the globs is skipped with a note', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    const head = repo.git('rev-parse', 'HEAD');
    repo.git('update-index', '--add', '--cacheinfo', `160000,${head},db/migrations/vendor.sql`);
    const result = check();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/db\/migrations\/vendor\.sql: a submodule, not a file; skipped/);
  });

  it('a type change (file → symlink) is checked as the new content', () => {
    repo = makeRepo();
    commit(repo, { 'db/migrations/001.sql': 'CREATE TABLE a (id int);\n', 'other.txt': 'x\n' });
    repo.git('rm', '-q', 'db/migrations/001.sql');
    mkdirSync(path.join(repo.dir, 'db/migrations'), { recursive: true });
    symlinkSync('../../other.txt', path.join(repo.dir, 'db/migrations/001.sql'));
    repo.git('add', '.');
    const result = check();
    expect(result.code).toBe(1);
    expect(findingsOf(result).map((f) => f.rule)).toContain('unparseable');
  });

  it('run from a subdirectory (GIT_PREFIX set) still reads the whole staged set, paths root-relative', () => {
    repo = makeRepo();
    commit(repo, { 'app/README.md': 'x\n' });
    repo.write('db/migrations/003.sql', 'DROP TABLE users;\n');
    repo.git('add', '.');
    const result = runCli(['check', '--format', 'json'], { cwd: path.join(repo.dir, 'app'), env: { GIT_PREFIX: 'app/' } });
    expect(result.code).toBe(1);
    expect(findingsOf(result)[0]).toMatchObject({ file: 'db/migrations/003.sql' });
  });

  it('a Liquibase sqlFile is followed into the index, not the working tree', () => {
    repo = makeRepo();
    commit(repo, { '.dbsaferc.json': JSON.stringify({ migrations: [{ glob: 'db/changelog/*.xml', format: 'liquibase' }] }) });
    repo.write(
      'db/changelog/master.xml',
      '<?xml version="1.0"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  <changeSet id="1" author="a">\n    <sqlFile path="sql/cleanup.sql" relativeToChangelogFile="true"/>\n  </changeSet>\n</databaseChangeLog>\n',
    );
    repo.write('db/changelog/sql/cleanup.sql', 'DROP TABLE customers;\n');
    repo.git('add', '.');
    repo.write('db/changelog/sql/cleanup.sql', 'SELECT 1;\n');
    const result = check();
    expect(result.code).toBe(1);
    expect(findingsOf(result)).toEqual([expect.objectContaining({ rule: 'drop-table', object: 'customers', file: 'db/changelog/master.xml' })]);
  });

  it('--staged with file arguments only checks those (a filter hint, content from the index)', () => {
    repo = makeRepo();
    commit(repo, { 'README.md': 'x\n' });
    repo.write('db/migrations/a.sql', 'DROP TABLE a;\n');
    repo.write('db/migrations/b.sql', 'DROP TABLE b;\n');
    repo.git('add', '.');
    repo.write('db/migrations/b.sql', 'SELECT 1;\n');
    const result = check(['--staged', path.join(repo.dir, 'db/migrations/b.sql')]);
    expect(result.code).toBe(1);
    expect(findingsOf(result).map((f) => f.object)).toEqual(['b']);
  });
});

/**
 * A table created and dropped in the same migration is a scratch table (a warning), but only when the
 * CREATE is new too: once a migration has been committed its CREATE may have run in production long
 * ago, and a DROP added to it later drops a real table.
 */
describe('scratch tables and the committed history', () => {
  interface ScratchCase {
    name: string;
    committed?: Record<string, string>;
    /** Runs after the commit: writes, renames and `git add`. */
    stage: (r: TestRepo) => void;
    args?: string[];
    expected: Array<[string, string]>;
  }
  const create = 'CREATE TABLE a (id int);\n';
  const scratch = `${create}INSERT INTO a VALUES (1);\nDROP TABLE a;\n`;
  const stageFile = (file: string, text: string) => (r: TestRepo) => {
    r.write(file, text);
    r.git('add', '.');
  };
  const cases: ScratchCase[] = [
    { name: 'valid: a new file creates and drops its own table', stage: stageFile('db/migrations/001.sql', scratch), expected: [['drop-table', 'warn']] },
    {
      name: 'invalid: a DROP added to a committed file whose CREATE already ran',
      committed: { 'db/migrations/001.sql': create },
      stage: stageFile('db/migrations/001.sql', `${create}DROP TABLE a;\n`),
      expected: [['drop-table', 'error'], ['edited-applied-migration', 'warn']],
    },
    {
      name: 'invalid: the same, renamed in the same commit',
      committed: { 'db/migrations/001.sql': create },
      stage: (r) => {
        r.git('mv', 'db/migrations/001.sql', 'db/migrations/001_init.sql');
        stageFile('db/migrations/001_init.sql', `${create}DROP TABLE a;\n`)(r);
      },
      expected: [['drop-table', 'error'], ['edited-applied-migration', 'warn']],
    },
    {
      name: 'invalid (fail closed): CREATE and DROP both added to a committed file; nothing tells which ran',
      committed: { 'db/migrations/001.sql': 'CREATE TABLE b (id int);\n' },
      stage: stageFile('db/migrations/001.sql', `CREATE TABLE b (id int);\n${scratch}`),
      expected: [['drop-table', 'error'], ['edited-applied-migration', 'warn']],
    },
    {
      name: 'valid: a whitespace edit of a committed scratch file reports only the edit',
      committed: { 'db/migrations/001.sql': scratch },
      stage: stageFile('db/migrations/001.sql', `-- tidy\n${scratch}`),
      expected: [['edited-applied-migration', 'warn']],
    },
    {
      name: 'valid: a scratch file added and finished on a branch is new to the base (--base)',
      stage: (r) => {
        r.git('checkout', '-q', '-b', 'feature');
        commit(r, { 'db/migrations/002.sql': create }, 'start');
        commit(r, { 'db/migrations/002.sql': scratch }, 'finish');
      },
      committed: { 'README.md': 'x\n' },
      args: ['--base', 'main'],
      expected: [['drop-table', 'warn']],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      repo = makeRepo();
      if (c.committed) commit(repo, c.committed);
      c.stage(repo);
      const result = check(c.args);
      const findings = findingsOf(result);
      expect(findings.map((f) => [f.rule, f.severity])).toEqual(c.expected);
      expect(result.code).toBe(c.expected.some(([, severity]) => severity === 'error') ? 1 : 0);
    });
  }
});
