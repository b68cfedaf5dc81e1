import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, tempDir, type TestRepo } from '../helpers/repo.js';

/**
 * The log's second witness lives outside the repository and is written "best effort". Best effort must
 * not mean silent: when an append cannot write it (an unwritable state directory, or an appender with
 * another HOME / XDG_STATE_HOME, such as a hook run from another environment), the user is told at the
 * append and by `log`, `status` and `doctor` until an append writes it again (docs/backup.md, threat model).
 */

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite && process.env.CI) throw new Error('CI: sqlite3 CLI missing');

let repos: TestRepo[] = [];
afterEach(() => {
  for (const repo of repos) repo.cleanup();
  repos = [];
});

describe.skipIf(!hasSqlite)('the witness outside the repository is never silently stale', { timeout: 60_000 }, () => {
  beforeAll(() => {
    if (!existsSync(path.join(process.cwd(), 'dist', 'cli.cjs'))) throw new Error('run `npm run build` first (tests use the built CLI)');
  });

  it('an append that cannot write it warns; log, status and doctor show it behind; the next good append heals it', () => {
    const repo = makeRepo();
    repos.push(repo);
    const db = path.join(repo.dir, 'dev.db');
    const created = spawnSync('sqlite3', [db, 'CREATE TABLE t(id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2);']);
    expect(created.status).toBe(0);
    repo.write('.dbsaferc.json', JSON.stringify({ databases: { dev: { url: 'sqlite:dev.db' } } }));
    const home = tempDir('dbsafe-state-');
    const blocked = path.join(tempDir('dbsafe-state-blocked-'), 'not-a-directory');
    writeFileSync(blocked, '');
    const cli = (stateHome: string, ...args: string[]) => runCli(args, { cwd: repo.dir, env: { XDG_STATE_HOME: stateHome } });

    const first = cli(home, 'backup');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain('witness');
    expect(cli(home, 'log').stdout).not.toContain('warning');

    // the second append cannot write the copy outside the repository (its state directory is a file)
    const second = cli(blocked, 'backup');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/warning: could not write the log's witness outside the repository \(.*not-a-directory.*\).*detected by log\.head alone/s);

    // read from the usual environment: the copy there is one entry behind, and every report says so
    const log = cli(home, 'log');
    expect(log.code).toBe(0);
    expect(log.stdout).toContain('chain intact (2 entries)');
    expect(log.stdout).toMatch(/warning: witness the copy outside the repository \(.*\) is behind: it records seq 1 but the log ends at seq 2/);
    const status = JSON.parse(cli(home, 'status', '--json').stdout);
    expect(status.warnings).toHaveLength(1);
    expect(status.witnesses).toEqual(
      expect.arrayContaining([expect.objectContaining({ where: 'log.head', state: 'current', seq: 2 }), expect.objectContaining({ where: 'outside', state: 'behind', seq: 1 })]),
    );
    expect(cli(home, 'doctor').stdout).toMatch(/is behind: it records seq 1/);

    // the next append that can write it brings both witnesses to the log's end again
    const third = cli(home, 'backup');
    expect(third.code, third.stderr).toBe(0);
    expect(cli(home, 'log').stdout).not.toContain('warning');
    expect(JSON.parse(cli(home, 'status', '--json').stdout).warnings).toEqual([]);
  });
});
