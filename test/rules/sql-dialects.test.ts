import { describe, expect, it } from 'vitest';
import type { UserConfig } from '../../src/config/schema.js';
import type { Dialect } from '../../src/model/operation.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { readSql } from '../../src/sql/index.js';
import { config } from './helpers.js';

/**
 * Rules end to end on real SQL per dialect (the SQL readers produce the operations): the rule a
 * user sees, its severity, and the object named in the message. `valid` rows must not fire the rule.
 */
type Row = [rule: string, dialect: Dialect, sql: string, expect: { severity: 'error' | 'warn'; object: string } | 'valid', cfg?: UserConfig];

const rows: Row[] = [
  ['drop-table', 'postgres', 'DROP TABLE public.users;', { severity: 'error', object: 'public.users' }],
  ['drop-table', 'mysql', 'DROP TABLE IF EXISTS `shop`.`orders`;', { severity: 'error', object: 'shop.orders' }],
  ['drop-table', 'sqlite', 'DROP TABLE "users";', { severity: 'error', object: 'users' }],
  ['drop-table', 'postgres', 'CREATE TABLE users (id int);', 'valid'],
  ['drop-column', 'postgres', 'ALTER TABLE orders DROP COLUMN legacy_total;', { severity: 'error', object: 'orders.legacy_total' }],
  ['drop-column', 'mysql', 'ALTER TABLE orders DROP legacy_total;', { severity: 'error', object: 'orders.legacy_total' }],
  ['drop-column', 'sqlite', 'ALTER TABLE orders DROP COLUMN legacy_total;', { severity: 'error', object: 'orders.legacy_total' }],
  ['drop-column', 'postgres', 'ALTER TABLE orders ADD COLUMN note text;', 'valid'],
  ['drop-schema', 'postgres', 'DROP SCHEMA legacy CASCADE;', { severity: 'error', object: 'legacy' }],
  ['drop-database', 'mysql', 'DROP DATABASE shop;', { severity: 'error', object: 'shop' }],
  ['truncate', 'postgres', 'TRUNCATE events;', { severity: 'error', object: 'events' }],
  ['truncate', 'mysql', 'TRUNCATE TABLE events;', { severity: 'error', object: 'events' }],
  ['delete-all', 'postgres', 'DELETE FROM sessions;', { severity: 'error', object: 'sessions' }],
  ['delete-all', 'mysql', 'DELETE FROM sessions WHERE 1=1;', { severity: 'error', object: 'sessions' }],
  ['delete-all', 'sqlite', 'DELETE FROM sessions;', { severity: 'error', object: 'sessions' }],
  ['delete-all', 'postgres', 'DELETE FROM sessions WHERE expires_at < now();', 'valid'],
  ['update-all', 'postgres', "UPDATE users SET plan = 'free';", { severity: 'error', object: 'users' }],
  ['update-all', 'mysql', "UPDATE users SET plan = 'free' WHERE plan IS NULL;", 'valid'],
  ['drop-index', 'postgres', 'DROP INDEX CONCURRENTLY users_email_idx;', { severity: 'warn', object: 'users_email_idx' }],
  ['drop-index', 'mysql', 'DROP INDEX idx_email ON users;', { severity: 'warn', object: 'users.idx_email' }],
  ['drop-index', 'sqlite', 'DROP INDEX IF EXISTS idx_email;', { severity: 'warn', object: 'idx_email' }],
  ['drop-constraint', 'postgres', 'ALTER TABLE orders DROP CONSTRAINT orders_user_fk;', { severity: 'warn', object: 'orders.orders_user_fk' }],
  ['drop-constraint', 'mysql', 'ALTER TABLE orders DROP FOREIGN KEY orders_user_fk;', { severity: 'warn', object: 'orders.orders_user_fk' }],
  ['drop-view', 'postgres', 'DROP MATERIALIZED VIEW monthly_revenue;', { severity: 'warn', object: 'monthly_revenue' }],
  ['drop-view', 'sqlite', 'DROP VIEW active_users;', { severity: 'warn', object: 'active_users' }],
  ['drop-function', 'postgres', 'DROP FUNCTION touch_updated_at();', { severity: 'warn', object: 'touch_updated_at' }],
  ['drop-type', 'postgres', 'DROP TYPE mood;', { severity: 'warn', object: 'mood' }],
  ['drop-sequence', 'postgres', 'DROP SEQUENCE invoice_no;', { severity: 'warn', object: 'invoice_no' }],
  ['drop-trigger', 'postgres', 'DROP TRIGGER audit ON orders;', { severity: 'warn', object: 'orders.audit' }],
  ['drop-trigger', 'sqlite', 'DROP TRIGGER audit;', { severity: 'warn', object: 'audit' }],
  ['rename-table', 'postgres', 'ALTER TABLE users RENAME TO accounts;', { severity: 'warn', object: 'users' }],
  ['rename-table', 'mysql', 'RENAME TABLE users TO accounts;', { severity: 'warn', object: 'users' }],
  ['rename-column', 'postgres', 'ALTER TABLE users RENAME COLUMN mail TO email;', { severity: 'warn', object: 'users.mail' }],
  ['rename-column', 'sqlite', 'ALTER TABLE users RENAME COLUMN mail TO email;', { severity: 'warn', object: 'users.mail' }],
  ['alter-column-type', 'postgres', 'ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);', { severity: 'warn', object: 'orders.total' }],
  ['alter-column-type', 'mysql', 'ALTER TABLE users MODIFY name varchar(50);', { severity: 'warn', object: 'users.name' }],
  ['unparseable', 'postgres', 'DROP TABEL users;', { severity: 'error', object: '' }],
  ['unparseable', 'mysql', "SELECT 'unterminated;", { severity: 'error', object: '' }],
  ['opaque', 'postgres', "DO $$ BEGIN EXECUTE 'DROP TABLE ' || quote_ident(tbl); END $$;", { severity: 'error', object: '' }],
  // protected objects, per dialect case rules
  ['protected-object', 'postgres', 'DROP TABLE "Users";', 'valid', { protected: ['users'] }],
  ['protected-object', 'postgres', 'DROP TABLE Users;', { severity: 'error', object: 'users' }, { protected: ['users'] }],
  ['protected-object', 'mysql', 'DROP TABLE `Users`;', { severity: 'error', object: 'Users' }, { protected: ['users'] }],
  ['protected-object', 'postgres', 'DROP INDEX auth.users_email_key;', { severity: 'error', object: 'auth.users_email_key' }, { protected: { schemas: ['auth'] } }],
  ['protected-object', 'mysql', 'ALTER TABLE users DROP INDEX idx_email;', { severity: 'error', object: 'users.idx_email' }, { protected: ['users'] }],
  ['protected-object', 'sqlite', 'ALTER TABLE session RENAME TO sessions;', { severity: 'error', object: 'session' }, { external: ['session'] }],
];

describe.each(['postgres', 'mysql', 'sqlite'] as const)('%s', (dialect) => {
  const mine = rows.filter((row) => row[1] === dialect);
  it.each(mine.map((row) => [`${row[0]}: ${row[2]}`, row] as const))('%s', async (_name, [rule, , sql, expected, cfg]) => {
    const operations = await readSql(sql, { path: 'db/migrations/0001.sql', dialect });
    const { findings } = evaluate([{ path: 'db/migrations/0001.sql', text: sql, operations }], config({ dialect, ...cfg }));
    const fired = findings.filter((f) => f.rule === rule);
    if (expected === 'valid') {
      expect(fired).toEqual([]);
      return;
    }
    expect(fired.map((f) => f.severity), JSON.stringify(findings.map((f) => f.message))).toEqual([expected.severity]);
    expect(fired[0].message).toContain(expected.object);
  });
});
