import { createWriteStream, existsSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Client, ClientConfig } from 'pg';
import { ClientError, DatabaseError } from '../../errors.js';
import { fsyncPath, HashCounter, noSpaceOn } from '../files.js';
import type { ServerTarget } from '../instances.js';
import type { ExpectedObject, ExpectedTable } from '../manifest.js';
import { redactText } from '../redact.js';
import { describeExit, diedOfInterrupt, parseVersion, runCapture, startChild } from '../runner.js';
import { onInterrupt } from '../cleanup.js';
import { trace } from '../trace.js';
import { pidAlive } from '../lock.js';
import type { CatalogEvidence } from '../catalog.js';
import { NOT_SYSTEM, readCatalog, readSequences } from './postgres-catalog.js';
import { handedOver, scratchName, VerifyFailure, type DumpContext, type DumpResult, type EngineDriver, type RestoreContext, type RestoreResult } from './types.js';

/**
 * PostgreSQL: `pg_dump -Fc --snapshot=<id>` where the snapshot is exported by our own REPEATABLE
 * READ transaction, in which the expected objects and exact row counts are read while the dump
 * runs, so expected values describe exactly the data in the dump. Verify restores into
 * `dbsafe_verify_<id>` with `pg_restore --exit-on-error --no-owner --no-privileges`.
 */

const SCRATCH_MARK = 'dbsafe-hooks verify scratch';

function clientConfig(target: ServerTarget, database = target.database): ClientConfig {
  const sslmode = target.params.sslmode;
  return {
    host: target.socket ?? target.host,
    port: target.port,
    user: target.user ?? os.userInfo().username,
    password: target.password,
    database,
    application_name: 'dbsafe-hooks',
    ssl: sslmode && !['disable', 'allow', 'prefer'].includes(sslmode) ? { rejectUnauthorized: sslmode === 'verify-full' || sslmode === 'verify-ca' } : undefined,
    connectionTimeoutMillis: 15_000,
  };
}

export async function connect(target: ServerTarget, database?: string): Promise<Client> {
  const pg = (await import('pg')).default;
  const client = new pg.Client(clientConfig(target, database));
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseError(`Could not connect to ${target.redactedUrl}: ${redactText((error as Error).message, [target.password])}`, {
      hint: 'Check that the server is running and that the URL (user, host, port, database, password) is right.',
    });
  }
  return client;
}

/** libpq passfile, 0600, in our private temp dir: the password never reaches argv. */
export function writePassfile(secretsDir: string, target: ServerTarget): string | undefined {
  if (target.password === undefined) return undefined;
  const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  const file = path.join(secretsDir, 'pgpass');
  writeFileSync(file, `*:*:*:${escape(target.user ?? os.userInfo().username)}:${escape(target.password)}\n`, { mode: 0o600 });
  return file;
}

export function childEnv(target: ServerTarget, passfile: string | undefined, database: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (passfile) {
    delete env.PGPASSWORD;
    env.PGPASSFILE = passfile;
  }
  env.PGHOST = target.socket ?? target.host;
  env.PGPORT = String(target.port);
  if (target.user) env.PGUSER = target.user;
  env.PGDATABASE = database;
  env.PGAPPNAME = 'dbsafe-hooks';
  if (target.params.sslmode) env.PGSSLMODE = target.params.sslmode;
  return env;
}

interface PgTools {
  dir: string;
  pgDump: string;
  pgRestore: string;
  version: string;
  major: number;
}

async function toolVersion(binary: string): Promise<{ version: string; major: number } | undefined> {
  const result = await runCapture(binary, ['--version']);
  if (result.code !== 0) return undefined;
  return parseVersion(result.stdout);
}

/**
 * Pick pg_dump/pg_restore whose major is ≥ the server's: `DBSAFE_PG_BIN` when set (and only it),
 * else /usr/lib/postgresql/<N>/bin (Debian/Ubuntu), Homebrew, then PATH. Equal major preferred.
 */
