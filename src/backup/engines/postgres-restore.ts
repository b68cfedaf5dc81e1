import os from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import { BlockedError, DatabaseError } from '../../errors.js';
import { onInterrupt } from '../cleanup.js';
import { serverDiskFull } from '../files.js';
import type { ServerTarget } from '../instances.js';
import { pidAlive } from '../lock.js';
import { describeExit, startChild } from '../runner.js';
import { compare } from '../verify.js';
import { childEnv, connect, dropScratch, findPgTools, inspect, OBJECTS_SQL, PINNED_SETTINGS, quoteIdent, serverVersion, writePassfile } from './postgres.js';
import { expectedFor } from './restore-expected.js';
import { replaceTables } from './postgres-restore-tables.js';
import { freeName, sideName, type RestoreDriver, type RestoreTargetRequest, type SwapRequest, type SwapResult, type TargetState } from './restore-types.js';

/**
 * PostgreSQL restore: `pg_restore --exit-on-error` into a new database
 * `<name>__dbsafe_new_<stamp>` (same owner, encoding and locale as the target; owners and privileges
 * restored, unlike verify's scratch), compare objects and exact counts (and row hashes when recorded)
 * with the manifest, then rename the target to `<name>__dbsafe_prev_<stamp>` and the new database to
 * `<name>` in ONE transaction (ALTER DATABASE … RENAME is transactional): either both renames happen
 * or neither. A rename fails while anyone is connected to the database, so other sessions make the
 * restore refuse unless --terminate-connections.
 * No --single-transaction: the new database is dropped whole on any failure (why: restoreAndInspect, postgres.ts).
 */

const SIDE_MARK = 'dbsafe-hooks restore side';
const IN_USE = '55006';

const majorOf = (version: string) => Number(/^(\d+)/.exec(version)?.[1] ?? 0);
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** A maintenance connection: never to the target itself (a database with a session cannot be renamed). */
function maintenance(server: ServerTarget): Promise<Client> {
  return connect(server, server.database === 'postgres' ? 'template1' : 'postgres');
}

/**
 * Sessions that stop a rename. An autovacuum worker does not: PostgreSQL ends it itself (CountOtherDBBackends),
 * and one starts on its own after a migration's writes, so counting it refused restores at random.
 */
async function otherSessions(client: Client, databases: string[]): Promise<Array<{ pid: number; usename: string; application_name: string }>> {
  const { rows } = await client.query<{ pid: number; usename: string; application_name: string }>(
    `SELECT pid, usename, application_name FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid() AND backend_type IS DISTINCT FROM 'autovacuum worker'`,
    [databases],
  );
  return rows;
}

function sessionsError(database: string, sessions: Array<{ pid: number; usename: string; application_name: string }>): DatabaseError {
  const who = sessions.slice(0, 5).map((s) => `pid ${s.pid} ${s.usename}${s.application_name ? ` (${s.application_name})` : ''}`).join(', ');
  return new DatabaseError(`${sessions.length} other session${sessions.length === 1 ? ' is' : 's are'} connected to database "${database}" (${who}): it cannot be swapped while in use`, {
    hint: 'Stop the application first, or pass --terminate-connections to end those sessions right before the swap.',
  });
}

