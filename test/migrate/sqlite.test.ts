import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { childrenOf, killAtEveryStep, logEntries, logText, startCli, waitUntil } from '../backup/helpers.js';

/** migrate / dry-run / safe-migrate on real SQLite files through the built CLI. */

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite) {
  if (process.env.CI) throw new Error('CI: sqlite3 CLI missing');
  process.stderr.write('\n!!!!! SKIPPING SQLite migrate tests: the sqlite3 CLI is missing !!!!!\n\n');
}

const sqlite = (file: string, sql: string) => {
  const r = spawnSync('sqlite3', ['-bail', '-batch', file], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
};

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

interface Repo extends TestRepo {
  db: string;
  tmp: string;
  cli(...args: string[]): ReturnType<typeof runCli>;
  env: NodeJS.ProcessEnv;
  migration(name: string, sql: string): void;
}

/** A repository with dev.db (orders: 5,000 rows) and DATABASE_URL=sqlite:dev.db; the CLI's temp dir is private so leftovers show. */
function repoWith(options: { instances?: Record<string, unknown>; seed?: boolean } = {}): Repo {
  const repo = makeRepo();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'dbsafe-migrate-tmp-'));
  cleanups.push(() => repo.cleanup(), () => rmSync(tmp, { recursive: true, force: true }));
  const db = path.join(repo.dir, 'dev.db');
  if (options.seed !== false) {
    sqlite(
      db,
      `PRAGMA journal_mode=WAL;
       CREATE TABLE orders(id INTEGER PRIMARY KEY, total REAL, legacy_total TEXT, note TEXT);
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
         INSERT INTO orders SELECT i, i * 1.5, CASE WHEN i % 2 = 0 THEN 'x' || i END, NULL FROM n;
       CREATE TABLE logs(id INTEGER PRIMARY KEY, msg TEXT);
       INSERT INTO logs(msg) VALUES ('a'), ('b'), ('c');
       CREATE TABLE prices(id INTEGER PRIMARY KEY, amount TEXT);
       INSERT INTO prices(amount) VALUES ('10'), ('12.5'), ('n/a');
       CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;`,
    );
  }
  repo.write(
    '.dbsaferc.json',
    JSON.stringify({ dialect: 'sqlite', migrations: [{ glob: 'db/migrations/*.sql' }], databases: options.instances ?? { dev: { url: 'env:DATABASE_URL' } } }),
  );
  const env = { DATABASE_URL: 'sqlite:dev.db', TMPDIR: tmp };
  return Object.assign(repo, {
    db,
    tmp,
    env,
    cli: (...args: string[]) => runCli(args, { cwd: repo.dir, env }),
    migration: (name: string, sql: string) => repo.write(`db/migrations/${name}`, sql),
  });
}