export async function findPgTools(serverMajor: number, serverVersion: string): Promise<PgTools> {
  const pinned = process.env.DBSAFE_PG_BIN;
  const dirs: string[] = [];
  if (pinned) dirs.push(pinned);
  else {
    for (const root of ['/usr/lib/postgresql', '/usr/local/opt', '/opt/homebrew/opt']) {
      try {
        for (const name of readdirSync(root)) {
          const bin = root === '/usr/lib/postgresql' ? path.join(root, name, 'bin') : /^postgresql(@\d+)?$/.test(name) ? path.join(root, name, 'bin') : '';
          if (bin && existsSync(path.join(bin, 'pg_dump'))) dirs.push(bin);
        }
      } catch {
        /* not there */
      }
    }
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir && existsSync(path.join(dir, 'pg_dump'))) dirs.push(dir);
  }
  // the Debian/Ubuntu directory of exactly the server's major is the usual answer: try it alone first
  const exact = dirs.find((dir) => dir === `/usr/lib/postgresql/${serverMajor}/bin`);
  if (exact) {
    const version = await toolVersion(path.join(exact, 'pg_dump'));
    if (version && version.major >= serverMajor) return { dir: exact, pgDump: path.join(exact, 'pg_dump'), pgRestore: path.join(exact, 'pg_restore'), ...version };
  }
  const found: Array<PgTools> = [];
  for (const dir of dirs) {
    const version = await toolVersion(path.join(dir, 'pg_dump'));
    if (version) found.push({ dir, pgDump: path.join(dir, 'pg_dump'), pgRestore: path.join(dir, 'pg_restore'), ...version });
  }
  const usable = found.filter((tool) => tool.major >= serverMajor).sort((a, b) => a.major - b.major);
  const best = usable[0];
  if (best) return best;
  if (found.length === 0) {
    const where = pinned ? `DBSAFE_PG_BIN=${pinned}` : 'PATH, /usr/lib/postgresql/*/bin and Homebrew';
    throw new ClientError(`pg_dump was not found (looked in ${where}); the server runs PostgreSQL ${serverVersion}`, {
      hint: `Install the PostgreSQL ${serverMajor} client (e.g. apt-get install postgresql-client-${serverMajor}, brew install postgresql@${serverMajor})${pinned ? ', or point DBSAFE_PG_BIN at the directory that holds pg_dump and pg_restore' : ' or set DBSAFE_PG_BIN to its bin directory'}.`,
    });
  }
  const seen = found.map((t) => `pg_dump ${t.version} (${t.pgDump})`).join(', ');
  throw new ClientError(
    `pg_dump is too old for the server: the server runs PostgreSQL ${serverVersion} (major ${serverMajor}) and found ${seen}; pg_dump cannot dump a server newer than itself`,
    {
      hint: `Install the PostgreSQL ${serverMajor} client (e.g. apt-get install postgresql-client-${serverMajor}, brew install postgresql@${serverMajor}) or set DBSAFE_PG_BIN to its bin directory.`,
    },
  );
}


/** Sorted object list of the current database (what pg_dump would recreate), extension members excluded. */
export const OBJECTS_SQL = `
SELECT kind, name FROM (
  SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                        WHEN 'S' THEN 'sequence' WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' WHEN 'f' THEN 'foreign table' END AS kind,
         quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r','p','v','m','S','i','I','f') AND ${NOT_SYSTEM}
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
         quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')'
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE ${NOT_SYSTEM} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'trigger', quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(t.tgname)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE NOT t.tgisinternal AND ${NOT_SYSTEM}
  UNION ALL
  SELECT 'constraint', quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(co.conname)
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE ${NOT_SYSTEM}
  UNION ALL
  SELECT 'schema', quote_ident(n.nspname) FROM pg_namespace n WHERE ${NOT_SYSTEM} AND n.nspname <> 'public'
  UNION ALL
  SELECT 'extension', quote_ident(extname) FROM pg_extension
) objects WHERE kind IS NOT NULL ORDER BY kind, name`;

/**
 * Tables whose rows are counted (ONLY: each inheritance child / partition counted on its own).
 * Not materialized views: a restore does not copy their rows but re-runs their query (REFRESH), so
 * their content is not the dump's to prove (random(), now() …), and counting one created WITH NO
 * DATA fails, which would abort the exported snapshot. Whether each is populated is part of its
 * definition (postgres-catalog.ts).
 */
const TABLES_SQL = `
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND ${NOT_SYSTEM}
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1`;