async function inspectTarget(request: RestoreTargetRequest & { terminateConnections: boolean }): Promise<TargetState> {
  const server = request.target.server!;
  const client = await maintenance(server);
  try {
    const version = await serverVersion(client);
    if (majorOf(request.manifest.server.version) > version.major) {
      throw new DatabaseError(
        `Backup ${request.manifest.id} was taken from PostgreSQL ${request.manifest.server.version}; the target runs ${version.version}. A dump of a newer major does not load reliably into an older server`,
        { hint: `Restore into a PostgreSQL ${majorOf(request.manifest.server.version)} (or newer) server with --into env:VAR.` },
      );
    }
    const exists = (await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [server.database])).rows.length > 0;
    if (exists && !request.terminateConnections) {
      const sessions = await otherSessions(client, [server.database]);
      if (sessions.length) throw sessionsError(server.database, sessions);
    }
    return { exists, name: server.database, label: `PostgreSQL database "${server.database}" on ${server.socket ?? server.host}:${server.port}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drop side databases left by a restore that was killed before its swap (ours: marked with a dead pid, or unmarked and empty). */
async function sweepSides(client: Client, server: ServerTarget): Promise<void> {
  const { rows } = await client.query<{ datname: string; comment: string | null }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname ~ '__dbsafe_new_[0-9]{8}t[0-9]{6}z$'`,
  );
  for (const row of rows) {
    const mark = row.comment?.startsWith(SIDE_MARK) ? / pid=(\d+) host=(\S+)$/.exec(row.comment) : null;
    if (mark) {
      if (mark[2] === os.hostname() && !pidAlive(Number(mark[1]))) await dropScratch(client, row.datname);
      continue;
    }
    if (row.comment) continue;
    // killed between CREATE DATABASE and COMMENT: our name, and nothing in it
    const side = await connect(server, row.datname).catch(() => undefined);
    if (!side) continue;
    const used = await side
      .query(`SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' LIMIT 1`)
      .then((r) => r.rows.length > 0, () => true);
    await side.end().catch(() => undefined);
    if (!used) await dropScratch(client, row.datname);
  }
}

/** Objects and counts of the restored database; for --schema-only an unpopulated materialized view counts as empty. */
async function inspectRestored(server: ServerTarget, database: string, request: SwapRequest) {
  const client = await connect(server, database);
  try {
    await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${PINNED_SETTINGS}`);
    if (!request.schemaOnly) return await inspect(client, request.manifest.expected.tables.some((t) => t.hash !== undefined));
    const objects = (await client.query<{ kind: string; name: string }>(OBJECTS_SQL)).rows.map((r) => ({ kind: r.kind, name: r.name }));
    const tables: Array<{ name: string; rows: number }> = [];
    for (const { name } of request.manifest.expected.tables) {
      const rel = (await client.query<{ relkind: string; relispopulated: boolean }>(`SELECT relkind, relispopulated FROM pg_class WHERE oid = to_regclass($1)`, [name])).rows[0];
      if (!rel) continue;
      const rows = rel.relkind === 'm' && !rel.relispopulated ? 0 : Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ONLY ${name}`)).rows[0]!.n);
      tables.push({ name, rows });
    }
    return { objects, tables };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

