import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { indexEntries, prefixPathspecs } from '../../src/git/changes.js';
import { parseIndex, readIndexFile } from '../../src/git/index-file.js';
import { locateRepo } from '../../src/git/repo.js';
import { cleanEnv, makeRepo, mergeConflict, type TestRepo } from '../helpers/repo.js';

// The index read from its file (src/git/index-file.ts) must list exactly what `git ls-files --stage` lists,
// or say it cannot (undefined: the caller then asks git). Every index below is written by git itself.

const repos: TestRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

function repo(objectFormat: 'sha1' | 'sha256' = 'sha1'): TestRepo {
  const r = makeRepo({ objectFormat });
  repos.push(r);
  r.git('config', 'user.name', 'Test');
  r.git('config', 'user.email', 'test@example.com');
  for (let i = 0; i < 40; i++) r.write(`db/migrations/${String(i).padStart(3, '0')}_m${'x'.repeat(i * 5)}.sql`, `CREATE TABLE t${i} (id int);\n`);
  r.write('db/migrations/ünïcødé ñame.sql', 'SELECT 1;\n');
  r.write(`${'deep/'.repeat(60)}file.sql`, 'SELECT 2;\n');
  r.write('src/app.js', '1\n');
  r.git('add', '.');
  r.git('commit', '-q', '-m', 'init');
  return r;
}

async function bothWays(r: TestRepo) {
  const info = await locateRepo(r.dir);
  return { fromFile: readIndexFile(info), fromGit: await indexEntries(info) };
}

const SETUPS: Array<{ name: string; objectFormat?: 'sha256'; setup: (r: TestRepo) => void }> = [
  { name: 'version 2 (the default)', setup: () => undefined },
  { name: 'SHA-256 objects', objectFormat: 'sha256', setup: () => undefined },
  { name: 'version 3 (an intent-to-add entry has extended flags)', setup: (r) => (r.write('db/migrations/new.sql', 'x\n'), r.git('add', '-N', 'db/migrations/new.sql')) },
  { name: 'version 4 (paths compressed against the one before)', setup: (r) => r.git('update-index', '--index-version', '4') },
  { name: 'version 4 with SHA-256', objectFormat: 'sha256', setup: (r) => r.git('update-index', '--index-version', '4') },
  { name: 'skip-worktree entries', setup: (r) => r.git('update-index', '--skip-worktree', 'src/app.js') },
  { name: 'executable and symlink entries', setup: (r) => (r.git('update-index', '--chmod=+x', 'src/app.js'), execFileSync('ln', ['-s', 'app.js', path.join(r.dir, 'src', 'link.js')]), r.git('add', 'src/link.js')) },
  {
    name: 'a merge conflict (stages 1, 2 and 3)',
    setup: (r) => mergeConflict(r, 'db/migrations/000_m.sql'),
  },
];

describe('the index read from its file', () => {
  for (const s of SETUPS) {
    it(`${s.name}: the same entries as git ls-files --stage`, async () => {
      const r = repo(s.objectFormat);
      s.setup(r);
      const { fromFile, fromGit } = await bothWays(r);
      expect(fromFile).toBeDefined();
      expect(fromFile).toEqual(fromGit);
    });

    // only the entries under the migration globs' literal prefixes (a version 4 path is still rebuilt from
    // the skipped one before it)
    it(`${s.name}: limited to prefixes, the same entries as git ls-files -- <prefix>`, async () => {
      const r = repo(s.objectFormat);
      s.setup(r);
      const info = await locateRepo(r.dir);
      for (const prefixes of [['db/migrations'], ['src', 'deep/deep/deep'], ['db/migrations/ünïcødé ñame.sql'], ['nothing/here'], ['db', '']]) {
        const fromFile = readIndexFile(info, prefixes);
        expect(fromFile, prefixes.join(',')).toBeDefined();
        expect(fromFile, prefixes.join(',')).toEqual(await indexEntries(info, prefixPathspecs(prefixes)));
      }
    });
  }

  it('a split index (its entries in another file) is left to git', async () => {
    const r = repo();
    r.git('update-index', '--split-index');
    r.write('db/migrations/later.sql', 'x\n');
    r.git('add', 'db/migrations/later.sql');
    expect(readIndexFile(await locateRepo(r.dir))).toBeUndefined();
  });

  it('a sparse index (directories as entries) is left to git', async () => {
    const r = repo();
    r.git('sparse-checkout', 'init', '--cone', '--sparse-index');
    r.git('sparse-checkout', 'set', 'db');
    // the index now holds src/ as one directory entry: only git can expand it
    expect(readIndexFile(await locateRepo(r.dir))).toBeUndefined();
  });

  it('a damaged index (cut short, wrong signature, another version) is left to git', async () => {
    const r = repo();
    const info = await locateRepo(r.dir);
    const data = readFileSync(path.join(info.gitDir, 'index'));
    expect(parseIndex(data, 20)).toBeDefined();
    for (const cut of [11, 100, data.length - 30, data.length - 21]) expect(parseIndex(data.subarray(0, cut), 20)).toBeUndefined();
    const wrong = Buffer.from(data);
    wrong.write('XXXX', 0, 'latin1');
    expect(parseIndex(wrong, 20)).toBeUndefined();
    const v9 = Buffer.from(data);
    v9.writeUInt32BE(9, 4);
    expect(parseIndex(v9, 20)).toBeUndefined();
    const moreEntries = Buffer.from(data);
    moreEntries.writeUInt32BE(data.readUInt32BE(8) + 1, 8);
    expect(parseIndex(moreEntries, 20)).toBeUndefined();
  });

  it('GIT_INDEX_FILE (a commit in progress) is the index read', async () => {
    const r = repo();
    const info = await locateRepo(r.dir);
    const other = path.join(info.gitDir, 'other-index');
    execFileSync('git', ['read-tree', '--empty'], { cwd: r.dir, env: { ...cleanEnv(), GIT_INDEX_FILE: other } });
    const saved = process.env.GIT_INDEX_FILE;
    process.env.GIT_INDEX_FILE = other;
    try {
      expect(readIndexFile(info)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.GIT_INDEX_FILE;
      else process.env.GIT_INDEX_FILE = saved;
    }
  });
});
