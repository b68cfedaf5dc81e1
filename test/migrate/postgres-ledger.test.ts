import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/backup/instances.js';
import { buildLedger } from '../../src/migrate/ledger.js';
import { openDatabase } from '../../src/migrate/open.js';
import { skipUnless, startPostgres, type PgServer } from '../helpers/servers.js';

/**
 * The loss ledger's PostgreSQL measurements, case by case on a real server: a column hashed by its type's own
 * hash function must still tell a kept value from a changed one across a type change (cast back to the old type),
 * a rename from a loss, and a copy from a drop.
 */

const skip = skipUnless('postgres');

const SEED = `
DROP SCHEMA public CASCADE; CREATE SCHEMA public;
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE TABLE t (
  id int PRIMARY KEY, n int, price numeric(10,2), label varchar(20), padded text, plain text,
  at timestamp, doc jsonb, meta json, m mood, tags text[],
  flag bool, day date, stamp timestamptz, uid uuid, big bigint, raw bytea, qty positive
);
INSERT INTO t SELECT g, g * 3, g * 1.25, 'label number ' || g, lpad(g::text, 6, '0'), g::text,
  timestamp '2024-01-01 10:30:00' + g * interval '1 hour', jsonb_build_object('g', g), ('{"g":  ' || g || '}')::json,
  CASE WHEN g % 2 = 0 THEN 'ok'::mood ELSE 'sad' END, ARRAY['a', g::text],
  g % 3 = 0, date '2024-01-01' + g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',
  md5(g::text)::uuid, g * 10000000000, decode(md5(g::text), 'hex'), g
FROM generate_series(1, 300) g;
UPDATE t SET n = NULL, label = NULL WHERE id % 10 = 0;
`;

interface Case {
  name: string;
  sql: string;
  /** Expected entries (kind, object, and for type changes whether values changed), sorted as the ledger sorts. */
  entries: Array<Record<string, unknown>>;
  renames?: Array<{ kind: string; from: string; to: string }>;
}

const typeChange = (column: string, changed: boolean, extra: Record<string, unknown> = {}) => ({ kind: 'type-changed', object: `t.${column}`, changed, nulled: 0, destroysData: changed, ...extra });

