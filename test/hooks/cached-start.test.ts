import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, tempDir } from '../helpers/repo.js';
import { CACHED_RUNS } from '../../src/cli/cached-start.js';
import { buildProgram } from '../../src/cli/main.js';
import { CREATE, hookRepo, run, type HookRepo } from './helpers.js';

// How the hooks and every command start (src/cli/cached-start.ts): one CommonJS bundle each, run from V8's code cache.
// The cache is speed only: an answer must be the same whether the cache is absent, being written, read back,
// corrupt, or refused, and it must never be taken from a directory someone else can write.

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function repo(): HookRepo {
  const r = hookRepo();
  cleanups.push(() => r.cleanup());
  return r;
}

/** `dbsafe-hooks hook pre-commit` as the installed shim runs it, with its own cache home. */
const hook = (r: HookRepo, cacheHome: string, extra: NodeJS.ProcessEnv = {}) =>
  run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['hook', 'pre-commit'], { XDG_CACHE_HOME: cacheHome, ...extra });

const cacheFiles = (cacheHome: string) =>
  existsSync(path.join(cacheHome, 'dbsafe-hooks')) ? readdirSync(path.join(cacheHome, 'dbsafe-hooks')).filter((f) => f.endsWith('.cache')) : [];

/** The one cache file there, its full path. */
function onlyCacheFile(cacheHome: string): string {
  const [file, ...more] = cacheFiles(cacheHome);
  expect(more).toEqual([]);
  expect(file).toBeDefined();
  return path.join(cacheHome, 'dbsafe-hooks', file!);
}

// what each staged file must give, run after run: parser-free (the subset), and needing the full parser
// (a DO block with PERFORM, a CTE: libpg-query is loaded by require() from the cached code)
const CASES = [
  { name: 'CREATE TABLE (no parser)', sql: CREATE, code: 0, says: /^$/ },
  { name: 'unapproved DROP TABLE (no parser)', sql: 'DROP TABLE users;\n', code: 1, says: /error drop-table/ },
  { name: 'DO block that deletes every row (parser)', sql: 'DO $$ BEGIN PERFORM 1; DELETE FROM users; END $$;\n', code: 1, says: /error delete-all/ },
  { name: 'CTE that destroys nothing (parser)', sql: 'CREATE TABLE a AS WITH x AS (SELECT 1 AS id) SELECT * FROM x;\n', code: 0, says: /^$/ },
];

