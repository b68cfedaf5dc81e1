import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, openSync, renameSync, writeSync, mkdirSync, chmodSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';

/** File helpers with the modes backups need: dirs 0700, files 0600, atomic replace, fsync. */

export function mkdirPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function fsyncPath(file: string): void {
  try {
    const fd = openSync(file, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* directory fsync is refused on some filesystems; file data was already fsynced */
  }
}

/** temp + fsync + rename + directory fsync. */
export function writeFileAtomic(file: string, content: string | Buffer, dir: string): void {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    if (typeof content === 'string') writeSync(fd, content);
    else writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncPath(dir);
}

/** A pass-through stream that hashes (sha256) and counts what flows through it. */
export class HashCounter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly onProgress?: (bytes: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onProgress?.(this.bytes);
    callback(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * The artifact re-hashed alongside other work (a restore reading the same file from the page cache): the
 * promise rejects with `changed(actual)` when its sha256 is not the manifest's. Never an unhandled rejection.
 */
export function artifactStillMatches(file: string, expected: string, changed: (actual: string) => Error): Promise<void> {
  const check = sha256File(file).then(({ sha256 }) => {
    if (sha256 !== expected) throw changed(sha256);
  });
  check.catch(() => undefined);
  return check;
}

export async function sha256File(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * "no space left on <dir>" when a write failed for lack of space: ENOSPC / EDQUOT from our own
 * writes, or a child that says so (pg_restore, sqlite3). The first cause, in words: otherwise a
 * full disk surfaces as the dump child we then killed ("killed by SIGTERM", SIGPIPE).
 */
/** A database server's own words for a full disk (PostgreSQL, MySQL / MariaDB), in a client's error output. */
const SERVER_DISK_FULL = /could not extend file|No space left on device|Check free disk space|The table '[^']*' is full|errno: 28|Disk full/i;

/** The sentence to add when a server's error says its disk is full (the first cause, in words), or ''. */
export function serverDiskFull(errorText: string): string {
  return SERVER_DISK_FULL.test(errorText) ? " The database server's disk is full: free space there, then run the restore again." : '';
}

export function noSpaceOn(cause: unknown, dir: string): string | undefined {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const text = typeof cause === 'string' ? cause : cause instanceof Error ? cause.message : '';
  if (code === 'ENOSPC' || /No space left on device|database or disk is full|SQLITE_FULL/i.test(text)) return `no space left on ${dir}`;
  if (code === 'EDQUOT' || /Disk quota exceeded/i.test(text)) return `disk quota exceeded on ${dir}`;
  return undefined;
}
