/**
 * Protection that ends where the globs end: the default globs (and what `install` writes in a repository whose
 * migration folders are still empty) cover every supported framework's conventional locations; a staged file
 * that looks like a migration but that no glob matches is warned about in pre-commit (`unmatched-migration`),
 * or blocks when that rule is set to error; the hook's pre-filter starts node for such paths only.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run-check.js';
import { compileMigrationSet } from '../../src/check/migration-set.js';
import { parseConfig } from '../../src/config/load.js';
import { pathspecsFor } from '../../src/config/pathspecs.js';
import { configText } from '../../src/install/config-init.js';
import { resolveFormat } from '../../src/readers/index.js';
import { cleanEnv, makeRepo } from '../helpers/repo.js';

const ALEMBIC = 'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.drop_table("users")\n';
const DJANGO = 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.DeleteModel("Order")]\n';
const RAILS = 'class DropUsers < ActiveRecord::Migration[7.1]\n  def change\n    drop_table :users\n  end\nend\n';
const KNEX = "exports.up = (knex) => knex.schema.dropTable('users');\nexports.down = () => {};\n";
const TYPEORM = "import { MigrationInterface, QueryRunner } from 'typeorm';\nexport class X1 implements MigrationInterface {\n  async up(queryRunner: QueryRunner) { await queryRunner.dropTable('users'); }\n  async down() {}\n}\n";
const LIQUIBASE = '<databaseChangeLog>\n  <changeSet id="1" author="a"><dropTable tableName="users"/></changeSet>\n</databaseChangeLog>\n';
const SQL = 'DROP TABLE users;\n';

/** A migration of each framework where the framework puts it: the default globs select it, and it is read as that format. */
const CONVENTIONAL: Array<{ path: string; text: string; format: string }> = [
  { path: 'alembic/versions/a1_drop.py', text: ALEMBIC, format: 'alembic' },
  { path: 'backend/alembic/versions/a1_drop.py', text: ALEMBIC, format: 'alembic' },
  { path: 'migrations/versions/a1_drop.py', text: ALEMBIC, format: 'alembic' },
  { path: 'shop/migrations/0002_drop.py', text: DJANGO, format: 'django' },
  { path: 'apps/shop/migrations/0002_drop.py', text: DJANGO, format: 'django' },
  { path: 'db/migrate/20240101000000_drop_users.rb', text: RAILS, format: 'rails' },
  { path: 'engines/blog/db/migrate/20240101000000_drop_users.rb', text: RAILS, format: 'rails' },
  { path: 'prisma/migrations/20240101000000_drop/migration.sql', text: SQL, format: 'prisma' },
  { path: 'drizzle/0001_drop.sql', text: SQL, format: 'sql' },
  { path: 'supabase/migrations/20240101000000_drop.sql', text: SQL, format: 'supabase' },
  { path: 'migrations/20240101_drop.js', text: KNEX, format: 'knex' },
  { path: 'db/migrations/20240101_drop.cjs', text: KNEX, format: 'knex' },
  { path: 'src/migrations/1700000000000-Drop.ts', text: TYPEORM, format: 'typeorm' },
  { path: 'src/migration/1700000000000-Drop.ts', text: TYPEORM, format: 'typeorm' },
  { path: 'db/changelog/changes/001-drop.xml', text: LIQUIBASE, format: 'liquibase' },
  { path: 'src/main/resources/db/changelog/db.changelog-master.yaml', text: 'databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n        - dropTable:\n            tableName: users\n', format: 'liquibase' },
  { path: 'db/migration/V2__drop_users.sql', text: SQL, format: 'flyway' },
  { path: 'src/main/resources/db/migration/V2__drop_users.sql', text: SQL, format: 'flyway' },
  { path: 'db/migrations/20240101000000_drop.sql', text: '-- migrate:up\nDROP TABLE users;\n-- migrate:down\n', format: 'dbmate' },
  { path: 'migrations/000002_drop.up.sql', text: SQL, format: 'golang-migrate' },
  { path: 'sql/002_drop.sql', text: SQL, format: 'sql' },
];

