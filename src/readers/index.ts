import type { Dialect, Operation } from '../model/operation.js';
import { readSql } from '../sql/index.js';

/** The formats a migration file can be read as (config `migrations[].format`, `auto` = detect). */
export type MigrationFormat =
  | 'sql'
  | 'prisma'
  | 'drizzle'
  | 'golang-migrate'
  | 'dbmate'
  | 'flyway'
  | 'supabase'
  | 'alembic'
  | 'django'
  | 'rails'
  | 'knex'
  | 'typeorm'
  | 'sequelize'
  | 'liquibase';

export interface MigrationInput {
  /** Repository-relative path with forward slashes. */
  path: string;
  text: string;
  /** From config; 'auto' or undefined means detect from path and content. */
  format?: MigrationFormat | 'auto';
  dialect: Dialect;
}

/**
 * Read one migration file of any format into operations. Pure: text in, operations out.
 * (Until the format readers land, every file is read as plain SQL.)
 */
export async function readMigration(input: MigrationInput): Promise<Operation[]> {
  return readSql(input.text, { path: input.path, dialect: input.dialect, direction: 'up' });
}