const CASES: Case[] = [
  // type changes that keep every value: no loss
  { name: 'int → bigint', sql: 'ALTER TABLE t ALTER COLUMN n TYPE bigint', entries: [typeChange('n', false, { from: 'integer', to: 'bigint' })] },
  { name: 'int → text', sql: 'ALTER TABLE t ALTER COLUMN n TYPE text', entries: [typeChange('n', false)] },
  { name: 'numeric(10,2) → numeric(14,2)', sql: 'ALTER TABLE t ALTER COLUMN price TYPE numeric(14,2)', entries: [typeChange('price', false)] },
  { name: 'varchar(20) → text', sql: 'ALTER TABLE t ALTER COLUMN label TYPE text', entries: [typeChange('label', false)] },
  { name: 'canonical text → int', sql: 'ALTER TABLE t ALTER COLUMN plain TYPE int USING plain::int', entries: [typeChange('plain', false)] },
  { name: 'timestamp → timestamptz', sql: 'ALTER TABLE t ALTER COLUMN at TYPE timestamptz', entries: [typeChange('at', false)] },
  { name: 'bigint → numeric', sql: 'ALTER TABLE t ALTER COLUMN big TYPE numeric', entries: [typeChange('big', false)] },
  { name: 'domain → int', sql: 'ALTER TABLE t ALTER COLUMN qty TYPE int', entries: [typeChange('qty', false)] },
  { name: 'enum → text', sql: 'ALTER TABLE t ALTER COLUMN m TYPE text', entries: [typeChange('m', false)] },
  { name: 'jsonb → json', sql: 'ALTER TABLE t ALTER COLUMN doc TYPE json', entries: [typeChange('doc', false)] },
  {
    name: 'enum → another enum with the same labels, the old one dropped',
    sql: "CREATE TYPE mood2 AS ENUM ('ok', 'sad', 'meh'); ALTER TABLE t ALTER COLUMN m TYPE mood2 USING m::text::mood2; DROP TYPE mood",
    entries: [typeChange('m', false, { from: 'mood', to: 'mood2' })],
  },
  // type changes that change values: a loss
  { name: 'numeric(10,2) → int (rounded)', sql: 'ALTER TABLE t ALTER COLUMN price TYPE int', entries: [typeChange('price', true, { from: 'numeric(10,2)', to: 'integer' })] },
  { name: 'numeric(10,2) → numeric(10,1) (rounded)', sql: 'ALTER TABLE t ALTER COLUMN price TYPE numeric(10,1)', entries: [typeChange('price', true)] },
  { name: 'varchar(20) → varchar(8) USING left()', sql: 'ALTER TABLE t ALTER COLUMN label TYPE varchar(8) USING left(label, 8)', entries: [typeChange('label', true)] },
  { name: 'zero-padded text → int', sql: 'ALTER TABLE t ALTER COLUMN padded TYPE int USING padded::int', entries: [typeChange('padded', true)] },
  { name: 'timestamptz → date', sql: "ALTER TABLE t ALTER COLUMN stamp TYPE date", entries: [typeChange('stamp', true)] },
  { name: 'timestamp → date', sql: 'ALTER TABLE t ALTER COLUMN at TYPE date', entries: [typeChange('at', true)] },
  { name: 'int → bigint USING n + 1', sql: 'ALTER TABLE t ALTER COLUMN n TYPE bigint USING n + 1', entries: [typeChange('n', true)] },
  { name: 'json → jsonb (text normalised)', sql: 'ALTER TABLE t ALTER COLUMN meta TYPE jsonb', entries: [typeChange('meta', true)] },
  {
    name: 'int → int USING a value no cast brings back (old type gone)',
    sql: "CREATE TYPE mood2 AS ENUM ('fine', 'blue'); ALTER TABLE t ALTER COLUMN m TYPE mood2 USING (CASE m WHEN 'ok' THEN 'fine' ELSE 'blue' END)::mood2; DROP TYPE mood",
    entries: [typeChange('m', true)],
  },
  {
    name: 'a type change that nulls values (counted, not hashed)',
    sql: "ALTER TABLE t ALTER COLUMN plain TYPE int USING CASE WHEN plain::int % 2 = 0 THEN plain::int END",
    entries: [typeChange('plain', false, { nulled: 150, destroysData: true })],
  },
  // renames and copies: nothing lost
  { name: 'column renamed (int)', sql: 'ALTER TABLE t RENAME COLUMN n TO amount', entries: [], renames: [{ kind: 'column', from: 't.n', to: 't.amount' }] },
  { name: 'column renamed (bool, hashed as text)', sql: 'ALTER TABLE t RENAME COLUMN flag TO active', entries: [], renames: [{ kind: 'column', from: 't.flag', to: 't.active' }] },
  { name: 'column renamed (array, hashed as text)', sql: 'ALTER TABLE t RENAME COLUMN tags TO labels', entries: [], renames: [{ kind: 'column', from: 't.tags', to: 't.labels' }] },
  { name: 'table renamed', sql: 'ALTER TABLE t RENAME TO things', entries: [], renames: [{ kind: 'table', from: 't', to: 'things' }] },
  { name: 'table copied, then the original dropped', sql: 'CREATE TABLE things AS SELECT * FROM t; DROP TABLE t', entries: [], renames: [{ kind: 'table', from: 't', to: 'things' }] },
  // copies and renames that lose something
  {
    name: 'table copied with changed values, then dropped',
    sql: 'CREATE TABLE things AS SELECT id, n + 1 AS n, price, label, padded, plain, at, doc, meta, m, tags FROM t; DROP TABLE t',
    entries: [{ kind: 'table-dropped', object: 't', rows: 300, destroysData: true }],
  },
  {
    name: 'column renamed and its values changed',
    sql: 'ALTER TABLE t RENAME COLUMN n TO amount; UPDATE t SET amount = amount + 1',
    entries: [{ kind: 'column-dropped', object: 't.n', values: 270, destroysData: true }],
  },
  { name: 'column dropped', sql: 'ALTER TABLE t DROP COLUMN label', entries: [{ kind: 'column-dropped', object: 't.label', values: 270, destroysData: true }] },
  { name: 'rows deleted', sql: 'DELETE FROM t WHERE id > 250', entries: [{ kind: 'rows-deleted', object: 't', rows: 50, destroysData: true }] },
];

describe.skipIf(skip)('the loss ledger on PostgreSQL 15: type changes, renames and copies', { timeout: 120_000 }, () => {
  let pg: PgServer;
  beforeAll(async () => {
    pg = await startPostgres();
    pg.sql('postgres', 'CREATE DATABASE ledger');
  });
  afterAll(async () => {
    await pg?.stop();
  });

  async function measure(sql: string) {
    pg.sql('ledger', SEED);
    const db = await openDatabase({ family: 'postgres', server: parseServerUrl(pg.url('ledger'), 'test') }, 'test');
    try {
      const before = await db.state();
      pg.sql('ledger', sql);
      const after = await db.state(before);
      return { before, ledger: buildLedger(before, after) };
    } finally {
      await db.close();
    }
  }

  it.each(CASES)('$name', async ({ sql, entries, renames }) => {
    const { ledger } = await measure(sql);
    expect(ledger.entries).toEqual(entries.map((entry) => expect.objectContaining(entry)));
    expect(ledger.renames).toEqual(renames ?? []);
  });

  it('hashes by the type’s own hash function where PostgreSQL has one, by the text otherwise', async () => {
    const { before } = await measure('SELECT 1');
    const hashBy = Object.fromEntries(Object.entries(before.tables.t!.columns).map(([name, column]) => [name, column.hashBy ?? 'text']));
    expect(hashBy).toEqual({
      id: 'hashint4',
      n: 'hashint4',
      price: 'hash_numeric',
      label: 'text',
      padded: 'hashtext',
      plain: 'hashtext',
      at: 'timestamp_hash',
      doc: 'jsonb_hash',
      meta: 'text',
      m: 'text',
      tags: 'text',
      flag: 'text',
      day: 'text',
      stamp: 'text',
      uid: 'uuid_hash',
      big: 'hashint8',
      raw: 'text',
      qty: 'hashint4',
    });
  });
});
