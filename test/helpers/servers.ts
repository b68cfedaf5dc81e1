import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Real scratch database servers for tests: a PostgreSQL 15 cluster and a MariaDB server, each in a
 * temp dir owned by its service user, listening on 127.0.0.1 only (PostgreSQL ports 55500-55599,
 * MariaDB 33400-33499). Started once per test file, stopped by pid in afterAll.
 * In CI (CI=true) a missing server is a failure; locally the caller skips with a loud message.
 */

export const PG_BIN = process.env.DBSAFE_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const TEST_PASSWORD = 'S3cr3t-p@ss:w0rd/!x';

function userIds(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function commandExists(file: string): boolean {
  if (file.includes('/')) return existsSync(file);
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', file]).status === 0;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function pickPort(from: number, to: number): Promise<number> {
  const start = from + Math.floor(Math.random() * (to - from + 1));
  for (let i = 0; i <= to - from; i++) {
    const port = from + ((start - from + i) % (to - from + 1));
    if (await portFree(port)) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

function run(file: string, args: string[], ids?: { uid: number; gid: number }, input?: string) {
  const result = spawnSync(file, args, { encoding: 'utf8', input, ...(ids ?? {}), cwd: '/' });
  if (result.status !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

async function waitFor(check: () => boolean, what: string, child: ChildProcess, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited early with code ${child.exitCode}`);
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready in ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, signal);
  const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 15_000);
  await done;
  clearTimeout(timer);
}

/** Why a server cannot run here, or undefined when it can. */
export function missingFor(kind: 'postgres' | 'mariadb'): string | undefined {
  if (os.platform() !== 'linux' || process.getuid?.() !== 0) return `${kind} test servers need Linux and root (to run as the service user)`;
  if (kind === 'postgres') {
    if (!existsSync(path.join(PG_BIN, 'initdb'))) return `PostgreSQL 15 binaries (${PG_BIN}/initdb; apt-get install postgresql-15)`;
    if (!userIds('postgres')) return 'the postgres OS user';
    return undefined;
  }
  if (!commandExists('mariadbd') && !existsSync('/usr/sbin/mariadbd')) return 'mariadbd (apt-get install mariadb-server mariadb-client)';
  if (!commandExists('mariadb-install-db')) return 'mariadb-install-db (apt-get install mariadb-server)';
  if (!userIds('mysql')) return 'the mysql OS user';
  return undefined;
}

/** Loud skip locally; a hard failure in CI. Returns true when the tests must be skipped. */
export function skipUnless(kind: 'postgres' | 'mariadb'): boolean {
  const missing = missingFor(kind);
  if (!missing) return false;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`CI: cannot start ${kind}: missing ${missing}`);
  process.stderr.write(`\n!!!!! SKIPPING ${kind} backup tests: missing ${missing} !!!!!\n\n`);
  return true;
}

export interface PgServer {
  port: number;
  socketDir: string;
  /** postgres://postgres:<password>@127.0.0.1:<port>/<db> (the password is TEST_PASSWORD). */
  url(database: string, user?: string): string;
  /** Run SQL through psql over the unix socket as the superuser; returns stdout (tuples only, unaligned). */
  sql(database: string, sql: string): string;
  /** Stop the cluster if it still runs (fast shutdown) and start it again on the same files. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** `ports`: the caller's own port range (each engineer's tests keep to theirs; default 55500-55599). */
/**
 * `under`: the directory the cluster lives in (a small filesystem for disk-full tests; default the OS temp
 * dir); `walElsewhere`: the WAL in the OS temp dir, so a full `under` stops the writes to tables (an ERROR)
 * and never the WAL writer (a PANIC); `settings`: more `-c name=value` server settings.
 */
export async function startPostgres(options: { ports?: [number, number]; under?: string; walElsewhere?: boolean; settings?: string[] } = {}): Promise<PgServer> {
  const ids = userIds('postgres')!;
  const dir = mkdtempSync(path.join(options.under ?? os.tmpdir(), 'dbsafe-pg-'));
  const walParent = options.walElsewhere ? mkdtempSync(path.join(os.tmpdir(), 'dbsafe-pg-wal-')) : undefined;
  if (walParent) chownSync(walParent, ids.uid, ids.gid);
  chmodSync(dir, 0o700);
  chownSync(dir, ids.uid, ids.gid);
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${TEST_PASSWORD}\n`, { mode: 0o600 });
  chownSync(pwfile, ids.uid, ids.gid);
  run(
    path.join(PG_BIN, 'initdb'),
    ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync', ...(walParent ? [`--waldir=${path.join(walParent, 'wal')}`] : [])],
    ids,
  );
  const port = await pickPort(...(options.ports ?? [55500, 55599]));
  let log = '';
  const launch = () => {
    const started = spawn(
      path.join(PG_BIN, 'postgres'),
      ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'max_connections=50', ...(options.settings ?? []).flatMap((setting) => ['-c', setting])],
      { ...ids, stdio: ['ignore', 'ignore', 'pipe'], cwd: '/' },
    );
    started.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    return started;
  };
  const ready = () => spawnSync(path.join(PG_BIN, 'pg_isready'), ['-h', dir, '-p', String(port), '-q']).status === 0;
  let child = launch();
  const started = async () => {
    try {
      await waitFor(ready, 'postgres', child);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${log}`);
    }
  };
  await started();
  const sql = (database: string, text: string) =>
    run(path.join(PG_BIN, 'psql'), ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'postgres', '-d', database, '-f', '-'], undefined, text);
  return {
    port,
    socketDir: dir,
    url: (database, user = 'postgres') => `postgres://${user}:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${port}/${database}`,
    sql,
    async restart() {
      await stopChild(child, 'SIGINT');
      child = launch();
      await started();
    },
    async stop() {
      await stopChild(child, 'SIGINT');
      rmSync(dir, { recursive: true, force: true });
      if (walParent) rmSync(walParent, { recursive: true, force: true });
    },
  };
}

export interface MariaServer {
  port: number;
  /** The unix socket (root connects there without a password). */
  socket: string;
  /** mysql://dbsafe:<password>@127.0.0.1:<port>/<db> */
  url(database: string): string;
  /** Run SQL as root over the unix socket; returns stdout (batch, no column names). */
  sql(sql: string, database?: string): string;
  /** Stop the server (as a shutdown would) and start it again on the same files. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** `under`: the directory the server's files live in (default the OS temp dir); `settings`: more `--name=value` options. */
export async function startMariadb(options: { under?: string; settings?: string[] } = {}): Promise<MariaServer> {
  const ids = userIds('mysql')!;
  const dir = mkdtempSync(path.join(options.under ?? os.tmpdir(), 'dbsafe-maria-'));
  chmodSync(dir, 0o700);
  chownSync(dir, ids.uid, ids.gid);
  const data = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  run('mariadb-install-db', ['--no-defaults', '--user=mysql', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db'], undefined);
  chownSync(dir, ids.uid, ids.gid);
  spawnSync('chown', ['-R', 'mysql:mysql', dir]);
  const port = await pickPort(33400, 33499);
  const mariadbd = existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd';
  const launch = () =>
    spawn(
      mariadbd,
      [
        '--no-defaults',
        '--user=mysql',
        `--datadir=${data}`,
        '--bind-address=127.0.0.1',
        `--port=${port}`,
        `--socket=${socket}`,
        `--pid-file=${path.join(dir, 'mysqld.pid')}`,
        `--log-error=${path.join(dir, 'error.log')}`,
        '--skip-log-bin',
        '--innodb-flush-log-at-trx-commit=0',
        '--innodb-buffer-pool-size=64M',
        ...(options.settings ?? []),
      ],
      { stdio: 'ignore', cwd: '/' },
    );
  let child = launch();
  const ready = () => spawnSync('mariadb-admin', ['--no-defaults', `--socket=${socket}`, '-uroot', 'ping'], { stdio: 'ignore' }).status === 0;
  await waitFor(ready, 'mariadbd', child);
  const sql = (text: string, database?: string) =>
    run('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '--default-character-set=utf8mb4', '--batch', '--skip-column-names', ...(database ? [database] : [])], undefined, text);
  const quoted = TEST_PASSWORD.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  sql(`CREATE USER 'dbsafe'@'127.0.0.1' IDENTIFIED BY '${quoted}'; GRANT ALL PRIVILEGES ON *.* TO 'dbsafe'@'127.0.0.1' WITH GRANT OPTION;`);
  return {
    port,
    socket,
    url: (database) => `mysql://dbsafe:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${port}/${database}`,
    sql,
    async restart() {
      await stopChild(child, 'SIGTERM');
      child = launch();
      await waitFor(ready, 'mariadbd', child);
    },
    async stop() {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
