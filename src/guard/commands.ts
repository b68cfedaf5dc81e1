/**
 * The destructive database commands the guard knows, as data: one row per command. docs/guard.md
 * shows this table (a test keeps the two the same); `guard.commands` in the configuration adds rows.
 *
 * `pattern` is written as a person types the command:
 *   - the first word is the program (`a|b`: either; matched on the file name, so `bin/rails` is `rails`);
 *   - each later plain word must follow in order (`a|b`: either; `*`: any one word; `-N`: a negative
 *     number such as `-2`), options in between skipped;
 *   - a word starting with `-` is an option group: at least one of its `|` alternatives must be given
 *     (`--force` also matches `--force=true`).
 * A row with `sql` matches the program (with its words, when the pattern has any) whenever it is given SQL
 * (inline, a file, stdin), and the SQL decides: read with the project's own SQL readers, a destructive
 * statement matches. SQL given to another engine's client is read as PostgreSQL: what does not read is unsure.
 */

import type { TargetVersionKind } from './target-version.js';

export interface CommandRow {
  tool: string;
  pattern: string;
  /** What running it destroys. */
  destroys: string;
  /** Which database it acts on (the guard requires the backup of the configured instance). */
  target: string;
  /** SQL clients: the dialect their SQL is read in. */
  sql?: 'postgres' | 'mysql' | 'sqlite';
  /** From the configuration: the instance it targets (default: the gate's instances). */
  instance?: string;
  /**
   * The row matches when the program removes or overwrites a database's files: a SQLite file (by its name:
   * `dev.db`, `db.sqlite3`, its `-wal`), or a directory holding one or a server's data directory (`rm -r`,
   * `find -delete`, `git clean -x`; guard/database-files.ts). A `>` onto a SQLite file matches it too.
   */
  databaseFile?: true;
  /**
   * The row matches when the version the command migrates to is older than the newest migration file: every later
   * one is reverted (guard/target-version.ts). When that cannot be told, the command is unsure.
   */
  targetVersion?: TargetVersionKind;
}

