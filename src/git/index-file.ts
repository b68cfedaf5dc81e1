import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IndexEntry } from './changes.js';
import { hexSlice, utf8Slice } from '../util/byte-slices.js';
import type { RepoInfo } from './repo.js';

/**
 * The index's entries read from the index file itself, as `git ls-files --stage` lists them: for the
 * migration history of a hook (check/schema-history.ts), where starting git from node costs more than
 * reading a few hundred KB (bench/RESULTS.md, "Hooks"). Formats 2, 3 and 4 (path compression), SHA-1 and
 * SHA-256. Anything else answers undefined and the caller asks git: another version, a split index (its
 * entries live in another file), a sparse index (directories as entries), a file that ends early or whose
 * entry count does not add up. Which file: GIT_INDEX_FILE when git set one (a commit in progress uses a
 * temporary index), else the worktree's own.
 */
export function readIndexFile(repo: RepoInfo, prefixes?: readonly string[]): IndexEntry[] | undefined {
  const file = process.env.GIT_INDEX_FILE ? path.resolve(repo.root, process.env.GIT_INDEX_FILE) : path.join(repo.gitDir, 'index');
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  try {
    return parseIndex(data, repo.objectFormat === 'sha256' ? 32 : 20, prefixes);
  } catch {
    return undefined;
  }
}

/**
 * Parse an index file (throws on anything out of bounds; undefined for what only git should read).
 * `prefixes`: only entries whose path starts with one of them are returned (literal directory prefixes of
 * the migration globs, a superset as `git ls-files -- <prefix>` gives); the others are still walked, so a
 * damaged or split index is still refused, but cost no string. A hook reads this for every commit that
 * resolves a name from the history: per entry it does only byte arithmetic unless the entry is wanted.
 */
export function parseIndex(data: Buffer, oidBytes: number, prefixes?: readonly string[]): IndexEntry[] | undefined {
  if (data.length < 12 || data.toString('latin1', 0, 4) !== 'DIRC') return undefined;
  const version = uint32(data, 4);
  if (version < 2 || version > 4) return undefined;
  const count = uint32(data, 8);
  const wanted = prefixes && !prefixes.includes('') ? [...new Set(prefixes)].map((p) => Buffer.from(p, 'utf8')) : undefined;
  const modes = new Map<number, string>();
  const entries: IndexEntry[] = [];
  const end = data.length - oidBytes; // the trailing checksum
  // version 4: each path is the previous one's first bytes plus its own; rebuilt in place here
  let path4 = Buffer.allocUnsafe(version === 4 ? 4096 : 0);
  let previousLength = 0;
  let at = 12;
  for (let n = 0; n < count; n++) {
    const start = at;
    if (at + 40 + oidBytes + 2 > end) return undefined;
    const mode = uint32(data, at + 24);
    const oidAt = at + 40;
    const flags = (data[oidAt + oidBytes]! << 8) | data[oidAt + oidBytes + 1]!;
    at += 40 + oidBytes + 2;
    if (flags & 0x4000) {
      if (version < 3) return undefined;
      at += 2; // extended flags (intent-to-add, skip-worktree): ls-files lists those entries too
    }
    // the flags hold the path's length (0xFFF: that long or longer, then only its NUL ends it)
    const length = flags & 0xfff;
    let name: Buffer;
    let nameStart: number;
    let nameEnd: number;
    if (version === 4) {
      // the number of bytes to drop from the previous path (git's offset varint), then the rest, NUL-ended
      let value = data[at++]!;
      let drop = value & 0x7f;
      while (value & 0x80) {
        value = data[at++]!;
        drop = ((drop + 1) << 7) | (value & 0x7f);
      }
      if (drop > previousLength) return undefined;
      const kept = previousLength - drop;
      const nul = length < 0xfff && length >= kept ? at + length - kept : data.indexOf(0, at);
      if (nul < 0 || nul >= end || data[nul] !== 0) return undefined;
      if (kept + nul - at > path4.length) {
        const larger = Buffer.alloc(Math.max(2 * path4.length, kept + nul - at));
        path4.copy(larger, 0, 0, kept);
        path4 = larger;
      }
      data.copy(path4, kept, at, nul);
      previousLength = kept + nul - at;
      name = path4;
      nameStart = 0;
      nameEnd = previousLength;
      at = nul + 1;
    } else {
      const nul = length < 0xfff ? at + length : data.indexOf(0, at);
      if (nul < 0 || nul >= end || data[nul] !== 0) return undefined;
      name = data;
      nameStart = at;
      nameEnd = nul;
      // 1 to 8 NULs: each entry is padded to a multiple of 8 bytes
      at = start + Math.floor((nul - start + 8) / 8) * 8;
    }
    // a sparse index lists whole directories (mode 040000): only git can expand them
    if (mode >>> 12 === 0o04) return undefined;
    if (wanted && !startsWithAny(name, nameStart, nameEnd, wanted)) continue;
    const permissions = mode & 0o170777;
    let modeText = modes.get(permissions);
    if (modeText === undefined) modes.set(permissions, (modeText = permissions.toString(8).padStart(6, '0')));
    entries.push({ mode: modeText, oid: hexSlice(data, oidAt, oidAt + oidBytes), stage: (flags >> 12) & 0x3, path: utf8Slice(name, nameStart, nameEnd) });
  }
  // extensions: a split index ("link") keeps its entries in another file
  while (at + 8 <= end) {
    const signature = data.toString('latin1', at, at + 4);
    if (signature === 'link' || signature === 'sdir') return undefined;
    at += 8 + uint32(data, at + 4);
  }
  return at === end ? entries : undefined;
}

function uint32(data: Buffer, at: number): number {
  if (at + 4 > data.length) throw new RangeError('index file cut short');
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

// the first and last bytes first: most paths outside a prefix differ there. Indexed loops, no for-of: this runs
// once per entry, interpreted (a process too short for V8 to optimize it), where for-of builds an iterator per call
// and doubled the whole parse's time
function startsWithAny(bytes: Buffer, start: number, end: number, prefixes: Buffer[]): boolean {
  for (let p = 0; p < prefixes.length; p++) {
    const prefix = prefixes[p]!;
    const last = prefix.length - 1;
    if (end - start <= last || bytes[start] !== prefix[0] || bytes[start + last] !== prefix[last]) continue;
    let i = 1;
    while (i < last && bytes[start + i] === prefix[i]) i++;
    if (i >= last) return true;
  }
  return false;
}
