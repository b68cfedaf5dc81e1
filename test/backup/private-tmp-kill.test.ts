import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli, tempDir } from '../helpers/repo.js';
import { allText, childrenOf, startCli, waitUntil } from './helpers.js';

/**
 * The temp dirs of dry-run (the scratch copy, passfiles) and restore live in the private, swept tmp
 * inside `.git/dbsafe/tmp`, never in $TMPDIR: after kill -9 nothing of them stays in /tmp, and the next
 * command removes what the killed run left in `.git`.
 */

const hasSqlite = spawnSync('sqlite3', ['--version']).status === 0;
if (!hasSqlite && process.env.CI) throw new Error('CI: sqlite3 CLI missing');

function setup() {
  const repo = makeRepo();
  const tmp = tempDir('dbsafe-tmpdir-');
  const env = { TMPDIR: tmp, DATABASE_URL: 'sqlite:dev.db' };
  spawnSync('sqlite3', [path.join(repo.dir, 'dev.db')], { input: "CREATE TABLE secrets_table(v TEXT); INSERT INTO secrets_table VALUES ('only-in-the-database');" });
  repo.write('.dbsaferc.json', JSON.stringify({ dialect: 'sqlite', migrations: [{ glob: 'db/*.sql' }], databases: { dev: { url: 'env:DATABASE_URL' } } }));
  const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });
  const b = cli('backup', '--verify');
  expect(b.code, b.stderr).toBe(0);
  const privateTmp = path.join(repo.dir, '.git', 'dbsafe', 'tmp');
  const leftInPrivate = () => (existsSync(privateTmp) ? readdirSync(privateTmp) : []);
  return { repo, tmp, env, cli, privateTmp, leftInPrivate };
}

/** kill -9 the CLI and its children, and wait until it is reaped (a zombie still looks alive to the sweep). */
async function killHard(cli: ChildProcess) {
  const pid = cli.pid!;
  const children = childrenOf(pid);
  const exited = new Promise((resolve) => cli.once('exit', resolve));
  process.kill(pid, 'SIGKILL');
  await exited;
  for (const child of children) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

describe.skipIf(!hasSqlite)('private temp dirs survive neither kill -9 nor Ctrl-C in /tmp', { timeout: 120_000 }, () => {
  it('dry-run killed while the migration runs on its copy: nothing in $TMPDIR; the copy is in .git/dbsafe/tmp until the next command sweeps it', async () => {
    const { repo, tmp, env, cli, privateTmp, leftInPrivate } = setup();
    const flag = path.join(tempDir('dbsafe-flag-'), 'on-copy');
    const run = startCli(['dry-run', '--', 'sh', '-c', `touch ${flag}; sleep 60`], { cwd: repo.dir, env });
    await waitUntil(() => existsSync(flag), 60_000);
    await killHard(run.child);
    expect(readdirSync(tmp).filter((n) => n.startsWith('dbsafe'))).toEqual([]);
    // the killed run's copy holds the data: it is only inside .git, and gone after the next command
    expect(leftInPrivate()).toEqual([expect.stringMatching(new RegExp(`^${run.child.pid}@`))]);
    expect(allText(privateTmp)).toContain('only-in-the-database');
    const next = cli('verify', '--latest');
    expect(next.code, next.stderr).toBe(0);
    expect(leftInPrivate()).toEqual([]);
  });

  it('restore killed after its safety backup, and dry-run interrupted with Ctrl-C: nothing left in $TMPDIR or (after Ctrl-C) in .git/dbsafe/tmp', async () => {
    const { repo, tmp, env, cli, leftInPrivate } = setup();
    const run = startCli(['restore', '--latest', '--yes'], { cwd: repo.dir, env });
    let stderr = '';
    run.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitUntil(() => /safety backup \S+ of/.test(stderr), 60_000);
    await killHard(run.child);
    expect(readdirSync(tmp).filter((n) => n.startsWith('dbsafe'))).toEqual([]);
    const flag = path.join(tempDir('dbsafe-flag-'), 'on-copy');
    const dry = startCli(['dry-run', '--', 'sh', '-c', `touch ${flag}; sleep 60`], { cwd: repo.dir, env });
    await waitUntil(() => existsSync(flag), 60_000);
    // 'exit', not the result: the migration's `sleep` keeps the output pipes open
    const code = new Promise((resolve) => dry.child.once('exit', resolve));
    dry.child.kill('SIGINT');
    expect(await code).toBe(2);
    // the dry-run swept the killed restore's dir when it started, and removed its own on Ctrl-C
    expect(leftInPrivate()).toEqual([]);
    expect(readdirSync(tmp).filter((n) => n.startsWith('dbsafe'))).toEqual([]);
    expect(cli('restore', '--latest', '--yes').code).toBe(0);
  });
});
