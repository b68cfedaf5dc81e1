import { GitError } from '../errors.js';
import { execGit } from './exec-git.js';

/** One answer of `git cat-file --batch`: the object's bytes, or `missing` (the object does not exist). */
export type BatchObject = { oid: string; type: string; content: Buffer } | { oid: string; missing: true };

/**
 * A streaming parser of `git cat-file --batch` output: feed it chunks as they arrive, it emits
 * one object per request. Objects that fit inside a chunk are sliced without copying; large ones
 * (a 50 MB dump) are assembled into one buffer of the announced size, so memory stays about the
 * size of the object itself.
 */
export class CatFileBatchParser {
  private pending: Buffer = Buffer.alloc(0);
  private current?: { oid: string; type: string; size: number; body: Buffer; filled: number };
  readonly objects: BatchObject[] = [];

  push(chunk: Buffer): void {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length) {
      if (this.current) {
        const cur = this.current;
        const need = cur.size + 1 - cur.filled; // content plus the trailing LF
        const take = Math.min(need, data.length);
        if (cur.filled === 0 && take === need) {
          // whole object inside this chunk: a view, no copy
          cur.body = data.subarray(0, cur.size);
          cur.filled = need;
        } else {
          if (cur.body.length === 0 && cur.size > 0) cur.body = Buffer.allocUnsafe(cur.size);
          const contentPart = Math.min(take, Math.max(0, cur.size - cur.filled));
          if (contentPart > 0) data.copy(cur.body, cur.filled, 0, contentPart);
          cur.filled += take;
        }
        data = data.subarray(take);
        if (cur.filled === cur.size + 1) {
          this.objects.push({ oid: cur.oid, type: cur.type, content: cur.body });
          this.current = undefined;
        }
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
      this.current = { oid: match[1]!, type: match[2]!, size: Number(match[3]), body: Buffer.alloc(0), filled: 0 };
      if (this.current.size === 0) this.current.body = Buffer.alloc(0);
    }
  }

  /** Throws when the output ended in the middle of an object. */
  end(): BatchObject[] {
    if (this.current || this.pending.length) throw new GitError('git cat-file --batch output ended early');
    return this.objects;
  }
}

/**
 * Read many blobs with ONE `git cat-file --batch` process. Requests are object ids (never
 * `:path`, which cannot carry a newline in the path). Returns oid → bytes; an object git does not
 * have maps to undefined. Duplicate ids are asked for once.
 */
export async function readBlobs(root: string, oids: Iterable<string>): Promise<Map<string, Buffer | undefined>> {
  const unique = [...new Set(oids)];
  const result = new Map<string, Buffer | undefined>();
  if (!unique.length) return result;
  const { stdout } = await execGit(['cat-file', '--batch'], { cwd: root, input: `${unique.join('\n')}\n` });
  const parser = new CatFileBatchParser();
  parser.push(stdout);
  const objects = parser.end();
  if (objects.length !== unique.length) throw new GitError(`git cat-file --batch answered ${objects.length} of ${unique.length} requests`);
  objects.forEach((object, index) => {
    const oid = unique[index]!;
    result.set(oid, 'missing' in object ? undefined : object.content);
  });
  return result;
}
