import type { Client } from 'pg';
import { catalogDigest, type CatalogEvidence } from '../catalog.js';

/**
 * What PostgreSQL verify compares beyond objects and row counts (catalog.ts): object definitions
 * (with comments, policies and whether materialized views are populated), large objects and
 * sequence values. Read inside the dump's snapshot at backup time and in the scratch copy at
 * verify time, with `search_path = pg_catalog` so every name the server prints is
 * schema-qualified the same way on both sides. Ownership and privileges are left out: verify
 * restores with --no-owner --no-privileges.
 */

export const NOT_SYSTEM = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp_%'`;

const NOT_EXTENSION_MEMBER = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

const QUALIFIED = `quote_ident(n.nspname) || '.' || quote_ident(c.relname)`;

const DEFINITIONS_SQL = `
SELECT kind, name, md5(coalesce(def, '')) AS md5 FROM (
  SELECT 'table' AS kind, ${QUALIFIED} AS name,
         concat_ws(E'\\n',
           (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                              || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                              || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
                              || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
                              || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END, ', ' ORDER BY a.attnum)
              FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
           'row security ' || c.relrowsecurity || ' forced ' || c.relforcerowsecurity,
           pg_get_expr(c.relpartbound, c.oid),
           CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END) AS def
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'f') AND ${NOT_SYSTEM} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
  UNION ALL
  SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, ${QUALIFIED},
         pg_get_viewdef(c.oid) || CASE WHEN c.relkind = 'm' THEN E'\\npopulated ' || c.relispopulated ELSE '' END
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('v', 'm') AND ${NOT_SYSTEM} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
  UNION ALL
  SELECT 'index', ${QUALIFIED}, pg_get_indexdef(c.oid)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('i', 'I') AND ${NOT_SYSTEM} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
  UNION ALL
  SELECT 'constraint', ${QUALIFIED} || '.' || quote_ident(co.conname), pg_get_constraintdef(co.oid)
    FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE ${NOT_SYSTEM}
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
         quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')',
         pg_get_functiondef(p.oid)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE p.prokind IN ('f', 'p') AND ${NOT_SYSTEM} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}
  UNION ALL
  SELECT 'trigger', ${QUALIFIED} || '.' || quote_ident(t.tgname), pg_get_triggerdef(t.oid)
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE NOT t.tgisinternal AND ${NOT_SYSTEM}
  UNION ALL
  SELECT 'policy', ${QUALIFIED} || '.' || quote_ident(po.polname),
         concat_ws(' ', CASE WHEN po.polpermissive THEN 'permissive' ELSE 'restrictive' END, po.polcmd,
                   (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END, ',' ORDER BY 1) FROM unnest(po.polroles) r),
                   'using ' || pg_get_expr(po.polqual, po.polrelid), 'check ' || pg_get_expr(po.polwithcheck, po.polrelid))
    FROM pg_policy po JOIN pg_class c ON c.oid = po.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE ${NOT_SYSTEM}
  UNION ALL
  SELECT 'sequence', ${QUALIFIED},
         concat_ws(' ', format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE ${NOT_SYSTEM} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
  UNION ALL
  -- comments on user objects (the first OIDs a user object can get are 16384 and up); the database's
  -- own comment is in pg_shdescription and not restored by pg_restore
  SELECT 'comment', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
    FROM pg_description d
   WHERE d.objoid >= 16384 AND pg_describe_object(d.classoid, d.objoid, d.objsubid) IS NOT NULL
) defs ORDER BY kind, name`;

/** Run `fn` with search_path pinned to pg_catalog (names printed schema-qualified), then put it back. */
async function withCatalogPath<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  const saved = (await client.query<{ path: string }>(`SELECT current_setting('search_path') AS path`)).rows[0]!.path;
  await client.query(`SELECT set_config('search_path', 'pg_catalog', true)`);
  try {
    return await fn();
  } finally {
    await client.query(`SELECT set_config('search_path', $1, true)`, [saved]);
  }
}

/** A side query that fails names what it was reading, and leaves the transaction usable (savepoint). */
async function sideQuery<T>(client: Client, what: string, fn: () => Promise<T>): Promise<T> {
  await client.query('SAVEPOINT dbsafe_side_query');
  try {
    const value = await fn();
    await client.query('RELEASE SAVEPOINT dbsafe_side_query');
    return value;
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT dbsafe_side_query').catch(() => undefined);
    throw new Error(`could not read ${what}: ${(error as Error).message}`);
  }
}

export async function readSequences(client: Client): Promise<Array<{ name: string; value: string | null }>> {
  return sideQuery(client, 'the sequence values (pg_sequences)', async () => {
    const { rows } = await client.query<{ name: string; value: string | null }>(
      `SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) AS name, last_value::text AS value
         FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    return rows;
  });
}

async function readLargeObjects(client: Client): Promise<{ count: number; bytes?: number }> {
  const count = await sideQuery(client, 'the large objects (pg_largeobject_metadata)', async () =>
    Number((await client.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_largeobject_metadata')).rows[0]!.n),
  );
  if (count === 0) return { count, bytes: 0 };
  try {
    // pg_largeobject is readable by superusers only (unless lo_compat_privileges): without it, count only
    const bytes = await sideQuery(client, 'the large objects\' size (pg_largeobject)', async () =>
      Number((await client.query<{ n: string }>('SELECT coalesce(sum(octet_length(data)), 0)::text AS n FROM pg_largeobject')).rows[0]!.n),
    );
    return { count, bytes };
  } catch {
    return { count };
  }
}

/** Definitions, large objects and sequence values as seen by `client`'s current snapshot. */
export async function readCatalog(client: Client): Promise<Omit<CatalogEvidence, 'sequences'> & { sequences: Array<{ name: string; value: string | null }> }> {
  const definitions = await withCatalogPath(client, () =>
    sideQuery(client, 'the object definitions (catalog digest)', async () => (await client.query<{ kind: string; name: string; md5: string }>(DEFINITIONS_SQL)).rows),
  );
  const largeObjects = await readLargeObjects(client);
  const sequences = await readSequences(client);
  return { definitions, digest: catalogDigest(definitions), largeObjects, sequences };
}
