import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/model/operation.js';
import { OPERATION_RULES } from '../../src/rules/index.js';
import { objectOf, read } from './helpers.js';

const fixture = (path: string) => readFileSync(fileURLToPath(new URL(`../fixtures/sql/${path}`, import.meta.url)), 'utf8');

async function summary(path: string, dialect: Dialect): Promise<string[]> {
  const ops = await read(fixture(path), dialect);
  return ops.map((o) => `${o.line}:${o.column} ${o.kind}${o.target ? ' ' + objectOf(o) : ''}${o.flags.embedded ? ' (embedded)' : ''}${o.flags.dataCopied ? ' (copied)' : ''}`);
}

describe('fixtures modelled on real migrations', () => {
  it('PostgreSQL: pg_dump --clean output with COPY data and \\connect', async () => {
    expect(await summary('postgres/pg_dump_clean.sql', 'postgres')).toEqual([
      '19:37 drop-constraint public.order_items.order_items_order_id_fkey',
      '20:1 drop-index public.index_orders_on_user_id',
      '21:1 drop-table public.order_items',
      '22:1 drop-sequence public.orders_id_seq',
      '23:1 drop-function public.set_updated_at',
      '24:1 drop-schema audit',
    ]);
  });

  it('PostgreSQL: Flyway migration with DO blocks, functions and non-ASCII comments', async () => {
    expect(await summary('postgres/V12__reshape_billing.sql', 'postgres')).toEqual([
      '15:5 drop-column billing.invoices.legacy_currency',
      '16:5 alter-column-type billing.invoices.amount',
      '18:35 rename-column billing.Customers.eMail',
      '26:17 opaque (embedded)',
      '30:9 drop-table billing.invoice_tmp (embedded)',
      '42:14 truncate billing.invoice_cache (embedded)',
      '46:1 drop-view billing.v_open_invoices',
      '47:1 drop-view billing.mv_revenue',
      '48:1 drop-type billing.invoice_state',
      '52:1 truncate billing.invoice_cache',
      '53:1 delete-all billing.sessions',
    ]);
  });

  it('MySQL: phpMyAdmin dump with DELIMITER procedures, triggers and versioned comments', async () => {
    expect(await summary('mysql/phpmyadmin_dump.sql', 'mysql')).toEqual([
      '26:5 delete-all cart_items (embedded)',
      '37:1 drop-table carts',
      '71:3 alter-column-type carts.id',
    ]);
  });

  it('MySQL: Laravel schema changes in lower case with backticks', async () => {
    expect(await summary('mysql/laravel_schema_change.sql', 'mysql')).toEqual([
      '4:21 drop-constraint users.users_legacy_id_foreign',
      '5:21 drop-index users.users_legacy_id_index',
      '6:21 drop-column users.legacy_id',
      '6:39 drop-column users.legacy_name',
      '7:21 rename-column posts.body',
      '7:21 alter-column-type posts.body',
      '8:14 rename-table password_resets',
      '9:1 drop-table failed_jobs',
      '10:1 truncate cache',
      '11:1 delete-all sessions',
      '13:20 truncate orders',
    ]);
  });

  it('SQLite: Django sqlmigrate output with the table-rebuild pattern', async () => {
    expect(await summary('sqlite/django_sqlmigrate.sql', 'sqlite')).toEqual([
      '7:1 drop-table shop_product (copied)',
      '8:33 rename-table new__shop_product',
      '13:1 drop-table shop_coupon',
      '17:26 rename-column shop_order.title',
    ]);
  });

  it('SQLite: Android Room migration with triggers', async () => {
    expect(await summary('sqlite/android_room_migration.sql', 'sqlite')).toEqual([
      '5:1 drop-table notes (copied)',
      '6:25 rename-table notes_new',
      '8:1 drop-index index_notes_body',
      '13:3 delete-all notes_cache (embedded)',
      '15:1 drop-trigger notes_old_trigger',
      '16:1 delete-all sync_queue',
    ]);
  });
});

describe('precision: large realistic files with only safe statements', () => {
  it.each<[string, Dialect]>([
    ['postgres/safe_schema.sql', 'postgres'],
    ['mysql/safe_schema.sql', 'mysql'],
    ['mysql/safe_schema.sql', 'mariadb' as Dialect],
    ['sqlite/safe_schema.sql', 'sqlite'],
  ])('%s (%s) repeated 40 times yields nothing, in particular no unparseable/opaque', async (path, dialect) => {
    const text = Array.from({ length: 40 }, () => fixture(path)).join('\n');
    // renames of indexes and constraints are read (off by default: they keep every row)
    expect((await read(text, dialect)).filter((op) => OPERATION_RULES[op.kind].meta.defaultSeverity !== 'off')).toEqual([]);
  });
});
