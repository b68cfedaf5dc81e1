import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toRepoPath } from '../../src/check/paths.js';

// Paths given on the command line → repository paths. A plain relative path at the root is taken as it is
// (thousands come from one shell glob); every other spelling goes through path.resolve. Both must agree.

const ROOT = '/repo';

describe('toRepoPath', () => {
  it.each([
    ['db/migrations/001.sql', 'db/migrations/001.sql'],
    ['001.sql', '001.sql'],
    ['./db/001.sql', 'db/001.sql'],
    ['db/./001.sql', 'db/001.sql'],
    ['db/x/../001.sql', 'db/001.sql'],
    ['db//001.sql', 'db/001.sql'],
    ['/repo/db/001.sql', 'db/001.sql'],
    ['.hidden/001.sql', '.hidden/001.sql'],
    ['db/..data/001.sql', 'db/..data/001.sql'],
    ['db/001.sql.', 'db/001.sql.'],
    ['db\\001.sql', 'db\\001.sql'],
  ])('%s at the root → %s', (input, expected) => {
    expect(toRepoPath(ROOT, ROOT, input)).toBe(expected);
    // the same answer as the general rule
    expect(toRepoPath(ROOT, ROOT, input)).toBe(path.relative(ROOT, path.resolve(ROOT, input)));
  });

  it.each([['../other/001.sql'], ['..'], ['.'], ['db/../../001.sql'], ['/elsewhere/001.sql'], ['./']])('%s is outside the repository: a usage error', (input) => {
    expect(() => toRepoPath(ROOT, ROOT, input)).toThrow(/is not a file inside the repository/);
  });

  it('a path given from a subdirectory is taken from there', () => {
    expect(toRepoPath(ROOT, '/repo/db', 'migrations/001.sql')).toBe('db/migrations/001.sql');
    expect(toRepoPath(ROOT, '/repo/db', '../001.sql')).toBe('001.sql');
  });
});
