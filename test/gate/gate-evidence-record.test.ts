import { cpSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manifestChecksum } from '../../src/backup/manifest.js';
import { PROJECT_ROOT } from '../helpers/repo.js';
import { backupVerified, hoursFromNow, logEntries, makeGatedRepo, sqliteDb, type GatedRepo } from './gated-repo.js';

/**
 * The gate's evidence comes from the log's own record of a backup (written when it was taken),
 * never from the backup's manifest, which anyone can edit and re-checksum. Real repositories,
 * real SQLite, real `git push` through the installed hook.
 */

const CONFIG = { databases: { dev: { url: 'sqlite:data/dev.db' } } };
const MIGRATION = { 'db/migrations/002_add_orders.sql': 'CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER);\n' };

const repos: GatedRepo[] = [];
function gated(): GatedRepo {
  const repo = makeGatedRepo(CONFIG);
  sqliteDb(path.join(repo.dir, 'data', 'dev.db'));
  repos.push(repo);
  return repo;
}

beforeAll(() => {
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'cli.cjs'))) throw new Error('build first: flock /tmp/dbsafe-build.lock npm run build');
});
afterEach(() => {
  for (const repo of repos.splice(0)) repo.cleanup();
});

/** Rewrite a manifest field and its self-checksum, as anyone with a text editor and sha256sum can. */
function forgeManifest(dir: string, edit: (manifest: Record<string, any>) => void): void {
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  edit(manifest);
  manifest.checksum = manifestChecksum(manifest as any);
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

function backupDir(repo: GatedRepo, backupId: string, instance = 'dev'): string {
  return path.join(repo.dir, '.dbsafe', 'backups', instance, backupId);
}

describe('gate evidence comes from the log, not from a manifest', () => {
  it('an old backup whose manifest was moved forward, verified after the log was moved aside, is no evidence; adopted, it is dated by the artifact', () => {
    const repo = gated();
    const backupId = backupVerified(repo);
    repo.commit(MIGRATION, 'add orders table');
    const in3Days = hoursFromNow(72);
    expect(repo.push(['origin', 'main'], { DBSAFE_NOW: in3Days }).stderr).toContain('was taken 3d ago');

    // the documented fix for a damaged log: move it aside. Then the old backup is unknown to the log.
    renameSync(repo.logPath, `${repo.logPath}.damaged`);
    forgeManifest(backupDir(repo, backupId), (manifest) => {
      manifest.snapshot.takenAt = in3Days;
    });
    const verify = repo.cli(['verify', backupId], { DBSAFE_NOW: in3Days });
    expect(verify.code, verify.stderr).toBe(0); // it does restore
    expect(verify.stderr).toContain(`WARNING: the backup log never recorded taking ${backupId}`);
    expect(logEntries(repo).pop()).toMatchObject({ event: 'verified', backupId, recorded: false });

    const blocked = repo.push(['origin', 'main'], { DBSAFE_NOW: in3Days });
    expect(blocked.code, blocked.stderr).not.toBe(0);
    expect(blocked.stderr).toContain(`instance "dev": backup ${backupId} was verified, but the log never recorded taking it`);
    expect(blocked.stderr).toContain(`adopt ${backupId} --reason`);

    // adoption needs a reason, is logged, and dates the backup by the oldest time it carries
    expect(repo.cli(['adopt', backupId, '--reason', 'x']).code).toBe(2);
    const adopt = repo.cli(['adopt', backupId, '--reason', 'taken before the log was moved aside', '--json']);
    expect(adopt.code, adopt.stderr).toBe(0);
    const adopted = JSON.parse(adopt.stdout);
    expect(adopted.claimedTakenAt).toBe(in3Days);
    expect(Date.parse(adopted.takenAt)).toBeLessThan(Date.now() + 60_000);
    expect(Object.keys(adopted.timeSources)).toEqual(expect.arrayContaining(['manifest', 'gzip header', 'artifact mtime']));
    expect(logEntries(repo).pop()).toMatchObject({ event: 'adopted', backupId, reason: 'taken before the log was moved aside', claimedTakenAt: in3Days });
    expect(repo.cli(['adopt', backupId, '--reason', 'taken before the log was moved aside']).code).toBe(2); // once only

    expect(repo.cli(['verify', backupId]).code).toBe(0);
    const stillOld = repo.push(['origin', 'main'], { DBSAFE_NOW: in3Days });
    expect(stillOld.code).not.toBe(0);
    expect(stillOld.stderr).toMatch(new RegExp(`the newest verified backup \\(${backupId}\\) was taken (2d 23h|3d) ago`));
    expect(repo.push(['origin', 'main']).code).toBe(0);
  });

  it("verifying another database's backup warns loudly, never counts, and cannot be adopted", () => {
    const repo = gated();
    const other = makeGatedRepo(CONFIG);
    repos.push(other);
    sqliteDb(path.join(other.dir, 'data', 'dev.db'), 'CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    const otherId = backupVerified(other);
    cpSync(backupDir(other, otherId), backupDir(repo, otherId), { recursive: true });
    repo.commit(MIGRATION, 'add orders table');

    const verify = repo.cli(['verify', otherId]);
    expect(verify.code).toBe(0);
    expect(verify.stderr).toMatch(/WARNING: this is a backup of ANOTHER database \(sqlite:.*dev\.db\), not of instance "dev" as configured now/);
    expect(repo.push(['origin', 'main']).code).not.toBe(0);

    const adopt = repo.cli(['adopt', otherId, '--reason', 'copied from the other checkout']);
    expect(adopt.code).toBe(2);
    expect(adopt.stderr).toContain(`Backup ${otherId} is of another database`);
    expect(logEntries(repo).some((entry) => entry.event === 'adopted')).toBe(false);
  });
});
