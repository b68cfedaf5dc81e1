import { closeSync, createReadStream, createWriteStream, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BlockedError, ConfigError, DatabaseError } from '../errors.js';
import { onInterrupt } from './cleanup.js';
import type { BackupContext } from './context.js';
import { findPgTools } from './engines/postgres.js';
import { inspect, query, quoteIdent, sqlite, sqliteBinary } from './engines/sqlite.js';
import { fsyncPath, sha256File } from './files.js';
import { findBackup } from './find-backup.js';
import { privateTempDir, sweepPrivateTemp } from './private-tmp.js';
import type { Manifest } from './manifest.js';
import { describeExit, startChild, type ChildRun } from './runner.js';

/**
 * export: plain SQL from a backup's artifact (full, schema only, data only), so a team keeps its
 * "full / schema / data" files without taking more dumps. The artifact's sha256 is checked first (a
 * damaged artifact is refused). PostgreSQL: `pg_restore -f -` (no server needed); MySQL/MariaDB: the
 * dump itself, split line by line; SQLite: `.dump` / `.schema` of a decompressed private copy.
 */

export type ExportPart = 'full' | 'schema' | 'data';

export interface ExportRequest {
  backup: string;
  instance?: string;
  part: ExportPart;
  /** A file (written to a temp name, fsynced, renamed; 0600); stdout when absent. */
  output?: string;
  stdout?: Writable;
}

/**
 * mysqldump output, classified line by line: INSERT / LOCK TABLES / DISABLE KEYS / SETVAL lines are
 * data; the session SET lines and comments belong to both; the rest (CREATE …, and every line of a
 * `DELIMITER ;;` block: triggers, routines, events) is schema. An INSERT runs to the line that ends
 * with `;` (mariadb-dump puts each row on its own line); newlines inside values are always escaped,
 * which is what makes a line split exact.
 */