/**
 * Settings of the sessions that count and hash: JIT off, because compiling a count(*) costs more than
 * it saves (0.6 s of a 1.2 s count of 6 million rows, pgbench scale 60).
 */
export const READING_SETTINGS = `SET LOCAL jit = off`;

/**
 * Session settings that change how a row renders as text: pinned on both sides so a row hash
 * never differs because of TimeZone, DateStyle, float digits, bytea or money formatting.
 */
export const PINNED_SETTINGS = `${READING_SETTINGS}; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex'; SET LOCAL lc_monetary = 'C'`;

interface Inspection {
  objects: ExpectedObject[];
  tables: ExpectedTable[];
  catalog: Awaited<ReturnType<typeof readCatalog>>;
}

export async function inspect(client: Client, hashes: boolean): Promise<Inspection> {
  const objects = (await client.query<{ kind: string; name: string }>(OBJECTS_SQL)).rows.map((r) => ({ kind: r.kind, name: r.name }));
  const tables: ExpectedTable[] = [];
  for (const { name } of (await client.query<{ name: string }>(TABLES_SQL)).rows) {
    // exact count(*), never reltuples (an index-less table reads -1 right after a restore);
    // SUM (not XOR) of row hashes, so duplicate rows do not cancel out
    const sql = hashes
      ? `SELECT count(*)::text AS n, coalesce(sum(hashtextextended(t::text, 0)), 0)::text AS h FROM ONLY ${name} t`
      : `SELECT count(*)::text AS n FROM ONLY ${name}`;
    let rows: Array<{ n: string; h?: string }>;
    try {
      ({ rows } = await client.query<{ n: string; h?: string }>(sql));
    } catch (error) {
      // name the object: the bare server message ("permission denied for table x" at best) is not enough
      throw new Error(`could not count the rows of ${name}: ${(error as Error).message}`);
    }
    tables.push(hashes ? { name, rows: Number(rows[0]!.n), hash: rows[0]!.h } : { name, rows: Number(rows[0]!.n) });
  }
  const catalog = await readCatalog(client);
  return { objects, tables, catalog };
}

function catalogEvidence(read: Inspection['catalog'], before: Array<{ name: string; value: string | null }>, after: Array<{ name: string; value: string | null }>): CatalogEvidence {
  const later = new Map(after.map((sequence) => [sequence.name, sequence.value]));
  const sequences = before.map(({ name, value }) => ({ name, min: value, max: later.has(name) ? later.get(name)! : value }));
  return { definitions: read.definitions, digest: read.digest, largeObjects: read.largeObjects, sequences };
}

/** The restored side: one reading, as a range of one value. */
function restoredCatalog(read: Inspection['catalog']): CatalogEvidence {
  return { ...read, sequences: read.sequences.map(({ name, value }) => ({ name, min: value, max: value })) };
}

export async function serverVersion(client: Client): Promise<{ version: string; major: number }> {
  const { rows } = await client.query<{ v: string; n: string }>(`SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`);
  return { version: rows[0]!.v, major: Math.floor(Number(rows[0]!.n) / 10000) };
}

