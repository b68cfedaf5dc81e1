import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hexSlice, utf8Slice } from '../util/byte-slices.js';
import type { IndexEntry } from './changes.js';
import type { RepoInfo } from './repo.js';

/**
 * The index's entries read from the index file itself, as `git ls-files --stage` lists them: for the
 * migration history of a hook (check/schema-history.ts), where starting git from node costs more than
 * reading a few hundred KB (bench/RESULTS.md, "Hooks"). Formats 2, 3 and 4 (path compression), SHA-1 and
 * SHA-256. Anything else answers undefined and the caller asks git: another version, a split index (its
 * entries live in another file), a sparse index (directories as entries), a file that ends early or whose
 * entry count does not add up. Which file: GIT_INDEX_FILE when git set one (a commit in progress uses a
 * temporary index), else the worktree's own.
 *
 * Two views of the same walk: `IndexLayout`, the entries as offsets into bytes (no string, no object per
 * entry: a hook's history reads thousands of entries and needs the text of a few), and `IndexEntry[]`.
 */

/** The wanted entries as offsets into bytes; entry k is at index k of each array. */
export interface IndexLayout {
  /** The index file. */
  data: Buffer;
  oidBytes: number;
  count: number;
  /** Where entry k's object id starts in `data`. */
  oidAt: Int32Array;
  /** Its mode (type and permission bits, as git stores them). */
  mode: Int32Array;
  stage: Uint8Array;
  /** Where the paths' bytes are: `data` itself, or (version 4, whose paths are compressed) a copy. */
  paths: Buffer;
  pathStart: Int32Array;
  pathEnd: Int32Array;
}

export function readIndexLayout(repo: RepoInfo, prefixes?: readonly string[]): IndexLayout | undefined {
  const file = process.env.GIT_INDEX_FILE ? path.resolve(repo.root, process.env.GIT_INDEX_FILE) : path.join(repo.gitDir, 'index');
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  try {
    return indexLayout(data, repo.objectFormat === 'sha256' ? 32 : 20, prefixes);
  } catch {
    return undefined;
  }
}

export function readIndexFile(repo: RepoInfo, prefixes?: readonly string[]): IndexEntry[] | undefined {
  const layout = readIndexLayout(repo, prefixes);
  return layout && layoutEntries(layout);
}

/** Parse an index file into entries (see indexLayout). */
export function parseIndex(data: Buffer, oidBytes: number, prefixes?: readonly string[]): IndexEntry[] | undefined {
  const layout = indexLayout(data, oidBytes, prefixes);
  return layout && layoutEntries(layout);
}

function layoutEntries(layout: IndexLayout): IndexEntry[] {
  const modes = new Map<number, string>();
  const entries: IndexEntry[] = [];
  for (let k = 0; k < layout.count; k++) {
    const permissions = layout.mode[k]! & 0o170777;
    let mode = modes.get(permissions);
    if (mode === undefined) modes.set(permissions, (mode = permissions.toString(8).padStart(6, '0')));
    entries.push({ mode, oid: entryOid(layout, k), stage: layout.stage[k]!, path: entryPath(layout, k) });
  }
  return entries;
}

export const entryPath = (layout: IndexLayout, k: number): string => utf8Slice(layout.paths, layout.pathStart[k]!, layout.pathEnd[k]!);
export const entryOid = (layout: IndexLayout, k: number): string => hexSlice(layout.data, layout.oidAt[k]!, layout.oidAt[k]! + layout.oidBytes);
/** A regular file (mode 100644 or 100755), not a symlink or a submodule. */
export const isRegularFile = (layout: IndexLayout, k: number): boolean => (layout.mode[k]! & 0o170000) === 0o100000;

/**
 * Walk an index file (throws on anything out of bounds; undefined for what only git should read).
 * `prefixes`: only entries whose path starts with one of them are kept (literal directory prefixes of the
 * migration globs, a superset as `git ls-files -- <prefix>` gives); the others are still walked, so a
 * damaged or split index is still refused. Per entry this is byte arithmetic only.
 */
export function indexLayout(data: Buffer, oidBytes: number, prefixes?: readonly string[]): IndexLayout | undefined {
  if (data.length < 12 || data.toString('latin1', 0, 4) !== 'DIRC') return undefined;
  const version = uint32(data, 4);
  if (version < 2 || version > 4) return undefined;
  const total = uint32(data, 8);
  // at least 62 bytes an entry: a count the file cannot hold is damage (and would size the arrays)
  if (total > data.length / 62) return undefined;
  const wanted = prefixes && !prefixes.includes('') ? [...new Set(prefixes)].map((p) => Buffer.from(p, 'utf8')) : undefined;
  const layout: IndexLayout = {
    data,
    oidBytes,
    count: 0,
    oidAt: new Int32Array(total),
    mode: new Int32Array(total),
    stage: new Uint8Array(total),
    paths: data,
    pathStart: new Int32Array(total),
    pathEnd: new Int32Array(total),
  };
  const end = data.length - oidBytes; // the trailing checksum
  // version 4: each path is the previous one's first bytes plus its own; rebuilt in `path4`, and the wanted
  // ones copied to `copied`
  let path4: Buffer = Buffer.allocUnsafe(version === 4 ? 4096 : 0);
  let previousLength = 0;
  let copied: Buffer = Buffer.allocUnsafe(version === 4 ? 64 * 1024 : 0);
  let copiedLength = 0;
  let at = 12;
  for (let n = 0; n < total; n++) {
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
      path4 = ensureRoom(path4, kept, kept + nul - at);
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
    const k = layout.count++;
    layout.oidAt[k] = oidAt;
    layout.mode[k] = mode;
    layout.stage[k] = (flags >> 12) & 0x3;
    if (version === 4) {
      copied = ensureRoom(copied, copiedLength, copiedLength + nameEnd);
      path4.copy(copied, copiedLength, 0, nameEnd);
      layout.pathStart[k] = copiedLength;
      copiedLength += nameEnd;
      layout.pathEnd[k] = copiedLength;
    } else {
      layout.pathStart[k] = nameStart;
      layout.pathEnd[k] = nameEnd;
    }
  }
  if (version === 4) layout.paths = copied;
  // extensions: a split index ("link") keeps its entries in another file
  while (at + 8 <= end) {
    const signature = data.toString('latin1', at, at + 4);
    if (signature === 'link' || signature === 'sdir') return undefined;
    at += 8 + uint32(data, at + 4);
  }
  return at === end ? layout : undefined;
}

/** `buffer`, or a larger copy of its first `keep` bytes, so that it holds `needed` bytes. */
function ensureRoom(buffer: Buffer, keep: number, needed: number): Buffer {
  if (needed <= buffer.length) return buffer;
  const larger = Buffer.allocUnsafe(Math.max(2 * buffer.length, needed));
  buffer.copy(larger, 0, 0, keep);
  return larger;
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
