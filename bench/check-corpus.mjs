/**
 * Generates a corpus of realistic PostgreSQL migrations (Flyway-style names) for bench/check-bench.mjs:
 * tables with constraints, indexes (some CONCURRENTLY), plpgsql trigger functions, DO blocks, seed
 * INSERTs, comments with non-ASCII text, and now and then a destructive statement (DROP, TRUNCATE,
 * DELETE without WHERE, type changes, renames), like a real project history. Deterministic.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TYPES = ['bigint', 'integer', 'text', 'varchar(255)', 'boolean NOT NULL DEFAULT false', 'timestamptz NOT NULL DEFAULT now()', 'numeric(12,2)', 'jsonb NOT NULL DEFAULT \'{}\'::jsonb', 'uuid DEFAULT gen_random_uuid()', 'date'];
const WORDS = ['account', 'order', 'invoice', 'payment', 'customer', 'product', 'shipment', 'coupon', 'review', 'session', 'audit', 'event', 'ledger', 'tenant', 'profile'];

function migration(n, next) {
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  const t = `${pick(WORDS)}_${n}`;
  const out = [];
  out.push(`-- V${n}: ${pick(['add', 'reshape', 'backfill', 'index'])} ${t} (Überarbeitung — café ☕, naïve)`);
  out.push('SET lock_timeout = \'5s\';');
  const cols = [];
  const ncols = 6 + Math.floor(next() * 8);
  for (let c = 0; c < ncols; c++) cols.push(`    col_${c} ${pick(TYPES)}`);
  out.push(`CREATE TABLE IF NOT EXISTS app.${t} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n${cols.join(',\n')},\n    owner_id bigint REFERENCES app.${pick(WORDS)}_${Math.max(1, n - 1)} (id) ON DELETE CASCADE,\n    created_at timestamptz NOT NULL DEFAULT now()\n);`);
  out.push(`CREATE INDEX ${next() < 0.5 ? 'CONCURRENTLY ' : ''}IF NOT EXISTS idx_${t}_owner ON app.${t} (owner_id) WHERE owner_id IS NOT NULL;`);
  out.push(`COMMENT ON TABLE app.${t} IS 'Stores ${t}; see docs/${t}.md (don''t drop it)';`);
  out.push(`ALTER TABLE app.${t} ADD COLUMN IF NOT EXISTS note text, ADD CONSTRAINT ${t}_note_len CHECK (char_length(note) < 500) NOT VALID;`);
  out.push(`CREATE OR REPLACE FUNCTION app.${t}_touch() RETURNS trigger\nLANGUAGE plpgsql AS $fn$\nBEGIN\n    NEW.created_at := COALESCE(NEW.created_at, now());\n    UPDATE app.stats SET touched = touched + 1 WHERE table_name = '${t}';\n    RETURN NEW;\nEND;\n$fn$;`);
  out.push(`CREATE TRIGGER ${t}_touch BEFORE INSERT OR UPDATE ON app.${t} FOR EACH ROW EXECUTE FUNCTION app.${t}_touch();`);
  out.push(`DO $$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader_${n % 7}') THEN\n        CREATE ROLE reader_${n % 7} NOLOGIN;\n    END IF;\n    GRANT SELECT ON app.${t} TO reader_${n % 7};\nEND\n$$;`);
  const rows = [];
  for (let r = 0; r < 12; r++) rows.push(`(${r + 1}, 'seed ${r} for ${t}', ${(next() * 1000).toFixed(2)}, now() - interval '${r} days')`);
  out.push(`INSERT INTO app.${t}_seed (id, label, amount, at) VALUES\n${rows.join(',\n')}\nON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label;`);
  out.push(`UPDATE app.${t} SET note = 'migrated' WHERE note IS NULL AND created_at < '2024-01-01';`);
  out.push(`CREATE OR REPLACE VIEW app.v_${t} AS\n  SELECT id, created_at, note FROM app.${t} WHERE note IS DISTINCT FROM 'hidden';`);
  const roll = next();
  if (roll < 0.10) out.push(`DROP TABLE IF EXISTS app.${pick(WORDS)}_legacy_${n} CASCADE;`);
  else if (roll < 0.18) out.push(`ALTER TABLE app.${t}\n    DROP COLUMN IF EXISTS col_0,\n    ALTER COLUMN col_1 TYPE text;`);
  else if (roll < 0.22) out.push(`TRUNCATE app.${t}_cache;`);
  else if (roll < 0.25) out.push(`DELETE FROM app.${t}_tmp;`);
  else if (roll < 0.28) out.push(`ALTER TABLE app.${t} RENAME COLUMN col_2 TO col_2_old;`);
  out.push(`ANALYZE app.${t};`);
  return out.join('\n\n') + '\n';
}

/** Write `count` migrations under dir/db/migrations; returns the file paths (relative), bytes, statements. */
export function generateCorpus(dir, count, seed = 7) {
  const next = rng(seed);
  const folder = path.join(dir, 'db', 'migrations');
  mkdirSync(folder, { recursive: true });
  const files = [];
  let bytes = 0;
  let statements = 0;
  for (let n = 1; n <= count; n++) {
    const text = migration(n, next);
    const rel = path.join('db', 'migrations', `V${n}__${n % 3 === 0 ? 'reshape' : 'add'}_schema.sql`);
    writeFileSync(path.join(dir, rel), text);
    files.push(rel);
    bytes += Buffer.byteLength(text);
    statements += (text.match(/;\n/g) ?? []).length;
  }
  return { files, bytes, statements };
}
