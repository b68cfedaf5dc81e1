import type { Dialect, Operation } from '../model/operation.js';
import { makeContext, unparseableOp } from './common.js';
import { detectFormat } from './detect.js';
import { markUnknownSearchPath, MENTIONS_PATH_CHANGE } from '../sql/search-path.js';
import type { FormatReader, MigrationFormat } from './types.js';
import type { ModelState } from './django-model-state.js';

/** The formats a migration file can be read as (config `migrations[].format`, `auto` = detect). */

export interface MigrationInput {
  /** Repository-relative path with forward slashes. */
  path: string;
  text: string;
  /** From config; 'auto' or undefined means detect from path and content. */
  format?: MigrationFormat | 'auto';
  dialect: Dialect;
  /**
   * Reads another file of the repository, for formats that reference files (Liquibase `sqlFile`).
   * Receives a normalized repository-relative path (already resolved against the changelog's
   * folder when `relativeToChangelogFile` is set); returns the text, or undefined when missing.
   * When absent, such references are reported as `unparseable`.
   */
  resolveFile?: (repoRelativePath: string) => string | undefined;
  /** Django: the app's model state before this file (check/django-history.ts). */
  djangoModels?: ModelState;
}

/** Readers are imported only when a file of their format is read (hooks must start fast). */
const READERS: Record<MigrationFormat, () => Promise<FormatReader>> = {
  sql: async () => (await import('./sql-families.js')).readPlainSql,
  prisma: async () => (await import('./sql-families.js')).readPrisma,
  drizzle: async () => (await import('./sql-families.js')).readDrizzle,
  'golang-migrate': async () => (await import('./sql-families.js')).readGolangMigrate,
  dbmate: async () => (await import('./sql-families.js')).readDbmate,
  flyway: async () => (await import('./sql-families.js')).readFlyway,
  supabase: async () => (await import('./sql-families.js')).readSupabase,
  alembic: async () => (await import('./alembic.js')).readAlembic,
  django: async () => (await import('./django.js')).readDjango,
  rails: async () => (await import('./rails.js')).readRails,
  knex: async () => (await import('./knex.js')).readKnex,
  typeorm: async () => (await import('./typeorm.js')).readTypeorm,
  sequelize: async () => (await import('./sequelize.js')).readSequelize,
  liquibase: async () => (await import('./liquibase.js')).readLiquibase,
};

/** Formats read as one SQL text (their search_path changes are followed statement by statement). */
const SQL_FORMATS = new Set<MigrationFormat>(['sql', 'prisma', 'drizzle', 'golang-migrate', 'dbmate', 'flyway', 'supabase']);

const LOADED = new Map<MigrationFormat, Promise<FormatReader>>();

/** The format a file will be read as: the configured one, else detected (`none` = not a migration). */
export function resolveFormat(input: Pick<MigrationInput, 'path' | 'text' | 'format'>): MigrationFormat | 'none' | 'unknown' {
  if (input.format && input.format !== 'auto') return input.format;
  return detectFormat(input.path, input.text);
}

/**
 * Read one migration file of any format into operations. Pure: text in, operations out.
 * A file of a format we cannot read, or one a reader fails on, becomes `unparseable` (fail closed).
 */
export async function readMigration(input: MigrationInput): Promise<Operation[]> {
  const format = resolveFormat(input);
  if (format === 'none') return [];
  const ctx = makeContext(input.path, input.text, input.dialect);
  if (format === 'unknown') {
    return [
      unparseableOp(
        ctx,
        0,
        'up',
        ctx.lines.lineText(1),
        'the migration format of this file was not recognized; set `format` for its glob in `migrations` (e.g. "sql", "alembic", "knex"), or add it to `ignore` if it is not a migration',
      ),
    ];
  }
  // each reader module is imported once (a dynamic import per file costs a module-loader round trip)
  let pending = LOADED.get(format);
  if (!pending) LOADED.set(format, (pending = READERS[format]()));
  const reader = await pending;
  try {
    const ops = await reader({ path: input.path, text: input.text, dialect: input.dialect, resolveFile: input.resolveFile, djangoModels: input.djangoModels });
    // SQL embedded in code (op.execute, queryRunner.query…) may change the search path for the calls after it,
    // which this reader does not order: every unqualified name is then matched in any schema.
    if (!SQL_FORMATS.has(format) && MENTIONS_PATH_CHANGE.test(input.text)) markUnknownSearchPath(ops, 'this file may change search_path: its unqualified names are matched in every schema');
    return ops;
  } catch (error) {
    // A reader bug or an input it cannot survive must block, not pass silently.
    return [unparseableOp(ctx, 0, 'up', ctx.lines.lineText(1), `the ${format} reader failed: ${(error as Error).message}`)];
  }
}

export { detectFormat } from './detect.js';
export type { FormatInput } from './types.js';
