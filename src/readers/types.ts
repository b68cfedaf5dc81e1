import type { ModelState } from './django-model-state.js';
import type { Dialect, Operation } from '../model/operation.js';

/** What each format reader receives (a subset of MigrationInput). */
export interface FormatInput {
  /** Repository-relative path with forward slashes. */
  path: string;
  text: string;
  dialect: Dialect;
  /**
   * Reads another file of the repository (Liquibase `sqlFile`). Receives a normalized
   * repository-relative path; returns its text, or undefined when it does not exist.
   */
  resolveFile?: (repoRelativePath: string) => string | undefined;
  /** Django: the app's model state before this file, from its earlier migrations (check/django-history.ts). */
  djangoModels?: ModelState;
}

export type FormatReader = (input: FormatInput) => Promise<Operation[]>;

/** Every migration format a reader exists for. */
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
