import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../helpers/repo.js';
import { makeGatedRepo, sqliteDb } from './gated-repo.js';

/** A differently cased extension is still a migration: for pre-commit (shim pre-filter included) and for the pre-push gate. */

const repo = makeGatedRepo({ databases: { dev: { url: 'sqlite:data/dev.db' } }, migrations: [{ glob: 'db/migrations/*.sql' }] });
sqliteDb(path.join(repo.dir, 'data', 'dev.db'));
afterAll(() => repo.cleanup());

describe('migration extensions in any case', () => {
  it('pre-commit checks 006_drop.sqL, and the gate asks a backup for 005_UP.SQL', () => {
    repo.repo.write('db/migrations/006_drop.sqL', 'DROP TABLE users;\n');
    repo.repo.git('add', '-A');
    const commit = spawnSync('git', ['commit', '-m', 'drop users'], { cwd: repo.dir, env: cleanEnv(), encoding: 'utf8' });
    expect(commit.status, commit.stdout + commit.stderr).not.toBe(0);
    expect(commit.stderr + commit.stdout).toMatch(/006_drop\.sqL/);
    repo.repo.git('reset', '-q', '--hard');

    repo.commit({ 'db/migrations/005_UP.SQL': 'CREATE TABLE orders (id INTEGER PRIMARY KEY);\n' }, 'add orders');
    const push = repo.push(['origin', 'main']);
    expect(push.code, push.stderr).not.toBe(0);
    expect(push.stderr).toContain('push blocked: migrations are pushed without a recent verified backup.');
    expect(push.stderr).toContain('A  db/migrations/005_UP.SQL');
  });
});
