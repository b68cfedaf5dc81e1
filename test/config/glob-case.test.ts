import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { compileMigrationSet } from '../../src/check/migration-set.js';
import { foldExtensionCase } from '../../src/config/glob-case.js';
import { globToPathspec } from '../../src/config/pathspecs.js';
import { cleanEnv, makeRepo } from '../helpers/repo.js';

/** Migration globs match extensions in any case, directories as written; the matcher and git's pathspecs agree. */

const CASES: Array<[glob: string, path: string, migration: boolean]> = [
  ['db/migrations/*.sql', 'db/migrations/001_init.sql', true],
  ['db/migrations/*.sql', 'db/migrations/005_UP.SQL', true],
  ['db/migrations/*.sql', 'db/migrations/006_drop.sqL', true],
  ['db/migrations/*.sql', 'db/migrations/007.Sql', true],
  ['db/migrations/*.sql', 'DB/migrations/008.sql', false], // directories keep their case
  ['db/migrations/*.sql', 'db/migrations/009.sqlx', false],
  ['db/migrations/*.sql', 'db/migrations/010.sq', false],
  ['**/*.sql', 'a/b/c/011_X.SQL', true],
  ['migrations/*.{sql,py}', 'migrations/012.PY', true],
  ['migrations/*.{sql,py}', 'migrations/013.SQL', true],
  ['migrations/*.up.sql', 'migrations/014.up.SQL', true],
  ['migrations/*.up.sql', 'migrations/015.UP.sql', false], // only the extension folds
  ['migrations/*.[sS]ql', 'migrations/016.sQL', true],
  ['migrations/V*', 'migrations/V1__init.SQL', true],
];

const repo = makeRepo();
afterAll(() => repo.cleanup());

describe('migration globs and the case of extensions', () => {
  it('rewrites only the letters of the last extension', () => {
    expect(foldExtensionCase('db/migrations/*.sql')).toBe('db/migrations/*.[sS][qQ][lL]');
    expect(foldExtensionCase('db.d/migrations/*')).toBe('db.d/migrations/*');
    expect(foldExtensionCase('m/*.[sS]ql')).toBe('m/*.[sS][qQ][lL]');
    expect(foldExtensionCase('m/*.{sql,py}')).toBe('m/*.{[sS][qQ][lL],[pP][yY]}');
  });

  it.each(CASES)('%s vs %s → migration: %s (the matcher)', (glob, file, migration) => {
    expect(Boolean(compileMigrationSet({ migrations: [{ glob, format: 'auto' }], dialect: 'postgres' } as any).classify(file))).toBe(migration);
  });

  it('git pathspecs (the shell pre-filter and the push range) select exactly the same files', () => {
    for (const [, file] of CASES) repo.write(file, 'SELECT 1;\n');
    repo.git('add', '-A');
    for (const [glob, file, migration] of CASES) {
      if (/[{}]/.test(glob)) continue; // braces are widened to the directory on purpose (a superset)
      const listed = execFileSync('git', ['ls-files', '--', globToPathspec(glob)], { cwd: repo.dir, env: cleanEnv(), encoding: 'utf8' }).split('\n');
      expect(listed.includes(file), `${glob} ${file}`).toBe(migration);
    }
  });
});
