/**
 * Where each supported framework keeps its migrations by convention, in one place: the default `migrations`
 * globs (and what `install` writes), so that a folder still empty at install time is covered when its first
 * migration arrives; and the paths that look like migrations even when no glob matches them (the
 * `unmatched-migration` warning, docs/check.md "Files no glob matches"). No braces in the globs: the
 * hook's shell pre-filter turns each glob into a git pathspec, and a brace would widen it to every file.
 */

/** The default `migrations` sets, most specific first (a file is read by the first set that matches it). */
export const CONVENTIONAL_MIGRATION_GLOBS: string[] = [
  // Prisma, Supabase, Drizzle, Flyway (db/migration/V1__x.sql), golang-migrate / dbmate / goose / plain SQL
  '**/prisma/migrations/*/migration.sql',
  '**/supabase/migrations/*.sql',
  '**/drizzle/**/*.sql',
  '**/db/migration/**/*.sql',
  '**/migrations/**/*.sql',
  '**/migrate/**/*.sql',
  '**/*.sql',
  // Alembic (alembic/versions, migrations/versions) and Django (<app>/migrations/0001_x.py)
  '**/alembic/versions/*.py',
  '**/migrations/versions/*.py',
  '**/migrations/*.py',
  // Rails
  '**/db/migrate/*.rb',
  // Knex, Sequelize, TypeORM (migrations/, src/migrations/, TypeORM's src/migration/)
  ...['js', 'ts', 'cjs', 'mjs', 'cts', 'mts'].flatMap((ext) => [`**/migrations/**/*.${ext}`, `**/src/migration/*.${ext}`]),
  // Liquibase (a master changelog elsewhere, e.g. `schema/changelog-master.xml`, is warned about as unmatched)
  ...['xml', 'yaml', 'yml', 'json'].map((ext) => `**/db/changelog/**/*.${ext}`),
];

/**
 * Folders and names that suggest a migration: a staged file here that no glob matches is looked at
 * (its content decides) and warned about. Kept to path tests: the hook must stay cheap.
 */
const LOOKS_LIKE_MIGRATION = [
  /(^|\/)(migrations?|migrate|versions|changelogs?|changesets?|drizzle|schema_migrations)\//i,
  /(^|\/)db\/[^/]+\.(sql|py|rb|js|ts)$/i,
  /(^|\/)[VUR]\d[\w.]*__[^/]+\.sql$/,
  /(^|\/)\d{3,}[_-][^/]+\.(sql|py|rb|js|ts|cjs|mjs)$/i,
  /changelog[^/]*\.(xml|ya?ml|json)$/i,
  /\.sql$/i,
];

/** Whether a path looks like a migration's (the content decides after). */
export function looksLikeMigrationPath(path: string): boolean {
  return LOOKS_LIKE_MIGRATION.some((re) => re.test(path));
}

/**
 * The same paths as git pathspecs, for the shell pre-filter: a commit that stages one of them starts node
 * (which then decides from the globs and the content). Wider than the regexes, never narrower.
 */
export const LOOKS_LIKE_MIGRATION_PATHSPECS: string[] = [
  ...['migrations', 'migration', 'migrate', 'versions', 'changelog', 'changelogs', 'changesets', 'changeset', 'drizzle', 'schema_migrations'].map((dir) => `:(top,icase,glob)**/${dir}/**`),
  ':(top,glob)**/db/*',
  ':(top,icase,glob)**/*.sql',
  ':(top,icase,glob)**/*changelog*',
  ':(top,glob)**/[0-9][0-9][0-9]*',
];
