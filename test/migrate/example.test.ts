import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, makeRepo, PROJECT_ROOT, type TestRepo } from '../helpers/repo.js';

/** examples/sqlite-migrate/run.sh, the README walk-through, keeps working (run in a copy, never in this repository). */

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite && process.env.CI) throw new Error('CI: sqlite3 CLI missing');

let repo: TestRepo | undefined;
afterEach(() => repo?.cleanup());

describe.skipIf(!hasSqlite)('the SQLite migrate example', { timeout: 180_000 }, () => {
  it('dry-run shows the ledger, migrate applies through safe-migrate, the buggy data migration is rolled back', () => {
    if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'cli.cjs'))) throw new Error('run `npm run build` first');
    repo = makeRepo();
    const dir = path.join(repo.dir, 'sqlite-migrate');
    cpSync(path.join(PROJECT_ROOT, 'examples', 'sqlite-migrate'), dir, { recursive: true });
    const r = spawnSync('./run.sh', { cwd: dir, env: cleanEnv({ DBSAFE_HOOKS: `${process.execPath} ${CLI}` }), encoding: 'utf8' });
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/customers\s+table dropped: 200 rows lost\s+NOT ACCEPTED/);
    expect(out).toMatch(/orders\.legacy_total\s+column dropped: 1,000 non-null values lost\s+accepted by/);
    expect(out).toMatch(/✓ done\s+migrated/);
    // the restore takes a pinned safety backup of the failed state first and says so, then reports the step
    expect(out).toMatch(/✗ check .*\nsafety backup \S+ of SQLite database .*\(pinned, verified\).*\n✓ restore\s+restored backup/);
    expect(out).toMatch(/open orders after the automatic restore: 5000/);
  });
});
