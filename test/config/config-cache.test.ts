import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli, tempDir } from '../helpers/repo.js';

// The validated config is cached (src/config/cached.ts): in the git dir inside a repository, in the user's
// cache directory outside one and for `--config <file>.json`. The cache is speed only: every answer must be
// the one the config on disk gives, run after run and after any edit, and what only cosmiconfig reads right
// (`$import`, YAML, a syntax error) must never be taken from the cache.

const DROP = 'DROP TABLE orders;\n';
const config = (severity: 'off' | 'error', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ migrations: [{ glob: 'db/*.sql' }], rules: { 'drop-table': severity }, ...extra });

interface Case {
  name: string;
  repo: boolean;
  /** The config's files, for a config that lets the DROP TABLE through and for one that blocks it. */
  files: (severity: 'off' | 'error') => Record<string, string>;
  configArg?: string;
  /** Where the cache entry is (relative to the work dir or the cache home), or null: never cached. */
  cached: { in: 'git' | 'home'; file: string } | null;
}

const CASES: Case[] = [
  { name: '--config file.json outside a repository', repo: false, configArg: 'c.json', files: (s) => ({ 'c.json': config(s) }), cached: { in: 'home', file: 'c.json' } },
  { name: '.dbsaferc.json found outside a repository', repo: false, files: (s) => ({ '.dbsaferc.json': config(s) }), cached: { in: 'home', file: '.dbsaferc.json' } },
  { name: 'package.json "dbsafe" outside a repository', repo: false, files: (s) => ({ 'package.json': JSON.stringify({ name: 'x', dbsafe: JSON.parse(config(s)) }) }), cached: { in: 'home', file: 'package.json' } },
  { name: '--config file.json in a repository', repo: true, configArg: 'conf/c.json', files: (s) => ({ 'conf/c.json': config(s) }), cached: { in: 'git', file: 'conf/c.json' } },
  { name: '.dbsaferc.json in a repository', repo: true, files: (s) => ({ '.dbsaferc.json': config(s) }), cached: { in: 'git', file: '.dbsaferc.json' } },
  // cosmiconfig merges the files `$import` names: an edit of base.json must count, so never the cache
  { name: '.dbsaferc.json with $import in a repository', repo: true, files: (s) => ({ '.dbsaferc.json': JSON.stringify({ $import: 'base.json', migrations: [{ glob: 'db/*.sql' }] }), 'base.json': JSON.stringify({ rules: { 'drop-table': s } }) }), cached: null },
  { name: '--config file.json with $import outside a repository', repo: false, configArg: 'c.json', files: (s) => ({ 'c.json': JSON.stringify({ $import: './base.json', migrations: [{ glob: 'db/*.sql' }] }), 'base.json': JSON.stringify({ rules: { 'drop-table': s } }) }), cached: null },
  { name: '--config file.yaml outside a repository', repo: false, configArg: 'c.yaml', files: (s) => ({ 'c.yaml': `migrations:\n  - glob: db/*.sql\nrules:\n  drop-table: ${s}\n` }), cached: null },
];

function workDir(isRepo: boolean): string {
  if (!isRepo) return tempDir('dbsafe-config-cache-');
  const repo = makeRepo();
  return repo.dir;
}

function writeAll(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

/** `check --worktree --config c.json` of the drop, with its own cache home. */
const checkWithConfigFile = (dir: string, home: string) =>
  runCli(['check', '--worktree', '--config', 'c.json', 'db/001_drop.sql'], { cwd: dir, env: { XDG_CACHE_HOME: home } });

const cacheEntry = (dir: string, home: string, where: 'git' | 'home') =>
  path.join(where === 'git' ? path.join(dir, '.git', 'dbsafe') : path.join(home, 'dbsafe-hooks'), 'config-cache.json');

describe('the validated config from the cache gives the answers of the config on disk', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const dir = workDir(c.repo);
      const home = tempDir('dbsafe-cache-home-');
      writeAll(dir, { 'db/001_drop.sql': DROP });
      const check = () =>
        runCli(['check', '--worktree', ...(c.configArg ? ['--config', c.configArg] : []), 'db/001_drop.sql'], {
          cwd: dir,
          env: { XDG_CACHE_HOME: home, GIT_CEILING_DIRECTORIES: path.dirname(dir) },
        });
      writeAll(dir, c.files('off'));
      for (let run = 0; run < 3; run++) {
        const result = check();
        expect(result.code, `${run}: ${result.stderr}`).toBe(0);
      }
      if (c.cached) {
        const entry = JSON.parse(readFileSync(cacheEntry(dir, home, c.cached.in), 'utf8'));
        expect(entry.file).toBe(path.join(dir, c.cached.file));
      } else {
        expect(existsSync(cacheEntry(dir, home, 'home'))).toBe(false);
        if (c.repo) expect(existsSync(cacheEntry(dir, home, 'git'))).toBe(false);
      }
      // the same files blocking the drop: the next run says so, and keeps saying it
      writeAll(dir, c.files('error'));
      for (let run = 0; run < 2; run++) {
        const result = check();
        expect(result.code, `${run}: ${result.stderr}`).toBe(1);
        expect(result.stdout).toContain('error drop-table');
      }
    });
  }

  it('a config that does not parse is the loader\'s error (exit 2, the file named), cached or not before', () => {
    const dir = tempDir('dbsafe-config-cache-');
    const home = tempDir('dbsafe-cache-home-');
    writeAll(dir, { 'db/001_drop.sql': DROP, 'c.json': config('off') });
    const check = () => checkWithConfigFile(dir, home);
    expect(check().code).toBe(0);
    writeAll(dir, { 'c.json': config('off').slice(0, -1) });
    const broken = check();
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('c.json');
    expect(broken.stderr).not.toMatch(/\n\s+at /); // no stack trace
    writeAll(dir, { 'c.json': JSON.stringify({ migrations: [{ glob: 'db/*.sql' }], rules: { 'drop-tabel': 'off' } }) });
    const misspelt = check();
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('drop-tabel');
  });

  it('a cache directory others can write is not used (the answer stays right, nothing is written there)', () => {
    const dir = tempDir('dbsafe-config-cache-');
    const home = tempDir('dbsafe-cache-home-');
    mkdirSync(path.join(home, 'dbsafe-hooks'));
    chmodSync(path.join(home, 'dbsafe-hooks'), 0o777);
    writeAll(dir, { 'db/001_drop.sql': DROP, 'c.json': config('error') });
    const result = checkWithConfigFile(dir, home);
    expect(result.code).toBe(1);
    expect(existsSync(path.join(home, 'dbsafe-hooks', 'config-cache.json'))).toBe(false);
  });

  it('an entry another build validated (same file and bytes) is not taken', () => {
    const dir = tempDir('dbsafe-config-cache-');
    const home = tempDir('dbsafe-cache-home-');
    writeAll(dir, { 'db/001_drop.sql': DROP, 'c.json': config('error') });
    const check = () => checkWithConfigFile(dir, home);
    expect(check().code).toBe(1);
    const file = path.join(home, 'dbsafe-hooks', 'config-cache.json');
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...entry, schema: 'older-build', config: { ...entry.config, rules: { 'drop-table': 'off' } } }));
    expect(check().code).toBe(1);
  });
});
