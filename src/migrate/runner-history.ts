import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * Which migration files a command applied, read from the history tables migration runners keep. A
 * command-mode dry-run compares the rows of these tables on the copy before and after the command:
 * the new rows name exactly the migrations it applied, and only the markers in those files may accept
 * a loss. A marker in a file applied long ago must never accept a new loss.
 */

/**
 * History tables of the runners people use (lower case, matched case-insensitively in any schema) and the
 * column whose value names a migration. Other columns (ids, batch numbers, counts) would name the wrong files.
 */
export const RUNNER_HISTORY: Record<string, string> = {
  _prisma_migrations: 'migration_name', // Prisma: the folder
  __drizzle_migrations: 'hash', // Drizzle: sha256 of the SQL file
  knex_migrations: 'name', // Knex: the file name
  sequelizemeta: 'name', // Sequelize: the file name
  migrations: 'name', // TypeORM: class name + timestamp
  typeorm_migrations: 'name',
  mikro_orm_migrations: 'name',
  kysely_migration: 'name',
  schema_migrations: 'version', // Rails, golang-migrate, dbmate, Supabase: the file's leading number
  goose_db_version: 'version_id', // goose
  flyway_schema_history: 'script', // Flyway: the file name
  databasechangelog: 'filename', // Liquibase
  django_migrations: 'name', // Django: the file stem
  alembic_version: 'version_num', // Alembic: the head revision
  _sqlx_migrations: 'version',
  seaql_migrations: 'version',
  __efmigrationshistory: 'migrationid',
  atlas_schema_revisions: 'version',
  dbsafe_schema_migrations: 'version', // ours
};

/** The values that are in `after` and not in `before` (each a cell of a history row, as text). */
export function newHistoryKeys(before: string[], after: string[]): string[] {
  const seen = new Set(before);
  return [...new Set(after.filter((key) => !seen.has(key)))];
}

/** Whether a history value names this file: its name, stem, folder, leading version number, content hash or Alembic revision. */
export function keyNamesFile(key: string, file: { path: string; text: string }): boolean {
  const value = key.trim();
  if (!value) return false;
  const base = path.posix.basename(file.path);
  const stem = base.replace(/\.[^.]+$/, '');
  const folder = path.posix.basename(path.posix.dirname(file.path));
  if (value === base || value === stem || value === folder || file.path === value || file.path.endsWith(`/${value}`)) return true;
  // a leading version number, leading zeros aside: 20240101120000_x.sql, 000005_x.up.sql, V5__x.sql
  const version = /^[VU]?(\d+)(?=[_.-])/i.exec(base)?.[1];
  if (version && /^\d+$/.test(value) && BigInt(value) === BigInt(version)) return true;
  if (/^[0-9a-f]{64}$/.test(value) && createHash('sha256').update(file.text).digest('hex') === value) return true;
  // Alembic: the revision id written in the file
  const revision = /^\s*revision\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]/m.exec(file.text)?.[1];
  return revision !== undefined && revision === value;
}

/** The files among `candidates` that the new history values name. */
export function filesAppliedBy(newKeys: string[], candidates: Array<{ path: string; text: string }>): string[] {
  return candidates.filter((file) => newKeys.some((key) => keyNamesFile(key, file))).map((file) => file.path);
}
