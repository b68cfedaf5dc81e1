import { readFileSync } from 'node:fs';
import path from 'node:path';
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
 */
export function readIndexFile(repo: RepoInfo): IndexEntry[] | undefined {
  const file = process.env.GIT_INDEX_FILE ? path.resolve(repo.root, process.env.GIT_INDEX_FILE) : path.join(repo.gitDir, 'index');
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  try {
    return parseIndex(data, repo.objectFormat === 'sha256' ? 32 : 20);
  } catch {
    return undefined;
  }
}

/** Parse an index file (throws on anything out of bounds; undefined for what only git should read). */
export function parseIndex(data: Buffer, oidBytes: number): IndexEntry[] | undefined {
  if (data.length < 12 || data.toString('latin1', 0, 4) !== 'DIRC') return undefined;
  const version = data.readUInt32BE(4);
  if (version < 2 || version > 4) return undefined;
  const count = data.readUInt32BE(8);
  const entries: IndexEntry[] = [];
  const end = data.length - oidBytes; // the trailing checksum
  let at = 12;
  let previous: Buffer = Buffer.alloc(0);
  for (let n = 0; n < count; n++) {
    const start = at;
    if (at + 40 + oidBytes + 2 > end) return undefined;
    const mode = data.readUInt32BE(at + 24);
    const oid = data.toString('hex', at + 40, at + 40 + oidBytes);
    const flags = data.readUInt16BE(at + 40 + oidBytes);
    at += 40 + oidBytes + 2;
    if (flags & 0x4000) {
      if (version < 3) return undefined;
      at += 2; // extended flags (intent-to-add, skip-worktree): ls-files lists those entries too
    }
    // the flags hold the path's length (0xFFF: that long or longer, then only its NUL ends it)
    const length = flags & 0xfff;
    let name: Buffer;
    if (version === 4) {
      // the number of bytes to drop from the previous path (git's offset varint), then the rest, NUL-ended
      let value = data[at++]!;
      let drop = value & 0x7f;
      while (value & 0x80) {
        value = data[at++]!;
        drop = ((drop + 1) << 7) | (value & 0x7f);
      }
      if (drop > previous.length) return undefined;
      const kept = previous.length - drop;
      const nul = length < 0xfff && length >= kept ? at + length - kept : data.indexOf(0, at);
      if (nul < 0 || nul >= end || data[nul] !== 0) return undefined;
      name = Buffer.concat([previous.subarray(0, kept), data.subarray(at, nul)]);
      at = nul + 1;
    } else {
      const nul = length < 0xfff ? at + length : data.indexOf(0, at);
      if (nul < 0 || nul >= end || data[nul] !== 0) return undefined;
      name = data.subarray(at, nul);
      // 1 to 8 NULs: each entry is padded to a multiple of 8 bytes
      at = start + Math.floor((nul - start + 8) / 8) * 8;
    }
    previous = name;
    const type = mode >>> 12;
    // a sparse index lists whole directories (mode 040000): only git can expand them
    if (type === 0o04) return undefined;
    entries.push({ mode: (mode & 0o170777).toString(8).padStart(6, '0'), oid, stage: (flags >> 12) & 0x3, path: name.toString('utf8') });
  }
  // extensions: a split index ("link") keeps its entries in another file
  while (at + 8 <= end) {
    const signature = data.toString('latin1', at, at + 4);
    if (signature === 'link' || signature === 'sdir') return undefined;
    at += 8 + data.readUInt32BE(at + 4);
  }
  return at === end ? entries : undefined;
}
