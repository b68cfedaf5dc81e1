import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { pathspecsFor } from '../../src/config/pathspecs.js';
import { inlineCommand } from '../../src/install/shim.js';
import { runCli, tempDir } from '../helpers/repo.js';
import { DEFAULT_CONFIG, DROP, NO_CI, hookRepo, run, type HookRepo } from './helpers.js';

/**
 * A1: the shims' shell pre-filter holds the config's pathspecs as of install. A config changed afterwards
 * (edited, pulled, moved to another file the loader finds first, deleted) must not let a commit skip the
 * check: the hook falls through to node, which decides with the config in effect. Real commits through
 * the installed hooks; "node was not needed" is shown by committing with node off the PATH.
 */

const repos: HookRepo[] = [];
afterAll(() => repos.forEach((r) => r.cleanup()));

/** Only git on the PATH: a hook that needs node says so and blocks; one that does not, passes. */
function pathWithoutNode(): string {
  const bin = tempDir('dbsafe-nonode-');
  symlinkSync('/usr/bin/git', path.join(bin, 'git'));
  return bin;
}

const NEW_GLOB = { glob: ['schema/**/*.ddl'], format: 'sql' };
const withNewGlob = { ...DEFAULT_CONFIG, migrations: [...DEFAULT_CONFIG.migrations, NEW_GLOB] };

/** Each row changes the config after install, then commits `DROP TABLE users` in schema/a.ddl. */
const CHANGES: Array<[string, 'blocks' | 'passes', (r: HookRepo) => void]> = [
  ['a glob added to .dbsaferc.json', 'blocks', (r) => r.write('.dbsaferc.json', JSON.stringify(withNewGlob))],
  ['.dbsaferc.json pretty-printed with the new glob (a pull)', 'blocks', (r) => r.write('.dbsaferc.json', JSON.stringify(withNewGlob, null, 2))],
  ['a "dbsafe" key added to package.json (searched first)', 'blocks', (r) => r.write('package.json', JSON.stringify({ name: 'x', private: true, dbsafe: withNewGlob }))],
  ['the config moved to .dbsaferc.yaml', 'blocks', (r) => {
      rmSync(path.join(r.dir, '.dbsaferc.json'));
      r.write('.dbsaferc.yaml', 'migrations:\n  - glob: ["schema/**/*.ddl"]\n    format: sql\ngate:\n  enabled: false\n');
    }],
  ['dbsafe.config.json added, .dbsaferc.json left as it was', 'passes', (r) => r.write('dbsafe.config.json', JSON.stringify(withNewGlob))],
  ['the config unchanged', 'passes', () => undefined],
];

describe('A1: a config changed after install is what the commit is checked against', () => {
  it.each(CHANGES)('plain hook, %s: the DROP %s', (_label, expected, change) => {
    const r = hookRepo();
    repos.push(r);
    change(r);
    r.write('schema/a.ddl', DROP);
    r.git('add', 'schema');
    const result = r.commit('-m', 'drop');
    const check = runCli(['check'], { cwd: r.dir });
    // the hook agrees with `check` on the same index
    expect(result.code, result.stderr).toBe(check.code);
    if (expected === 'blocks') {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('drop-table');
    } else {
      expect(result.code, result.stderr).toBe(0);
    }
  });

  it.each([
    ['unchanged config', false, 0],
    ['config edited after install (gate settings only)', true, 1],
  ])('%s, a code-only commit without node on the PATH: %s → exit %s', (_label, edit, code) => {
    const r = hookRepo();
    repos.push(r);
    if (edit) r.write('.dbsaferc.json', JSON.stringify({ ...DEFAULT_CONFIG, gate: { enabled: false, maxAge: '2d' } }));
    r.write('src/app.js', '1\n');
    r.git('add', 'src');
    const result = run(r.dir, 'git', ['commit', '-q', '-m', 'code'], { PATH: pathWithoutNode() });
    expect(result.code, result.stderr).toBe(code);
    if (code) {
      expect(result.stderr).toContain('configuration changed since this hook was installed');
      expect(result.stderr).toContain('npx dbsafe-hooks install');
      expect(result.stderr).not.toContain('migrations are staged');
    }
  });

  it('an edit that keeps the globs costs one node start: the next commits need no node again', () => {
    const r = hookRepo();
    repos.push(r);
    r.write('.dbsaferc.json', JSON.stringify({ ...DEFAULT_CONFIG, gate: { enabled: false, maxAge: '2d' } }));
    r.write('src/a.js', '1\n');
    r.git('add', 'src');
    const first = r.commit('-m', 'a'); // node runs, the config still gives the hook's globs
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain('install');
    r.write('src/b.js', '1\n');
    r.git('add', 'src');
    expect(run(r.dir, 'git', ['commit', '-q', '-m', 'b'], { PATH: pathWithoutNode() }).code).toBe(0);
  });

  it('an edit that changes the globs keeps starting node and says to re-install; install makes the hook current', () => {
    const r = hookRepo();
    repos.push(r);
    r.write('.dbsaferc.json', JSON.stringify(withNewGlob));
    for (const name of ['a', 'b']) {
      r.write(`src/${name}.js`, '1\n');
      r.git('add', 'src');
      const result = r.commit('-m', name);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('run `npx dbsafe-hooks install` to update the hook');
    }
    expect(runCli(['install'], { cwd: r.dir, env: NO_CI }).code).toBe(0);
    r.write('src/c.js', '1\n');
    r.git('add', 'src');
    expect(run(r.dir, 'git', ['commit', '-q', '-m', 'c'], { PATH: pathWithoutNode() }).code).toBe(0);
    r.write('schema/a.ddl', DROP);
    r.git('add', 'schema');
    expect(r.commit('-m', 'drop').code).toBe(1);
  });

  it('the one-line command of lefthook / simple-git-hooks falls through to node the same way', () => {
    const r = hookRepo();
    repos.push(r);
    const shim = {
      pathspecs: pathspecsFor(configSchema.parse(DEFAULT_CONFIG), '', { unmatched: true }),
      packageDir: '',
      binPath: 'node_modules/.bin/dbsafe-hooks',
      configFiles: ['.dbsaferc.json'],
    };
    const hook = path.join(r.dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, `#!/bin/sh\n${inlineCommand('pre-commit', shim)}\n`);
    chmodSync(hook, 0o755);
    r.write('src/a.js', '1\n');
    r.git('add', 'src');
    expect(run(r.dir, 'git', ['commit', '-q', '-m', 'a'], { PATH: pathWithoutNode() }).code).toBe(0);
    r.write('.dbsaferc.json', JSON.stringify(withNewGlob));
    mkdirSync(path.join(r.dir, 'schema'));
    r.write('schema/a.ddl', DROP);
    r.git('add', 'schema');
    const blocked = r.commit('-m', 'drop');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('drop-table');
  });
});
