import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, openSync, readSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { GitError } from '../errors.js';
import { execGitStream } from './exec-git.js';

/**
 * One answer of `git cat-file --batch`: the object's bytes; or only its size when it is larger than
 * the parser's limit (its bytes were skipped, never held in memory); or `missing`.
 */
export type BatchObject =
  | { oid: string; type: string; size: number; content: Buffer }
  | { oid: string; type: string; size: number; skipped: true }
  | { oid: string; missing: true };

/**
 * A streaming parser of `git cat-file --batch` output: feed it chunks as they arrive, it emits
 * one object per request. Objects that fit inside a chunk are sliced without copying; larger ones
 * are assembled into one buffer of the announced size; objects over `maxSize` are skipped byte by
 * byte, so memory never holds more than the limit per object (a 5 GB dump staged by mistake is
 * reported by size, not read).
 */
export class CatFileBatchParser {
  private pending: Buffer = Buffer.alloc(0);
  private current?: { oid: string; type: string; size: number; body?: Buffer; filled: number };
  readonly objects: BatchObject[] = [];

  constructor(private readonly maxSize = Number.POSITIVE_INFINITY) {}

  push(chunk: Buffer): void {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length) {
      if (this.current) {
        data = this.consumeBody(this.current, data);
        continue;
      }
      const newline = data.indexOf(0x0a);
      if (newline < 0) {
        this.pending = Buffer.from(data);
        return;
      }
      const header = data.subarray(0, newline).toString('utf8');
      data = data.subarray(newline + 1);
      const missing = /^(.*) missing$/.exec(header);
      if (missing) {
        this.objects.push({ oid: missing[1] ?? '', missing: true });
        continue;
      }
      const match = /^([0-9a-f]+) (\S+) (\d+)$/.exec(header);
      if (!match) throw new GitError(`Unexpected output from git cat-file --batch: ${header.slice(0, 200)}`);
      this.current = { oid: match[1]!, type: match[2]!, size: Number(match[3]), filled: 0 };
    }
  }

  /** Take the current object's bytes (content plus the trailing LF) from `data`; returns the rest. */
  private consumeBody(cur: NonNullable<CatFileBatchParser['current']>, data: Buffer): Buffer {
    const need = cur.size + 1 - cur.filled;
    const take = Math.min(need, data.length);
    const keep = cur.size <= this.maxSize;
    if (keep && cur.filled === 0 && take === need) {
      cur.body = data.subarray(0, cur.size); // whole object inside this chunk: a view, no copy
    } else if (keep) {
      cur.body ??= Buffer.allocUnsafe(cur.size);
      const contentPart = Math.min(take, Math.max(0, cur.size - cur.filled));
      if (contentPart > 0) data.copy(cur.body, cur.filled, 0, contentPart);
    }
    cur.filled += take;
    if (cur.filled === cur.size + 1) {
      const { oid, type, size } = cur;
      this.objects.push(keep ? { oid, type, size, content: cur.body ?? Buffer.alloc(0) } : { oid, type, size, skipped: true });
      this.current = undefined;
    }
    return data.subarray(take);
  }

  /** Throws when the output ended in the middle of an object. */
  end(): BatchObject[] {
    if (this.current || this.pending.length) throw new GitError('git cat-file --batch output ended early');
    return this.objects;
  }
}

/** A blob's bytes, or its size when it was over the limit and not read. */
export type BlobContent = Buffer | { size: number };

/**
 * Read many blobs with ONE `git cat-file --batch` process, streaming. Requests are object ids
 * (never `:path`, which cannot carry a newline in the path). Returns oid → bytes (or `{ size }` for
 * a blob over `maxSize`); an object git does not have maps to undefined. Duplicates are asked once.
 */
export async function readBlobs(root: string, oids: Iterable<string>, maxSize?: number): Promise<Map<string, BlobContent | undefined>> {
  const unique = [...new Set(oids)];
  const result = new Map<string, BlobContent | undefined>();
  if (!unique.length) return result;
  const parser = new CatFileBatchParser(maxSize);
  await execGitStream(['cat-file', '--batch'], { cwd: root, input: `${unique.join('\n')}\n` }, (chunk) => parser.push(chunk));
  const objects = parser.end();
  if (objects.length !== unique.length) throw new GitError(`git cat-file --batch answered ${objects.length} of ${unique.length} requests`);
  objects.forEach((object, index) => {
    const oid = unique[index]!;
    result.set(oid, 'missing' in object ? undefined : 'skipped' in object ? { size: object.size } : object.content);
  });
  return result;
}

/**
 * Blobs whose bytes are in the work tree too, read from there: a blob's id is the hash of its bytes, so a
 * file that hashes to the id holds exactly them (whatever filters or line endings the repository uses: a
 * file that differs just hashes to another id). A commit usually stages a file as it is on disk, so the hook
 * reading a new migration starts no `git cat-file` at all. `where` maps an id to the root-relative path that
 * may hold it; only regular files within the size limit are opened (never a FIFO or a device). Returns the
 * ids found; the rest are for readBlobs.
 */
export function blobsFromWorktree(
  root: string,
  where: Map<string, string>,
  objectFormat: 'sha1' | 'sha256',
  maxSize = Number.POSITIVE_INFINITY,
): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  for (const [oid, file] of where) {
    const bytes = readRegularFile(path.join(root, file), maxSize);
    if (!bytes) continue;
    const id = createHash(objectFormat).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    if (id === oid) found.set(oid, bytes);
  }
  return found;
}

/** A regular file's bytes (not following a symlink), or undefined for anything else or too large. */
function readRegularFile(file: string, maxSize: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    if (!lstatSync(file).isFile()) return undefined;
    // O_NONBLOCK: a FIFO swapped in after the lstat cannot block the open
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > maxSize) return undefined;
    const bytes = Buffer.allocUnsafe(stat.size);
    let filled = 0;
    while (filled < bytes.length) {
      const read = readSync(fd, bytes, filled, bytes.length - filled, filled);
      if (read === 0) return undefined; // shrank while read: let git answer
      filled += read;
    }
    return bytes;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
