import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyLine } from '../../src/guard/classify.js';
import { DESTRUCTIVE_COMMANDS } from '../../src/guard/commands.js';
import { PROJECT_ROOT, tempDir } from '../helpers/repo.js';

/**
 * The table of destructive commands, row by row: for each row, commands people type that must
 * match it, and close relatives that must not (a guard that blocks `prisma migrate dev` is one
 * people turn off). A new row without cases fails the first test.
 */

/** Where the commands run: SQL files some of them are given. */
const cwd = tempDir('dbsafe-guard-commands-');
mkdirSync(path.join(cwd, 'sql'));
writeFileSync(path.join(cwd, 'sql', 'drop.sql'), 'DROP TABLE users;\n');
writeFileSync(path.join(cwd, 'sql', 'read.sql'), 'SELECT count(*) FROM users;\n');
// migration files that tell whether a version named is the newest or older (a rollback)
for (const [dir, names] of [
  ['db/migrate', ['20240101000000_create_users.rb', '20240201000000_add_email.rb', '20240301000000_create_orders.rb']],
  ['db/gm', ['1_users.up.sql', '1_users.down.sql', '2_email.up.sql', '2_email.down.sql', '3_orders.up.sql', '3_orders.down.sql']],
  ['shop/migrations', ['__init__.py', '0001_initial.py', '0002_add_email.py', '0003_orders.py']],
] as const) {
  mkdirSync(path.join(cwd, dir), { recursive: true });
  for (const name of names) writeFileSync(path.join(cwd, dir, name), '');
}
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const CASES: Record<string, { match: string[]; miss: string[] }> = {
  'supabase db reset': {
    match: ['supabase db reset', 'supabase db reset --linked', 'supabase --workdir app db reset', 'supabase db reset --db-url postgres://localhost/x'],
    miss: ['supabase db diff', 'supabase start', 'supabase db push'],
  },
  'supabase db push --include-all|--include-seed': {
    match: ['supabase db push --include-all', 'supabase db push --include-seed --linked'],
    miss: ['supabase db push', 'supabase db push --dry-run'],
  },
  'supabase stop --no-backup': { match: ['supabase stop --no-backup', 'npx supabase stop --project-id app --no-backup'], miss: ['supabase stop', 'supabase status'] },
  'supabase migration down': { match: ['supabase migration down', 'supabase migration down --last 2'], miss: ['supabase migration up', 'supabase migration new down'] },
  'prisma migrate reset': { match: ['prisma migrate reset', 'prisma migrate reset --force --skip-seed'], miss: ['prisma migrate dev', 'prisma migrate dev --name reset', 'prisma migrate deploy'] },
  'prisma db push --force-reset|--accept-data-loss': {
    match: ['prisma db push --force-reset', 'prisma db push --accept-data-loss', 'prisma db push --accept-data-loss=true'],
    miss: ['prisma db push', 'prisma db pull --force'],
  },
  'drizzle-kit push --force': { match: ['drizzle-kit push --force', 'drizzle-kit push --config x.ts --force'], miss: ['drizzle-kit push', 'drizzle-kit generate --force'] },
  'rails|rake db:drop|db:reset|db:schema:load|db:structure:load|db:migrate:reset|db:purge|db:truncate_all|db:seed:replant|db:fixtures:load': {
    match: ['rails db:drop', 'rake db:reset', 'bin/rails db:schema:load', 'rails db:migrate:reset', 'rake db:purge', 'rails db:truncate_all', 'rails db:structure:load', 'rails db:seed:replant', 'bin/rails db:fixtures:load'],
    miss: ['rails db:migrate', 'rake db:seed', 'rails db:create', 'rails generate migration DropUsers'],
  },
  'rails|rake db:migrate': {
    match: ['rails db:migrate VERSION=20240101000000', 'VERSION=0 bin/rails db:migrate', 'rake db:migrate VERSION=20240201000000 RAILS_ENV=production'],
    miss: ['rails db:migrate', 'rails db:migrate VERSION=20240301000000', 'bin/rails db:migrate VERSION=20990101000000', 'rails db:migrate:status'],
  },
  'manage.py|django-admin migrate': {
    match: ['python manage.py migrate shop 0001', 'python manage.py migrate --database default shop 0002_add_email', 'django-admin migrate shop 0002'],
    miss: ['python manage.py migrate', 'python manage.py migrate shop', 'python manage.py migrate shop 0003', 'python manage.py migrate shop 0001 --plan', 'python manage.py migrate shop 0001 --fake'],
  },
  'migrate goto': {
    match: ['migrate -path db/gm -database postgres://localhost/app goto 1', 'migrate -source file://db/gm -database sqlite3://dev.db goto 0', 'migrate -path=db/gm -database x goto 2'],
    miss: ['migrate -path db/gm -database postgres://localhost/app goto 3', 'migrate -path db/gm -database postgres://localhost/app up'],
  },
  'rails|rake db:rollback|db:migrate:down|db:migrate:redo': {
    match: ['rails db:rollback', 'rails db:rollback STEP=3', 'rake db:migrate:down VERSION=20240101', 'bin/rails db:migrate:redo'],
    miss: ['rails db:migrate:up VERSION=1', 'rails db:migrate:status'],
  },
  'alembic downgrade *': { match: ['alembic downgrade base', 'alembic downgrade -1', 'alembic -c alembic.ini downgrade ae10'], miss: ['alembic upgrade head', 'alembic history'] },
  'manage.py|django-admin flush': { match: ['./manage.py flush', 'python manage.py flush --noinput', 'django-admin flush'], miss: ['python manage.py sqlflush', 'python manage.py migrate'] },
  'manage.py|django-admin migrate * zero': { match: ['python manage.py migrate shop zero', 'python3 -m django migrate shop zero'], miss: ['python manage.py migrate shop', 'python manage.py migrate shop 0003'] },
  'manage.py|django-admin reset_db': { match: ['python manage.py reset_db --noinput'], miss: ['python manage.py reset_schema_cache'] },
  'artisan migrate:fresh|migrate:reset|migrate:refresh|db:wipe': { match: ['php artisan migrate:fresh --seed', 'php artisan db:wipe', 'php artisan migrate:refresh'], miss: ['php artisan migrate', 'php artisan migrate:status'] },
  'artisan migrate:rollback': { match: ['php artisan migrate:rollback', 'php artisan migrate:rollback --step=2'], miss: ['php artisan migrate', 'php artisan migrate:status'] },
  // every rollback runs down migrations, which drop what the up created: one step as well as all of them
  'knex migrate:rollback|migrate:down': {
    match: ['knex migrate:rollback', 'knex migrate:rollback --all', 'npx knex migrate:rollback --all --env production', 'npx knex migrate:down'],
    miss: ['knex migrate:latest', 'knex migrate:up', 'knex migrate:make drop_users'],
  },
  'sequelize|sequelize-cli db:migrate:undo|db:migrate:undo:all': {
    match: ['sequelize db:migrate:undo', 'npx sequelize-cli db:migrate:undo --name 20240101-add-users.js', 'sequelize db:migrate:undo:all', 'npx sequelize-cli db:migrate:undo:all --to 0'],
    miss: ['sequelize db:migrate', 'sequelize db:migrate:status', 'sequelize db:seed:undo'],
  },
  'typeorm|typeorm-ts-node-commonjs|typeorm-ts-node-esm migration:revert': {
    match: ['typeorm migration:revert -d src/data-source.ts', 'npx typeorm-ts-node-esm migration:revert -d ./ds.ts'],
    miss: ['typeorm migration:run -d src/data-source.ts', 'typeorm migration:show'],
  },
  'sequelize|sequelize-cli db:drop': { match: ['sequelize db:drop', 'npx sequelize-cli db:drop'], miss: ['sequelize db:create'] },
  'typeorm|typeorm-ts-node-commonjs|typeorm-ts-node-esm schema:drop': { match: ['typeorm schema:drop -d src/data-source.ts', 'npx typeorm-ts-node-esm schema:drop'], miss: ['typeorm schema:log', 'typeorm migration:run'] },
  'typeorm|typeorm-ts-node-commonjs|typeorm-ts-node-esm schema:sync': { match: ['typeorm schema:sync -d src/data-source.ts', 'npx typeorm-ts-node-commonjs schema:sync'], miss: ['typeorm schema:log', 'typeorm migration:generate'] },
  'sqitch revert|rebase|checkout': { match: ['sqitch revert', 'sqitch revert --to @HEAD^ -y', 'sqitch rebase -y', 'sqitch checkout main'], miss: ['sqitch deploy', 'sqitch status', 'sqitch verify'] },
  'atlas schema clean': { match: ['atlas schema clean -u "postgres://localhost/app"', 'atlas schema clean --env local --auto-approve'], miss: ['atlas schema inspect -u "postgres://localhost/app"', 'atlas migrate apply'] },
  'atlas migrate down': { match: ['atlas migrate down --env local', 'atlas migrate down 2 --url "postgres://localhost/app"'], miss: ['atlas migrate apply --env local', 'atlas migrate status'] },
  'atlas schema apply --auto-approve': { match: ['atlas schema apply --url "postgres://localhost/app" --to file://schema.hcl --auto-approve'], miss: ['atlas schema apply --url "postgres://localhost/app" --to file://schema.hcl', 'atlas schema diff'] },
  dropdb: { match: ['dropdb app_dev', 'dropdb --if-exists -h localhost app'], miss: ['createdb app_dev', 'pg_dump app'] },
  'mysqladmin|mariadb-admin drop': { match: ['mysqladmin -u root drop app', 'mariadb-admin drop app'], miss: ['mysqladmin status', 'mysqladmin create app'] },
  'pg_restore --clean|-c': { match: ['pg_restore --clean -d app dump.bin', 'pg_restore -c --if-exists -d app dump.bin'], miss: ['pg_restore -d app_copy dump.bin', 'pg_restore -l dump.bin'] },
  'docker|podman down --volumes|-v': { match: ['docker compose down -v', 'docker compose -f dev.yml down --volumes', 'podman compose down -v'], miss: ['docker compose down', 'docker compose up -d', 'docker compose logs -f db'] },
  'docker-compose|podman-compose down --volumes|-v': { match: ['docker-compose down -v', 'podman-compose down --volumes'], miss: ['docker-compose down', 'docker-compose ps'] },
  'docker|podman rm --volumes|-v|-fv|-vf|-sv|-vs|-fsv|-svf': {
    match: ['docker rm -v pg', 'docker rm -fv pg', 'podman rm --volumes pg', 'docker compose rm -s -v -f db', 'docker compose rm -fsv db'],
    miss: ['docker rm pg', 'docker rm -f pg', 'docker compose rm -f db', 'docker run -v data:/var/lib/postgresql/data postgres'],
  },
  'docker-compose|podman-compose rm --volumes|-v|-fv|-vf|-sv|-vs|-fsv|-svf': { match: ['docker-compose rm -v db', 'docker-compose rm -fv'], miss: ['docker-compose rm -f db', 'docker-compose up -d'] },
  'docker|podman system prune --volumes': { match: ['docker system prune --volumes', 'docker system prune -a --volumes -f'], miss: ['docker system prune -f', 'docker system df'] },
  'kubectl|oc delete pvc|pv|persistentvolumeclaim|persistentvolumeclaims|persistentvolume|persistentvolumes': {
    match: ['kubectl delete pvc postgres-data', 'kubectl -n db delete persistentvolumeclaim data-pg-0', 'oc delete pv pv-0001'],
    miss: ['kubectl delete pod pg-0', 'kubectl get pvc', 'kubectl describe pvc postgres-data'],
  },
  'docker|podman volume rm|prune': { match: ['docker volume rm app_pgdata', 'docker volume prune -f', 'podman volume rm pgdata'], miss: ['docker volume ls', 'docker volume create pgdata', 'docker volume inspect pgdata'] },
  'flyway undo': { match: ['flyway undo', 'flyway -url=jdbc:postgresql://localhost/app undo -target=3'], miss: ['flyway migrate', 'flyway info'] },
  'liquibase rollback|rollbackCount|rollback-count|rollbackToDate|rollback-to-date|rollbackOneChangeSet|rollback-one-changeset|rollbackOneUpdate|rollback-one-update': {
    match: ['liquibase rollback --tag=v1.2', 'liquibase rollbackCount 1', 'liquibase rollback-count --count=2', 'liquibase --changelog-file=db.xml rollback-to-date 2026-01-01'],
    miss: ['liquibase rollback-sql v1', 'liquibase rollbackCountSQL 1', 'liquibase update', 'liquibase future-rollback-sql'],
  },
  'flyway clean': {
    match: ['flyway clean', 'flyway -url=jdbc:postgresql://localhost/app -user=app clean', 'flyway -configFiles=conf/flyway.conf clean'],
    miss: ['flyway migrate', 'flyway info', 'flyway validate', 'flyway repair'],
  },
  'liquibase dropAll|drop-all': {
    match: ['liquibase dropAll', 'liquibase --changelog-file=db.xml drop-all', 'liquibase drop-all --url=jdbc:postgresql://localhost/app'],
    miss: ['liquibase update', 'liquibase status', 'liquibase rollback-sql v1'],
  },
  'dbmate rollback|down': { match: ['dbmate rollback', 'dbmate --url postgres://localhost/app down', 'npx dbmate rollback'], miss: ['dbmate up', 'dbmate status', 'dbmate new rollback_users'] },
  'dbmate drop': { match: ['dbmate drop', 'dbmate --url postgres://localhost/app drop', 'npx dbmate drop'], miss: ['dbmate up', 'dbmate migrate', 'dbmate create', 'dbmate new drop_users'] },
  'migrate drop': {
    match: ['migrate -path db/migrations -database postgres://localhost/app drop -f', 'migrate -source file://migrations -database sqlite3://dev.db drop'],
    miss: ['migrate -path db/migrations -database postgres://localhost/app up', 'migrate create -ext sql -dir db/migrations drop_users'],
  },
  'migrate down': {
    match: ['migrate -path db -database postgres://localhost/app down -all', 'migrate -path db -database postgres://localhost/app down 1', 'migrate -database sqlite3://dev.db -path db down'],
    miss: ['migrate -path db -database postgres://localhost/app up 2', 'migrate create -ext sql -dir db down_users', 'migrate -path db -database postgres://localhost/app version'],
  },
  'goose reset': { match: ['goose reset', 'goose -dir db/migrations postgres "user=app dbname=app" reset'], miss: ['goose up', 'goose status', 'goose version'] },
  'goose down|down-to|redo': {
    match: ['goose down', 'goose down-to 0', 'goose -dir migrations sqlite3 ./app.db down-to 0', 'goose down-to 20240101000000', 'goose redo'],
    miss: ['goose up-to 0', 'goose up', 'goose status', 'goose create add_users sql'],
  },
  'mikro-orm|mikro-orm-esm schema:drop|schema:fresh|migration:fresh': {
    match: ['npx mikro-orm schema:drop --run', 'mikro-orm schema:fresh --run --seed', 'npx mikro-orm-esm migration:fresh'],
    miss: ['npx mikro-orm migration:up', 'mikro-orm schema:update --run', 'mikro-orm migration:create'],
  },
  'mix ecto.drop|ecto.reset': { match: ['mix ecto.drop', 'MIX_ENV=prod mix ecto.reset'], miss: ['mix ecto.migrate', 'mix ecto.create', 'mix test'] },
  'mix ecto.rollback': { match: ['mix ecto.rollback --all', 'mix ecto.rollback', 'mix ecto.rollback --step 1'], miss: ['mix ecto.migrate', 'mix ecto.migrations'] },
  'mikro-orm|mikro-orm-esm migration:down': { match: ['npx mikro-orm migration:down', 'mikro-orm-esm migration:down --to 0'], miss: ['npx mikro-orm migration:up', 'mikro-orm migration:list'] },
  'aws rds delete-db-instance|delete-db-cluster': {
    match: ['aws rds delete-db-instance --db-instance-identifier prod --skip-final-snapshot', 'aws --profile ops rds delete-db-cluster --db-cluster-identifier app'],
    miss: ['aws rds describe-db-instances', 'aws rds create-db-snapshot --db-instance-identifier prod --db-snapshot-identifier s1'],
  },
  'gcloud sql instances|databases delete': { match: ['gcloud sql instances delete prod-db', 'gcloud sql databases delete app --instance=prod-db -q'], miss: ['gcloud sql instances list', 'gcloud sql backups create --instance=prod-db'] },
  'az postgres|mysql|sql flexible-server|server|db delete': {
    match: ['az postgres flexible-server delete --name prod --resource-group rg --yes', 'az sql db delete --name app --server s1 --resource-group rg'],
    miss: ['az postgres flexible-server list', 'az sql db show --name app --server s1 --resource-group rg'],
  },
  'neonctl|neon projects|branches|databases delete|reset': { match: ['neonctl branches delete br-main-123', 'neonctl projects delete p-1', 'neon branches reset dev --parent'], miss: ['neonctl branches list', 'neonctl branches create --name dev'] },
  'wrangler d1 delete': { match: ['wrangler d1 delete prod-db', 'npx wrangler d1 delete prod-db -y'], miss: ['wrangler d1 list', 'wrangler d1 migrations apply prod-db'] },
  'turso db destroy': { match: ['turso db destroy app --yes'], miss: ['turso db list', 'turso db create app'] },
  'pscale database|branch delete': { match: ['pscale database delete app --force', 'pscale branch delete app dev'], miss: ['pscale branch list app', 'pscale deploy-request create app dev'] },
  'heroku pg:reset': { match: ['heroku pg:reset DATABASE_URL --app myapp --confirm myapp', 'heroku pg:reset'], miss: ['heroku pg:info', 'heroku pg:psql', 'heroku pg:backups:capture'] },
  pg_dropcluster: { match: ['pg_dropcluster 15 main', 'sudo pg_dropcluster --stop 15 main'], miss: ['pg_lsclusters', 'pg_createcluster 15 main'] },
  'rm|unlink|shred|trash|truncate|cp|install|dd|tee|find|git': {
    match: [
      'rm db/development.sqlite3',
      'rm -f prisma/dev.db prisma/dev.db-journal',
      'unlink db.sqlite3',
      'rm -rf data/app.db-wal',
      'truncate -s 0 prisma/dev.db',
      'cp /dev/null db/development.sqlite3',
      'cp seed.db prisma/dev.db',
      'dd if=/dev/zero of=dev.db bs=1k count=1',
      'echo | tee app.sqlite3',
      'echo > prisma/dev.db',
      ': > db.sqlite3',
    ],
    miss: ['rm -rf node_modules', 'rm db/schema.rb', 'rm dump.sql', 'rm -f "$TMPFILE"', 'cp prisma/dev.db /tmp/backup.db.bak', 'tee -a app.db', 'echo x >> log.txt', 'echo x > out.txt', 'git status', 'git clean -fd'],
  },
  'prisma db execute': {
    match: ['npx prisma db execute --file sql/drop.sql --schema prisma/schema.prisma', 'echo "TRUNCATE users" | prisma db execute --stdin --url "postgres://localhost/app"'],
    miss: ['prisma db execute --file sql/read.sql --schema prisma/schema.prisma', 'prisma db pull', 'prisma migrate dev < sql/drop.sql'],
  },
  'manage.py|django-admin dbshell': { match: ['python manage.py dbshell < sql/drop.sql', 'python manage.py dbshell -- -c "DROP TABLE users"'], miss: ['python manage.py dbshell', 'python manage.py migrate < sql/drop.sql'] },
  'rails dbconsole|db': { match: ['rails dbconsole < sql/drop.sql', 'echo "DELETE FROM users" | bin/rails db -p'], miss: ['rails dbconsole', 'rails db:migrate < sql/drop.sql'] },
  psql: {
    match: ['psql -c "DROP TABLE users"', "psql app -c 'TRUNCATE orders'", 'psql --command="DELETE FROM users"', 'echo "DROP SCHEMA public CASCADE" | psql', "psql <<< 'ALTER TABLE users DROP COLUMN email'"],
    miss: ['psql -c "SELECT count(*) FROM users"', 'psql -c "DELETE FROM users WHERE id = 3"', 'psql app', 'psql -l'],
  },
  'mysql|mariadb': {
    match: ['mysql -e "DROP DATABASE app"', 'mariadb app --execute="TRUNCATE TABLE t"', 'mysql -e"DELETE FROM users"'],
    miss: ['mysql -e "SELECT 1"', 'mysql app'],
  },
  sqlite3: {
    match: ['sqlite3 dev.db "DROP TABLE users"', "sqlite3 dev.db 'DELETE FROM users'", 'sqlite3 -cmd "DROP TABLE t" dev.db'],
    miss: ['sqlite3 dev.db "SELECT 1"', 'sqlite3 dev.db .tables', 'sqlite3 dev.db'],
  },
};

