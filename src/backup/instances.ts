import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { redactUrl } from './redact.js';

/**
 * Configured database instances → what the engines need. Secrets (the URL read from `env:VAR`)
 * stay in memory: only `redactedUrl` and `fingerprint` are ever printed or stored.
 */

export type Engine = 'postgres' | 'mysql' | 'mariadb' | 'sqlite';
export type EngineFamily = 'postgres' | 'mysql' | 'sqlite';

export interface ServerTarget {
  engine: 'postgres' | 'mysql' | 'mariadb';
  host: string;
  port: number;
  /** A unix-socket directory (PostgreSQL `?host=/dir`) or socket file (MySQL `?socket=`), when given. */
  socket?: string;
  database: string;
  user?: string;
  /** Secret: passed to children only through a 0600 passfile / defaults file. */
  password?: string;
  params: Record<string, string>;
  redactedUrl: string;
}

export interface ResolvedInstance {
  name: string;
  engine: Engine;
  family: EngineFamily;
  redactedUrl: string;
  fingerprint: string;
  isDefault: boolean;
  /** Retention: keep the newest `keep` backups… */
  keep: number;
  /** …and every backup younger than this many days (`keep: { last, days }`). */
  keepDays?: number;
  /** PostgreSQL: record and compare per-table row hashes (`rowHashes` in the config). */
  rowHashes: boolean;
  /** SQLite only: absolute path of the database file. */
  sqlitePath?: string;
  /** Servers only. */
  server?: ServerTarget;
  /** Where verify restores (servers only): `verifyUrl` of the instance or the top level, else the same server. */
  verifyServer?: ServerTarget;
}

export interface ResolveOptions {
  /** Repository root: relative SQLite paths are relative to it. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

const SQLITE_FILE = /\.(db|sqlite|sqlite3|db3)$/i;

/** Read `env:VAR` (or a literal); a literal URL with a password is refused. */
function readUrl(raw: string, key: string, env: NodeJS.ProcessEnv): string {
  const match = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(raw);
  if (match) {
    const value = env[match[1]!];
    if (!value) {
      throw new ConfigError(`"${key}" reads the environment variable ${match[1]}, which is not set`, {
        hint: `Set ${match[1]} to the database URL (e.g. in your shell or a .env loader), or change "${key}".`,
      });
    }
    return value;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    let hasSecret = false;
    try {
      const url = new URL(raw);
      hasSecret = url.password !== '' || [...url.searchParams.keys()].some((k) => /pass/i.test(k));
    } catch {
      hasSecret = /:[^@/]*@/.test(raw);
    }
    if (hasSecret) {
      throw new ConfigError(`"${key}" contains a password in the configuration file`, {
        hint: `Put the URL in an environment variable and write "${key}": "env:DATABASE_URL" instead (the config is committed; passwords must not be).`,
      });
    }
  }
  return raw;
}

function engineFromScheme(protocol: string): ServerTarget['engine'] | 'sqlite' | undefined {
  switch (protocol.replace(/:$/, '').toLowerCase()) {
    case 'postgres':
    case 'postgresql':
      return 'postgres';
    case 'mysql':
      return 'mysql';
    case 'mariadb':
      return 'mariadb';
    case 'sqlite':
    case 'file':
      return 'sqlite';
    default:
      return undefined;
  }
}

/** Parse a server URL. Throws ConfigError (never echoing the password) when it is not one. */
export function parseServerUrl(raw: string, key: string, engineHint?: Engine): ServerTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`"${key}" is not a valid database URL (${redactUrl(raw)})`, {
      hint: 'Use postgres://user@host:5432/dbname, mysql://user@host:3306/dbname, or a SQLite file path.',
    });
  }
  const fromScheme = engineFromScheme(url.protocol);
  if (!fromScheme || fromScheme === 'sqlite') {
    throw new ConfigError(`"${key}": unsupported URL scheme "${url.protocol}" (${redactUrl(raw)})`, {
      hint: 'Supported: postgres://, postgresql://, mysql://, mariadb://, or a SQLite file path (sqlite:path).',
    });
  }
  const engine = engineHint && engineHint !== 'sqlite' && fromScheme !== 'postgres' ? engineHint : fromScheme;
  const params: Record<string, string> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  const socket = params.host?.startsWith('/') ? params.host : params.socket;
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || params.dbname || params.database || '';
  if (!database) throw new ConfigError(`"${key}" names no database (${redactUrl(raw)})`, { hint: 'Add the database name to the URL path: …/dbname' });
  return {
    engine,
    host: (url.hostname || (engine === 'postgres' ? 'localhost' : '127.0.0.1')).toLowerCase().replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : engine === 'postgres' ? 5432 : 3306,
    socket,
    database,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    params,
    redactedUrl: redactUrl(raw),
  };
}

