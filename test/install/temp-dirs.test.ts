import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/repo.js';

/**
 * Tests leave nothing in the temporary folder: tests that create repositories and config folders (and
 * do not remove them themselves) run in a vitest of their own whose TMPDIR is empty.
 */
describe('test temporary directories', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-tmpdir-check-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('are all removed when the test files finish', () => {
    const vitest = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'vitest');
    const files = ['test/config.test.ts', 'test/integration/check-modes.test.ts'];
    const result = spawnSync(vitest, ['run', '--reporter=dot', ...files, '-t', 'loadConfig|explicit files'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TMPDIR: tmp },
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