export class MysqlDumpFilter extends Transform {
  private pending = '';
  private inBlock = false;
  private inInsert = false;
  constructor(private readonly part: Exclude<ExportPart, 'full'>) {
    super();
  }
  private classify(line: string): 'schema' | 'data' | 'both' {
    if (/^DELIMITER ;;/.test(line)) {
      this.inBlock = true;
      return 'schema';
    }
    if (/^DELIMITER ;\s*$/.test(line)) {
      this.inBlock = false;
      return 'schema';
    }
    if (this.inBlock) return 'schema';
    if (this.inInsert || line.startsWith('INSERT INTO ')) {
      this.inInsert = !line.trimEnd().endsWith(';');
      return 'data';
    }
    if (/^(INSERT INTO |LOCK TABLES |UNLOCK TABLES;|\/\*!40000 ALTER TABLE .* (DISABLE|ENABLE) KEYS \*\/;|SELECT SETVAL\()/.test(line)) return 'data';
    if (line === '' || line.startsWith('--') || (/^\/\*M?!/.test(line) && /( SET |sandbox mode)/.test(line))) return 'both';
    return 'schema';
  }
  private pushLine(line: string): void {
    const kind = this.classify(line);
    if (kind === 'both' || kind === this.part) this.push(`${line}\n`);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    const lines = (this.pending + chunk.toString('utf8')).split('\n');
    this.pending = lines.pop()!;
    for (const line of lines) this.pushLine(line);
    callback();
  }
  override _flush(callback: TransformCallback): void {
    if (this.pending) this.pushLine(this.pending);
    callback();
  }
}

async function runToStream(run: ChildRun, name: string, into: Writable): Promise<void> {
  const copying = pipeline(run.child.stdout!, into, { end: false });
  const exit = await run.done;
  await copying;
  if (exit.code !== 0 || exit.signal) throw new DatabaseError(`export failed: ${describeExit(name, exit)}`);
}

async function writeSql(manifest: Manifest, artifact: string, part: ExportPart, into: Writable, scratch: string): Promise<void> {
  switch (manifest.engine) {
    case 'postgres': {
      const major = Number(/^(\d+)/.exec(manifest.server.version)?.[1] ?? 0);
      const tools = await findPgTools(major, manifest.server.version);
      // data only: triggers stay off while rows load (a BEFORE INSERT trigger would rewrite them); loading needs a superuser
      const flags = part === 'schema' ? ['--schema-only'] : part === 'data' ? ['--data-only', '--disable-triggers'] : [];
      return runToStream(startChild(tools.pgRestore, ['-f', '-', ...flags, artifact]), 'pg_restore', into);
    }
    case 'mysql':
    case 'mariadb': {
      if (part === 'full') return pipeline(createReadStream(artifact), createGunzip(), into, { end: false });
      return pipeline(createReadStream(artifact), createGunzip(), new MysqlDumpFilter(part), into, { end: false });
    }
    case 'sqlite': {
      const copy = path.join(scratch, 'export.sqlite');
      await pipeline(createReadStream(artifact), createGunzip(), createWriteStream(copy, { mode: 0o600 }));
      if (part === 'schema') {
        // `.schema` annotates views with comments that would become part of their definition: dump an emptied copy instead
        const tables = (await inspect(copy)).tables.map((t) => `DELETE FROM ${quoteIdent(t.name)};`).join(' ');
        const sequence = (await query<{ n: number }>(copy, "SELECT count(*) AS n FROM sqlite_schema WHERE name = 'sqlite_sequence';"))[0]?.n ? ' DELETE FROM sqlite_sequence;' : '';
        await sqlite(copy, `PRAGMA foreign_keys = OFF; BEGIN; ${tables}${sequence} COMMIT;`, false);
      }
      const command = part === 'data' ? '.dump --data-only' : '.dump';
      return runToStream(startChild(sqliteBinary(), ['-batch', '-readonly', copy, command]), 'sqlite3', into);
    }
  }
}

export async function exportSql(context: BackupContext, request: ExportRequest): Promise<{ backupId: string; instance: string; output?: string }> {
  process.umask(0o077);
  const stored = findBackup(context, request.backup, request.instance);
  if (!stored.manifest) throw new ConfigError(`Backup ${stored.id} has no readable manifest`, { hint: `See why with \`npx dbsafe-hooks verify ${stored.id}\`.` });
  const manifest = stored.manifest;
  const artifact = path.join(stored.dir, manifest.artifact.file);
  const { sha256 } = await sha256File(artifact).catch(() => ({ sha256: 'missing' }));
  if (sha256 !== manifest.artifact.sha256) {
    throw new BlockedError(`The artifact of backup ${stored.id} is ${sha256 === 'missing' ? 'missing' : 'damaged (its sha256 differs from the manifest)'}: nothing exported`, {
      hint: `\`npx dbsafe-hooks verify ${stored.id}\` records the failure; export another backup.`,
    });
  }
  // a decompressed copy of the data: in the swept private tmp inside .git, never left in /tmp by a kill -9
  sweepPrivateTemp(context.commonDir);
  const scratch = privateTempDir(context.commonDir);
  const output = request.output ? path.resolve(context.cwd, request.output) : undefined;
  const temp = output ? `${output}.tmp-${process.pid}` : undefined;
  const cleanup = () => {
    rmSync(scratch, { recursive: true, force: true });
    if (temp) rmSync(temp, { force: true });
  };
  const unregister = onInterrupt(cleanup);
  try {
    if (!output || !temp) {
      await writeSql(manifest, artifact, request.part, request.stdout ?? process.stdout, scratch);
      return { backupId: stored.id, instance: manifest.instance };
    }
    const file = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    await writeSql(manifest, artifact, request.part, file, scratch);
    await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, output);
    fsyncPath(path.dirname(output));
    return { backupId: stored.id, instance: manifest.instance, output };
  } finally {
    cleanup();
    unregister();
  }
}