export const DESTRUCTIVE_COMMANDS: readonly CommandRow[] = [
  { tool: 'Supabase CLI', pattern: 'supabase db reset', destroys: 'every table and row, recreated from the migrations and seed', target: 'the local database (the linked project with --linked, or --db-url)' },
  { tool: 'Supabase CLI', pattern: 'supabase db push --include-all|--include-seed', destroys: 'rows overwritten by the seed; migrations applied out of order', target: 'the linked project (or --db-url)' },
  { tool: 'Supabase CLI', pattern: 'supabase migration down', destroys: 'what the reverted migrations created', target: 'the local database (or --linked)' },
  { tool: 'Supabase CLI', pattern: 'supabase stop --no-backup', destroys: "the local stack's data volumes: every table and row of the local database", target: 'the local database' },
  { tool: 'Prisma', pattern: 'prisma migrate reset', destroys: 'the whole database, recreated from the migrations', target: 'the datasource URL (DATABASE_URL)' },
  { tool: 'Prisma', pattern: 'prisma db push --force-reset|--accept-data-loss', destroys: 'every table (--force-reset) or the columns and tables the schema no longer has', target: 'the datasource URL (DATABASE_URL)' },
  { tool: 'Drizzle Kit', pattern: 'drizzle-kit push --force', destroys: 'columns and tables the schema no longer has, without asking', target: 'dbCredentials in drizzle.config' },
  { tool: 'Rails', pattern: 'rails|rake db:drop|db:reset|db:schema:load|db:structure:load|db:migrate:reset|db:purge|db:truncate_all|db:seed:replant|db:fixtures:load', destroys: 'the database, or every table and row in it (replant and fixtures: the rows of the tables they load)', target: 'config/database.yml (RAILS_ENV)' },
  { tool: 'Rails', pattern: 'rails|rake db:migrate', targetVersion: 'rails', destroys: 'what the migrations after VERSION created, when VERSION is older than the newest (VERSION=0: every migration)', target: 'config/database.yml (RAILS_ENV)' },
  { tool: 'Rails', pattern: 'rails|rake db:rollback|db:migrate:down|db:migrate:redo', destroys: 'what the reverted migrations created', target: 'config/database.yml (RAILS_ENV)' },
  { tool: 'Alembic', pattern: 'alembic downgrade *', destroys: 'what the reverted migrations created (base: everything)', target: 'sqlalchemy.url in alembic.ini / env.py' },
  { tool: 'Django', pattern: 'manage.py|django-admin flush', destroys: 'every row of every table', target: 'DATABASES in settings' },
  { tool: 'Django', pattern: 'manage.py|django-admin migrate * zero', destroys: "every table of the app's migrations", target: 'DATABASES in settings' },
  { tool: 'Django', pattern: 'manage.py|django-admin migrate', targetVersion: 'django', destroys: "what the app's migrations after the one named created, when it is older than the newest", target: 'DATABASES in settings' },
  { tool: 'Django', pattern: 'manage.py|django-admin reset_db', destroys: 'the whole database (django-extensions)', target: 'DATABASES in settings' },
  { tool: 'Laravel', pattern: 'artisan migrate:fresh|migrate:reset|migrate:refresh|db:wipe', destroys: 'every table, dropped (and recreated)', target: 'DB_* in .env' },
  { tool: 'Laravel', pattern: 'artisan migrate:rollback', destroys: 'what the reverted migrations created (the last batch, or --step, --batch)', target: 'DB_* in .env' },
  { tool: 'Knex', pattern: 'knex migrate:rollback|migrate:down', destroys: 'what the reverted migrations created (the last batch; --all: every migration)', target: 'the knexfile connection' },
  { tool: 'Sequelize', pattern: 'sequelize|sequelize-cli db:migrate:undo|db:migrate:undo:all', destroys: 'what the reverted migrations created (the last one; undo:all: every migration)', target: 'config/config.json (NODE_ENV)' },
  { tool: 'Sequelize', pattern: 'sequelize|sequelize-cli db:drop', destroys: 'the whole database', target: 'config/config.json (NODE_ENV)' },
  { tool: 'TypeORM', pattern: 'typeorm|typeorm-ts-node-commonjs|typeorm-ts-node-esm schema:drop', destroys: 'every table of the data source', target: 'the data source options' },
  { tool: 'TypeORM', pattern: 'typeorm|typeorm-ts-node-commonjs|typeorm-ts-node-esm migration:revert', destroys: 'what the reverted migration created', target: 'the data source options' },
  { tool: 'TypeORM', pattern: 'typeorm|typeorm-ts-node-commonjs|typeorm-ts-node-esm schema:sync', destroys: 'columns and tables the entities no longer have, dropped to match them', target: 'the data source options' },
  { tool: 'Sqitch', pattern: 'sqitch revert|rebase|checkout', destroys: 'what the reverted changes deployed (revert without a target: every change)', target: 'the target in sqitch.conf (or --target)' },
  { tool: 'Atlas', pattern: 'atlas schema clean', destroys: 'every object (tables with their rows) in the schema or database', target: 'the URL given with --url (or the env in atlas.hcl)' },
  { tool: 'Atlas', pattern: 'atlas migrate down', destroys: 'what the reverted migrations created', target: 'the URL given with --url (or the env in atlas.hcl)' },
  { tool: 'Atlas', pattern: 'atlas schema apply --auto-approve', destroys: 'what the desired schema no longer has (tables, columns), dropped without asking', target: 'the URL given with --url (or the env in atlas.hcl)' },
  { tool: 'PostgreSQL', pattern: 'dropdb', destroys: 'the whole database', target: 'the database named on the command line' },
  { tool: 'MySQL', pattern: 'mysqladmin|mariadb-admin drop', destroys: 'the whole database', target: 'the database named on the command line' },
  { tool: 'PostgreSQL', pattern: 'pg_restore --clean|-c', destroys: 'every object the dump holds, dropped in the target (with its rows) before the dump is loaded', target: 'the database given with -d' },
  { tool: 'Docker Compose', pattern: 'docker|podman down --volumes|-v', destroys: "the project's volumes: a database container's data directory", target: 'the volumes of the compose project' },
  { tool: 'Docker Compose', pattern: 'docker-compose|podman-compose down --volumes|-v', destroys: "the project's volumes: a database container's data directory", target: 'the volumes of the compose project' },
  { tool: 'Docker', pattern: 'docker|podman volume rm|prune', destroys: "the volumes removed: a database container's data directory", target: 'the volumes named (prune: every unused one)' },
  { tool: 'Docker', pattern: 'docker|podman rm --volumes|-v|-fv|-vf|-sv|-vs|-fsv|-svf', destroys: "the containers' anonymous volumes: a database container's data directory", target: 'the containers (compose services) named' },
  { tool: 'Docker Compose', pattern: 'docker-compose|podman-compose rm --volumes|-v|-fv|-vf|-sv|-vs|-fsv|-svf', destroys: "the services' anonymous volumes: a database container's data directory", target: 'the services named' },
  { tool: 'Docker', pattern: 'docker|podman system prune --volumes', destroys: "every volume no container uses: a stopped database container's data directory", target: 'every unused volume' },
  { tool: 'Kubernetes', pattern: 'kubectl|oc delete pvc|pv|persistentvolumeclaim|persistentvolumeclaims|persistentvolume|persistentvolumes', destroys: "the persistent volumes (claims) deleted: a database's data, depending on the reclaim policy", target: 'the claims named (the current context and namespace)' },
  { tool: 'Flyway', pattern: 'flyway clean', destroys: 'every object (tables with their rows, views, functions) in the configured schemas', target: 'flyway.url (flyway.conf, FLYWAY_URL)' },
  { tool: 'Flyway', pattern: 'flyway undo', destroys: 'what the undone migrations created (Flyway Teams)', target: 'flyway.url (flyway.conf, FLYWAY_URL)' },
  { tool: 'Liquibase', pattern: 'liquibase rollback|rollbackCount|rollback-count|rollbackToDate|rollback-to-date|rollbackOneChangeSet|rollback-one-changeset|rollbackOneUpdate|rollback-one-update', destroys: 'what the rolled-back changesets created', target: 'url in liquibase.properties (LIQUIBASE_COMMAND_URL)' },
  { tool: 'Liquibase', pattern: 'liquibase dropAll|drop-all', destroys: 'every object (tables with their rows) in the default schema', target: 'url in liquibase.properties (LIQUIBASE_COMMAND_URL)' },
  { tool: 'dbmate', pattern: 'dbmate drop', destroys: 'the whole database', target: 'DATABASE_URL (or --url)' },
  { tool: 'dbmate', pattern: 'dbmate rollback|down', destroys: 'what the reverted migration created', target: 'DATABASE_URL (or --url)' },
  { tool: 'golang-migrate', pattern: 'migrate drop', destroys: 'every table of the database, with its rows', target: 'the database given with -database' },
  { tool: 'golang-migrate', pattern: 'migrate goto', targetVersion: 'golang-migrate', destroys: 'what the migrations after the version created, when it is older than the newest', target: 'the database given with -database' },
  { tool: 'golang-migrate', pattern: 'migrate down', destroys: 'what the reverted migrations created (without N, or -all: every migration)', target: 'the database given with -database' },
  { tool: 'goose', pattern: 'goose reset', destroys: 'what every migration created', target: 'the database given on the command line (GOOSE_DBSTRING)' },
  { tool: 'goose', pattern: 'goose down|down-to|redo', destroys: 'what the reverted migrations created (down-to 0: every migration)', target: 'the database given on the command line (GOOSE_DBSTRING)' },
  { tool: 'MikroORM', pattern: 'mikro-orm|mikro-orm-esm schema:drop|schema:fresh|migration:fresh', destroys: 'every table of the schema (recreated by :fresh)', target: 'the MikroORM config' },
  { tool: 'MikroORM', pattern: 'mikro-orm|mikro-orm-esm migration:down', destroys: 'what the reverted migrations created', target: 'the MikroORM config' },
  { tool: 'Ecto', pattern: 'mix ecto.drop|ecto.reset', destroys: 'the whole database (recreated by ecto.reset)', target: 'the Repo config (MIX_ENV)' },
  { tool: 'Ecto', pattern: 'mix ecto.rollback', destroys: 'what the reverted migrations created (--all: every migration)', target: 'the Repo config (MIX_ENV)' },
  { tool: 'AWS', pattern: 'aws rds delete-db-instance|delete-db-cluster', destroys: 'the RDS instance or Aurora cluster and its data (with --skip-final-snapshot: no snapshot left)', target: 'the instance or cluster named' },
  { tool: 'Google Cloud', pattern: 'gcloud sql instances|databases delete', destroys: 'the Cloud SQL instance (and its backups) or database', target: 'the instance or database named' },
  { tool: 'Azure', pattern: 'az postgres|mysql|sql flexible-server|server|db delete', destroys: 'the database server (every database in it) or database', target: 'the server or database named' },
  { tool: 'Neon', pattern: 'neonctl|neon projects|branches|databases delete|reset', destroys: 'the project, branch or database (reset: the branch back to its parent, later writes lost)', target: 'the project or branch named' },
  { tool: 'Cloudflare D1', pattern: 'wrangler d1 delete', destroys: 'the D1 database and every row in it', target: 'the database named' },
  { tool: 'Turso', pattern: 'turso db destroy', destroys: 'the database and every row in it', target: 'the database named' },
  { tool: 'PlanetScale', pattern: 'pscale database|branch delete', destroys: 'the database or branch and its data', target: 'the database or branch named' },
  { tool: 'Heroku', pattern: 'heroku pg:reset', destroys: 'every table and row of the Heroku Postgres database', target: 'the app given with --app (DATABASE_URL of the app)' },
  { tool: 'PostgreSQL', pattern: 'pg_dropcluster', destroys: 'the whole cluster: its data directory, every database in it', target: 'the cluster named (version and name)' },
  { tool: 'Database files', pattern: 'rm|unlink|shred|trash|truncate|cp|install|dd|tee|find|git', databaseFile: true, destroys: "the database files removed or overwritten: a SQLite file, or a directory holding one or a server's data directory", target: 'the files and directories named' },
  { tool: 'Prisma', pattern: 'prisma db execute', sql: 'postgres', destroys: 'what its SQL drops, truncates or deletes (--file, --stdin)', target: 'the datasource URL (--url, --schema)' },
  { tool: 'Django', pattern: 'manage.py|django-admin dbshell', sql: 'postgres', destroys: "what the SQL given to the database's client drops, truncates or deletes (stdin, after --)", target: 'DATABASES in settings' },
  { tool: 'Rails', pattern: 'rails dbconsole|db', sql: 'postgres', destroys: "what the SQL given to the database's client drops, truncates or deletes (stdin)", target: 'config/database.yml (RAILS_ENV)' },
  { tool: 'PostgreSQL', pattern: 'psql', sql: 'postgres', destroys: 'what its SQL drops, truncates or deletes (-c, -f, stdin)', target: 'the database it connects to' },
  { tool: 'MySQL', pattern: 'mysql|mariadb', sql: 'mysql', destroys: 'what its SQL drops, truncates or deletes (-e, stdin)', target: 'the database it connects to' },
  { tool: 'SQLite', pattern: 'sqlite3', sql: 'sqlite', destroys: 'what its SQL drops, truncates or deletes (arguments, -cmd, stdin)', target: 'the database file named' },
];