async function dump(context: DumpContext): Promise<DumpResult> {
  const server = context.instance.server!;
  const stats = await connect(server);
  try {
    const version = await serverVersion(stats);
    const toolsPending = findPgTools(version.major, version.version);
    toolsPending.catch(() => undefined);
    await stats.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // no parallel workers for the counts: on a small machine they would steal the CPU pg_dump needs,
    // and the counts overlap the dump anyway
    await stats.query(`SET LOCAL lock_timeout = '60s'; SET LOCAL max_parallel_workers_per_gather = 0; ${PINNED_SETTINGS}`);
    const snap = await stats.query<{ id: string; at: Date }>('SELECT pg_export_snapshot() AS id, statement_timestamp() AS at');
    const snapshotId = snap.rows[0]!.id;
    const takenAt = new Date(snap.rows[0]!.at).toISOString();
    const tools = await toolsPending;
    // sequences are not transactional: bracket pg_dump's own reading of them (see catalog.ts)
    const sequencesBefore = await readSequences(stats);
    trace('pg: connected, snapshot exported, tools found');
    const passfile = writePassfile(context.secretsDir, server);
    const file = 'dump.pgc';
    const target = path.join(context.dir, file);
    // -Fc is compressed (zlib) and restorable table by table; no second compressor needed
    const run = startChild(tools.pgDump, ['-Fc', '--no-password', `--snapshot=${snapshotId}`, '--lock-wait-timeout=60000'], {
      env: childEnv(server, passfile, server.database),
      secrets: [server.password],
    });
    const counter = new HashCounter(context.onProgress);
    const writing = pipeline(run.child.stdout!, counter, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
    // the counts run in the exported snapshot while pg_dump streams: same data, no extra wall time
    const inspecting = inspect(stats, context.instance.rowHashes).then(
      (value) => ({ ok: true as const, value }),
      (error: Error) => ({ ok: false as const, error }),
    );
    trace('pg: pg_dump started');
    let writeError: Error | undefined;
    await writing.catch((error: Error) => {
      writeError = error;
      run.child.kill('SIGTERM');
    });
    const exit = await run.done;
    trace('pg: pg_dump exited');
    const inspected = await inspecting;
    const sequencesAfter = inspected.ok ? await readSequences(stats) : [];
    trace('pg: counts done');
    // the first cause: a failed write makes us kill pg_dump, and a failed count query kills the
    // exported snapshot pg_dump depends on ("could not import the requested snapshot")
    if (writeError) throw new DatabaseError(`Backup failed: ${noSpaceOn(writeError, path.dirname(context.dir)) ?? `could not write ${target}: ${writeError.message}`}`);
    if (!inspected.ok) throw new DatabaseError(`Backup failed: ${redactText(inspected.error.message, [server.password])}`);
    if (exit.code !== 0 || exit.signal) throw new DatabaseError(`Backup failed: ${describeExit('pg_dump', exit)}`);
    if (counter.bytes === 0) throw new DatabaseError('Backup failed: pg_dump produced an empty archive');
    fsyncPath(target);
    return {
      file,
      bytes: counter.bytes,
      sha256: counter.digest(),
      client: { binary: tools.pgDump, version: tools.version },
      server: { version: version.version, flavor: 'postgresql' },
      snapshot: { id: snapshotId, takenAt, startedAt: takenAt, method: 'pg_export_snapshot + pg_dump --snapshot (REPEATABLE READ)' },
      options: { format: 'pg_dump custom (-Fc)', compression: 'zlib (pg_dump default)', ...(context.instance.rowHashes ? { rowHash: 'sum(hashtextextended(row::text, 0)), pinned session settings' } : {}) },
      objects: inspected.value.objects,
      tables: inspected.value.tables,
      catalog: catalogEvidence(inspected.value.catalog, sequencesBefore, sequencesAfter),
      approximateCounts: false,
      databaseName: server.database,
    };
  } finally {
    await stats.query('ROLLBACK').catch(() => undefined);
    await stats.end().catch(() => undefined);
  }
}

const scratchMark = (comment: string | null) => /^dbsafe-hooks verify scratch pid=(\d+) host=(\S+)$/.exec(comment ?? '');

/**
 * Scratch databases of verify and dry-run runs that were killed (our mark, this host, a dead pid), whatever
 * backup they were for: a kill -9 cannot clean up after itself, so the next run does.
 */
async function sweepDeadScratches(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string; comment: string | null }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname ~ '^dbsafe_(verify|dryrun)_'`,
  );
  for (const row of rows) {
    const mark = scratchMark(row.comment);
    if (mark && mark[2] === os.hostname() && !pidAlive(Number(mark[1]))) await dropScratch(admin, row.datname);
  }
}

/** Create the scratch database, refusing the source and anything we did not create. */
async function createScratch(admin: Client, name: string, sourceDb: string, sameServer: boolean): Promise<void> {
  if (sameServer && name === sourceDb) throw new VerifyFailure('refused-source', `Refusing to restore into the source database "${sourceDb}"`);
  await sweepDeadScratches(admin);
  const existing = await admin.query<{ comment: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
    [name],
  );
  if (existing.rows.length) {
    const mark = scratchMark(existing.rows[0]!.comment);
    const ownerAlive = mark && mark[2] === os.hostname() && pidAlive(Number(mark[1]));
    if (!mark || ownerAlive || mark[2] !== os.hostname()) {
      throw new VerifyFailure(
        'refused-existing-database',
        mark
          ? `The scratch database "${name}" is in use by another verify (pid ${mark[1]} on ${mark[2]})`
          : `A database named "${name}" already exists and was not created by dbsafe-hooks: refusing to touch it`,
      );
    }
    // left behind by a verify that was killed: ours, so drop it
    await dropScratch(admin, name);
  }
  await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
  await admin.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS '${SCRATCH_MARK} pid=${process.pid} host=${os.hostname().replace(/'/g, '')}'`);
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function dropScratch(admin: Client, name: string): Promise<void> {
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } catch {
    // before PostgreSQL 13: no FORCE
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  }
}

