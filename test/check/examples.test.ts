import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, cleanEnv, runCli } from '../helpers/repo.js';
import { buildOnce } from '../integration/check-helpers.js';

/** The README's first command must keep working on the bundled example, exactly as documented. */
beforeAll(buildOnce);

const files = ['001_init.sql', '002_drop_legacy.sql', '003_with_override.sql'].map((f) => `examples/postgres/migrations/${f}`);

describe('examples/postgres', () => {
  it('check --worktree blocks 002 (a protected table) and lists the override in 003', () => {
    const result = runCli(['check', '--config', 'examples/.dbsaferc.json', '--worktree', ...files], { cwd: PROJECT_ROOT });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('examples/postgres/migrations/002_drop_legacy.sql:4:1  error protected-object');
    expect(result.stdout).toContain('examples/postgres/migrations/002_drop_legacy.sql:3:1  error drop-table');
    expect(result.stdout).toMatch(/Overrides used \(1\):\n {2}examples\/postgres\/migrations\/003_with_override\.sql:3 {2}drop-column\(users\.legacy_password\)/);
    expect(result.stdout).toMatch(/2 errors, 1 warning in 3 migration files/);
  });

  it('the JSON form has the documented shape (docs/json-output.md)', () => {
    const result = runCli(['check', '--config', 'examples/.dbsaferc.json', '--worktree', ...files, '--format', 'json'], { cwd: PROJECT_ROOT });
    const json = JSON.parse(result.stdout);
    expect(json.summary).toEqual({ errors: 2, warnings: 1, files: 3, operations: 4, overrides: 1 });
    expect(json.findings[1]).toMatchObject({ rule: 'protected-object', kind: 'drop-table', object: 'payments', protectedObject: 'payments', line: 4 });
    expect(json.overridesUsed[0]).toMatchObject({ rule: 'drop-column', object: 'users.legacy_password', line: 3, fileWide: false, operationLines: [4] });
  });

  it('the file with the override alone passes (exit 0, warnings only)', () => {
    const result = runCli(['check', '--config', 'examples/.dbsaferc.json', '--worktree', files[2]!], { cwd: PROJECT_ROOT });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/0 errors, 1 warning/);
  });

  it('works through `npx dbsafe-hooks` in this checkout, as the README runs it (npm exec finds the root package bin)', () => {
    const result = spawnSync('npx', ['--no', 'dbsafe-hooks', 'check', '--config', 'examples/.dbsaferc.json', '--worktree', ...files], {
      cwd: PROJECT_ROOT,
      env: cleanEnv(),
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain('002_drop_legacy.sql:4:1  error protected-object');
  });
});
