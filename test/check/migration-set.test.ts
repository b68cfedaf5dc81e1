import { describe, expect, it } from 'vitest';
import { compileMigrationSet } from '../../src/check/migration-set.js';
import { configSchema } from '../../src/config/schema.js';

describe('compileMigrationSet', () => {
  it('first matching entry decides format and dialect; mariadb is read as mysql; ignore leaves files out', () => {
    const config = configSchema.parse({
      dialect: 'mariadb',
      migrations: [
        { glob: 'db/migrations/*.sql', ignore: ['db/migrations/seed_*.sql'] },
        { glob: ['alembic/versions/*.py'], format: 'alembic', dialect: 'postgres' },
      ],
    });
    const set = compileMigrationSet(config);
    expect(set.classify('db/migrations/001.sql')).toEqual({ format: 'auto', dialect: 'mysql' });
    expect(set.classify('db/migrations/seed_users.sql')).toBeUndefined();
    expect(set.classify('alembic/versions/abc_drop.py')).toEqual({ format: 'alembic', dialect: 'postgres' });
    expect(set.classify('src/app.ts')).toBeUndefined();
    expect(set.prefixes.sort()).toEqual(['alembic/versions', 'db/migrations']);
  });

  it('the default globs take every .sql file, in dot directories too, and match odd paths', () => {
    const set = compileMigrationSet(configSchema.parse({}));
    expect(set.classify('db/migrations/004 ünï "q".sql')).toBeDefined();
    expect(set.classify('.hidden/migrations/1.sql')).toBeDefined();
    expect(set.classify('x.sql')).toBeDefined();
    expect(set.classify('README.md')).toBeUndefined();
    expect(set.prefixes).toContain('');
  });
});