describe('the table of destructive commands', () => {
  it('has cases for every row, and no cases for rows that do not exist', () => {
    expect(Object.keys(CASES).sort()).toEqual(DESTRUCTIVE_COMMANDS.map((row) => row.pattern).sort());
  });

  for (const row of DESTRUCTIVE_COMMANDS) {
    describe(row.pattern, () => {
      for (const command of CASES[row.pattern]?.match ?? []) {
        it(`matches: ${command}`, async () => {
          const result = await classifyLine(command, { cwd });
          expect(result.matches.map((match) => match.row.pattern), JSON.stringify(result)).toContain(row.pattern);
          expect(result.destructive).toBe(true);
        });
      }
      for (const command of CASES[row.pattern]?.miss ?? []) {
        it(`does not match: ${command}`, async () => {
          const result = await classifyLine(command, { cwd });
          expect(result, JSON.stringify(result)).toMatchObject({ destructive: false, matches: [], unsure: [] });
        });
      }
    });
  }

  it('is the table docs/guard.md shows', () => {
    const doc = readFileSync(path.join(PROJECT_ROOT, 'docs', 'guard.md'), 'utf8');
    const start = doc.indexOf('<!-- commands-table -->');
    const end = doc.indexOf('<!-- /commands-table -->');
    expect(start, 'docs/guard.md has the markers around the table').toBeGreaterThan(-1);
    const rows = doc
      .slice(start, end)
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| tool') && !line.startsWith('|---'))
      .map((line) => line.slice(2, -2).split(' | ').map((cell) => cell.trim()));
    const unescape = (cell: string) => cell.replace(/^`|`$/g, '').replace(/\\\|/g, '|');
    expect(rows.map(([tool, pattern, destroys, target]) => ({ tool, pattern: unescape(pattern!), destroys, target }))).toEqual(
      DESTRUCTIVE_COMMANDS.map((row) => ({ tool: row.tool, pattern: row.pattern, destroys: row.destroys, target: row.target })),
    );
  });
});