/** Files the default globs leave alone (they are not migrations, and reading them would block a commit). */
const NOT_MIGRATIONS = ['src/app.ts', 'api/versions/v1.py', 'docs/CHANGELOG.md', 'lib/migrate.rb', 'app/models/user.rb', 'package.json', 'schema/changelog-master.xml'];

describe('the default globs cover every framework\'s conventional location', () => {
  const set = compileMigrationSet(parseConfig({}, 'test'));
  it.each(CONVENTIONAL)('$path → $format', ({ path, text, format }) => {
    expect(set.classify(path), path).toBeDefined();
    expect(resolveFormat({ path, text, format: 'auto' })).toBe(format);
  });
  it.each(NOT_MIGRATIONS)('%s is not selected', (path) => {
    expect(set.classify(path)).toBeUndefined();
  });
  it('install in a repository with no migration folders yet writes them all', () => {
    const written = JSON.parse(configText([])) as { migrations: Array<{ glob: string[] }> };
    const fromInstall = compileMigrationSet(parseConfig({ migrations: written.migrations }, 'test'));
    for (const { path } of CONVENTIONAL) expect(fromInstall.classify(path), path).toBeDefined();
  });
  it('install keeps what it found first and still covers the rest', () => {
    const written = JSON.parse(configText([{ glob: ['db/sql/*.sql'], format: 'sql' }])) as { migrations: Array<{ glob: string[]; format: string }> };
    expect(written.migrations[0]).toEqual({ glob: ['db/sql/*.sql'], format: 'sql' });
    const fromInstall = compileMigrationSet(parseConfig({ migrations: written.migrations }, 'test'));
    for (const { path } of CONVENTIONAL) expect(fromInstall.classify(path), path).toBeDefined();
  });
  it('no default glob widens the pre-commit pre-filter to every file', () => {
    expect(pathspecsFor(parseConfig({}, 'test'))).not.toContain(':(top)');
    expect(pathspecsFor(parseConfig({}, 'test'), '', { unmatched: true })).not.toContain(':(top)');
  });
});

/** With globs that select only db/sql/*.sql: what a commit of each file says. */
const NARROW = { migrations: [{ glob: 'db/sql/*.sql', format: 'sql' }] };
const STAGED: Array<{ path: string; text: string; expected: string[] }> = [
  { path: 'alembic/versions/a1_drop.py', text: ALEMBIC, expected: ['unmatched-migration:warn'] },
  { path: 'shop/migrations/0002_drop.py', text: DJANGO, expected: ['unmatched-migration:warn'] },
  { path: 'db/migrate/20240101000000_drop_users.rb', text: RAILS, expected: ['unmatched-migration:warn'] },
  { path: 'migrations/20240101_drop.js', text: KNEX, expected: ['unmatched-migration:warn'] },
  { path: 'src/migration/1700000000000-Drop.ts', text: TYPEORM, expected: ['unmatched-migration:warn'] },
  { path: 'schema/changelog-master.xml', text: LIQUIBASE, expected: ['unmatched-migration:warn'] },
  { path: 'db/migration/V2__drop_users.sql', text: SQL, expected: ['unmatched-migration:warn'] },
  { path: 'sql/002_drop.sql', text: SQL, expected: ['unmatched-migration:warn'] },
  { path: 'db/sql/002_drop.sql', text: SQL, expected: ['drop-table:error'] },
  // a migration folder's other files, and code elsewhere
  { path: 'shop/migrations/__init__.py', text: '', expected: [] },
  { path: 'alembic/versions/README.md', text: '# revisions\n', expected: [] },
  { path: 'shop/migrations/helpers.py', text: 'def slugify(s):\n    return s.lower()\n', expected: [] },
  { path: 'alembic/env.py', text: 'from alembic import context\ncontext.configure(url="x")\n', expected: [] },
  { path: 'src/app.ts', text: "import knex from 'knex';\nexport const db = knex({});\n", expected: [] },
  { path: 'db/schema.rb', text: 'ActiveRecord::Schema[7.1].define(version: 1) do\nend\n', expected: [] },
];

