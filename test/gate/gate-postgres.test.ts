import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless, startPostgres, TEST_PASSWORD, type PgServer } from '../helpers/servers.js';
import { backupVerified, fixLines, hoursFromNow, logEntries, makeGatedRepo, stateSnapshot } from './gated-repo.js';

/**
 * The pre-push backup gate against a real PostgreSQL 15 scratch cluster (127.0.0.1, ports
 * 55600-55699, started once for this file): real `git push` through the installed hook, real
 * `backup --verify` (pg_dump in an exported snapshot, restore into scratch, exact counts).
 */

const skip = skipUnless('postgres');
const CONFIG = { databases: { dev: { url: 'env:DATABASE_URL' } } };
const MIGRATION = { 'db/migrations/002_add_orders.sql': 'CREATE TABLE orders (id serial PRIMARY KEY, total integer);\n' };
const FIX = 'npx dbsafe-hooks backup dev --verify';

describe.skipIf(skip)('pre-push backup gate (PostgreSQL)', () => {
  let server: PgServer;

  beforeAll(async () => {
    server = await startPostgres({ ports: [55600, 55699] });
    server.sql('postgres', 'CREATE DATABASE app; CREATE DATABASE reporting;');
    for (const database of ['app', 'reporting']) {
      server.sql(database, "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL); INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 50) g;");
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('blocks without a backup, passes after backup --verify, blocks once it is too old, never shows the password', () => {
    const repo = makeGatedRepo(CONFIG);
    try {
      const env = { DATABASE_URL: server.url('app') };
      repo.commit(MIGRATION, 'add orders table');
      const blocked = repo.push(['origin', 'main'], env);
      expect(blocked.code).not.toBe(0);
      expect(blocked.stderr).toContain('instance "dev": no backup recorded: the backup log does not exist yet (.git/dbsafe/log.jsonl).');
      expect(fixLines(blocked.stderr)).toEqual([FIX]);

      const backupId = backupVerified(repo, 'dev', env);
      const before = stateSnapshot(repo);
      const passed = repo.push(['origin', 'main'], env);
      expect(passed.code, passed.stderr).toBe(0);
      expect(passed.stderr).toContain(`backup gate passed for instance "dev": verified backup ${backupId}`);
      expect(stateSnapshot(repo)).toEqual(before);

      repo.commit({ 'db/migrations/003_items.sql': 'CREATE TABLE items (id integer);\n' }, 'add items');
      const stale = repo.push(['origin', 'main'], { ...env, DBSAFE_NOW: hoursFromNow(30) });
      expect(stale.code).not.toBe(0);
      expect(stale.stderr).toMatch(new RegExp(`the newest verified backup \\(${backupId}\\) was taken 1d 6h ago, 6h more than gate.maxAge \\(24h\\)`));

      for (const output of [blocked, passed, stale]) {
        expect(output.stderr).not.toContain(TEST_PASSWORD);
        expect(output.stderr).not.toContain(encodeURIComponent(TEST_PASSWORD));
      }
    } finally {
      repo.cleanup();
    }
  });

  it('does not count a backup of another database on the same server, nor one whose dump was deleted', () => {
    const repo = makeGatedRepo(CONFIG);
    try {
      backupVerified(repo, 'dev', { DATABASE_URL: server.url('reporting') });
      repo.commit(MIGRATION, 'add orders table');
      const env = { DATABASE_URL: server.url('app') };
      const other = repo.push(['origin', 'main'], env);
      expect(other.code).not.toBe(0);
      expect(other.stderr).toMatch(/instance "dev": the backups recorded for it are of a different database \(newest: [^)]+\)/);
      expect(fixLines(other.stderr)).toEqual([FIX]);

      backupVerified(repo, 'dev', env);
      const verified = logEntries(repo).filter((entry) => entry.event === 'verified').pop()!;
      const artifact = String(verified.artifact);
      expect(existsSync(artifact)).toBe(true);
      rmSync(artifact);
      const missing = repo.push(['origin', 'main'], env);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain(`the verified backup ${String(verified.backupId)} no longer exists: ${artifact} is missing.`);
      expect(fixLines(missing.stderr)).toEqual([FIX]);
    } finally {
      repo.cleanup();
    }
  });

  it('blocks when the URL variable is unset in the pushing shell, naming the variable and never connecting', () => {
    const repo = makeGatedRepo(CONFIG);
    try {
      repo.commit(MIGRATION, 'add orders table');
      const blocked = repo.push(['origin', 'main']);
      expect(blocked.code).not.toBe(0);
      expect(blocked.stderr).toContain('cannot tell which database it is: "databases.dev.url" reads the environment variable DATABASE_URL, which is not set.');
      expect(fixLines(blocked.stderr)).toEqual([expect.stringContaining('Set DATABASE_URL')]);
    } finally {
      repo.cleanup();
    }
  });
});
