import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { killAtEveryStep, logEntries, startCli, waitUntil } from '../backup/helpers.js';
import { tempDir, type CliResult } from './repo.js';

/**
 * safe-migrate's automatic restore on a server engine (PostgreSQL, MariaDB): the same cases for both,
 * run against the engine's real server by the engine's test file. The migration is a shell line that
 * changes the database APP_URL names and then fails (or hangs) only on the real database, never on
 * the dry-run copy (`dbsafe_dryrun_*`).
 */

export interface EngineFixture {
  repoDir: string;
  env: NodeJS.ProcessEnv;
  cli(...args: string[]): CliResult;
  /** Objects, counts and a hash of every row of the real database. */
  fingerprint(): string;
  /** A shell line running `sql` against the database named by $APP_URL. */
  sqlLine(sql: string): string;
  /** The SQL that deletes rows and creates a table (the half the migration gets through). */
  halfSql: string;
  /** A name in the real database only after the half-applied migration ran (to see it did). */
  halfApplied(): boolean;
  /** Put the real database back to the seed. */
  reset(): void;
  /** Scratch copies and side databases of dbsafe-hooks on the server (none once a run has completed). */
  leftovers(): string[];
}

const onCopy = 'case "$APP_URL" in *dbsafe_dryrun_*) exit 0;; esac';

export function safeMigrateRestoreCases(fixture: () => EngineFixture): void {
  it('a migration that fails half-way on the real database is restored automatically by `restore`: objects, counts and rows as before', () => {
    const f = fixture();
    const before = f.fingerprint();
    const r = f.cli('safe-migrate', '--accept-loss', 'logs', '--reason', 'logs are rotated anyway', '--', 'sh', '-c', `${f.sqlLine(f.halfSql)} || exit 9; ${onCopy}; exit 4`);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/✗ apply\s+sh failed \(exit code 4\)/);
    expect(r.stderr).toMatch(/✓ restore\s+restored backup \S+ .*the failed state is kept as app__dbsafe_prev_\S+ \(safety backup of the failed state: \S+\)/);
    expect(r.stdout).toMatch(/restored the pre-migration backup \S+ .*app is as it was before the migration/);
    expect(f.fingerprint()).toBe(before);
    const steps = logEntries(f.repoDir).filter((e) => e.event === 'migrate').map((e) => `${e.step}:${e.ok}`);
    expect(steps).toEqual(['lock:true', 'backup:true', 'dry-run:true', 'apply:false', 'restore:true']);
    // the one home for putting a backup back logged it as a restore
    expect(logEntries(f.repoDir).filter((e) => e.event === 'restore').pop()).toMatchObject({ result: 'restored', instance: 'app', safetyBackupId: expect.any(String) });
    expect(r.stdout + r.stderr).not.toContain('S3cr3t');
  });

  it('kill -9 while applying leaves the database restorable with the printed `restore` command', async () => {
    const f = fixture();
    const before = f.fingerprint();
    const flags = tempDir('dbsafe-flag-');
    const script = `${f.sqlLine(f.halfSql)} || exit 9; ${onCopy}; touch "${flags}/applying"; sleep 60`;
    const run = startCli(['safe-migrate', '--accept-loss', 'logs', '--reason', 'rotated daily anyway', '--', 'sh', '-c', script], { cwd: f.repoDir, env: f.env });
    let stderr = '';
    run.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitUntil(() => existsSync(path.join(flags, 'applying')), 120_000);
    // 'exit', not the result: the killed run's `sleep` keeps its output pipes open
    const exited = new Promise((resolve) => run.child.once('exit', resolve));
    run.child.kill('SIGKILL');
    await exited;
    expect(f.halfApplied()).toBe(true);
    const command = /if this is interrupted, restore with: npx dbsafe-hooks (.+)/.exec(stderr)?.[1];
    expect(command, stderr).toMatch(/^restore \S+ app --yes$/);
    // the killed run's shell is still sleeping; it holds no session (its psql / mariadb client has exited)
    const restored = f.cli(...command!.split(' '));
    expect(restored.code, restored.stderr).toBe(0);
    expect(f.fingerprint()).toBe(before);
  });

  it('kill -9 between every two steps of a migration that fails: the database is as before or restorable with the printed command; the next run sweeps the copies', () => {
    const f = fixture();
    const before = f.fingerprint();
    const migration = ['safe-migrate', '--accept-loss', 'logs', '--reason', 'logs are rotated anyway', '--', 'sh', '-c', `${f.sqlLine(f.halfSql)} || exit 9; ${onCopy}; exit 4`];
    const run = killAtEveryStep(migration, {
      cwd: f.repoDir,
      env: f.env,
      prepare: () => f.fingerprint() !== before && f.reset(),
      afterKill: ({ stage, stderr }) => {
        if (f.fingerprint() === before) return;
        const command = /if this is interrupted, restore with: npx dbsafe-hooks (.+)/.exec(stderr)?.[1];
        expect(command, `changed without a printed way back, killed as "${stage}" began`).toBeTruthy();
        const restored = f.cli(...command!.split(' '));
        expect(restored.code, `${stage}: ${restored.stderr}`).toBe(0);
        expect(f.fingerprint()).toBe(before);
      },
    });
    // killed before and while the real database changed, and inside the automatic restore
    expect(run.stages).toContain('taking the pre-migration backup');
    expect(run.stages).toContain('running sh on app');
    expect(run.stages.some((s) => /^swapping/.test(s))).toBe(true);
    expect(run.completed.code, run.completed.stderr).toBe(1);
    expect(run.completed.stderr).toMatch(/✓ restore\s+restored backup/);
    expect(f.fingerprint()).toBe(before);
    expect(f.leftovers()).toEqual([]);
  });
}
