import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entriesListing, layoutListing } from '../../src/check/migration-listing.js';
import { compileMigrationSet } from '../../src/check/migration-set.js';
import { configSchema } from '../../src/config/schema.js';
import { indexEntries } from '../../src/git/changes.js';
import { readIndexLayout } from '../../src/git/index-file.js';
import { locateRepo } from '../../src/git/repo.js';
import { makeRepo, mergeConflict, type TestRepo } from '../helpers/repo.js';

// The history's listing read from the index file's bytes (no string per entry) must answer what the listing
// built from `git ls-files --stage` answers: the unread blobs, where each blob is, and which blobs are there.

const repos: TestRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

const set = compileMigrationSet(configSchema.parse({ dialect: 'postgres', migrations: [{ glob: 'db/migrations/**/*.sql', format: 'sql' }] }));

function repo(objectFormat: 'sha1' | 'sha256' = 'sha1'): TestRepo {
  const r = makeRepo({ objectFormat });
  repos.push(r);
  r.git('config', 'user.name', 'Test');
  r.git('config', 'user.email', 'test@example.com');
  for (let i = 0; i < 30; i++) r.write(`db/migrations/${String(i).padStart(3, '0')}_m.sql`, `CREATE INDEX i${i} ON t${i % 3} (id);\n`);
  r.write('db/migrations/copy_of_000.sql', 'CREATE INDEX i0 ON t0 (id);\n'); // the same blob at two paths
  r.write('db/migrations/README.md', 'not a migration\n');
  r.write('db/migrations/UPPER.SQL', 'CREATE INDEX up ON t (id);\n');
  r.write('db/other/x.sql', 'CREATE INDEX o ON t (id);\n');
  r.write('src/app.js', '1\n');
  r.git('add', '.');
  r.git('commit', '-q', '-m', 'init');
  return r;
}

const SETUPS: Array<{ name: string; objectFormat?: 'sha256'; setup: (r: TestRepo) => void }> = [
  { name: 'version 2', setup: () => undefined },
  { name: 'SHA-256 objects', objectFormat: 'sha256', setup: () => undefined },
  { name: 'version 4 (compressed paths)', setup: (r) => r.git('update-index', '--index-version', '4') },
  { name: 'a symlink and an executable migration', setup: (r) => (execFileSync('ln', ['-s', '000_m.sql', path.join(r.dir, 'db/migrations/link.sql')]), r.git('add', '.'), r.git('update-index', '--chmod=+x', 'db/migrations/001_m.sql')) },
  {
    name: 'a merge conflict on a migration',
    setup: (r) => mergeConflict(r, 'db/migrations/005_m.sql'),
  },
];

describe('the migration listing from the index bytes', () => {
  for (const s of SETUPS) {
    it(`${s.name}: the same answers as the listing from git ls-files`, async () => {
      const r = repo(s.objectFormat);
      s.setup(r);
      const info = await locateRepo(r.dir);
      const layout = readIndexLayout(info, set.prefixes);
      expect(layout).toBeDefined();
      const fromBytes = layoutListing(layout!, set);
      const fromGit = entriesListing(await indexEntries(info), set);
      const entries = await indexEntries(info);
      // a cache that read half of the blobs
      const oids = [...new Set(entries.map((e) => e.oid))].sort();
      const read = new Set(oids.filter((_, k) => k % 2 === 0));
      const cache = { has: (oid: string) => read.has(oid), hasBytes: (b: Buffer, at: number, n: number) => read.has(b.toString('hex', at, at + n)) };
      const sorted = (list: Array<{ oid: string; path: string }>) => list.map((u) => u.oid).sort();
      expect(sorted(fromBytes.unread(cache))).toEqual(sorted(fromGit.unread(cache)));
      expect(fromBytes.unread(cache).every((u) => fromGit.pathsOf(u.oid).includes(u.path))).toBe(true);
      for (const oid of oids) {
        expect(fromBytes.pathsOf(oid).sort(), oid).toEqual(fromGit.pathsOf(oid).sort());
        expect(fromBytes.has(oid), oid).toBe(fromGit.has(oid));
      }
      expect(fromBytes.size).toBeGreaterThanOrEqual(fromGit.size);
    });
  }
});
