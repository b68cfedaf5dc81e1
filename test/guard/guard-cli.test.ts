import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, PROJECT_ROOT, runCli, tempDir } from '../helpers/repo.js';
import { hoursFromNow, makeGuardRepo, type GuardRepo } from './guard-repo.js';

/**
 * `dbsafe-hooks guard` with real processes: fake supabase / prisma / rails on PATH that record
 * whether they ran, a real SQLite database backed up and verified by the real commands, real
 * signals, a real pseudo-terminal for the typed approval. Time is moved with DBSAFE_NOW.
 */

const APPROVE = ['--approve', 'reset local dev data after the schema rewrite'];
const repos: GuardRepo[] = [];
function guarded(config?: unknown): GuardRepo {
  const repo = makeGuardRepo(config);
  repos.push(repo);
  return repo;
}

beforeAll(() => {
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'cli.cjs'))) throw new Error('build first: flock /tmp/dbsafe-build.lock npm run build');
});
afterEach(() => {
  for (const repo of repos.splice(0)) repo.cleanup();
});

describe('a destructive command', () => {
  it('is refused without a backup, even when approved, and the refusal is logged', () => {
    const repo = guarded();
    const result = repo.cli(['guard', ...APPROVE, '--', 'supabase', 'db', 'reset']);
    expect(result.code).toBe(1);
    expect(repo.ran()).toEqual([]);
    expect(result.stderr).toContain('dbsafe-hooks: refused: this command destroys data in a database.');
    expect(result.stderr).toContain('missing: instance "dev": no backup recorded: the backup log does not exist yet (.git/dbsafe/log.jsonl).');
    expect(result.stderr).toContain('Fix: npx dbsafe-hooks backup dev --verify');
    expect(result.stderr).toContain('or: npx dbsafe-hooks guard --backup-first -- supabase db reset');
    const [entry] = repo.logEntries();
    expect(entry).toMatchObject({ event: 'guard-refused', instance: 'dev', command: 'supabase db reset', matched: ['supabase db reset'], actor: 'person' });
  });

  it('is refused with an unverified backup', () => {
    const repo = guarded();
    const id = repo.backup(false);
    const result = repo.cli(['guard', ...APPROVE, '--', 'prisma', 'migrate', 'reset', '--force']);
    expect(result.code).toBe(1);
    expect(repo.ran()).toEqual([]);
    expect(result.stderr).toMatch(new RegExp(`missing: instance "dev": the newest backup \\(${id}, taken \\d+s ago\\) was never verified\\.`));
  });

  it('is refused once the verified backup is older than gate.maxAge', () => {
    const repo = guarded();
    const id = repo.backup();
    const result = repo.cli(['guard', ...APPROVE, '--', 'rails', 'db:drop'], { env: { DBSAFE_NOW: hoursFromNow(25) } });
    expect(result.code).toBe(1);
    expect(repo.ran()).toEqual([]);
    expect(result.stderr).toMatch(new RegExp(`the newest verified backup \\(${id}\\) was taken 1d 1h ago, 1h more than gate.maxAge \\(24h\\)`));
  });

  it('is refused without approval when not on a terminal, or with a reason that is too short', () => {
    const repo = guarded();
    repo.backup();
    const none = repo.cli(['guard', '--', 'supabase', 'db', 'reset']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('missing: no approval: not on a terminal, and no --approve "<reason>" was given');
    expect(none.stderr).not.toContain('missing: instance');
    expect(none.stderr).toContain('or: npx dbsafe-hooks guard --approve "<why, at least 10 characters>" -- supabase db reset');
    const short = repo.cli(['guard', '--approve', 'ok', '--', 'supabase', 'db', 'reset']);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('the --approve reason is 2 characters; at least 10 are needed');
    expect(repo.ran()).toEqual([]);
  });

  it('runs with a fresh verified backup and an approval: output and exit code are its own, the approval is logged', () => {
    const repo = guarded();
    const id = repo.backup();
    const result = repo.cli(['guard', ...APPROVE, '--', 'supabase', 'db', 'reset', '--debug'], { env: { FAKE_EXIT: '3' } });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('supabase ran: db reset --debug\n');
    expect(repo.ran()).toEqual(['supabase db reset --debug']);
    expect(result.stderr).toContain(`instance "dev": verified backup ${id}`);
    const approved = repo.logEntries().find((entry) => entry.event === 'guard-approved');
    expect(approved).toMatchObject({ instance: 'dev', command: 'supabase db reset --debug', by: 'reason', reason: APPROVE[1], backups: [id], actor: 'person', creator: 'test@example.com' });
  });

  it('on a terminal, runs only when the database name is typed', () => {
    const repo = guarded();
    repo.backup();
    const wrong = repo.onTerminal(['guard', '--', 'supabase', 'db', 'reset'], 'yes\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('type the database name (dev.db) to run it, anything else cancels:');
    expect(wrong.stdout).toContain('not run: the name typed is not the database name.');
    expect(repo.ran()).toEqual([]);
    const typed = repo.onTerminal(['guard', '--', 'supabase', 'db', 'reset'], 'dev.db\n');
    expect(typed.code, typed.stdout).toBe(0);
    expect(repo.ran()).toEqual(['supabase db reset']);
    expect(repo.logEntries().filter((entry) => String(entry.event).startsWith('guard-')).map((entry) => [entry.event, entry.by ?? entry.reason])).toEqual([
      ['guard-refused', 'the database name was not typed'],
      ['guard-approved', 'typed'],
    ]);
  });

  it('--backup-first takes and verifies the backup, then runs (approved)', () => {
    const repo = guarded();
    const result = repo.cli(['guard', '--backup-first', ...APPROVE, '--', 'supabase', 'db', 'reset']);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.ran()).toEqual(['supabase db reset']);
    expect(repo.logEntries().map((entry) => entry.event)).toEqual(['backup', 'verified', 'guard-approved']);
    expect(repo.logEntries()[0]).toMatchObject({ reason: 'before: supabase db reset' });
  });

  it('a gate waiver does not stand in for the backup', () => {
    const repo = guarded();
    expect(repo.cli(['waive', '--reason', 'staging restore in progress today']).code).toBe(0);
    const result = repo.cli(['guard', ...APPROVE, '--', 'supabase', 'db', 'reset']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/only a waiver covers it \("staging restore in progress today".*\); a destructive command needs the backup itself/);
    expect(repo.ran()).toEqual([]);
  });

  it('cannot be smuggled past the guard by chaining, sh -c, env, npx, pnpm exec or an npm script', () => {
    const repo = guarded();
    for (const command of [
      ['true && supabase db reset'],
      ['sh', '-c', 'echo hi; supabase db reset'],
      ['bash', '-lc', 'rails db:reset'],
      ['env', 'X=1', 'prisma', 'migrate', 'reset'],
      ['npx', 'prisma', 'db', 'push', '--accept-data-loss'],
      ['pnpm', 'exec', 'rails', 'db:schema:load'],
      ['npm', 'run', 'db:reset'],
    ]) {
      const result = repo.cli(['guard', '--', ...command]);
      expect(result.code, command.join(' ')).toBe(1);
      expect(result.stderr, command.join(' ')).toContain('refused: this command destroys data in a database.');
    }
    expect(repo.ran()).toEqual([]);
  });

  it('is refused when no database is configured (fail closed), with the way to configure one', () => {
    const repo = guarded({ guard: { commands: [{ tool: 'ours', pattern: 'supabase functions delete', destroys: 'a deployed function' }] } });
    const result = repo.cli(['guard', ...APPROVE, '--', 'supabase', 'functions', 'delete', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('missing: no database is configured, so no backup of it can be checked');
    expect(result.stderr).toContain('Fix: configure the database under "databases"');
    expect(repo.ran()).toEqual([]);
  });
});

describe('a command that is not destructive', () => {
  it('runs untouched: stdin, stdout, stderr and exit code are its own, and nothing is written', () => {
    const repo = guarded();
    const result = repo.cli(['guard', '--', 'sh', '-c', 'cat; echo to-stderr >&2; exit 42'], { input: 'from stdin\n' });
    expect(result).toEqual({ code: 42, stdout: 'from stdin\n', stderr: 'to-stderr\n' });
    const line = repo.cli(['guard', '--', 'npm run build --silent && echo "a  b"']);
    expect(line.code).toBe(0);
    expect(line.stdout).toBe('built\na  b\n');
    expect(repo.cli(['guard', '--', 'supabase', 'status']).stdout).toBe('supabase ran: status\n');
    expect(existsSync(repo.logPath)).toBe(false);
  });

  it('reports a command that does not exist as a shell does (127)', () => {
    const repo = guarded();
    const result = repo.cli(['guard', '--', 'no-such-program-here']);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('could not run no-such-program-here: command not found');
  });

  it('passes a signal the guard receives on to the command, and ends as the command ended', async () => {
    const repo = guarded();
    const marker = path.join(repo.dir, 'got-signal');
    // a node child, not `sh -c "trap …"`: dash can die of a TERM that lands while it forks its loop's sleep
    const script = `process.on('SIGTERM', () => { require('fs').writeFileSync(${JSON.stringify(marker)}, 'TERM\\n'); process.exit(7); }); console.log('ready'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, [CLI, 'guard', '--', process.execPath, '-e', script], { cwd: repo.dir, env: cleanEnv(repo.env()), stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(7);
    expect(readFileSync(marker, 'utf8')).toBe('TERM\n');

    // a command killed by a signal: the guard ends by the same signal
    const killed = spawnSync(process.execPath, [CLI, 'guard', '--', 'sh', '-c', 'kill -KILL $$'], { cwd: repo.dir, env: cleanEnv(repo.env()) });
    expect(killed.signal).toBe('SIGKILL');
    const hungUp = spawnSync(process.execPath, [CLI, 'guard', '--', 'sh', '-c', 'kill -HUP $$'], { cwd: repo.dir, env: cleanEnv(repo.env()) });
    expect(hungUp.signal).toBe('SIGHUP');
  });
});

describe('guard --check --json', () => {
  it('says what would happen, runs nothing and records nothing', () => {
    const repo = guarded();
    const id = repo.backup();
    const before = readFileSync(repo.logPath, 'utf8');
    const result = repo.cli(['guard', '--check', '--json', '--', 'cd app && npx prisma migrate reset --force']);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      command: 'cd app && npx prisma migrate reset --force',
      destructive: true,
      decision: { verdict: 'refuse', missing: ['approval'] },
      matches: [{ tool: 'Prisma', pattern: 'prisma migrate reset', command: 'prisma migrate reset --force', via: ['npx'] }],
      unsure: [],
      instances: ['dev'],
      backup: { ok: true, instances: [{ instance: 'dev', ok: true, backupId: id }] },
      confirmName: 'dev.db',
    });
    expect(JSON.parse(repo.cli(['guard', '--check', '--json', '--', 'ls']).stdout)).toMatchObject({ destructive: false, decision: { verdict: 'pass' } });
    expect(readFileSync(repo.logPath, 'utf8')).toBe(before);
    expect(repo.ran()).toEqual([]);
  });
});

describe('secrets on the command line', () => {
  it('never reach the output, the JSON or the log', () => {
    const repo = guarded();
    const line = "PGPASSWORD=hunter2 psql postgres://app:s3cret@localhost/app -c 'DROP TABLE users'";
    const check = repo.cli(['guard', '--check', '--json', '--', line]);
    expect(JSON.parse(check.stdout)).toMatchObject({ command: "PGPASSWORD=*** psql postgres://app:***@localhost/app -c 'DROP TABLE users'", destructive: true });
    const refused = repo.cli(['guard', '--', line]);
    expect(refused.code).toBe(1);
    const everything = check.stdout + check.stderr + refused.stdout + refused.stderr + readFileSync(repo.logPath, 'utf8');
    expect(everything).toContain('drop-table users');
    expect(everything).not.toContain('hunter2');
    expect(everything).not.toContain('s3cret');
  });
});

describe('outside a repository', () => {
  it('runs ordinary commands and refuses destructive ones (no backup log to check)', () => {
    const dir = tempDir('dbsafe-no-repo-');
    expect(runCli(['guard', '--', 'echo', 'hi'], { cwd: dir }).stdout).toBe('hi\n');
    writeFileSync(path.join(dir, 'x'), '');
    const result = runCli(['guard', ...APPROVE, '--', 'dropdb', 'app'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('missing: not inside a git repository, where the backup log is kept');
  });

  it('says how to use it when no command is given (exit 2)', () => {
    const result = runCli(['guard'], { cwd: PROJECT_ROOT });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('dbsafe-hooks: No command to guard');
  });
});
