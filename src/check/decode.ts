import { isUtf8 } from 'node:buffer';

/**
 * Bytes of a migration file → text, or the reason it cannot be read. Pure. Whatever cannot be
 * decoded is reported as `unparseable` by the caller (fail closed), never skipped.
 */
export type Decoded = { ok: true; text: string; note?: string } | { ok: false; problem: string };

/** Larger files are not parsed: a reader takes about 1 s of CPU per MB of SQL (PostgreSQL: parsed in runs, ~280 MB peak for 10 MB; bench/RESULTS.md), so a 50 MB data dump would take a minute. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

const LFS_POINTER = Buffer.from('version https://git-lfs.github.com/spec/v1');
const GIT_CRYPT = Buffer.from('\0GITCRYPT');
const UTF32_LE = Uint8Array.of(0xff, 0xfe, 0x00, 0x00);
const UTF32_BE = Uint8Array.of(0x00, 0x00, 0xfe, 0xff);
const UTF16_LE = Uint8Array.of(0xff, 0xfe);
const UTF16_BE = Uint8Array.of(0xfe, 0xff);
const UTF8_BOM = Uint8Array.of(0xef, 0xbb, 0xbf);

/** What to do about a file whose bytes cannot carry an override marker. */
export const CANNOT_READ_HINT =
  'an override marker cannot be written inside it: convert the file to UTF-8 text, or leave it out with an `ignore` glob in the matching `migrations` entry of the configuration';

export function decodeMigration(bytes: Buffer): Decoded {
  if (bytes.length === 0) return { ok: true, text: '' };
  if (bytes.length > MAX_FILE_BYTES) return { ok: false, problem: tooLargeProblem(bytes.length) };
  if (startsWith(bytes, LFS_POINTER)) {
    return {
      ok: false,
      problem: `file is a Git LFS pointer: the migration itself is not in git, so it cannot be checked. Store migrations as normal git files (remove the pattern from .gitattributes), or ${leaveOut()}`,
    };
  }
  if (startsWith(bytes, GIT_CRYPT)) {
    return { ok: false, problem: `file is encrypted with git-crypt: its content cannot be checked. Keep migrations unencrypted, or ${leaveOut()}` };
  }
  // byte order marks: UTF-32 first (its LE mark starts like UTF-16 LE's)
  if (startsWith(bytes, UTF32_LE) || startsWith(bytes, UTF32_BE)) {
    return { ok: false, problem: `file is UTF-32 encoded, which is not supported; ${CANNOT_READ_HINT}` };
  }
  if (startsWith(bytes, UTF16_LE)) return decodeUtf16(bytes.subarray(2), 'utf-16le');
  if (startsWith(bytes, UTF16_BE)) return decodeUtf16(bytes.subarray(2), 'utf-16be');
  const body = startsWith(bytes, UTF8_BOM) ? bytes.subarray(3) : bytes;
  const nul = body.indexOf(0);
  if (nul >= 0) {
    return { ok: false, problem: `file looks binary (NUL byte at line ${lineAt(body, nul)}), not SQL text; ${CANNOT_READ_HINT}` };
  }
  if (!isUtf8(body)) {
    const offset = firstInvalidUtf8(body);
    return {
      ok: false,
      problem: `file is not valid UTF-8 (invalid byte 0x${(body[offset] ?? 0).toString(16).padStart(2, '0')} at line ${lineAt(body, offset)}); it may be in a legacy encoding such as Latin-1 or Windows-1252: ${CANNOT_READ_HINT}`,
    };
  }
  return { ok: true, text: body.toString('utf8') };
}

/** Why a file over the size limit is not read (also used before reading a large file from disk). */
export function tooLargeProblem(size: number): string {
  return `file is too large to check (${formatSize(size)}; the limit is ${formatSize(MAX_FILE_BYTES)}): split it into smaller migrations, or ${leaveOut()}`;
}

function decodeUtf16(body: Buffer, encoding: 'utf-16le' | 'utf-16be'): Decoded {
  try {
    const text = new TextDecoder(encoding, { fatal: true }).decode(body);
    if (text.includes('\0')) return { ok: false, problem: `file is ${encoding.toUpperCase()} but contains NUL characters (binary?); ${CANNOT_READ_HINT}` };
    return { ok: true, text, note: `decoded as ${encoding.toUpperCase()} (byte order mark)` };
  } catch {
    return { ok: false, problem: `file starts with a ${encoding.toUpperCase()} byte order mark but is not valid ${encoding.toUpperCase()}; ${CANNOT_READ_HINT}` };
  }
}

function leaveOut(): string {
  return 'leave it out with an `ignore` glob in the matching `migrations` entry of the configuration';
}

/** Byte by byte: Buffer#equals on a subarray costs more than the whole decode for a small file. */
function startsWith(bytes: Buffer, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line++;
  return line;
}

function formatSize(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence (only called when one exists). */
export function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= bytes.length) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}
