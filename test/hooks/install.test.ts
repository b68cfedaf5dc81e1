import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configSchema } from '../../src/config/schema.js';
import { pathspecsFor } from '../../src/config/pathspecs.js';
import { plainHookScript, HOOKS } from '../../src/install/shim.js';
import { PROJECT_ROOT, makeRepo, runCli, tempDir, type TestRepo } from '../helpers/repo.js';
import { CREATE, DEFAULT_CONFIG, DROP, NO_CI, bareRemote, linkBin, run } from './helpers.js';

const repos: TestRepo[] = [];
function repo(): TestRepo {
  const r = makeRepo();
  repos.push(r);
  linkBin(r.dir);
  r.write('.gitignore', 'node_modules/\n');
  return r;
}
afterAll(() => repos.forEach((r) => r.cleanup()));

/** sha256 of every file under the given dirs (node_modules left out): "nothing changed" means equal maps. */
function snapshot(...dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.name === 'node_modules' || entry.name === 'objects' || entry.name === 'logs') continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out[full] = `${createHash('sha256').update(readFileSync(full)).digest('hex')}:${statSync(full).mode.toString(8)}`;
    }
  };
  dirs.forEach(walk);
  return out;
}

const install = (cwd: string, env: NodeJS.ProcessEnv = {}, args: string[] = []) => runCli(['install', ...args], { cwd, env: { ...NO_CI, ...env } });
const commit = (cwd: string, ...args: string[]) => run(cwd, 'git', ['commit', '-q', ...args]);

