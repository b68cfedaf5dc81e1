import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';

/**
 * `.git/dbsafe` holds the backup log and the private temp dirs of passfiles and defaults files: it is
 * 0700 whoever creates it first (docs/backup.md), install and `install --agent` included, and a
 * directory an older version left 0755 is made private again.
 */

let repos: TestRepo[] = [];
afterEach(() => {
  for (const repo of repos) repo.cleanup();
  repos = [];
});

function repo(): TestRepo {
  const created = makeRepo();
  repos.push(created);
  created.write('.dbsaferc.json', JSON.stringify({ databases: { dev: { url: 'sqlite:dev.db' } } }));
  return created;
}

const mode = (dir: string) => statSync(path.join(dir, '.git', 'dbsafe')).mode & 0o777;

describe('.git/dbsafe is private whoever creates it', () => {
  it.each([
    ['install', ['install']],
    ['install --agent claude-code', ['install', '--agent', 'claude-code']],
  ])('%s creates it 0700 (umask 022), and makes a 0755 one 0700', (_name, args) => {
    const fresh = repo();
    const first = runCli(args, { cwd: fresh.dir, env: { CI: '' } });
    expect(first.code, first.stderr).toBe(0);
    expect(mode(fresh.dir)).toBe(0o700);

    const old = repo();
    mkdirSync(path.join(old.dir, '.git', 'dbsafe'), { mode: 0o755 });
    expect(mode(old.dir)).toBe(0o755);
    const again = runCli(args, { cwd: old.dir, env: { CI: '' } });
    expect(again.code, again.stderr).toBe(0);
    expect(mode(old.dir)).toBe(0o700);
  });
});
