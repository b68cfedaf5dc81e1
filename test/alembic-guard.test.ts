import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, cleanEnv, makeRepo, runCli, type TestRepo } from './helpers/repo.js';
import { linkBin } from './hooks/helpers.js';

/**
 * templates/alembic/env_guard.py for real: Debian's python3-alembic and python3-sqlalchemy, a project made by
 * `alembic init`, its stock env.py wired to the guard, a SQLite database, and `alembic revision --autogenerate`.
 */

const GUARD = path.join(PROJECT_ROOT, 'templates', 'alembic', 'env_guard.py');

/** A python that has alembic and SQLAlchemy (Debian's /usr/bin/python3 with the apt packages). */
function findPython(): string | undefined {
  for (const candidate of [process.env.DBSAFE_TEST_PYTHON, '/usr/bin/python3', 'python3']) {
    if (candidate && spawnSync(candidate, ['-c', 'import alembic, sqlalchemy'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error('CI: no python3 with alembic and SQLAlchemy (apt-get install python3-alembic python3-sqlalchemy; .ci/run does)');
  }
  process.stderr.write('\n!!!!! SKIPPING the Alembic guard tests: no python3 with alembic + SQLAlchemy (apt-get install python3-alembic python3-sqlalchemy) !!!!!\n\n');
  return undefined;
}
const python = findPython();

const SCHEMA = `
CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, email VARCHAR(200) NOT NULL, name VARCHAR(50));
CREATE TABLE legacy (id INTEGER NOT NULL PRIMARY KEY);
CREATE TABLE session (id INTEGER PRIMARY KEY, user_id INTEGER, token VARCHAR(64));
CREATE TABLE account (id INTEGER PRIMARY KEY, provider VARCHAR(20));
CREATE INDEX ix_session_token ON session (token);
`;

/** models.py: the tables the ORM owns; `users` columns and `legacy` can be changed per test. */
function models(options: { users?: boolean; legacy?: boolean; nameType?: string; email?: boolean } = {}): string {
  const { users = true, legacy = true, nameType = 'sa.String(50)', email = true } = options;
  const lines = ['import sqlalchemy as sa', 'metadata = sa.MetaData()'];
  if (users) {
    lines.push(
      "users = sa.Table('users', metadata, sa.Column('id', sa.Integer, primary_key=True),",
      ...(email ? ["    sa.Column('email', sa.String(200), nullable=False),"] : []),
      `    sa.Column('name', ${nameType}))`,
    );
  }
  if (legacy) lines.push("legacy = sa.Table('legacy', metadata, sa.Column('id', sa.Integer, primary_key=True))");
  return `${lines.join('\n')}\n`;
}

const CONFIG = {
  migrations: [{ glob: 'alembic/versions/*.py', format: 'alembic' }],
  dialect: 'sqlite',
  protected: ['users'],
  external: ['session', 'account', 'verification'],
};

let repo: TestRepo;

function alembic(...args: string[]) {
  const result = spawnSync(python!, ['-m', 'alembic', ...args], { cwd: repo.dir, env: cleanEnv({ PYTHONDONTWRITEBYTECODE: '1' }), encoding: 'utf8', timeout: 120_000 });
  return { code: result.status ?? -1, out: `${result.stdout}${result.stderr}` };
}

const versions = () => readdirSync(path.join(repo.dir, 'alembic', 'versions')).filter((name) => name.endsWith('.py')).sort();

/** Run autogenerate; return its output and the revision it wrote (removed again so each case starts equal). */
function autogenerate(options: Parameters<typeof models>[0], config: unknown = CONFIG) {
  repo.write('models.py', models(options));
  // null: leave the configuration files as they are
  if (config !== null) repo.write('.dbsaferc.json', typeof config === 'string' ? config : JSON.stringify(config));
  const before = versions();
  const result = alembic('revision', '--autogenerate', '-m', 'change');
  const added = versions().filter((name) => !before.includes(name));
  const file = added[0] && path.join(repo.dir, 'alembic', 'versions', added[0]);
  const text = file ? readFileSync(file, 'utf8') : undefined;
  if (file) rmSync(file);
  return { ...result, written: added.length, revision: text };
}

describe.skipIf(!python)('Alembic autogenerate guard (templates/alembic/env_guard.py)', () => {
  beforeAll(() => {
    repo = makeRepo();
    linkBin(repo.dir);
    expect(alembic('init', 'alembic').code).toBe(0);
    const sqlite = spawnSync('sqlite3', [path.join(repo.dir, 'app.db')], { input: SCHEMA, encoding: 'utf8' });
    expect(sqlite.status, sqlite.stderr).toBe(0);
    const ini = path.join(repo.dir, 'alembic.ini');
    writeFileSync(ini, readFileSync(ini, 'utf8').replace(/^sqlalchemy\.url = .*$/m, 'sqlalchemy.url = sqlite:///app.db'));
    // the wiring the README shows, into alembic's own env.py
    const envPy = path.join(repo.dir, 'alembic', 'env.py');
    const stock = readFileSync(envPy, 'utf8');
    const wired = stock
      .replace('target_metadata = None', 'from models import metadata as target_metadata\nfrom env_guard import dbsafe_guard')
      .replace('connection=connection, target_metadata=target_metadata', 'connection=connection, target_metadata=target_metadata, compare_type=True, **dbsafe_guard()');
    expect(wired).toContain('**dbsafe_guard()');
    writeFileSync(envPy, wired);
    copyFileSync(GUARD, path.join(repo.dir, 'env_guard.py'));
  });

  it('reads `dbsafe-hooks config --json`: the validated config with defaults, and its file', () => {
    repo.write('.dbsaferc.json', JSON.stringify(CONFIG));
    const result = runCli(['config', '--json'], { cwd: repo.dir });
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.file).toBe(path.join(repo.dir, '.dbsaferc.json'));
    expect(printed.config).toMatchObject({ protected: ['users'], external: ['session', 'account', 'verification'], unqualifiedMatchesAnySchema: true });
  });

  it('without the external list autogenerate would drop the tables other tools own (the problem)', () => {
    const result = autogenerate({}, { ...CONFIG, external: [] });
    expect(result.code, result.out).toBe(0);
    expect(result.revision).toContain("op.drop_table('session')");
    expect(result.revision).toContain("op.drop_table('account')");
  });

  it('include_object: external tables, their columns and indexes are left alone', () => {
    const result = autogenerate({});
    expect(result.code, result.out).toBe(0);
    expect(result.written).toBe(1);
    expect(result.revision).not.toMatch(/session|account|ix_session_token/);
    expect(result.revision).not.toContain('drop_');
  });

  it.each([
    ['dropping a protected table', { users: false }, 'drops protected table users', 'drop-table(users)', "op.drop_table('users')"],
    ['dropping a column of a protected table', { email: false }, 'drops column users.email of a protected object', 'drop-column(users.email)', "op.drop_column('users', 'email')"],
    ['changing the type of a protected column', { nameType: 'sa.Text()' }, 'alters protected column users.name (type)', 'alter-column-type(users.name)', "op.alter_column('users', 'name'"],
  ])('process_revision_directives stops %s: no revision, what was blocked, how to write it by hand', (_name, change, why, marker, code) => {
    const result = autogenerate(change);
    expect(result.code).not.toBe(0);
    expect(result.written).toBe(0);
    expect(result.out).toContain('FAILED: dbsafe guard: autogenerate stopped');
    expect(result.out).toContain(`  - ${why}`);
    expect(result.out).toContain('alembic revision -m "change"');
    expect(result.out).toContain(`# dbsafe:allow ${marker} -- <why this is safe`);
    expect(result.out).toContain(code);
    expect(result.out).not.toContain('Traceback');
  });

  it('a protected table matched by a glob, with the case rules of the database', () => {
    const result = autogenerate({ users: false }, { ...CONFIG, protected: ['USER*'] });
    expect(result.code).not.toBe(0);
    expect(result.out).toContain('drops protected table users');
  });

  it('an unprotected drop passes (the pre-commit hook still asks for its override)', () => {
    const result = autogenerate({ legacy: false });
    expect(result.code, result.out).toBe(0);
    expect(result.revision).toContain("op.drop_table('legacy')");
  });

  it('the migration written by hand as the message says passes dbsafe-hooks check', () => {
    const blocked = autogenerate({ users: false });
    const snippet = blocked.out.slice(blocked.out.indexOf('    # dbsafe:allow'), blocked.out.indexOf('\n\nIf the model'));
    const body = snippet.replace('<why this is safe: data moved/backed up in ...>', 'users moved to accounts in 0007, backup verified');
    repo.write(
      'alembic/versions/0008_drop_users.py',
      `"""drop users"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '0008'\ndown_revision = None\n\n\ndef upgrade():\n${body}\n\n\ndef downgrade():\n    pass\n`,
    );
    const checked = runCli(['check', '--worktree', 'alembic/versions/0008_drop_users.py'], { cwd: repo.dir });
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/Overrides used/i);
    // and without the marker the same file is blocked
    repo.write('alembic/versions/0008_drop_users.py', readFileSync(path.join(repo.dir, 'alembic/versions/0008_drop_users.py'), 'utf8').replace(/^ *# dbsafe:allow.*\n/m, ''));
    expect(runCli(['check', '--worktree', 'alembic/versions/0008_drop_users.py'], { cwd: repo.dir }).code).toBe(1);
    rmSync(path.join(repo.dir, 'alembic/versions/0008_drop_users.py'));
  });

  it('an invalid configuration stops autogenerate with the CLI message (fail closed)', () => {
    const result = autogenerate({}, { ...CONFIG, protectd: ['users'] });
    expect(result.code).not.toBe(0);
    expect(result.written).toBe(0);
    expect(result.out).toContain('the dbsafe-hooks configuration could not be read');
    expect(result.out).toContain('unknown key "protectd" (did you mean "protected"?)');
  });

  it('without the CLI: a JSON config is read directly; a YAML one stops autogenerate', () => {
    rmSync(path.join(repo.dir, 'node_modules'), { recursive: true, force: true });
    try {
      const direct = autogenerate({ users: false });
      expect(direct.code).not.toBe(0);
      expect(direct.out).toContain('drops protected table users');
      const externalKept = autogenerate({});
      expect(externalKept.code, externalKept.out).toBe(0);
      expect(externalKept.revision).not.toMatch(/session|account/);

      rmSync(path.join(repo.dir, '.dbsaferc.json'));
      repo.write('.dbsaferc.yaml', 'protected: [users]\n');
      const yaml = autogenerate({}, null);
      expect(yaml.code).not.toBe(0);
      expect(yaml.written).toBe(0);
      expect(yaml.out).toContain('.dbsaferc.yaml needs the dbsafe-hooks CLI to be read');
      rmSync(path.join(repo.dir, '.dbsaferc.yaml'));

      const broken = autogenerate({}, '{"protected": ["users",]}');
      expect(broken.code).not.toBe(0);
      expect(broken.out).toContain('is not valid JSON');
    } finally {
      linkBin(repo.dir);
    }
  });
});