describe('install: where and when', () => {
  it('outside a git repository: says why, exit 0', () => {
    const dir = tempDir();
    const result = install(dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('not inside a git repository');
  });

  it('in a bare repository: says why, exit 0', () => {
    const dir = tempDir();
    run(dir, 'git', ['init', '-q', '--bare']);
    const result = install(dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('bare repository');
  });

  it('CI set or DBSAFE=0: says why, installs nothing, exit 0; --force installs anyway', () => {
    const r = repo();
    const ci = install(r.dir, { CI: 'true' });
    expect(ci.code).toBe(0);
    expect(ci.stdout).toContain('CI is set');
    const off = install(r.dir, { DBSAFE: '0' });
    expect(off.stdout).toContain('DBSAFE=0');
    expect(existsSync(path.join(r.dir, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(existsSync(path.join(r.dir, '.git', 'dbsafe', 'install.json'))).toBe(false);
    expect(install(r.dir, { CI: 'true' }, ['--force']).code).toBe(0);
    expect(existsSync(path.join(r.dir, '.git', 'hooks', 'pre-commit'))).toBe(true);
  });

  it('a broken config fails a manual install (exit 2) but never an npm lifecycle script (exit 0)', () => {
    const r = repo();
    r.write('.dbsaferc.json', '{ "migrations": 5 }');
    const manual = install(r.dir);
    expect(manual.code).toBe(2);
    expect(manual.stderr).toContain('migrations');
    const npm = install(r.dir, { npm_lifecycle_event: 'prepare' });
    expect(npm.code).toBe(0);
    expect(npm.stderr).toContain('hooks not installed');
  });
});

describe('install: plain hooks', () => {
  it('creates .dbsaferc.json with globs proposed from the repository, ignores .dbsafe/, writes the three hooks and install.json', () => {
    const r = repo();
    r.write('prisma/migrations/20240101_init/migration.sql', CREATE);
    r.write('alembic/versions/abc_init.py', 'def upgrade():\n    pass\n');
    r.write('db/migrate/20240101_create.rb', 'class X; end\n');
    r.write('supabase/migrations/001.sql', CREATE);
    r.write('src/app.js', '1\n');
    const result = install(r.dir);
    expect(result.code).toBe(0);
    const config = JSON.parse(readFileSync(path.join(r.dir, '.dbsaferc.json'), 'utf8'));
    const globs = config.migrations.flatMap((set: { glob: string[] }) => set.glob);
    expect(globs).toEqual(
      expect.arrayContaining(['prisma/migrations/*/migration.sql', 'alembic/versions/*.py', 'db/migrate/*.rb', 'supabase/migrations/*.sql']),
    );
    expect(readFileSync(path.join(r.dir, '.gitignore'), 'utf8')).toContain('.dbsafe/');
    for (const hook of HOOKS) {
      const file = path.join(r.dir, '.git', 'hooks', hook);
      expect(statSync(file).mode & 0o111).not.toBe(0);
      expect(readFileSync(file, 'utf8')).not.toContain('\r');
    }
    const manifest = JSON.parse(readFileSync(path.join(r.dir, '.git', 'dbsafe', 'install.json'), 'utf8'));
    expect(manifest.manager).toBe('plain');
    expect(manifest.pathspecs).toContain(':(top,glob)prisma/migrations/*/migration.[sS][qQ][lL]');
  });

  it('is idempotent: a second run changes no file', () => {
    const r = repo();
    r.write('db/migrations/001.sql', CREATE);
    install(r.dir);
    const before = snapshot(r.dir);
    const second = install(r.dir);
    expect(second.code).toBe(0);
    expect(snapshot(r.dir)).toEqual(before);
  });

  it('chains an existing foreign hook (moved to .pre-dbsafe, still runs, its exit code counts); uninstall restores it', () => {
    const r = repo();
    const hook = path.join(r.dir, '.git', 'hooks', 'pre-commit');
    const original = '#!/bin/sh\necho "foreign pre-commit ran" >&2\n[ -f block-me ] && exit 7\nexit 0\n';
    writeFileSync(hook, original);
    chmodSync(hook, 0o755);
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    const result = install(r.dir);
    expect(result.stdout).toContain('moved to pre-commit.pre-dbsafe');
    expect(readFileSync(`${hook}.pre-dbsafe`, 'utf8')).toBe(original);
    // second install does not move our own shim aside
    install(r.dir);
    expect(readFileSync(`${hook}.pre-dbsafe`, 'utf8')).toBe(original);
    r.write('a.txt', '1\n');
    r.git('add', 'a.txt');
    const ok = commit(r.dir, '-m', 'a');
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('foreign pre-commit ran');
    r.write('block-me', '1\n');
    r.git('add', 'block-me');
    const refused = commit(r.dir, '-m', 'b');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('foreign pre-commit ran');
    expect(r.git('log', '-1', '--format=%s')).toBe('a');
    // a DROP is blocked by dbsafe before the foreign hook runs
    r.write('db/migrations/002.sql', DROP);
    r.git('add', 'db');
    expect(commit(r.dir, '-m', 'c').stderr).toContain('drop-table');

    const un = runCli(['uninstall'], { cwd: r.dir });
    expect(un.code).toBe(0);
    expect(readFileSync(hook, 'utf8')).toBe(original);
    expect(existsSync(`${hook}.pre-dbsafe`)).toBe(false);
    expect(existsSync(path.join(r.dir, '.git', 'hooks', 'pre-push'))).toBe(false);
    expect(existsSync(path.join(r.dir, '.git', 'dbsafe', 'install.json'))).toBe(false);
  });

  it('uninstall removes the config it created (unchanged) and its .gitignore lines, and nothing else', () => {
    const r = repo();
    r.write('db/migrations/001.sql', CREATE);
    const before = readFileSync(path.join(r.dir, '.gitignore'), 'utf8');
    install(r.dir);
    expect(existsSync(path.join(r.dir, '.dbsaferc.json'))).toBe(true);
    runCli(['uninstall'], { cwd: r.dir });
    expect(existsSync(path.join(r.dir, '.dbsaferc.json'))).toBe(false);
    expect(readFileSync(path.join(r.dir, '.gitignore'), 'utf8')).toBe(before);
    expect(existsSync(path.join(r.dir, 'db', 'migrations', '001.sql'))).toBe(true);
  });

  it('a local core.hooksPath directory gets the shims; git runs them', () => {
    const r = repo();
    r.git('config', 'core.hooksPath', '.githooks');
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    const result = install(r.dir);
    expect(result.stdout).toContain('core.hooksPath set in local config');
    expect(existsSync(path.join(r.dir, '.githooks', 'pre-commit'))).toBe(true);
    r.write('db/migrations/002.sql', DROP);
    r.git('add', 'db');
    expect(commit(r.dir, '-m', 'drop').code).toBe(1);
  });

  it('a GLOBAL core.hooksPath is not written to (it serves every repository): instructions instead, doctor flags it', () => {
    const r = repo();
    const globalDir = tempDir('dbsafe-global-hooks-');
    const globalConfig = path.join(globalDir, 'gitconfig');
    writeFileSync(globalConfig, `[core]\n\thooksPath = ${path.join(globalDir, 'hooks')}\n`);
    mkdirSync(path.join(globalDir, 'hooks'));
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    const result = install(r.dir, { GIT_CONFIG_GLOBAL: globalConfig });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('global git config');
    expect(result.stderr).toContain('not active yet');
    expect(readdirSync(path.join(globalDir, 'hooks'))).toEqual([]);
    const doctor = runCli(['doctor'], { cwd: r.dir, env: { GIT_CONFIG_GLOBAL: globalConfig } });
    expect(doctor.stdout).toContain('core.hooksPath is set in the global git config');

    // C2: pasted as told, the blocks run in this repository only
    const env = { GIT_CONFIG_GLOBAL: globalConfig };
    for (const hook of HOOKS) {
      const block = new RegExp(`--- add to ${path.join(globalDir, 'hooks', hook)} ---\\n(# >>> dbsafe-hooks >>>[\\s\\S]*?# <<< dbsafe-hooks <<<\\n)`).exec(result.stdout)?.[1];
      expect(block, hook).toBeDefined();
      writeFileSync(path.join(globalDir, 'hooks', hook), `#!/bin/sh\n${block}`);
      chmodSync(path.join(globalDir, 'hooks', hook), 0o755);
    }
    const cases: Array<[string, string, number]> = [
      ['this repository', r.dir, 1],
      ['another repository', makeRepo().dir, 0],
    ];
    for (const [label, dir, code] of cases) {
      writeFileSync(path.join(dir, 'README.md'), 'x\n');
      run(dir, 'git', ['add', 'README.md'], env);
      expect(run(dir, 'git', ['commit', '-q', '-m', 'readme'], env).code, label).toBe(0);
      mkdirSync(path.join(dir, 'db', 'migrations'), { recursive: true });
      writeFileSync(path.join(dir, 'db', 'migrations', '002.sql'), DROP);
      run(dir, 'git', ['add', 'db'], env);
      const committed = run(dir, 'git', ['commit', '-q', '-m', 'drop'], env);
      expect(committed.code, `${label}: ${committed.stderr}`).toBe(code);
      if (code === 0) {
        const remote = bareRemote();
        run(dir, 'git', ['remote', 'add', 'origin', remote.dir], env);
        const pushed = run(dir, 'git', ['push', '-q', 'origin', 'main'], env);
        expect(pushed.code, `${label}: ${pushed.stderr}`).toBe(0);
        expect(pushed.stderr).not.toContain('dbsafe');
        remote.cleanup();
      } else {
        expect(committed.stderr).toContain('drop-table');
      }
    }
  });

  it('monorepo: package.json below the git root; hooks run from the package dir and find its config', () => {
    const r = makeRepo();
    repos.push(r);
    r.write('.gitignore', 'node_modules/\n');
    r.write('packages/api/package.json', '{"name":"api","private":true}\n');
    r.write('packages/api/db/migrations/001.sql', CREATE);
    linkBin(path.join(r.dir, 'packages', 'api'));
    const result = install(path.join(r.dir, 'packages', 'api'));
    expect(result.code).toBe(0);
    expect(existsSync(path.join(r.dir, 'packages', 'api', '.dbsaferc.json'))).toBe(true);
    const config = JSON.parse(readFileSync(path.join(r.dir, 'packages', 'api', '.dbsaferc.json'), 'utf8'));
    config.gate = { enabled: false };
    writeFileSync(path.join(r.dir, 'packages', 'api', '.dbsaferc.json'), JSON.stringify(config));
    r.git('add', '.');
    expect(commit(r.dir, '-m', 'init').code).toBe(0);
    r.write('packages/api/db/migrations/002.sql', DROP);
    r.git('add', '.');
    const blocked = commit(r.dir, '-m', 'drop');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('packages/api/db/migrations/002.sql');
  });

  it('linked worktree: install from the worktree writes the shared hooks and install.json in the common dir', () => {
    const r = repo();
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    r.git('add', '.');
    r.git('commit', '-q', '-m', 'init');
    const wt = path.join(tempDir('dbsafe-wt-'), 'wt');
    r.git('worktree', 'add', '-q', '-b', 'wt', wt);
    linkBin(wt);
    expect(install(wt).code).toBe(0);
    expect(existsSync(path.join(r.dir, '.git', 'dbsafe', 'install.json'))).toBe(true);
    expect(existsSync(path.join(r.dir, '.git', 'hooks', 'pre-commit'))).toBe(true);
    mkdirSync(path.join(wt, 'db', 'migrations'), { recursive: true });
    writeFileSync(path.join(wt, 'db', 'migrations', '002.sql'), DROP);
    run(wt, 'git', ['add', 'db']);
    expect(commit(wt, '-m', 'drop').code).toBe(1);
  });
});

/** husky 9's `.husky/_/h`, as `npx husky` writes it (the wrappers source it). */
const HUSKY_H = `#!/usr/bin/env sh
[ "$HUSKY" = "2" ] && set -x
n=$(basename "$0")
s=$(dirname "$(dirname "$0")")/$n
[ ! -f "$s" ] && exit 0
i="\${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh"
[ -f "$i" ] && . "$i"
[ "\${HUSKY-}" = "0" ] && exit 0
export PATH="node_modules/.bin:$PATH"
sh -e "$s" "$@"
c=$?
[ $c != 0 ] && echo "husky - $n script failed (code $c)"
[ $c = 127 ] && echo "husky - command not found in PATH=$PATH"
exit $c
`;

function huskyRepo(): TestRepo {
  const r = repo();
  r.write('.husky/_/h', HUSKY_H);
  for (const hook of ['pre-commit', 'pre-merge-commit', 'pre-push']) {
    r.write(`.husky/_/${hook}`, '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n');
    chmodSync(path.join(r.dir, '.husky', '_', hook), 0o755);
  }
  r.git('config', 'core.hooksPath', '.husky/_');
  r.write('.husky/pre-commit', 'echo "lint-staged would run here"\n');
  r.write('.husky/pre-push', 'cat > .git/husky-later-consumer-saw\n');
  r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
  return r;
}

describe('install: husky', () => {
  it('v9: marked blocks, dbsafe first in pre-push with stdin shared with later commands; idempotent; uninstall restores the files', () => {
    const r = huskyRepo();
    const preCommitBefore = readFileSync(path.join(r.dir, '.husky', 'pre-commit'), 'utf8');
    const prePushBefore = readFileSync(path.join(r.dir, '.husky', 'pre-push'), 'utf8');
    const result = install(r.dir);
    expect(result.stdout).toContain('hook manager: husky v9');
    const preCommit = readFileSync(path.join(r.dir, '.husky', 'pre-commit'), 'utf8');
    expect(preCommit.startsWith('# >>> dbsafe-hooks >>>')).toBe(true);
    expect(preCommit.endsWith(preCommitBefore)).toBe(true);
    const prePush = readFileSync(path.join(r.dir, '.husky', 'pre-push'), 'utf8');
    expect(prePush.indexOf('# >>> dbsafe-hooks >>>')).toBeLessThan(prePush.indexOf('cat > .git/husky-later'));
    expect(existsSync(path.join(r.dir, '.husky', 'pre-merge-commit'))).toBe(true);
    const snap = snapshot(r.dir);
    install(r.dir);
    expect(snapshot(r.dir)).toEqual(snap);

    r.git('add', '.dbsaferc.json', '.gitignore', '.husky/pre-commit', '.husky/pre-push', '.husky/pre-merge-commit');
    const ok = commit(r.dir, '-m', 'init');
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).toContain('lint-staged would run here');
    r.write('db/migrations/002.sql', DROP);
    r.git('add', 'db');
    const blocked = commit(r.dir, '-m', 'drop');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('drop-table');
    r.git('rm', '-q', '--cached', 'db/migrations/002.sql');

    const remote = bareRemote();
    r.git('remote', 'add', 'origin', remote.dir);
    const pushed = run(r.dir, 'git', ['push', '-q', 'origin', 'main']);
    expect(pushed.code).toBe(0);
    expect(readFileSync(path.join(r.dir, '.git', 'husky-later-consumer-saw'), 'utf8')).toMatch(/^refs\/heads\/main [0-9a-f]{40} /);
    remote.cleanup();

    runCli(['uninstall'], { cwd: r.dir });
    expect(readFileSync(path.join(r.dir, '.husky', 'pre-commit'), 'utf8')).toBe(preCommitBefore);
    expect(readFileSync(path.join(r.dir, '.husky', 'pre-push'), 'utf8')).toBe(prePushBefore);
    expect(existsSync(path.join(r.dir, '.husky', 'pre-merge-commit'))).toBe(false);
    expect(r.git('config', 'core.hooksPath')).toBe('.husky/_');
  });
});

describe('install: husky, dbsafe runs before the user\'s commands (A2)', () => {
  /** The user's .husky/pre-commit and .husky/pre-merge-commit before install. */
  const USER_FILES: Array<[string, string]> = [
    ['exit 0', 'exit 0\n'],
    ['exec of another tool', 'exec true\n'],
    ['no trailing newline', 'echo "lint"; exit 0'],
    ['a shebang and a comment first', '#!/usr/bin/env sh\n# lint first\n\nexit 0\n'],
    ['an ordinary command that passes', 'echo "lint-staged would run here"\n'],
  ];

  it.each(USER_FILES)('%s: a staged DROP is blocked; uninstall restores the files byte for byte', (_label, text) => {
    const r = huskyRepo();
    r.write('.husky/pre-commit', text);
    r.write('.husky/pre-merge-commit', text);
    install(r.dir);
    for (const hook of ['pre-commit', 'pre-merge-commit']) {
      const installed = readFileSync(path.join(r.dir, '.husky', hook), 'utf8');
      const firstCommand = installed.split('\n').findIndex((line) => /^(exit|exec|echo)/.test(line));
      expect(installed.split('\n').indexOf('# >>> dbsafe-hooks >>>'), hook).toBeLessThan(firstCommand);
    }
    r.write('db/migrations/002.sql', DROP);
    r.git('add', 'db');
    const blocked = commit(r.dir, '-m', 'drop');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('drop-table');
    runCli(['uninstall'], { cwd: r.dir });
    expect(readFileSync(path.join(r.dir, '.husky', 'pre-commit'), 'utf8')).toBe(text);
    expect(readFileSync(path.join(r.dir, '.husky', 'pre-merge-commit'), 'utf8')).toBe(text);
  });

  it('a block an older install appended after `exit 0` is moved first by install; uninstall restores the user\'s lines', () => {
    const r = huskyRepo();
    const user = 'echo "lint"\nexit 0\n';
    r.write('.husky/pre-commit', user);
    install(r.dir);
    const file = path.join(r.dir, '.husky', 'pre-commit');
    const installed = readFileSync(file, 'utf8');
    const block = installed.slice(0, installed.indexOf('# <<< dbsafe-hooks <<<') + '# <<< dbsafe-hooks <<<\n'.length);
    writeFileSync(file, `${user}${block}`); // as installs before this change left it
    r.write('db/migrations/002.sql', DROP);
    r.git('add', 'db');
    expect(commit(r.dir, '-m', 'drop').code).toBe(0); // dead code: the reported defect
    install(r.dir);
    expect(readFileSync(file, 'utf8')).toBe(installed);
    r.write('db/migrations/003.sql', DROP);
    r.git('add', 'db');
    expect(commit(r.dir, '-m', 'drop again').code).toBe(1);
    runCli(['uninstall'], { cwd: r.dir });
    expect(readFileSync(file, 'utf8')).toBe(user);
  });
});

describe('install: hook scripts committed to the repository stay LF (C26)', () => {
  it('C26: husky hook files get `text eol=lf` in .gitattributes; a clone with core.autocrlf=true keeps them LF; uninstall removes the lines', () => {
    const r = huskyRepo();
    install(r.dir);
    const attributes = readFileSync(path.join(r.dir, '.gitattributes'), 'utf8');
    expect(attributes.split('\n').filter(Boolean).sort()).toEqual([
      '/.husky/pre-commit text eol=lf', '/.husky/pre-merge-commit text eol=lf', '/.husky/pre-push text eol=lf',
    ]);
    expect(r.git('check-attr', 'eol', '--', '.husky/pre-commit')).toBe('.husky/pre-commit: eol: lf');
    const snap = snapshot(r.dir);
    install(r.dir);
    expect(snapshot(r.dir)).toEqual(snap);

    r.write('README.md', 'one\ntwo\n');
    r.git('add', '.gitattributes', '.husky/pre-commit', '.husky/pre-push', '.husky/pre-merge-commit', 'README.md', '.dbsaferc.json');
    expect(commit(r.dir, '--no-verify', '-m', 'hooks').code).toBe(0);
    const clone = tempDir('dbsafe-crlf-clone-');
    expect(run(clone, 'git', ['-c', 'core.autocrlf=true', 'clone', '-q', r.dir, 'c']).code).toBe(0);
    // the control: autocrlf did convert an ordinary text file
    expect(readFileSync(path.join(clone, 'c', 'README.md'), 'utf8')).toBe('one\r\ntwo\r\n');
    for (const hook of ['pre-commit', 'pre-push', 'pre-merge-commit']) {
      expect(readFileSync(path.join(clone, 'c', '.husky', hook), 'utf8')).not.toContain('\r');
    }
    rmSync(clone, { recursive: true, force: true });

    runCli(['uninstall'], { cwd: r.dir });
    expect(existsSync(path.join(r.dir, '.gitattributes'))).toBe(false); // install created it
  });

  it('hooks in .git/hooks are not committed: no .gitattributes', () => {
    const r = repo();
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    install(r.dir);
    expect(existsSync(path.join(r.dir, '.gitattributes'))).toBe(false);
  });
});

describe('install: husky, odd migration paths', () => {
  it('a migration glob with `$&` / `$$` in it survives a re-install byte for byte (no replacement patterns)', () => {
    const r = huskyRepo();
    r.write('.dbsaferc.json', JSON.stringify({ ...DEFAULT_CONFIG, migrations: [{ glob: ['db/$&x/$$/*.sql'], format: 'sql' }] }));
    install(r.dir);
    const first = readFileSync(path.join(r.dir, '.husky', 'pre-commit'), 'utf8');
    expect(first).toContain("':(top,glob)db/$&x/$$/*.[sS][qQ][lL]'");
    install(r.dir);
    expect(readFileSync(path.join(r.dir, '.husky', 'pre-commit'), 'utf8')).toBe(first);
  });
});

describe('install: husky v5-8', () => {
  it('core.hooksPath=.husky: new hook files get the shebang and husky.sh line, are executable, and run', () => {
    const r = repo();
    r.write('.husky/_/husky.sh', '#!/usr/bin/env sh\n');
    r.write('.husky/pre-commit', '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n\necho "v8 user hook"\n');
    chmodSync(path.join(r.dir, '.husky', 'pre-commit'), 0o755);
    r.git('config', 'core.hooksPath', '.husky');
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    const result = install(r.dir);
    expect(result.stdout).toContain('hook manager: husky v5-8');
    const prePush = readFileSync(path.join(r.dir, '.husky', 'pre-push'), 'utf8');
    expect(prePush.startsWith('#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"')).toBe(true);
    expect(statSync(path.join(r.dir, '.husky', 'pre-push')).mode & 0o111).not.toBe(0);
    // dbsafe first, then the user's commands
    r.write('src/a.js', '1\n');
    r.git('add', 'src');
    const passed = commit(r.dir, '-m', 'code');
    expect(passed.code).toBe(0);
    expect(passed.stdout + passed.stderr).toContain('v8 user hook');
    r.write('db/migrations/002.sql', DROP);
    r.git('add', 'db');
    const blocked = commit(r.dir, '-m', 'drop');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('drop-table');
  });
});

describe('hook command', () => {
  it('an unknown hook name is a usage error (exit 2) that lists the hooks', () => {
    const r = repo();
    const result = runCli(['hook', 'post-commit'], { cwd: r.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pre-commit, pre-merge-commit, pre-push');
  });
});

describe('install: other managers', () => {
  it('lefthook: adds dbsafe-hooks commands (use_stdin on pre-push) keeping comments; idempotent; uninstall removes them', () => {
    const r = repo();
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    const original = '# our hooks\npre-commit:\n  commands:\n    lint:\n      run: npx eslint {staged_files} # keep me\n';
    r.write('lefthook.yml', original);
    const result = install(r.dir);
    expect(result.stdout).toContain('hook manager: lefthook');
    const text = readFileSync(path.join(r.dir, 'lefthook.yml'), 'utf8');
    expect(text).toContain('# our hooks');
    expect(text).toContain('# keep me');
    const doc = parseYaml(text);
    expect(doc['pre-commit'].commands.lint.run).toContain('eslint');
    expect(doc['pre-commit'].commands['dbsafe-hooks'].run).toContain('git diff-index --cached --quiet HEAD');
    expect(doc['pre-merge-commit'].commands['dbsafe-hooks'].run).toContain('hook pre-merge-commit');
    expect(doc['pre-push'].commands['dbsafe-hooks']).toMatchObject({ use_stdin: true });
    const snap = snapshot(r.dir);
    install(r.dir);
    expect(snapshot(r.dir)).toEqual(snap);
    runCli(['uninstall'], { cwd: r.dir });
    expect(parseYaml(readFileSync(path.join(r.dir, 'lefthook.yml'), 'utf8'))).toEqual(parseYaml(original));
  });

  /** A `pre-commit` on PATH that only answers --version, as the installed framework release would. */
  function frameworkOnPath(version: string): NodeJS.ProcessEnv {
    const bin = tempDir('dbsafe-precommit-bin-');
    writeFileSync(path.join(bin, 'pre-commit'), `#!/bin/sh\necho "pre-commit ${version}"\n`);
    chmodSync(path.join(bin, 'pre-commit'), 0o755);
    return { PATH: `${bin}${path.delimiter}${process.env.PATH}` };
  }

  it.each([
    ['3.0.4 (Debian 12)', '3.0.4', ['commit', 'merge-commit', 'push']],
    ['2.21.0', '2.21.0', ['commit', 'merge-commit', 'push']],
    ['3.2.0', '3.2.0', ['pre-commit', 'pre-merge-commit', 'pre-push']],
    ['4.0.1', '4.0.1', ['pre-commit', 'pre-merge-commit', 'pre-push']],
  ])('pre-commit framework %s: stage names that release accepts', (_label, version, stages) => {
    const r = repo();
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    r.write('.pre-commit-config.yaml', 'repos: []\n');
    expect(install(r.dir, frameworkOnPath(version)).code).toBe(0);
    const doc = parseYaml(readFileSync(path.join(r.dir, '.pre-commit-config.yaml'), 'utf8'));
    expect(doc.repos[0].hooks.flatMap((h: { stages: string[] }) => h.stages)).toEqual(stages);
  });

  it('pre-commit framework: adds a local repo with the three stages and prints the pre-commit install command', () => {
    const r = repo();
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    r.write('.pre-commit-config.yaml', 'repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n      - id: trailing-whitespace\n');
    const result = install(r.dir, frameworkOnPath('4.0.1'));
    expect(result.stdout).toContain('the pre-commit framework');
    expect(result.stdout).toContain('pre-commit install -t pre-commit -t pre-merge-commit -t pre-push');
    const doc = parseYaml(readFileSync(path.join(r.dir, '.pre-commit-config.yaml'), 'utf8'));
    const local = doc.repos.find((repo: { repo: string }) => repo.repo === 'local');
    expect(local.hooks.flatMap((h: { stages: string[] }) => h.stages)).toEqual(['pre-commit', 'pre-merge-commit', 'pre-push']);
    const snap = snapshot(r.dir);
    install(r.dir, frameworkOnPath('4.0.1'));
    expect(snapshot(r.dir)).toEqual(snap);
    runCli(['uninstall'], { cwd: r.dir });
    expect(parseYaml(readFileSync(path.join(r.dir, '.pre-commit-config.yaml'), 'utf8')).repos).toHaveLength(1);
  });

  // D1: these managers write git's hook files only when their own install runs; until then each missing hook is said
  it.each([
    ['pre-commit framework, its install not run', 'pre-commit', [], 'pre-commit install -t pre-commit -t pre-merge-commit -t pre-push'],
    ['pre-commit framework, installed for pre-commit only', 'pre-commit', ['pre-commit', 'pre-merge-commit'], 'pre-commit install -t pre-push'],
    ['pre-commit framework, every hook installed', 'pre-commit', ['pre-commit', 'pre-merge-commit', 'pre-push'], ''],
    ['lefthook, its install not run', 'lefthook', [], 'npx lefthook install'],
    ['lefthook, every hook installed', 'lefthook', ['pre-commit', 'pre-merge-commit', 'pre-push'], ''],
  ])('%s: install says what to run, doctor reports each unreachable hook', (_label, manager, present, fix) => {
    const r = repo();
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    if (manager === 'pre-commit') r.write('.pre-commit-config.yaml', 'repos: []\n');
    else r.write('lefthook.yml', 'pre-commit:\n  commands: {}\n');
    for (const hook of present) {
      writeFileSync(path.join(r.dir, '.git', 'hooks', hook), '#!/bin/sh\nexit 0\n');
      chmodSync(path.join(r.dir, '.git', 'hooks', hook), 0o755);
    }
    const result = install(r.dir, frameworkOnPath('4.0.1'));
    expect(result.code).toBe(0);
    const doctor = runCli(['doctor'], { cwd: r.dir });
    const missing = HOOKS.filter((hook) => !present.includes(hook));
    if (!missing.length) {
      expect(result.stdout).toContain('hooks: pre-commit, pre-merge-commit and pre-push run dbsafe-hooks');
      expect(doctor.stdout).toContain('0 problem(s)');
      expect(doctor.code).toBe(0);
      return;
    }
    expect(result.stdout).toContain(`git does not run ${missing.join(', ')} yet: run ${fix}`);
    expect(result.stdout).not.toContain('hooks: pre-commit, pre-merge-commit and pre-push run dbsafe-hooks');
    expect(result.stderr).toContain(`not active yet: ${missing.join(', ')}`);
    expect(doctor.code).toBe(1);
    for (const hook of missing) {
      expect(doctor.stdout).toContain(`${path.join(r.dir, '.git', 'hooks', hook)} does not exist: git will not run ${hook}`);
      expect(doctor.stdout).toContain(manager === 'pre-commit' ? `pre-commit install -t ${hook}` : 'npx lefthook install');
    }
    for (const hook of present) expect(doctor.stdout).not.toContain(`${hook} does not exist`);
  });

  it('simple-git-hooks: chains dbsafe first into the existing commands; uninstall restores them', () => {
    const r = repo();
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    r.write('package.json', JSON.stringify({ name: 'x', 'simple-git-hooks': { 'pre-commit': 'npx lint-staged' } }, null, 2));
    const result = install(r.dir);
    expect(result.stdout).toContain('simple-git-hooks');
    const pkg = JSON.parse(readFileSync(path.join(r.dir, 'package.json'), 'utf8'));
    expect(pkg['simple-git-hooks']['pre-commit']).toMatch(/dbsafe-hooks hook pre-commit.*&& npx lint-staged$/);
    expect(pkg['simple-git-hooks']['pre-push']).toContain('dbsafe-hooks hook pre-push');
    const snap = snapshot(r.dir);
    install(r.dir);
    expect(snapshot(r.dir)).toEqual(snap);
    runCli(['uninstall'], { cwd: r.dir });
    expect(JSON.parse(readFileSync(path.join(r.dir, 'package.json'), 'utf8'))['simple-git-hooks']).toEqual({ 'pre-commit': 'npx lint-staged' });
  });

  it('reports every manager found; the first wins', () => {
    const r = huskyRepo();
    r.write('lefthook.yml', 'pre-commit:\n  commands: {}\n');
    const result = install(r.dir);
    expect(result.stdout).toContain('hook manager: husky v9');
    expect(result.stdout).toContain('also found: lefthook');
  });
});

describe('doctor', () => {
  it('a healthy install: no problems, exit 0', () => {
    const r = repo();
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    install(r.dir);
    const result = runCli(['doctor'], { cwd: r.dir });
    expect(result.stdout).toContain('0 problem(s)');
    expect(result.code).toBe(0);
  });

  it('not installed, CRLF, no run bit, invalid config: each a problem with its fix; exit 1', () => {
    const r = repo();
    expect(runCli(['doctor'], { cwd: r.dir }).stdout).toContain('npx dbsafe-hooks install');
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    install(r.dir);
    const hook = path.join(r.dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, readFileSync(hook, 'utf8').replace(/\n/g, '\r\n'));
    chmodSync(path.join(r.dir, '.git', 'hooks', 'pre-push'), 0o644);
    r.write('.dbsaferc.json', '{"gate": {"enabled": "yes"}}');
    const result = runCli(['doctor'], { cwd: r.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('CRLF');
    expect(result.stdout).toContain('not executable');
    expect(result.stdout).toContain('chmod +x');
    expect(result.stdout).toContain('gate.enabled');
  });

  it('C27: core.hooksPath pointing at a missing directory (husky\'s untracked .husky/_ in a fresh clone)', () => {
    const r = huskyRepo();
    install(r.dir);
    run(r.dir, 'rm', ['-rf', '.husky/_']);
    const result = runCli(['doctor'], { cwd: r.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('does not exist: git runs no hooks at all');
    expect(result.stdout).toContain('npx husky');
  });

  it('stale pre-filter: config globs changed since install', () => {
    const r = repo();
    r.write('.dbsaferc.json', JSON.stringify(DEFAULT_CONFIG));
    install(r.dir);
    r.write('.dbsaferc.json', JSON.stringify({ ...DEFAULT_CONFIG, migrations: [{ glob: 'sql/**/*.sql' }] }));
    const result = runCli(['doctor'], { cwd: r.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('new migration paths would skip the check');
  });

  it('node on the PATH a GUI client sees is reported', () => {
    const r = repo();
    const result = runCli(['doctor'], { cwd: r.dir });
    expect(result.stdout).toMatch(/node is (not )?found with (a|the) minimal PATH/);
  });
});

describe('shipped integration files', () => {
  it('hooks/ shims are what install writes for the default config at the repository root (POSIX sh, LF)', () => {
    const shim = { pathspecs: pathspecsFor(configSchema.parse({}), '', { unmatched: true }), packageDir: '', binPath: 'node_modules/.bin/dbsafe-hooks', configFiles: ['package.json', '.dbsaferc.json'] };
    for (const hook of HOOKS) {
      const shipped = readFileSync(path.join(PROJECT_ROOT, 'hooks', hook), 'utf8');
      expect(shipped).toBe(plainHookScript(hook, shim));
      expect(shipped.startsWith('#!/bin/sh\n')).toBe(true);
      expect(shipped).not.toContain('\r');
      const commands = shipped.split('\n').filter((line) => !/^\s*(#|echo )/.test(line));
      expect(commands.join('\n')).not.toMatch(/(^|[^-])npx (?!--no)/m);
      expect(statSync(path.join(PROJECT_ROOT, 'hooks', hook)).mode & 0o111).not.toBe(0);
      expect(run(PROJECT_ROOT, 'sh', ['-n', path.join(PROJECT_ROOT, 'hooks', hook)]).code).toBe(0);
    }
  });

  it('.pre-commit-hooks.yaml offers pre-commit, pre-merge-commit and pre-push stages', () => {
    const hooks = parseYaml(readFileSync(path.join(PROJECT_ROOT, '.pre-commit-hooks.yaml'), 'utf8'));
    const stages = hooks.flatMap((h: { stages: string[] }) => h.stages);
    expect(stages).toEqual(expect.arrayContaining(['pre-commit', 'pre-merge-commit', 'pre-push']));
    for (const hook of hooks) expect(hook.entry).toMatch(/^dbsafe-hooks hook /);
  });
});