/**
 * Stable identity of a database, never containing secrets: sha256 of the engine family + host +
 * port + database name (servers; a unix socket counts as its path), or of the SQLite file's real path.
 * `verified` entries carry it so a backup of one database never satisfies the gate for another.
 */
export function databaseFingerprint(
  target: { family: 'sqlite'; path: string } | { family: 'postgres' | 'mysql'; host: string; port: number; socket?: string; database: string },
): string {
  const identity =
    target.family === 'sqlite'
      ? { engine: 'sqlite', path: target.path }
      : { engine: target.family, host: target.socket ?? target.host, port: target.port, database: target.database };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

function realOrResolved(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    // the file may not exist yet: resolve its directory when possible
    try {
      return path.join(realpathSync(path.dirname(file)), path.basename(file));
    } catch {
      return path.resolve(file);
    }
  }
}

/** Names of the configured instances and which one is the default. */
export function defaultInstanceName(config: Config): string | undefined {
  const entries = Object.entries(config.databases);
  const explicit = entries.filter(([, db]) => db.default === true);
  if (explicit.length > 1) {
    throw new ConfigError(`More than one database instance has "default": true (${explicit.map(([n]) => n).join(', ')})`, {
      hint: 'Mark exactly one instance as the default.',
    });
  }
  if (explicit.length === 1) return explicit[0]![0];
  if (entries.length === 1) return entries[0]![0];
  return undefined;
}

export function resolveInstance(config: Config, name: string | undefined, options: ResolveOptions): ResolvedInstance {
  const env = options.env ?? process.env;
  const names = Object.keys(config.databases);
  if (names.length === 0) {
    throw new ConfigError('No database instance is configured', {
      hint: 'Add one to your config, e.g. { "databases": { "dev": { "url": "sqlite:dev.db" } } } or { "url": "env:DATABASE_URL" }.',
    });
  }
  const chosen = name ?? defaultInstanceName(config);
  if (!chosen) {
    throw new ConfigError(`Several database instances are configured (${names.join(', ')}) and none is the default`, {
      hint: 'Name one on the command line, or set "default": true on one of them.',
    });
  }
  const db = config.databases[chosen];
  if (!db) {
    throw new ConfigError(`Unknown database instance "${chosen}"`, { hint: `Configured instances: ${names.join(', ')}.` });
  }
  const key = `databases.${chosen}.url`;
  const raw = readUrl(db.url, key, env);
  const keep = db.keep ?? config.keep;
  const base = {
    name: chosen,
    isDefault: chosen === defaultInstanceName(config),
    keep: typeof keep === 'number' ? keep : keep.last,
    keepDays: typeof keep === 'number' ? undefined : keep.days,
    rowHashes: db.rowHashes ?? false,
  };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1];
  const isSqlite =
    db.engine === 'sqlite' || /^(sqlite|file):/i.test(raw) || (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) && (SQLITE_FILE.test(raw) || !scheme || scheme.length === 1));
  if (isSqlite) {
    const file = raw.replace(/^(sqlite|file):(\/\/)?/i, '');
    if (!file) throw new ConfigError(`"${key}" names no SQLite file`);
    const sqlitePath = realOrResolved(path.resolve(options.cwd, file));
    return {
      ...base,
      engine: 'sqlite',
      family: 'sqlite',
      redactedUrl: `sqlite:${sqlitePath}`,
      fingerprint: databaseFingerprint({ family: 'sqlite', path: sqlitePath }),
      sqlitePath,
    };
  }
  const server = parseServerUrl(raw, key, db.engine);
  const verifyRaw = db.verifyUrl ?? config.verifyUrl;
  const verifyServer = verifyRaw
    ? parseServerUrl(readUrl(verifyRaw, db.verifyUrl ? `databases.${chosen}.verifyUrl` : 'verifyUrl', env), 'verifyUrl', server.engine)
    : undefined;
  const family: EngineFamily = server.engine === 'postgres' ? 'postgres' : 'mysql';
  return {
    ...base,
    engine: server.engine,
    family,
    redactedUrl: server.redactedUrl,
    fingerprint: databaseFingerprint({ family, host: server.host, port: server.port, socket: server.socket, database: server.database }),
    server,
    verifyServer,
  };
}
