import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TestRepo } from '../helpers/repo.js';
import { buildOnce, commit, findingsOf, noStackTrace } from '../integration/check-helpers.js';

/** One `check --all` over a repository with Alembic, Prisma and plain SQL migrations side by side. */
beforeAll(buildOnce);

let repo: TestRepo;
afterAll(() => repo?.cleanup());

const ALEMBIC = `"""drop sessions

Revision ID: 9a8b7c6d5e4f
Revises: 1a2b3c4d5e6f
"""
from alembic import op
import sqlalchemy as sa

revision = "9a8b7c6d5e4f"
down_revision = "1a2b3c4d5e6f"


def upgrade() -> None:
    # dbsafe:allow drop-table(sessions) -- replaced by the tokens table in 0042
    op.drop_table("sessions")
    op.drop_column("users", "legacy_password")
    op.execute(sa.text("TRUNCATE page_views"))


def downgrade() -> None:
    op.drop_table("tokens")
`;

const PRISMA = `/*
  Warnings:

  - You are about to drop the column \`bio\` on the \`User\` table. All the data in the column will be lost.

*/
-- AlterTable
ALTER TABLE "User" DROP COLUMN "bio";
`;

describe('a mixed repository (Alembic + Prisma + plain SQL) in one check --all', () => {
  it('finds the forward drops of every format with file and line, honours a Python marker, and reports down operations without blocking', () => {
    repo = makeRepo();
    commit(repo, {
      '.dbsaferc.json': JSON.stringify({
        dialect: 'postgres',
        migrations: [{ glob: 'alembic/versions/*.py' }, { glob: 'prisma/migrations/*/migration.sql' }, { glob: 'db/sql/*.sql' }],
      }),
      'alembic/env.py': 'from alembic import context\ncontext.configure(url="x")\n',
      'alembic/versions/__init__.py': '',
      'alembic/versions/9a8b7c6d5e4f_drop_sessions.py': ALEMBIC,
      'prisma/migrations/20240301120000_drop_bio/migration.sql': PRISMA,
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'db/sql/003_cleanup.sql': '-- cleanup\nDROP TABLE legacy_reports;\n',
    });
    const result = runCli(['check', '--all', '--format', 'json'], { cwd: repo.dir });
    noStackTrace(result);
    expect(result.code).toBe(1);
    const findings = findingsOf(result).map((f) => `${f.severity} ${f.rule} ${f.object ?? '-'} ${f.file}:${f.line}`);
    expect(findings.sort()).toEqual(
      [
        'error drop-column users.legacy_password alembic/versions/9a8b7c6d5e4f_drop_sessions.py:16',
        'error truncate page_views alembic/versions/9a8b7c6d5e4f_drop_sessions.py:17',
        'warn drop-table tokens alembic/versions/9a8b7c6d5e4f_drop_sessions.py:21',
        'error drop-column "User".bio prisma/migrations/20240301120000_drop_bio/migration.sql:8',
        'error drop-table legacy_reports db/sql/003_cleanup.sql:2',
      ].sort(),
    );
    const output = JSON.parse(result.stdout);
    expect(JSON.stringify(output)).toContain('replaced by the tokens table in 0042'); // the override used is listed
    expect(output.summary.files).toBe(4); // env.py is outside the globs; __init__.py is matched but is no migration
  });
});

describe('a Liquibase changelog with sqlFile, a Rails and a Knex migration in one check --all', () => {
  it('follows sqlFile relative to the changelog through the repository, and reads every format', () => {
    const other = makeRepo();
    try {
      commit(other, {
        '.dbsaferc.json': JSON.stringify({
          dialect: 'postgres',
          migrations: [{ glob: 'db/changelog/*.xml' }, { glob: 'db/migrate/*.rb' }, { glob: 'migrations/*.js' }],
        }),
        'db/changelog/changelog-1.xml': [
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">',
          '    <changeSet id="1" author="a">',
          '        <sqlFile path="sql/cleanup.sql" relativeToChangelogFile="true"/>',
          '        <rollback>',
          '            <dropTable tableName="reports_v2"/>',
          '        </rollback>',
          '    </changeSet>',
          '</databaseChangeLog>',
          '',
        ].join('\n'),
        'db/changelog/sql/cleanup.sql': 'DROP TABLE old_reports;\n',
        'db/migrate/20240101000000_drop_sessions.rb': 'class DropSessions < ActiveRecord::Migration[7.1]\n  def change\n    drop_table :sessions\n  end\nend\n',
        'migrations/20240101000000_drop_tokens.js': "exports.up = (knex) => knex.schema.dropTable('tokens');\nexports.down = () => {};\n",
      });
      const result = runCli(['check', '--all', '--format', 'json'], { cwd: other.dir });
      noStackTrace(result);
      expect(result.code).toBe(1);
      const findings = findingsOf(result).map((f) => `${f.severity} ${f.rule} ${f.object ?? '-'} ${f.file}:${f.line}`);
      expect(findings.sort()).toEqual(
        [
          'error drop-table old_reports db/changelog/changelog-1.xml:4',
          'warn drop-table reports_v2 db/changelog/changelog-1.xml:6',
          'error drop-table sessions db/migrate/20240101000000_drop_sessions.rb:3',
          'error drop-table tokens migrations/20240101000000_drop_tokens.js:1',
        ].sort(),
      );
    } finally {
      other.cleanup();
    }
  });
});