async function commitOne(path: string, text: string, config: object): Promise<string[]> {
  const repo = makeRepo();
  repo.write('.dbsaferc.json', JSON.stringify(config));
  repo.git('add', '.dbsaferc.json');
  repo.git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
  repo.write(path, text);
  repo.git('add', path);
  const result = await runCheck({ cwd: repo.dir, mode: { kind: 'staged' } });
  return result.findings.map((f) => `${f.rule}:${f.severity}`);
}

describe('pre-commit: a staged file that looks like a migration but no glob matches', () => {
  it.each(STAGED)('$path → $expected', async ({ path, text, expected }) => {
    expect(await commitOne(path, text, NARROW)).toEqual(expected);
  });

  it('names the config key to change and the glob to add', async () => {
    const repo = makeRepo();
    repo.write('.dbsaferc.json', JSON.stringify(NARROW));
    repo.write('alembic/versions/a1_drop.py', ALEMBIC);
    repo.git('add', '.');
    const { findings } = await runCheck({ cwd: repo.dir, mode: { kind: 'staged' } });
    expect(findings[0]!.message).toMatch(/looks like an alembic migration, but no glob in the configuration's `migrations` matches it/);
    expect(findings[0]!.help).toContain('"glob": "alembic/versions/*.py"');
    expect(findings[0]!.help).toContain('"unmatched-migration": "error"');
  });

  it.each([
    ['a psql include', 'db/migrations/0002_cleanup.sql', '\\ir ../scripts/migrations/purge.sql\n', true],
    ['no migration names it', 'db/migrations/0002_cleanup.sql', 'SELECT 1;\n', false],
  ])('a file a staged migration names is read through it, not unmatched: %s', async (_name, including, text, named) => {
    const repo = makeRepo();
    repo.write('.dbsaferc.json', JSON.stringify({ migrations: [{ glob: 'db/migrations/*.sql' }] }));
    repo.write(including, text);
    repo.write('scripts/migrations/purge.sql', 'DROP TABLE sessions;\n');
    repo.git('add', '.');
    const { findings } = await runCheck({ cwd: repo.dir, mode: { kind: 'staged' } });
    expect(findings.some((f) => f.rule === 'unmatched-migration')).toBe(!named);
  });

  it('blocks when unmatched-migration is set to error', async () => {
    expect(await commitOne('alembic/versions/a1_drop.py', ALEMBIC, { ...NARROW, rules: { 'unmatched-migration': 'error' } })).toEqual(['unmatched-migration:error']);
  });

  it('is silent when the rule is off, or the file keeps it with a file-wide marker', async () => {
    expect(await commitOne('alembic/versions/a1_drop.py', ALEMBIC, { ...NARROW, rules: { 'unmatched-migration': 'off' } })).toEqual([]);
    expect(await commitOne('alembic/versions/a1_drop.py', `# dbsafe:allow-file unmatched-migration -- run by hand on the reporting replica only\n${ALEMBIC}`, NARROW)).toEqual([]);
  });
});

describe('the pre-commit pre-filter starts node for such paths, and only for them', () => {
  const staged = (path: string, config: object): boolean => {
    const repo = makeRepo();
    repo.write('README', 'x');
    repo.git('add', 'README');
    repo.git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
    repo.write(path, 'x');
    repo.git('add', path);
    const specs = pathspecsFor(parseConfig(config, 'test'), '', { unmatched: true });
    try {
      execFileSync('git', ['diff-index', '--cached', '--quiet', 'HEAD', '--', ...specs], { cwd: repo.dir, env: cleanEnv() });
      return false;
    } catch {
      return true;
    }
  };
  it.each([...STAGED.filter((r) => r.expected.length).map((r) => r.path), 'Migrations/0001_x.SQL'])('%s starts node', (path) => {
    expect(staged(path, NARROW)).toBe(true);
  });
  it.each(['src/app.ts', 'lib/util.py', 'README.md', 'app/models/user.rb'])('%s does not', (path) => {
    expect(staged(path, NARROW)).toBe(false);
  });
});