interface CompiledPattern {
  programs: string[];
  steps: Array<{ kind: 'word'; alternatives: string[] } | { kind: 'options'; alternatives: string[] }>;
}

const compiled = new WeakMap<CommandRow, CompiledPattern>();

export function compilePattern(pattern: string): CompiledPattern {
  const [program, ...rest] = pattern.trim().split(/\s+/);
  if (!program) throw new Error('an empty pattern');
  return {
    programs: program.split('|'),
    steps: rest.map((word) =>
      word.startsWith('-') && word !== '-N'
        ? { kind: 'options' as const, alternatives: word.split('|') }
        : { kind: 'word' as const, alternatives: word.split('|') },
    ),
  };
}

function patternOf(row: CommandRow): CompiledPattern {
  let found = compiled.get(row);
  if (!found) compiled.set(row, (found = compilePattern(row.pattern)));
  return found;
}

/** The program part of the row's pattern names `program` (a file name, without directories). */
export function rowNamesProgram(row: CommandRow, program: string): boolean {
  return patternOf(row).programs.includes(program);
}

/** Whether `args` (the words after the program) match the row's words and options (not for `databaseFile` rows). */
export function rowMatchesArgs(row: CommandRow, args: readonly string[]): boolean {
  const pattern = patternOf(row);
  const words = pattern.steps.filter((step) => step.kind === 'word');
  const options = pattern.steps.filter((step) => step.kind === 'options');
  for (const group of options) {
    if (!args.some((arg) => group.alternatives.some((option) => arg === option || arg.startsWith(`${option}=`)))) return false;
  }
  if (words.length === 0) return true;
  // the words may start anywhere (an option's value can come first: `supabase --workdir x db reset`),
  // then follow one another with only options between them
  for (let start = 0; start < args.length; start++) {
    if (!wordMatches(words[0]!.alternatives, args[start]!)) continue;
    let cursor = start + 1;
    let matched = 1;
    while (matched < words.length && cursor < args.length) {
      const arg = args[cursor]!;
      if (wordMatches(words[matched]!.alternatives, arg)) matched++;
      else if (!arg.startsWith('-')) break;
      cursor++;
    }
    if (matched === words.length) return true;
  }
  return false;
}

function wordMatches(alternatives: string[], arg: string): boolean {
  return alternatives.some((alternative) => {
    if (alternative === '*') return !arg.startsWith('-') || /^-\d+$/.test(arg);
    if (alternative === '-N') return /^-\d+$/.test(arg);
    return alternative === arg;
  });
}
