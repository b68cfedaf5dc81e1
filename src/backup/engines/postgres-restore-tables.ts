import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from 'pg';
import { BlockedError, ClientError, DatabaseError } from '../../errors.js';
import type { ServerTarget } from '../instances.js';
import { describeExit, startChild } from '../runner.js';
import { childEnv, connect, OBJECTS_SQL, quoteIdent } from './postgres.js';
import type { SwapRequest, SwapResult } from './restore-types.js';

/**
 * `restore --tables` on PostgreSQL. The whole backup was restored into the side database and checked
 * against the manifest (postgres-restore.ts); from there `pg_dump -t` takes the named tables with what
 * belongs to them (columns, defaults, indexes, constraints, triggers, owned sequences, grants, data).
 * One psql transaction on the target then: drops the tables (CASCADE), loads that dump, recreates the
 * views that read them (captured first, with their owners) and the foreign keys other tables had on
 * them, and checks that every other object still exists and every named table has the manifest's exact
 * row count. Any failure rolls the whole transaction back: the target is as it was.
 */

interface Dependents {
  views: Array<{ name: string; kind: string; def: string; owner: string }>;
  foreignKeys: Array<{ table: string; name: string; def: string }>;
  /** Objects that go with the tables (their indexes, constraints, triggers, owned sequences). */
  owned: Set<string>;
  survivors: string[];
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

async function captureDependents(client: Client, tables: string[]): Promise<Dependents> {
  // definitions fully qualified: the dump's own script runs with an empty search_path
  await client.query(`SET search_path = ''`);
  const oids = (await client.query<{ oid: number }>(`SELECT to_regclass(t)::oid AS oid FROM unnest($1::text[]) t WHERE to_regclass(t) IS NOT NULL`, [tables])).rows.map((r) => r.oid);
  const views = (
    await client.query<{ name: string; kind: string; def: string; owner: string }>(
      `WITH RECURSIVE dep(oid) AS (
         SELECT r.ev_class FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
          WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY($1::oid[]) AND r.ev_class <> ALL($1::oid[])
         UNION
         SELECT r.ev_class FROM dep JOIN pg_depend d ON d.refobjid = dep.oid AND d.refclassid = 'pg_class'::regclass AND d.classid = 'pg_rewrite'::regclass
           JOIN pg_rewrite r ON r.oid = d.objid WHERE r.ev_class <> dep.oid)
       SELECT c.oid::regclass::text AS name, CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END AS kind,
              pg_get_viewdef(c.oid) AS def, pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c WHERE c.oid IN (SELECT oid FROM dep) ORDER BY c.oid`,
      [oids],
    )
  ).rows;
  const foreignKeys = (
    await client.query<{ table: string; name: string; def: string }>(
      `SELECT conrelid::regclass::text AS table, quote_ident(conname) AS name, pg_get_constraintdef(oid) AS def
         FROM pg_constraint WHERE contype = 'f' AND confrelid = ANY($1::oid[]) AND conrelid <> ALL($1::oid[]) ORDER BY 1, 2`,
      [oids],
    )
  ).rows;
  const ownedRows = (
    await client.query<{ object: string }>(
      `SELECT 'index ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS object FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indrelid = ANY($1::oid[])
       UNION ALL
       SELECT 'sequence ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_depend d JOIN pg_class c ON c.oid = d.objid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE d.classid = 'pg_class'::regclass AND c.relkind = 'S' AND d.refobjid = ANY($1::oid[]) AND d.deptype IN ('a', 'i')`,
      [oids],
    )
  ).rows;
  const owned = new Set(ownedRows.map((r) => r.object));
  const before = (await client.query<{ kind: string; name: string }>(OBJECTS_SQL)).rows;
  const ofTable = (o: { kind: string; name: string }) =>
    tables.some((t) => (o.kind === 'table' && o.name === t) || ((o.kind === 'constraint' || o.kind === 'trigger') && o.name.startsWith(`${t}.`)));
  for (const o of before) if (ofTable(o)) owned.add(`${o.kind} ${o.name}`);
  const survivors = before.map((o) => `${o.kind} ${o.name}`).filter((o) => !owned.has(o));
  await client.query('RESET search_path');
  return { views, foreignKeys, owned, survivors };
}

export async function replaceTables(
  request: SwapRequest,
  context: { client: Client; server: ServerTarget; side: string; toolsDir: string; passfile: string | undefined },
): Promise<SwapResult> {
  const tables = request.tables!;
  const { server, side } = context;
  const psql = path.join(context.toolsDir, 'psql');
  if (!existsSync(psql)) throw new ClientError(`psql was not found next to pg_dump (${context.toolsDir}); restore --tables runs the table dump through it`);

  request.onStage(`taking ${tables.join(', ')} from the restored copy`);
  const dumpFile = path.join(request.secretsDir, 'tables.sql');
  const dump = await startChild(path.join(context.toolsDir, 'pg_dump'), ['--no-password', '--format=plain', '-f', dumpFile, ...tables.flatMap((t) => ['-t', t])], {
    env: childEnv(server, context.passfile, side),
    secrets: [server.password],
  }).done;
  if (dump.code !== 0 || dump.signal) throw new DatabaseError(`Could not take the tables from the restored copy: ${describeExit('pg_dump', dump)}. Nothing was changed.`);

  const target = await connect(server, server.database);
  let dependents: Dependents;
  try {
    dependents = await captureDependents(target, tables);
  } finally {
    await target.end().catch(() => undefined);
  }

  const expected = new Map(request.manifest.expected.tables.map((t) => [t.name, t.rows]));
  const before = `SET lock_timeout = '60s';\nSET jit = off;\nDROP TABLE IF EXISTS ${tables.join(', ')} CASCADE;\n`;
  const after = [
    `SET search_path = '';`,
    ...dependents.views.flatMap((v) => [`CREATE ${v.kind} ${v.name} AS ${v.def.replace(/;\s*$/, '')};`, `ALTER ${v.kind} ${v.name} OWNER TO ${quoteIdent(v.owner)};`]),
    ...dependents.foreignKeys.map((fk) => `ALTER TABLE ${fk.table} ADD CONSTRAINT ${fk.name} ${fk.def};`),
    // every object that does not belong to the named tables is still there (CASCADE took nothing else)
    `DO $dbsafe$ DECLARE missing text; BEGIN
       SELECT string_agg(x, ', ') INTO missing FROM unnest(ARRAY[${dependents.survivors.map(literal).join(', ') || "''"}]::text[]) x
        WHERE x <> '' AND x NOT IN (SELECT kind || ' ' || name FROM (${OBJECTS_SQL}) o);
       IF missing IS NOT NULL THEN RAISE EXCEPTION 'dbsafe: restoring these tables would also drop: %', missing; END IF;
     END $dbsafe$;`,
    ...tables.map(
      (t) => `DO $dbsafe$ DECLARE n bigint; BEGIN SELECT count(*) INTO n FROM ONLY ${t};
         IF n <> ${expected.get(t) ?? 0} THEN RAISE EXCEPTION 'dbsafe: % has % rows after the restore, the manifest says ${expected.get(t) ?? 0}', ${literal(t)}, n; END IF; END $dbsafe$;`,
    ),
  ].join('\n');
  const beforeFile = path.join(request.secretsDir, 'tables-before.sql');
  const afterFile = path.join(request.secretsDir, 'tables-after.sql');
  writeFileSync(beforeFile, before, { mode: 0o600 });
  writeFileSync(afterFile, `${after}\n`, { mode: 0o600 });

  request.onStage(`replacing ${tables.join(', ')} in ${server.database} (one transaction)`);
  const exit = await startChild(psql, ['-X', '-q', '--no-password', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-f', beforeFile, '-f', dumpFile, '-f', afterFile], {
    env: childEnv(server, context.passfile, server.database),
    stdout: 'ignore',
    secrets: [server.password],
  }).done;
  if (exit.code !== 0 || exit.signal) {
    const first = /ERROR:\s+(.*)/.exec(exit.stderr)?.[1]?.replace(/^dbsafe: /, '') ?? describeExit('psql', exit);
    throw new BlockedError(`Replacing ${tables.join(', ')} failed (${first}); the transaction was rolled back: ${server.database} is as it was`);
  }
  const rows = tables.reduce((sum, t) => sum + (expected.get(t) ?? 0), 0);
  return {
    method: 'the named tables (with their indexes, constraints, triggers, owned sequences, grants) dropped and reloaded from the checked copy in one transaction (atomic)',
    tables: tables.length,
    rows,
    dependents: [
      ...dependents.views.map((v) => `${v.kind.toLowerCase()} ${v.name} reads them: recreated (its grants and comment are not kept)`),
      ...dependents.foreignKeys.map((fk) => `foreign key ${fk.name} of ${fk.table} references them: re-added and validated`),
    ],
  };
}