describe('migrating to a version: a rollback when it is older than the newest migration file', () => {
  it('says what it reverts', async () => {
    const rails = await classifyLine('rails db:migrate VERSION=20240101000000', { cwd });
    expect(rails.matches[0]?.found).toEqual(['reverts the 2 migrations after VERSION=20240101000000 (20240201000000_add_email.rb, 20240301000000_create_orders.rb)']);
    const django = await classifyLine('python manage.py migrate shop 0002', { cwd });
    expect(django.matches[0]?.found).toEqual(['reverts the 1 migration after shop 0002_add_email (0003_orders)']);
  });

  const elsewhere = tempDir('dbsafe-guard-noversions-');
  afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));
  it.each([
    ['no migration files to compare with', 'rails db:migrate VERSION=20240101000000', elsewhere, /no migration file in db\/migrate/],
    ['a version only known when it runs', 'rails db:migrate VERSION=$TARGET', cwd, /only known when it runs/],
    ['a version in the environment only known when it runs', 'VERSION=$TARGET rails db:migrate', cwd, /only known when it runs/],
    ['not a version', 'rails db:migrate VERSION=latest', cwd, /not a migration version/],
    ['migrations not in a folder', 'migrate -source github://org/repo/migrations -database postgres://x goto 1', cwd, /not in a folder/],
    ['no folder given', 'migrate -database postgres://x goto 1', cwd, /not in a folder/],
    ['an app whose migrations are not found', 'python manage.py migrate billing 0001', cwd, /migrations folder of the app billing was not found/],
    ['a prefix that names two migrations', 'python manage.py migrate shop 000', cwd, /more than one migration/],
  ])('unsure (counted as destructive): %s', async (_why, line, where, says) => {
    const result = await classifyLine(line, { cwd: where });
    expect(result.destructive).toBe(true);
    expect(result.unsure.join('\n')).toMatch(says);
  });

  it('VERSION=0 reverts every migration, files or not', async () => {
    expect((await classifyLine('rails db:migrate VERSION=0', { cwd: elsewhere })).matches[0]?.found).toEqual(['VERSION=0 reverts every migration']);
  });
});
