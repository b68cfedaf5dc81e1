import { closeSync, openSync, readSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * The snapshot time, written into the gzip header's MTIME field (RFC 1952, bytes 4-7, seconds since
 * the epoch, little-endian) of the artifacts we compress ourselves (MySQL/MariaDB, SQLite). Node's
 * gzip writes 0 there; decompressors ignore it. It makes the artifact carry its own time, inside the
 * bytes the sha256 covers, so `adopt` can date a backup without trusting its manifest.
 */
export class GzipHeaderTime extends Transform {
  private seen = 0;
  constructor(private readonly time: Date) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    if (this.seen < 8) {
      const seconds = Math.max(0, Math.floor(this.time.getTime() / 1000));
      for (let index = 0; index < chunk.length && this.seen + index < 8; index++) {
        const at = this.seen + index;
        if (at >= 4) chunk[index] = (seconds >>> ((at - 4) * 8)) & 0xff;
      }
    }
    this.seen += chunk.length;
    callback(null, chunk);
  }
}

/** The MTIME of a gzip file's header, or undefined when absent (0) or not gzip. */
export function gzipHeaderTime(file: string): Date | undefined {
  const header = Buffer.alloc(10);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (readSync(fd, header, 0, 10, 0) < 10) return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (header[0] !== 0x1f || header[1] !== 0x8b) return undefined;
  const seconds = header.readUInt32LE(4);
  return seconds > 0 ? new Date(seconds * 1000) : undefined;
}
