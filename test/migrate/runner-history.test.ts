import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { filesAppliedBy, keyNamesFile, newHistoryKeys } from '../../src/migrate/runner-history.js';

/** Which file a value of a runner's history table names (a command-mode dry-run reads markers only from those). */
const file = (path: string, text = '') => ({ path, text });
const drizzleSql = 'CREATE TABLE a (id int);';
const NAMES: Array<[string, string, ReturnType<typeof file>, boolean]> = [
  ['Prisma folder', '20240101120000_init', file('prisma/migrations/20240101120000_init/migration.sql'), true],
  ['Knex file name', '20240101_add_users.js', file('migrations/20240101_add_users.js'), true],
  ['Sequelize file name', '20240101-create-user.js', file('migrations/20240101-create-user.js'), true],
  ['Rails version', '20240101120000', file('db/migrate/20240101120000_add_x.rb'), true],
  ['golang-migrate version, leading zeros', '5', file('migrations/000005_x.up.sql'), true],
  ['dbmate version', '20240101120000', file('db/migrations/20240101120000_x.sql'), true],
  ['Flyway script', 'V5__init.sql', file('db/migration/V5__init.sql'), true],
  ['Flyway version', '5', file('db/migration/V5__init.sql'), true],
  ['Django stem', '0002_auto_20240101', file('shop/migrations/0002_auto_20240101.py'), true],
  ['Drizzle hash', createHash('sha256').update(drizzleSql).digest('hex'), file('drizzle/0001_x.sql', drizzleSql), true],
  ['Alembic revision', 'ae1027a6acf', file('alembic/versions/x_add.py', "revision = 'ae1027a6acf'\ndown_revision = '1975ea83b712'"), true],
  ['Liquibase path', 'db/changelog/001-init.xml', file('db/changelog/001-init.xml'), true],
  // not the file
  ['another version', '5', file('migrations/000050_x.up.sql'), false],
  ['a prefix of the version', '1', file('migrations/10_x.sql'), false],
  ['part of the name', 'x', file('migrations/1_x.sql'), false],
  ['empty', '', file('migrations/1_x.sql'), false],
  ['Alembic down_revision', '1975ea83b712', file('alembic/versions/x_add.py', "revision = 'ae1027a6acf'\ndown_revision = '1975ea83b712'"), false],
  ['another hash', 'a'.repeat(64), file('drizzle/0001_x.sql', drizzleSql), false],
  ['a file without a version', '1', file('migrations/init.sql'), false],
];

describe('a history value names a migration file', () => {
  for (const [what, key, target, expected] of NAMES) {
    it(`${expected ? 'names' : 'does not name'}: ${what}`, () => expect(keyNamesFile(key, target)).toBe(expected));
  }

  it('only the values the command added count, and only the files they name', () => {
    const added = newHistoryKeys(['1', '2'], ['1', '2', '3', '3']);
    expect(added).toEqual(['3']);
    expect(filesAppliedBy(added, [file('db/1_old.sql'), file('db/3_new.sql'), file('db/30_later.sql')])).toEqual(['db/3_new.sql']);
  });
});