async function restoreAndSwap(request: SwapRequest): Promise<SwapResult> {
  const server = request.target.server!;
  const database = server.database;
  const side = sideName(database, `__dbsafe_new_${request.stamp}`);
  const client = await maintenance(server);
  let created = false;
  let swapped = false;
  const dropSide = async () => {
    if (created && !swapped) {
      created = false;
      await dropScratch(client, side);
    }
  };
  const unregister = onInterrupt(async () => {
    await dropSide();
    await client.end().catch(() => undefined);
  });
  try {
    await sweepSides(client, server);
    const previous = await freeName(
      (suffix) => sideName(database, `__dbsafe_prev_${request.stamp}${suffix}`),
      async (name) => ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0,
    );
    const version = await serverVersion(client);
    const tools = await findPgTools(version.major, version.version);
    const current = (
      await client.query<{ owner: string; encoding: string; collate: string; ctype: string; comment: string | null }>(
        `SELECT pg_get_userbyid(datdba) AS owner, pg_encoding_to_char(encoding) AS encoding, datcollate AS collate, datctype AS ctype,
                shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
        [database],
      )
    ).rows[0];
    request.onStage(`restoring into the new database ${side}`);
    const like = current
      ? ` OWNER ${quoteIdent(current.owner)} ENCODING ${quoteLiteral(current.encoding)} LC_COLLATE ${quoteLiteral(current.collate)} LC_CTYPE ${quoteLiteral(current.ctype)}`
      : '';
    await client.query(`CREATE DATABASE ${quoteIdent(side)} TEMPLATE template0${like}`);
    created = true;
    await client.query(`COMMENT ON DATABASE ${quoteIdent(side)} IS ${quoteLiteral(`${SIDE_MARK} pid=${process.pid} host=${os.hostname()}`)}`);
    const passfile = writePassfile(request.secretsDir, server);
    const exit = await startChild(
      tools.pgRestore,
      ['--exit-on-error', '--no-password', ...(request.schemaOnly ? ['--schema-only'] : []), '-d', side, request.artifactPath],
      { env: childEnv(server, passfile, side), secrets: [server.password] },
    ).done;
    // the backup verified: a failure here is as likely the server (full disk, restart, lost connection) as the
    // backup, so the message is pg_restore's own first error, and the exit code says "could not run" (2)
    if (exit.code !== 0 || exit.signal) {
      const why = describeExit('pg_restore', exit);
      throw new DatabaseError(`Restoring into ${side} failed: ${why}. Nothing was swapped in: ${database} is as it was.${serverDiskFull(why)}`);
    }

    request.onStage('comparing objects and row counts with the manifest');
    // Objects and exact counts, as the issue asks of a restore; the catalog digest is verify's (the backup was verified first).
    const inspected = await inspectRestored(server, side, request);
    const restored = { objects: inspected.objects, tables: inspected.tables };
    const { reason, differences } = compare({ expected: expectedFor(request.manifest, request.schemaOnly) }, { ...restored, scratch: side, problems: [] });
    if (reason) throw new BlockedError(`The restored database differs from the backup's manifest (${reason}); nothing was swapped in`, { hint: differences.slice(0, 20).join('\n  ') });
    await request.artifactIntact;
    if (request.tables) return await replaceTables(request, { client, server, side, toolsDir: path.dirname(tools.pgRestore), passfile });

    request.onStage(`swapping ${side} in as ${database}`);
    for (let attempt = 1; ; attempt++) {
      if (request.terminateConnections && current) {
        await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
      }
      try {
        await client.query('BEGIN');
        if (current) await client.query(`ALTER DATABASE ${quoteIdent(database)} RENAME TO ${quoteIdent(previous)}`);
        await client.query(`ALTER DATABASE ${quoteIdent(side)} RENAME TO ${quoteIdent(database)}`);
        // the restored database takes over the target's comment in the same transaction: until the swap
        // commits, our marker is what lets the next restore sweep a side database left by a kill -9
        await client.query(`COMMENT ON DATABASE ${quoteIdent(database)} IS ${current?.comment ? quoteLiteral(current.comment) : 'NULL'}`);
        await client.query('COMMIT');
        swapped = true;
        break;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if ((error as { code?: string }).code !== IN_USE) throw error;
        // a session connected after the check (or a terminated one is still exiting)
        if (!request.terminateConnections || attempt >= 20) throw sessionsError(database, await otherSessions(client, [database]));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    let kept: string | undefined = current ? previous : undefined;
    if (kept && request.dropPrevious) {
      await dropScratch(client, kept);
      kept = undefined;
    }
    return {
      previous: kept,
      undo: kept
        ? `ALTER DATABASE ${quoteIdent(database)} RENAME TO ${quoteIdent(sideName(database, `__dbsafe_undone_${request.stamp}`))}; ALTER DATABASE ${quoteIdent(kept)} RENAME TO ${quoteIdent(database)};`
        : undefined,
      method: `restored into ${side} and checked, then both databases renamed in one transaction (atomic)`,
      tables: restored.tables.length,
      rows: restored.tables.reduce((sum, t) => sum + t.rows, 0),
    };
  } finally {
    // a lost connection or a restarted server must not hide the first error: a side database left
    // behind carries our marker and is swept by the next restore
    await dropSide().catch(() => undefined);
    unregister();
    await client.end().catch(() => undefined);
  }
}

export const postgresRestore: RestoreDriver = { inspectTarget, restoreAndSwap };
