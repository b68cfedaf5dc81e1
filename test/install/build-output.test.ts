import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, tempDir } from '../helpers/repo.js';

/**
 * The build runs on every `npm install` (prepare) and `npm test`: it prints a few lines, not the size of
 * every chunk. Built into a temporary folder so the dist/ other tests run is never rewritten under them.
 */
describe('the build output', () => {
  const out = tempDir('dbsafe-build-');
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('tsup with the project config prints nothing on success and still writes the CLI', () => {
    const tsup = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsup');
    const result = spawnSync(tsup, ['--out-dir', out], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    const printed = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
    expect(printed).toEqual([]);
    expect(existsSync(path.join(out, 'cli.cjs'))).toBe(true);
    expect(existsSync(path.join(out, 'index.d.ts'))).toBe(true);
  });
});