describe('hooks and check run from the code cache give the same answers', () => {
  for (const c of CASES) {
    it(`${c.name}: the same exit code and report without the cache and from it`, () => {
      const r = repo();
      const cacheHome = tempDir('dbsafe-cache-');
      r.write('db/migrations/001.sql', CREATE);
      r.git('add', 'db');
      expect(hook(r, cacheHome).code).toBe(0);
      expect(cacheFiles(cacheHome)).toHaveLength(1);
      r.write('db/migrations/002.sql', c.sql);
      r.git('add', 'db');
      const runs = [hook(r, cacheHome, { DBSAFE_CODE_CACHE: '0' }), hook(r, cacheHome), hook(r, cacheHome)];
      for (const result of runs) {
        expect(result.code, result.stderr).toBe(c.code);
        expect(result.stderr).toMatch(c.says);
        expect(result.stderr).toBe(runs[0]!.stderr);
      }
    });
  }

  it('the cache is written once, 0600 in a 0700 directory, and read back by the next run; DBSAFE_CODE_CACHE=0 writes none', () => {
    const r = repo();
    const off = tempDir('dbsafe-cache-');
    r.write('db/migrations/002.sql', CREATE);
    r.git('add', 'db');
    expect(hook(r, off, { DBSAFE_CODE_CACHE: '0' }).code).toBe(0);
    expect(cacheFiles(off)).toEqual([]);

    const cacheHome = tempDir('dbsafe-cache-');
    expect(hook(r, cacheHome).code).toBe(0);
    const full = onlyCacheFile(cacheHome);
    expect(path.basename(full)).toMatch(/^pre-commit-v8-/);
    expect(statSync(full).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(full)).mode & 0o777).toBe(0o700);
    const written = statSync(full).mtimeMs;
    expect(hook(r, cacheHome).code).toBe(0);
    expect(statSync(full).mtimeMs).toBe(written); // accepted by V8: not written again
  });

  it('a corrupt cache is refused by V8: the hook still answers, and the cache is written anew', () => {
    const r = repo();
    const cacheHome = tempDir('dbsafe-cache-');
    r.write('db/migrations/002.sql', 'DROP TABLE users;\n');
    r.git('add', 'db');
    const first = hook(r, cacheHome);
    const full = onlyCacheFile(cacheHome);
    writeFileSync(full, Buffer.alloc(4096, 0x5a));
    const again = hook(r, cacheHome);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(first.stderr);
    expect(statSync(full).size).not.toBe(4096);
  });

  it('a cache directory that others can write, or that is a symlink, is not used', () => {
    const r = repo();
    r.write('db/migrations/002.sql', 'DROP TABLE users;\n');
    r.git('add', 'db');
    const shared = tempDir('dbsafe-cache-');
    mkdirSync(path.join(shared, 'dbsafe-hooks'));
    chmodSync(path.join(shared, 'dbsafe-hooks'), 0o777);
    const result = hook(r, shared);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error drop-table');
    expect(cacheFiles(shared)).toEqual([]);

    const linked = tempDir('dbsafe-cache-');
    const target = tempDir('dbsafe-cache-target-');
    run(linked, 'ln', ['-s', target, path.join(linked, 'dbsafe-hooks')]);
    expect(hook(r, linked).code).toBe(1);
    expect(readdirSync(target)).toEqual([]);
  });

  it('without a cache home (no HOME, no XDG_CACHE_HOME) the hook runs without a cache', () => {
    const r = repo();
    r.write('db/migrations/002.sql', 'DROP TABLE users;\n');
    r.git('add', 'db');
    const result = run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['hook', 'pre-commit'], { HOME: '', XDG_CACHE_HOME: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error drop-table');
  });

  it('a run that loads the parser (which changes V8 flags) still writes a cache, and the next run accepts it', () => {
    const r = repo();
    const cacheHome = tempDir('dbsafe-cache-');
    r.write('db/migrations/002.sql', 'DO $$ BEGIN PERFORM 1; DELETE FROM users; END $$;\n');
    r.git('add', 'db');
    const first = hook(r, cacheHome);
    expect(first.stderr).toMatch(/error delete-all/);
    const full = onlyCacheFile(cacheHome);
    const written = statSync(full).mtimeMs;
    const again = hook(r, cacheHome);
    expect(again.stderr).toBe(first.stderr);
    expect(statSync(full).mtimeMs).toBe(written); // accepted by V8: not written again
  });

  it('check gives the same report without the cache, writing it, and from it; its cache is its own', () => {
    const r = repo();
    const cacheHome = tempDir('dbsafe-cache-');
    r.write('db/migrations/002.sql', 'DROP TABLE users;\n');
    r.write('db/migrations/003.sql', 'DO $$ BEGIN PERFORM 1; DELETE FROM users; END $$;\n');
    const check = (extra: NodeJS.ProcessEnv = {}) =>
      run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['check', '--worktree', '--format', 'json', 'db/migrations/002.sql', 'db/migrations/003.sql'], {
        XDG_CACHE_HOME: cacheHome,
        ...extra,
      });
    const without = check({ DBSAFE_CODE_CACHE: '0' });
    expect(without.code).toBe(1);
    expect(JSON.parse(without.stdout).findings.map((f: { rule: string }) => f.rule).sort()).toEqual(['delete-all', 'drop-table']);
    expect(cacheFiles(cacheHome)).toEqual([]);
    const writing = check();
    const full = onlyCacheFile(cacheHome);
    expect(path.basename(full)).toMatch(/^check-v8-/);
    const written = statSync(full).mtimeMs;
    const fromCache = check();
    expect(statSync(full).mtimeMs).toBe(written);
    for (const result of [writing, fromCache]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe(without.stdout);
      expect(result.stderr).toBe(without.stderr);
    }
    // a usage error through the cached start: exit 2 and words, as every command
    const bad = run(r.dir, 'node_modules/.bin/dbsafe-hooks', ['check', '--no-such-option'], { XDG_CACHE_HOME: cacheHome });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--no-such-option'");
    expect(bad.stderr).not.toMatch(/^\s+at /m);
  });

  it('every other command runs from the same CLI bundle: the same answers without the cache, writing it, and from it; each its own cache, none for a mistyped command', () => {
    const r = repo();
    const cacheHome = tempDir('dbsafe-cache-');
    const cli = (args: string[], extra: NodeJS.ProcessEnv = {}, input?: string) =>
      run(r.dir, 'node_modules/.bin/dbsafe-hooks', args, { XDG_CACHE_HOME: cacheHome, ...extra }, input);
    const agentCall = (command: string) => JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command } });
    const runs = [
      // an agent's command: a reset is denied, a listing passes (the agent hook answers on stdout, exit 0)
      { name: 'agent-hook', args: ['agent-hook', 'claude-code'], input: agentCall('npx supabase db reset'), code: 0, says: /"permissionDecision":\s*"deny"/ },
      { name: 'agent-hook', args: ['agent-hook', 'claude-code'], input: agentCall('ls -la'), code: 0, says: /^$/ },
      // guard's fast path: the wrapped command's own output and exit code
      { name: 'guard', args: ['guard', '--', 'node', '-e', 'process.stdout.write("ran"); process.exit(3)'], code: 3, says: /^ran$/ },
      { name: 'guard', args: ['guard', '--check', '--json', '--', 'supabase db reset'], code: 1, says: /"destructive": true/ },
      { name: 'status', args: ['status'], code: 0, says: /./ },
    ];
    for (const { args, input, code, says } of runs) {
      const without = cli(args, { DBSAFE_CODE_CACHE: '0' }, input);
      expect(without.code, without.stderr).toBe(code);
      expect(without.stdout).toMatch(says);
      for (const result of [cli(args, {}, input), cli(args, {}, input)]) {
        expect(result.code).toBe(code);
        expect(result.stdout).toBe(without.stdout);
      }
    }
    expect(cacheFiles(cacheHome).map((f) => f.slice(0, f.indexOf('-v8-'))).sort()).toEqual(['agent-hook', 'guard', 'status']);
    const typo = cli(['stauts']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'stauts'");
    expect(cacheFiles(cacheHome)).toHaveLength(3);
  });

  it('every run with a cache is a hook, check\'s worker or a command of the CLI (a renamed command would silently lose its cache)', () => {
    const commands = buildProgram().commands.map((command) => command.name());
    for (const run of CACHED_RUNS) expect(['pre-commit', 'pre-merge-commit', 'pre-push', 'check-worker', ...commands], run).toContain(run);
  });

  it('a damaged install (the bundle missing) blocks the commit, and check, with exit 2 and words, not a stack trace', () => {
    const r = repo();
    const pkg = tempDir('dbsafe-pkg-');
    for (const dir of ['bin', 'dist']) mkdirSync(path.join(pkg, dir));
    for (const file of ['bin/dbsafe-hooks.js', 'bin/package.json', 'dist/cached-start.cjs']) copyFileSync(path.join(PROJECT_ROOT, file), path.join(pkg, file));
    r.write('db/migrations/002.sql', 'DROP TABLE users;\n');
    r.git('add', 'db');
    const runs = [
      { args: ['hook', 'pre-commit'], says: 'the hook cannot start' },
      { args: ['check', '--worktree', 'db/migrations/002.sql'], says: 'the check command cannot start' },
      { args: ['backup'], says: 'the backup command cannot start' },
    ];
    for (const { args, says } of runs) {
      const result = run(r.dir, process.execPath, [path.join(pkg, 'bin', 'dbsafe-hooks.js'), ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(says);
      expect(result.stderr).toContain('reinstall dbsafe-hooks');
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
  });
});