async function restoreAndInspect(context: RestoreContext): Promise<RestoreResult> {
  const source = context.instance.server!;
  const target = context.instance.verifyServer ?? source;
  const sameServer = !context.instance.verifyServer || (target.host === source.host && target.port === source.port && target.socket === source.socket);
  const name = context.scratchName ?? scratchName(context.manifest.id);
  const admin = await connect(target);
  let created = false;
  const drop = async () => {
    if (!created) return;
    created = false;
    await dropScratch(admin, name);
  };
  const unregister = onInterrupt(async () => {
    await drop();
    await admin.end().catch(() => undefined);
  });
  try {
    const version = await serverVersion(admin);
    const sourceMajor = Number(/^(\d+)/.exec(context.manifest.server.version)?.[1] ?? 0);
    if (version.major < sourceMajor) {
      throw new VerifyFailure('scratch-server-too-old', `The scratch server runs PostgreSQL ${version.version}, older than the backup's source (${context.manifest.server.version})`);
    }
    const tools = await findPgTools(version.major, version.version);
    context.onStage(`restoring into scratch database ${name}`);
    trace('pg verify: creating scratch');
    await createScratch(admin, name, source.database, sameServer);
    trace('pg verify: scratch created');
    created = true;
    const passfile = writePassfile(context.secretsDir, target);
    // No --single-transaction, here or in restore's side database: the database filled is ours and dropped whole
    // on any failure, so one transaction adds no safety; and rows loaded by the transaction that also builds their
    // indexes get no hint bits, so the exact counts after it paid for setting them on every page (a first count of
    // 6 million rows: 1.4 s instead of 0.7 s). Committed table by table, the index builds set them.
    const run = startChild(
      tools.pgRestore,
      ['--exit-on-error', '--no-owner', '--no-privileges', '--no-password', '-d', name, context.artifactPath],
      { env: childEnv(target, passfile, name), secrets: [target.password, source.password] },
    );
    const abort = () => run.child.kill('SIGTERM');
    context.signal.addEventListener('abort', abort);
    const exit = await run.done;
    context.signal.removeEventListener('abort', abort);
    if (context.signal.aborted || diedOfInterrupt(exit)) throw new VerifyFailure('aborted', 'verify was aborted');
    if (exit.code !== 0 || exit.signal) {
      // the scratch server's disk filling up says nothing about the backup: no verdict
      const full = noSpaceOn(exit.stderr, `the scratch server (${target.redactedUrl})`);
      if (full) throw new VerifyFailure('no-space', `could not restore into ${name}: ${full}`);
      throw new VerifyFailure('restore-failed', `The backup does not restore: ${describeExit('pg_restore', exit)}`);
    }
    trace('pg verify: pg_restore exited');
    if (context.whileRestored) {
      await context.whileRestored({ family: 'postgres', server: { ...target, database: name } });
      return handedOver(name);
    }
    context.onStage('comparing objects and row counts');
    const scratch = await connect(target, name);
    try {
      const hashes = context.manifest.expected.tables.some((t) => t.hash !== undefined);
      await scratch.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${PINNED_SETTINGS}`);
      const { catalog, ...inspected } = await inspect(scratch, hashes);
      await scratch.query('COMMIT');
      trace('pg verify: inspected');
      return { ...inspected, catalog: restoredCatalog(catalog), scratch: name, problems: [] };
    } finally {
      await scratch.end().catch(() => undefined);
    }
  } finally {
    try {
      await drop();
    } finally {
      unregister();
      await admin.end().catch(() => undefined);
    }
  }
}

export const postgresEngine: EngineDriver = { dump, restoreAndInspect };
