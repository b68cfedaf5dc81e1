import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { buildOnce, checkJson, commit, findingsOf } from './check-helpers.js';

/**
 * A protected table protects its indexes, constraints and triggers even when the drop names only the
 * object (`DROP INDEX payments_user_id_idx`): the table comes from where the same file or the
 * repository's other migrations created it (check/resolve-names.ts), and the finding says which.
 */
beforeAll(buildOnce);

let repo: TestRepo;
afterEach(() => repo?.cleanup());

const config = (dialect: string, glob = 'db/migrations/*') =>
  JSON.stringify({ dialect, migrations: [{ glob }], protected: { tables: ['payments'] } });

interface Case {
  name: string;
  dialect: 'postgres' | 'sqlite' | 'mysql';
  /** Committed before: earlier migrations. */
  history: Record<string, string>;
  /** Staged: the migration being committed. */
  staged: Record<string, string>;
  rule: string;
  severity: 'error' | 'warn';
  detail: RegExp;
}

const cases: Case[] = [
  {
    name: 'PostgreSQL: an index of a protected table created in an earlier migration',
    dialect: 'postgres',
    history: { 'db/migrations/001_init.sql': 'CREATE TABLE payments (id int, user_id int);\nCREATE INDEX payments_user_id_idx ON payments (user_id);\n' },
    staged: { 'db/migrations/002_drop.sql': 'DROP INDEX payments_user_id_idx;\n' },
    rule: 'protected-object',
    severity: 'error',
    detail: /on table payments, created in db\/migrations\/001_init\.sql line 2\)/,
  },
  {
    name: 'PostgreSQL: created in the same file (schema-qualified, CONCURRENTLY, IF NOT EXISTS)',
    dialect: 'postgres',
    history: {},
    staged: { 'db/migrations/002_x.sql': 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Pay_Idx" ON public.payments (id);\nDROP INDEX CONCURRENTLY public."Pay_Idx";\n' },
    rule: 'protected-object',
    severity: 'error',
    detail: /on table public\.payments, created at line 1 of this file\)/,
  },
  {
    name: 'SQLite: an index of a protected table',
    dialect: 'sqlite',
    history: { 'db/migrations/001_init.sql': 'CREATE TABLE payments (id INTEGER);\nCREATE UNIQUE INDEX pay_id ON payments (id);\n' },
    staged: { 'db/migrations/002_drop.sql': 'DROP INDEX IF EXISTS pay_id;\n' },
    rule: 'protected-object',
    severity: 'error',
    detail: /on table payments/,
  },
  {
    name: 'SQLite: a trigger of a protected table',
    dialect: 'sqlite',
    history: { 'db/migrations/001_init.sql': 'CREATE TABLE payments (id INTEGER);\nCREATE TRIGGER pay_audit AFTER UPDATE ON payments BEGIN SELECT 1; END;\n' },
    staged: { 'db/migrations/002_drop.sql': 'DROP TRIGGER pay_audit;\n' },
    rule: 'protected-object',
    severity: 'error',
    detail: /on table payments/,
  },
  {
    name: 'Alembic: op.drop_index without table_name',
    dialect: 'postgres',
    history: { 'alembic/versions/001_init.py': 'from alembic import op\n\ndef upgrade():\n    op.create_index(op.f("ix_payments_user"), "payments", ["user_id"])\n' },
    staged: { 'alembic/versions/002_drop.py': 'from alembic import op\n\ndef upgrade():\n    op.drop_index("ix_payments_user")\n' },
    rule: 'protected-object',
    severity: 'error',
    detail: /on table payments/,
  },
  {
    name: 'an index of an unprotected table stays a warning, with its table',
    dialect: 'postgres',
    history: { 'db/migrations/001_init.sql': 'CREATE INDEX orders_idx ON orders (id);\n' },
    staged: { 'db/migrations/002_drop.sql': 'DROP INDEX orders_idx;\n' },
    rule: 'drop-index',
    severity: 'warn',
    detail: /on table orders/,
  },
  {
    name: 'a commented-out CREATE defines nothing: unresolved, and the finding says so',
    dialect: 'postgres',
    history: { 'db/migrations/001_init.sql': '-- CREATE INDEX pay_idx ON payments (id);\n/* CREATE INDEX pay_idx ON payments (id); */\n' },
    staged: { 'db/migrations/002_drop.sql': 'DROP INDEX pay_idx;\n' },
    rule: 'drop-index',
    severity: 'warn',
    detail: /its table is not known: no index of that name is created in this file or in the repository's other migrations/,
  },
  {
    name: 'the latest definition before the drop wins (a name reused on another table)',
    dialect: 'postgres',
    history: {
      'db/migrations/001_a.sql': 'CREATE INDEX shared_idx ON orders (id);\n',
      'db/migrations/002_b.sql': 'DROP INDEX shared_idx;\nCREATE INDEX shared_idx ON payments (id);\n',
    },
    staged: { 'db/migrations/003_drop.sql': 'DROP INDEX shared_idx;\n' },
    rule: 'protected-object',
    severity: 'error',
    detail: /created in db\/migrations\/002_b\.sql/,
  },
  {
    name: 'golang-migrate: a down file resolves from its up file',
    dialect: 'postgres',
    history: {},
    staged: {
      'db/migrations/000002_idx.up.sql': 'CREATE INDEX pay_user ON payments (user_id);\n',
      'db/migrations/000002_idx.down.sql': 'DROP INDEX pay_user;\n',
    },
    rule: 'protected-object',
    severity: 'warn', // a down migration's findings are warnings by default (`down` in the config)
    detail: /created in db\/migrations\/000002_idx\.up\.sql/,
  },
];