/** An executable script in the repository (a migration runner), its path returned. */
function script(repo: Repo, name: string, text: string): string {
  const file = path.join(repo.dir, name);
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

const dump = (db: string) => sqlite(db, '.dump');
const tables = (db: string) => sqlite(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name;").split('\n');
/** kill -9 the CLI and, like a crashed shell session would leave them, then its orphaned children (they hold our pipes). */
async function killHard(child: import('node:child_process').ChildProcess): Promise<void> {
  const descendants = (pid: number): number[] => childrenOf(pid).flatMap((c) => [c.pid, ...descendants(c.pid)]);
  const orphans = descendants(child.pid!);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid!, 'SIGKILL');
  await exited;
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** The scratch copy lives in the private, swept tmp inside .git (never in $TMPDIR, which must stay empty of ours). */
const scratchLeftovers = (repo: Repo) => {
  expect(readdirSync(repo.tmp).filter((n) => n.startsWith('dbsafe-'))).toEqual([]);
  const privateTmp = path.join(repo.dir, '.git', 'dbsafe', 'tmp');
  return existsSync(privateTmp) ? readdirSync(privateTmp) : [];
};

describe.skipIf(!hasSqlite)('migrate, dry-run and safe-migrate on SQLite', { timeout: 120_000 }, () => {
  beforeAll(() => {
    if (!existsSync(path.join(process.cwd(), 'dist', 'cli.cjs'))) throw new Error('run `npm run build` first (tests use the built CLI)');
  });

  describe('the built-in runner', () => {
    it('applies pending files in version order, one transaction each, and records version, name, checksum, time, duration, who and commit', () => {
      const repo = repoWith();
      repo.migration('10_third.sql', 'CREATE TABLE c(id INTEGER);');
      repo.migration('2_second.sql', 'CREATE TABLE b(id INTEGER REFERENCES a(id));');
      repo.migration('1_first.sql', 'CREATE TABLE a(id INTEGER PRIMARY KEY);');
      repo.git('config', 'user.email', 'dev@example.com');
      repo.git('add', '.');
      repo.git('commit', '-qm', 'migrations');
      const status = repo.cli('migrations', 'status');
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/0 applied, 3 pending/);
      const r = repo.cli('migrate', '--direct', '--json');
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(JSON.parse(r.stdout).results[0].applied).toEqual(['db/migrations/1_first.sql', 'db/migrations/2_second.sql', 'db/migrations/10_third.sql']);
      const rows = JSON.parse(sqlite(repo.db, '.mode json\nSELECT * FROM dbsafe_schema_migrations ORDER BY CAST(version AS INTEGER);'));
      expect(rows.map((r: any) => r.version)).toEqual(['1', '2', '10']);
      expect(rows[0]).toMatchObject({ name: 'first', applied_by: 'dev@example.com', git_commit: repo.git('rev-parse', 'HEAD'), kind: 'applied' });
      expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].duration_ms).toBeGreaterThanOrEqual(0);
      expect(Date.parse(rows[0].applied_at)).not.toBeNaN();
      expect(repo.cli('migrate', '--direct').stdout).toMatch(/up to date/);
    });

    it('a failing file rolls back whole and stops the run; later files are not applied', () => {
      const repo = repoWith();
      repo.migration('1_ok.sql', 'CREATE TABLE a(id INTEGER);');
      repo.migration('2_half.sql', 'CREATE TABLE half(id INTEGER);\nINSERT INTO half VALUES (1);\nINSERT INTO missing_table VALUES (1);\n');
      repo.migration('3_never.sql', 'CREATE TABLE never(id INTEGER);');
      const r = repo.cli('migrate', '--direct');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/2_half\.sql failed: .*line 3.*no such table: missing_table/);
      expect(tables(repo.db)).toContain('a');
      expect(tables(repo.db)).not.toContain('half');
      expect(tables(repo.db)).not.toContain('never');
      expect(sqlite(repo.db, 'SELECT group_concat(version) FROM dbsafe_schema_migrations;')).toBe('1');
    });

    it('an applied file edited afterwards blocks every run; status names it', () => {
      const repo = repoWith();
      repo.migration('1_a.sql', 'CREATE TABLE a(id INTEGER);');
      expect(repo.cli('migrate', '--direct').code).toBe(0);
      repo.migration('1_a.sql', 'CREATE TABLE a(id INTEGER, extra TEXT);');
      repo.migration('2_b.sql', 'CREATE TABLE b(id INTEGER);');
      const r = repo.cli('migrate', '--direct');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/1_a\.sql was applied on .* and has been edited since/);
      expect(tables(repo.db)).not.toContain('b');
      const status = repo.cli('migrations', 'status');
      expect(status.code).toBe(1);
      expect(status.stdout).toMatch(/1_a\.sql\s+EDITED after apply/);
    });

    it('--to stops at a version; --baseline adopts an existing database without running anything; an older pending file is out of order', () => {
      const repo = repoWith();
      repo.migration('1_orders.sql', 'CREATE TABLE orders(id INTEGER PRIMARY KEY);'); // already exists in dev.db
      repo.migration('2_a.sql', 'CREATE TABLE a(id INTEGER);');
      repo.migration('3_b.sql', 'CREATE TABLE b(id INTEGER);');
      const adopt = repo.cli('migrate', '--baseline', '1');
      expect(adopt.code, adopt.stderr).toBe(0);
      expect(adopt.stdout).toMatch(/baseline 1: 1 file\(s\) recorded as applied/);
      expect(repo.cli('migrate', '--direct', '--to', '2').code).toBe(0);
      expect(tables(repo.db)).toContain('a');
      expect(tables(repo.db)).not.toContain('b');
      expect(repo.cli('migrate', '--to', '9').code).toBe(2);
      expect(repo.cli('migrate', '--direct').code).toBe(0);
      repo.migration('2.5_late.sql', 'CREATE TABLE late(id INTEGER);');
      const late = repo.cli('migrate', '--direct');
      expect(late.code).toBe(1);
      expect(late.stderr).toMatch(/2\.5_late\.sql \(version 2\.5\) is older than the newest applied migration/);
    });

    it('a file whose name carries no version is refused with the way out (exit 2)', () => {
      const repo = repoWith();
      repo.migration('add_users.sql', 'CREATE TABLE u(id INTEGER);');
      const r = repo.cli('migrate');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no version: db\/migrations\/add_users\.sql/);
      expect(r.stderr).toMatch(/0001_create_users\.sql/);
    });
  });

  describe('dry-run', () => {
    it('a migration dropping a 5,000-row table: the ledger says 5,000 rows lost and blocks (exit 1); the scratch copy is gone', () => {
      const repo = repoWith();
      { const b = repo.cli('backup', '--verify'); expect(b.code, b.stderr + b.stdout).toBe(0); }
      repo.migration('2_drop_orders.sql', 'DROP VIEW big_orders;\nDROP TABLE orders;\n');
      const r = repo.cli('dry-run', 'db/migrations/2_drop_orders.sql');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/orders\s+table dropped: 5,000 rows lost\s+NOT ACCEPTED/);
      expect(r.stdout).toMatch(/big_orders\s+view dropped\s+NOT ACCEPTED/);
      expect(r.stdout).toMatch(/blocked: 2 losses not accepted/);
      expect(tables(repo.db)).toContain('orders'); // the real database was never touched
      expect(scratchLeftovers(repo)).toEqual([]);
      const json = JSON.parse(repo.cli('dry-run', '--json', 'db/migrations/2_drop_orders.sql').stdout);
      expect(json.ledger.entries).toContainEqual(expect.objectContaining({ kind: 'table-dropped', object: 'orders', rows: 5000 }));
      expect(json.ok).toBe(false);
    });

    it('accepted by markers naming each object: passes, and the ledger hash and acceptances are logged', () => {
      const repo = repoWith();
      { const b = repo.cli('backup', '--verify'); expect(b.code, b.stderr + b.stdout).toBe(0); }
      repo.migration(
        '2_drop_orders.sql',
        '-- dbsafe:allow drop-table(orders), drop-view(big_orders) -- replaced by invoices, copied in 0001\nDROP VIEW big_orders;\nDROP TABLE orders;\n',
      );
      const r = repo.cli('dry-run', 'db/migrations/2_drop_orders.sql');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/orders\s+table dropped: 5,000 rows lost\s+accepted by db\/migrations\/2_drop_orders\.sql:1: replaced by invoices/);
      const entry = logEntries(repo.dir).filter((e) => e.event === 'dry-run').pop()!;
      expect(entry).toMatchObject({ ok: true, losses: 2, unaccepted: [] });
      expect(entry.ledgerHash).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.accepted).toContainEqual({ kind: 'table-dropped', object: 'orders', by: 'db/migrations/2_drop_orders.sql:1', reason: 'replaced by invoices, copied in 0001' });
      expect(repo.cli('log').code).toBe(0); // the chain stays intact with the new entry kind
    });

    it('a marker for another object, another rule or without a reason accepts nothing; --accept-loss needs --reason and names one object', () => {
      const repo = repoWith();
      { const b = repo.cli('backup', '--verify'); expect(b.code, b.stderr + b.stdout).toBe(0); }
      repo.migration('2_x.sql', '-- dbsafe:allow drop-column(orders.legacy_total)\n-- dbsafe:allow drop-table(logs) -- an unrelated reason\nALTER TABLE orders DROP COLUMN legacy_total;\n');
      const r = repo.cli('dry-run', 'db/migrations/2_x.sql');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/orders\.legacy_total\s+column dropped: 2,500 non-null values lost\s+NOT ACCEPTED/);
      expect(r.stdout).toMatch(/2_x\.sql:1 names orders\.legacy_total but gives no reason/);
      const noReason = repo.cli('dry-run', '--accept-loss', 'orders.legacy_total', 'db/migrations/2_x.sql');
      expect(noReason.code).toBe(2);
      expect(noReason.stderr).toMatch(/--accept-loss needs --reason/);
      const wrong = repo.cli('dry-run', '--accept-loss', 'orders', '--reason', 'the whole table is fine to lose', 'db/migrations/2_x.sql');
      expect(wrong.code).toBe(1);
      const ok = repo.cli('dry-run', '--accept-loss', 'orders.legacy_total', '--reason', 'moved to the notes table last release', 'db/migrations/2_x.sql');
      expect(ok.code, ok.stdout).toBe(0);
      expect(logEntries(repo.dir).filter((e) => e.event === 'dry-run').pop()!.accepted).toEqual([
        { kind: 'column-dropped', object: 'orders.legacy_total', by: '--accept-loss', reason: 'moved to the notes table last release' },
      ]);
    });

    it('measures each kind of loss from a command, and a rename is not a loss', () => {
      const repo = repoWith();
      { const b = repo.cli('backup', '--verify'); expect(b.code, b.stderr + b.stdout).toBe(0); }
      const script = [
        'DELETE FROM logs WHERE id > 1;',
        // SQLite changes a type by rebuilding the table: 'n/a' becomes NULL, '12.5' becomes 12
        'CREATE TABLE prices2(id INTEGER PRIMARY KEY, amount INTEGER);',
        "INSERT INTO prices2 SELECT id, CASE WHEN amount GLOB '[0-9]*' THEN CAST(amount AS INTEGER) END FROM prices;",
        'DROP TABLE prices; ALTER TABLE prices2 RENAME TO prices;',
        'ALTER TABLE orders RENAME COLUMN total TO amount;',
      ].join('\n');
      const r = repo.cli('dry-run', '--json', '--', 'sh', '-c', 'sqlite3 "${DATABASE_URL#sqlite:}" "$1"', 'sh', script);
      expect(r.code, r.stderr).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.ledger.entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'rows-deleted', object: 'logs', rows: 2, before: 3, after: 1 }),
          expect.objectContaining({ kind: 'type-changed', object: 'prices.amount', from: 'text', to: 'integer', nulled: 1 }),
        ]),
      );
      expect(out.ledger.renames).toEqual([{ kind: 'column', from: 'orders.total', to: 'orders.amount' }]);
      expect(out.ledger.entries.map((e: any) => e.object)).not.toContain('orders.total');
    });

    it('an artifact changed since its verification is never rehearsed on: exit 2, the command does not run', () => {
      const repo = repoWith();
      const b = repo.cli('backup', '--verify', '--json');
      expect(b.code, b.stderr + b.stdout).toBe(0);
      const artifact = JSON.parse(b.stdout).artifact as string;
      const bytes = readFileSync(artifact);
      bytes[bytes.length - 12] ^= 0xff;
      writeFileSync(artifact, bytes);
      const r = repo.cli('dry-run', '--', 'sh', '-c', 'touch ran-on-the-copy');
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/changed since it was verified/);
      expect(existsSync(path.join(repo.dir, 'ran-on-the-copy'))).toBe(false);
      expect(logEntries(repo.dir).filter((e) => e.event === 'dry-run')).toEqual([]);
    });

    it('a runner that ignores the scratch URL and changes the real database is refused loudly (exit 2)', () => {
      const repo = repoWith();
      { const b = repo.cli('backup', '--verify'); expect(b.code, b.stderr + b.stdout).toBe(0); }
      const r = repo.cli('dry-run', '--', 'sqlite3', 'dev.db', 'DROP TABLE logs;');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/REFUSED: the REAL database's schema changed .* did not use DATABASE_URL/);
      expect(r.stderr).toMatch(/restore dev from backup \d{8}T\d{6}Z-/);
      expect(logEntries(repo.dir).filter((e) => e.event === 'dry-run').pop()).toMatchObject({ ok: false, realSchemaChanged: true });
    });

    it('a command cannot be pointed at a copy of an instance whose URL is written in the config (exit 2); files still can', () => {
      const repo = repoWith({ instances: { dev: { url: 'sqlite:dev.db' } } });
      { const b = repo.cli('backup', '--verify'); expect(b.code, b.stderr + b.stdout).toBe(0); }
      const r = repo.cli('dry-run', '--', 'true');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/URL written in the config.*cannot be pointed at a scratch copy/);
      expect(r.stderr).toMatch(/"url": "env:DATABASE_URL"/);
      repo.migration('2_a.sql', 'CREATE TABLE a(id INTEGER);');
      expect(repo.cli('dry-run', 'db/migrations/2_a.sql').code).toBe(0);
    });

    it('without a verified backup it says how to get one; --fresh takes one', () => {
      const repo = repoWith();
      repo.migration('2_a.sql', 'CREATE TABLE a(id INTEGER);');
      const r = repo.cli('dry-run', 'db/migrations/2_a.sql');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no verified backup.*\n.*backup dev --verify.*--fresh/);
      const fresh = repo.cli('dry-run', '--fresh', 'db/migrations/2_a.sql');
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(fresh.stdout).toMatch(/nothing lost/);
    });

    it('Ctrl-C while the command runs on the copy removes the copy and leaves the real database as it was', async () => {
      const repo = repoWith();
      { const b = repo.cli('backup', '--verify'); expect(b.code, b.stderr + b.stdout).toBe(0); }
      const before = dump(repo.db);
      const run = startCli(['dry-run', '--', 'sh', '-c', 'touch "$TMPDIR/started"; sleep 30'], { cwd: repo.dir, env: repo.env });
      await waitUntil(() => existsSync(path.join(repo.tmp, 'started')));
      expect(scratchLeftovers(repo).length).toBeGreaterThan(0);
      run.child.kill('SIGINT');
      const result = await run.result;
      expect(result.code).toBe(2); // interrupted: the command could not do its job (docs/backup.md)
      expect(scratchLeftovers(repo)).toEqual([]);
      expect(dump(repo.db)).toBe(before);
    });
  });

  describe('safe-migrate', () => {
    /** Applies part of a change, then fails, but only on the real database (it passed on the copy). */
    function halfFailingRunner(repo: Repo): string {
      return script(
        repo,
        'migrate.sh',
        `#!/bin/sh
db="\${DATABASE_URL#sqlite:}"
sqlite3 "$db" "CREATE TABLE audit(id INTEGER PRIMARY KEY); INSERT INTO orders(id, total) VALUES (99999, 1); DELETE FROM logs;" || exit 1
case "$db" in dev.db|*/dev.db) ;; *) exit 0;; esac
echo "connection lost half-way" >&2
exit 3
`,
      );
    }

    it('a migration that fails half-way on the real database: the pre-migration backup is restored automatically and said so', () => {
      const repo = repoWith();
      const before = dump(repo.db);
      const runner = halfFailingRunner(repo);
      const r = repo.cli('safe-migrate', '--accept-loss', 'logs', '--reason', 'the log is rotated daily anyway', '--', runner);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(/✓ lock/);
      expect(r.stderr).toMatch(/✓ backup\s+took verified backup (\S+)/);
      expect(r.stderr).toMatch(/✓ dry-run/);
      expect(r.stderr).toMatch(/✗ apply\s+.*migrate\.sh failed \(exit code 3\)/);
      expect(r.stderr).toMatch(/✓ restore\s+restored backup/);
      expect(r.stdout).toMatch(/restored the pre-migration backup \S+ .*dev is as it was before the migration/);
      // objects, counts and every row: the real database equals the pre-migration backup
      expect(dump(repo.db)).toBe(before);
      const steps = logEntries(repo.dir).filter((e) => e.event === 'migrate');
      expect(steps.map((e) => `${e.step}:${e.ok}`)).toEqual(['lock:true', 'backup:true', 'dry-run:true', 'apply:false', 'restore:true']);
      expect(new Set(steps.map((e) => e.runId)).size).toBe(1);
      // the failed state is kept beside the database
      expect(readdirSync(repo.dir).some((n) => n.startsWith('dev.db.dbsafe-prev-'))).toBe(true);
    });

    it('stops before touching the real database when the dry-run finds an unaccepted loss; a failing --check restores', () => {
      const repo = repoWith();
      const before = dump(repo.db);
      const r = repo.cli('safe-migrate', '--', 'sh', '-c', 'sqlite3 "${DATABASE_URL#sqlite:}" "DROP TABLE orders;"');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/✗ dry-run\s+1 loss not accepted/);
      expect(r.stderr).toMatch(/orders\s+table dropped: 5,000 rows lost\s+NOT ACCEPTED/);
      expect(r.stderr).not.toMatch(/apply/);
      expect(dump(repo.db)).toBe(before);
      const checked = repo.cli('safe-migrate', '--check', 'test "$(sqlite3 dev.db "SELECT count(*) FROM audit")" = 1', '--', 'sh', '-c', 'sqlite3 "${DATABASE_URL#sqlite:}" "CREATE TABLE audit(id INTEGER);"');
      expect(checked.code, checked.stderr).toBe(1);
      expect(checked.stderr).toMatch(/✗ check\s+the post-check .* failed \(exit code 1\)/);
      expect(checked.stderr).toMatch(/✓ restore/);
      expect(dump(repo.db)).toBe(before);
      const ok = repo.cli('safe-migrate', '--json', '--', 'sh', '-c', 'sqlite3 "${DATABASE_URL#sqlite:}" "CREATE TABLE audit(id INTEGER);"');
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, steps: expect.arrayContaining([expect.objectContaining({ step: 'done', ok: true })]) });
      expect(tables(repo.db)).toContain('audit');
    });

    it('kill -9 in the middle of applying leaves the database restorable with the printed command', async () => {
      const repo = repoWith();
      const before = dump(repo.db);
      const script = 'db="${DATABASE_URL#sqlite:}"; sqlite3 "$db" "DELETE FROM logs; CREATE TABLE half(id INTEGER);"; case "$db" in dev.db|*/dev.db) ;; *) exit 0;; esac; touch "$TMPDIR/applying"; sleep 60';
      const run = startCli(['safe-migrate', '--accept-loss', 'logs', '--reason', 'rotated daily anyway', '--', 'sh', '-c', script], { cwd: repo.dir, env: repo.env });
      let stderr = '';
      run.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await waitUntil(() => existsSync(path.join(repo.tmp, 'applying')), 60_000);
      await killHard(run.child);
      expect(tables(repo.db)).toContain('half');
      const command = /if this is interrupted, restore with: npx dbsafe-hooks (.+)/.exec(stderr)?.[1];
      expect(command, stderr).toMatch(/^restore \S+ dev --yes$/);
      const restored = repo.cli(...command!.split(' '));
      expect(restored.code, restored.stderr).toBe(0);
      expect(dump(repo.db)).toBe(before);
    });

    it('migrate, kill -9 between every two steps (each file, the post-check, the automatic restore): the database is as before or restorable with the printed command', () => {
      const repo = repoWith();
      repo.migration('1_audit.sql', 'CREATE TABLE audit(id INTEGER PRIMARY KEY, what TEXT);');
      repo.migration('2_log.sql', "INSERT INTO logs(msg) VALUES ('migrated'); UPDATE orders SET note = 'n' WHERE id < 10;");
      const before = dump(repo.db);
      const run = killAtEveryStep(['migrate', '--check', 'exit 5'], {
        cwd: repo.dir,
        env: repo.env,
        // afterKill leaves the database as before, so every run starts from it
        prepare: () => expect(dump(repo.db)).toBe(before),
        afterKill: ({ stage, stderr }) => {
          expect(sqlite(repo.db, 'PRAGMA integrity_check;')).toBe('ok');
          if (dump(repo.db) === before) return;
          const command = /if this is interrupted, restore with: npx dbsafe-hooks (.+)/.exec(stderr)?.[1];
          expect(command, `changed without a printed way back, killed as "${stage}" began`).toBeTruthy();
          const restored = repo.cli(...command!.split(' '));
          expect(restored.code, `${stage}: ${restored.stderr}`).toBe(0);
          expect(dump(repo.db)).toBe(before);
        },
      });
      expect(run.stages).toEqual(expect.arrayContaining(['applying db/migrations/1_audit.sql to dev', 'applying db/migrations/2_log.sql to dev', 'running the post-check']));
      expect(run.stages.some((s) => /^swapping/.test(s))).toBe(true);
      expect(run.completed.code, run.completed.stderr).toBe(1);
      expect(run.completed.stderr).toMatch(/✓ restore\s+restored backup/);
      expect(dump(repo.db)).toBe(before);
      expect(scratchLeftovers(repo)).toEqual([]);
      expect(readdirSync(repo.dir).filter((n) => n.includes('dbsafe-new'))).toEqual([]);
    });

    it('kill -9 before applying (during the dry-run) leaves the real database as it was, and the lock is taken over', async () => {
      const repo = repoWith();
      const before = dump(repo.db);
      const run = startCli(['safe-migrate', '--', 'sh', '-c', 'touch "$TMPDIR/on-copy"; sleep 60'], { cwd: repo.dir, env: repo.env });
      await waitUntil(() => existsSync(path.join(repo.tmp, 'on-copy')), 60_000);
      await killHard(run.child);
      expect(dump(repo.db)).toBe(before);
      const again = repo.cli('safe-migrate', '--', 'true');
      expect(again.code, again.stderr).toBe(0);
    });
  });

  describe('what a rehearsal will not vouch for', () => {
    /** A dbmate-like runner: applies db/migrations/*.sql not yet in schema_migrations, recording each version. */
    function historyRunner(repo: Repo): string {
      return script(
        repo,
        'run-migrations.sh',
        `#!/bin/sh
db="\${DATABASE_URL#sqlite:}"
sqlite3 "$db" "CREATE TABLE IF NOT EXISTS schema_migrations(version TEXT PRIMARY KEY);" || exit 1
for f in db/migrations/*.sql; do
  v=$(basename "$f" | sed 's/_.*//')
  [ -n "$(sqlite3 "$db" "SELECT 1 FROM schema_migrations WHERE version = '$v'")" ] && continue
  { cat "$f"; echo; echo "INSERT INTO schema_migrations VALUES ('$v');"; } | sqlite3 -bail "$db" || exit 1
done
`,
      );
    }
    /** 1_old.sql, applied long ago, carries a marker for dropping orders; the real database records it as applied. */
    function repoWithAppliedMarker(): Repo {
      const repo = repoWith();
      repo.migration('1_old.sql', "-- dbsafe:allow drop-table(orders) -- the 2023 cleanup, reviewed then\nCREATE TABLE old_stuff(id INTEGER);");
      sqlite(repo.db, "CREATE TABLE old_stuff(id INTEGER); CREATE TABLE schema_migrations(version TEXT PRIMARY KEY); INSERT INTO schema_migrations VALUES ('1');");
      expect(repo.cli('backup', '--verify').code).toBe(0);
      return repo;
    }

    it("a command's loss is accepted only by markers in the files it applied (its runner's history), never by a file applied long ago", () => {
      const repo = repoWithAppliedMarker();
      repo.migration('2_drop.sql', 'DROP TABLE orders;');
      const blocked = repo.cli('dry-run', '--', historyRunner(repo));
      expect(blocked.code, blocked.stderr + blocked.stdout).toBe(1);
      expect(blocked.stderr + blocked.stdout).toMatch(/orders\s+table dropped: 5,000 rows lost\s+NOT ACCEPTED/);
      expect(blocked.stderr + blocked.stdout).toMatch(/markers: from the files the command applied on the copy \(its runner's history\): none of them has a marker/);

      repo.migration('2_drop.sql', '-- dbsafe:allow drop-table(orders) -- replaced by the orders service in this release\nDROP TABLE orders;');
      const accepted = repo.cli('dry-run', '--json', '--', historyRunner(repo));
      expect(accepted.code, accepted.stderr).toBe(0);
      expect(JSON.parse(accepted.stdout).markers).toEqual({ from: 'applied', files: ['db/migrations/2_drop.sql'], historyKeys: ['2'] });
      expect(logEntries(repo.dir).filter((e) => e.event === 'dry-run').pop()).toMatchObject({ markersFrom: 'applied', markerFiles: ['db/migrations/2_drop.sql'] });
    });

    it('a command whose runner keeps no known history: markers from every migration file, and the output says so', () => {
      const repo = repoWithAppliedMarker();
      const r = repo.cli('dry-run', '--', 'sh', '-c', 'sqlite3 "${DATABASE_URL#sqlite:}" "DROP TABLE orders;"');
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stderr + r.stdout).toMatch(/markers: from every migration file \(no runner history table changed on the copy/);
    });

    const verified = (repo: Repo) => {
      const b = repo.cli('backup', '--verify');
      expect(b.code, b.stderr + b.stdout).toBe(0);
    };

    it.each([
      ['a marker inside a string literal', "SELECT '-- dbsafe:allow drop-table(logs) -- the log is rotated daily anyway';\nDROP TABLE logs;\n", false, /logs\s+table dropped.*NOT ACCEPTED/],
      ['a marker whose reason is the placeholder', '-- dbsafe:allow drop-table(logs) -- <why this is safe>\nDROP TABLE logs;\n', false, /still has the placeholder instead of a reason/],
      ['a marker whose reason is too short', '-- dbsafe:allow drop-table(logs) -- rotated\nDROP TABLE logs;\n', false, /gives a reason shorter than 10 characters/],
      ['a marker in a block comment with a good reason', '/* dbsafe:allow drop-table(logs) -- the log is rotated daily anyway */\nDROP TABLE logs;\n', true, /accepted by/],
      ['a marker in a line comment with a good reason', '-- dbsafe:allow drop-table(logs) -- the log is rotated daily anyway\nDROP TABLE logs;\n', true, /accepted by/],
    ])('dry-run reads markers as check does: %s', (_name, sql, accepted, shown) => {
      const repo = repoWith();
      verified(repo);
      repo.migration('2_drop_logs.sql', sql);
      const r = repo.cli('dry-run', 'db/migrations/2_drop_logs.sql');
      expect(r.stdout).toMatch(shown);
      expect(r.code, r.stdout + r.stderr).toBe(accepted ? 0 : 1);
      // the same file through check: the markers dry-run honours are exactly the ones check honours
      const checked = repo.cli('check', '--worktree', 'db/migrations/2_drop_logs.sql');
      expect(checked.code, checked.stdout).toBe(accepted ? 0 : 1);
    });

    it('a command that changes nothing on the copy while the real database is written to is refused (exit 2): the empty ledger proves nothing', () => {
      const repo = repoWith();
      verified(repo);
      // reads a URL of its own (a dotenv that overrides the environment, say) and deletes on the real database
      const r = repo.cli('dry-run', '--', 'sqlite3', 'dev.db', 'DELETE FROM logs;');
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/REFUSED: the command changed nothing on the copy while rows of the REAL database changed/);
      expect(logEntries(repo.dir).filter((e) => e.event === 'dry-run').pop()).toMatchObject({ ok: false, realWritesUnexplained: true });
      // a command that does its work on the copy is measured as usual
      const good = repo.cli('dry-run', '--', 'sh', '-c', 'sqlite3 "${DATABASE_URL#sqlite:}" "CREATE TABLE audit(id INTEGER);"');
      expect(good.code, good.stdout + good.stderr).toBe(0);
    });

    it('safe-migrate takes its own pre-migration backup unless told to reuse one; --reuse-backup reuses a recent one', () => {
      const repo = repoWith();
      verified(repo);
      const reused = repo.cli('safe-migrate', '--reuse-backup', '--', 'true');
      expect(reused.code, reused.stderr).toBe(0);
      expect(reused.stderr).toMatch(/✓ backup\s+reusing verified backup/);
      const own = repo.cli('safe-migrate', '--', 'sh', '-c', 'sqlite3 "${DATABASE_URL#sqlite:}" "CREATE TABLE a(id INTEGER);"');
      expect(own.code, own.stderr).toBe(0);
      expect(own.stderr).toMatch(/✓ backup\s+took verified backup/);
      // a backup older than the last apply is never reused: it is not the state being migrated
      const afterApply = repo.cli('safe-migrate', '--reuse-backup', '--', 'true');
      expect(afterApply.stderr).toMatch(/✓ backup\s+took verified backup/);
    });

    it('a --check command with a password in a URL reaches the log redacted', () => {
      const repo = repoWith();
      const r = repo.cli('safe-migrate', '--check', 'true postgres://app:s3cr3t-pw@db.example/app', '--', 'true');
      expect(r.code, r.stderr).toBe(0);
      const log = logText(repo.dir);
      expect(log).toMatch(/post-check/);
      expect(log).not.toMatch(/s3cr3t-pw/);
      expect(r.stdout + r.stderr).not.toMatch(/s3cr3t-pw/);
    });
  });

  it('migrate --all runs the instances in the config order and stops at the first failure', () => {
    const repo = repoWith({
      instances: { dev: { url: 'sqlite:dev.db' }, testing: { url: 'sqlite:testing.db' }, prod: { url: 'sqlite:prod.db' } },
    });
    sqlite(path.join(repo.dir, 'testing.db'), 'CREATE TABLE a(id INTEGER);'); // 1_a.sql will fail there
    sqlite(path.join(repo.dir, 'prod.db'), 'CREATE TABLE keep(id INTEGER);');
    repo.migration('1_a.sql', 'CREATE TABLE a(id INTEGER);');
    const r = repo.cli('migrate', '--all');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/migrating dev → testing → prod/);
    expect(r.stdout).toMatch(/✓ dev: applied db\/migrations\/1_a\.sql/);
    expect(r.stdout).toMatch(/✗ testing: .*table a already exists/);
    expect(r.stdout).toMatch(/stopped: not run on prod/);
    expect(tables(path.join(repo.dir, 'prod.db'))).toEqual(['keep']);
    const status = repo.cli('migrations', 'status', '--all', '--json');
    expect(JSON.parse(status.stdout).map((s: any) => [s.instance, s.applied.length, s.pending.length])).toEqual([
      ['dev', 1, 0],
      ['testing', 0, 1],
      ['prod', 0, 1],
    ]);
  });
});