describe('index, constraint and trigger names resolved to their table', () => {
  it.each(cases)('$name', ({ dialect, history, staged, rule, severity, detail }) => {
    repo = makeRepo();
    const glob = Object.keys({ ...history, ...staged }).some((f) => f.startsWith('alembic/')) ? 'alembic/versions/*.py' : 'db/migrations/*';
    commit(repo, { '.dbsaferc.json': config(dialect, glob), ...history });
    for (const [file, text] of Object.entries(staged)) repo.write(file, text);
    repo.git('add', '-A');
    const findings = findingsOf(checkJson(repo, []));
    const drop = findings.find((f) => /drop-(index|trigger)|protected-object/.test(f.rule) && f.rule === rule);
    expect(drop, JSON.stringify(findings, null, 2)).toBeDefined();
    expect(drop!.severity).toBe(severity);
    expect(drop!.message + ' ' + (drop!.detail ?? '')).toMatch(detail);
  });

  it('reads the history only when a drop needs it, and caches it per blob in .git/dbsafe', () => {
    repo = makeRepo();
    commit(repo, { '.dbsaferc.json': config('postgres'), 'db/migrations/001_init.sql': 'CREATE INDEX pay_idx ON payments (id);\n' });
    repo.write('db/migrations/002_add.sql', 'CREATE TABLE t (id int);\n');
    repo.git('add', '-A');
    expect(checkJson(repo, []).code).toBe(0);
    const cache = path.join(repo.dir, '.git', 'dbsafe', 'schema-names.txt');
    expect(existsSync(cache)).toBe(false);
    repo.write('db/migrations/003_drop.sql', 'DROP INDEX pay_idx;\n');
    repo.git('add', '-A');
    expect(checkJson(repo, []).code).toBe(1);
    expect(existsSync(cache)).toBe(true);
  });

  it('check --base reads the head commit\'s tree (and writes no cache)', () => {
    repo = makeRepo();
    commit(repo, { '.dbsaferc.json': config('postgres'), 'db/migrations/001_init.sql': 'CREATE INDEX pay_idx ON payments (id);\n' });
    const base = repo.git('rev-parse', 'HEAD');
    commit(repo, { 'db/migrations/002_drop.sql': 'DROP INDEX pay_idx;\n' });
    const result = checkJson(repo, ['--base', base]);
    expect(findingsOf(result).map((f) => f.rule)).toContain('protected-object');
    expect(existsSync(path.join(repo.dir, '.git', 'dbsafe', 'schema-names.txt'))).toBe(false);
  });
});
