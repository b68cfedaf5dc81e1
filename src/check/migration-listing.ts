/**
 * The migration files of a commit's tree or of the index, as the history (schema-history.ts) asks for them:
 * which blobs the names cache has not read yet, and where a blob is. Two forms of one answer:
 * - from the index file's bytes (git/index-file.ts IndexLayout), for pre-commit and `check --all`: no string
 *   or object per entry, the cache asked with the id's bytes, paths cut and classified only for the few
 *   entries a run needs (the new blob, the definitions a lookup found). 3,000 entries as strings cost more
 *   in garbage collection than the rest of a hook (bench/RESULTS.md, "Hooks");
 * - from git's listings as strings (a commit's tree, or an index only git can read).
 */
import { indexEntries, prefixPathspecs, treeEntries } from '../git/changes.js';
import { entryOid, entryPath, isRegularFile, readIndexLayout, type IndexLayout } from '../git/index-file.js';
import type { RepoInfo } from '../git/repo.js';
import type { MigrationSet } from './migration-set.js';

/** What the names cache answers (names-cache.ts). */
export interface ReadBlobs {
  has(oid: string): boolean;
  hasBytes(bytes: Buffer, at: number, n: number): boolean;
}

export interface MigrationListing {
  /** Migration entries: an upper bound of the distinct blobs (the cache's stale count needs no more). */
  readonly size: number;
  /** The migrations whose blob `cache` has not read: each blob once, with one of its paths. */
  unread(cache: ReadBlobs): Array<{ oid: string; path: string }>;
  /** The migration paths where the blob is. */
  pathsOf(oid: string): string[];
  /** Whether the blob is one of the migrations (asked only when the cache prunes: rare). */
  has(oid: string): boolean;
}

export async function listMigrations(repo: RepoInfo, set: MigrationSet, commit: string | undefined): Promise<MigrationListing> {
  if (commit) return entriesListing(await treeEntries(repo, commit), set);
  // the index file read here when it can be: one git process fewer on a hook's path
  const layout = readIndexLayout(repo, set.prefixes);
  return layout ? layoutListing(layout, set) : entriesListing(await indexEntries(repo, prefixPathspecs(set.prefixes)), set);
}

export function entriesListing(entries: Array<{ path: string; oid: string; mode: string; stage?: number }>, set: MigrationSet): MigrationListing {
  // one blob can sit at several paths (a copied migration): each is a definition of its own
  const pathsOf = new Map<string, string[]>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if ((e.stage ?? 0) !== 0 || !e.mode.startsWith('100') || !set.classify(e.path)) continue;
    const paths = pathsOf.get(e.oid);
    if (paths) paths.push(e.path);
    else pathsOf.set(e.oid, [e.path]);
  }
  return {
    size: pathsOf.size,
    unread: (cache) => [...pathsOf].filter(([oid]) => !cache.has(oid)).map(([oid, paths]) => ({ oid, path: paths[0]! })),
    pathsOf: (oid) => pathsOf.get(oid) ?? [],
    has: (oid) => pathsOf.has(oid),
  };
}

// Indexed loops, no for-of or closures per entry: this runs over every entry in code too short-lived for V8
// to optimize (check/migration-set.ts).
export function layoutListing(layout: IndexLayout, set: MigrationSet): MigrationListing {
  const candidate = (k: number) => layout.stage[k] === 0 && isRegularFile(layout, k);
  let size = 0;
  for (let k = 0; k < layout.count; k++) if (candidate(k)) size++;
  let all: Set<string> | undefined;
  const pathsOf = (oid: string): string[] => {
    const id = Buffer.from(oid, 'hex');
    const paths: string[] = [];
    for (let k = 0; k < layout.count; k++) {
      if (!candidate(k) || !sameBytes(layout.data, layout.oidAt[k]!, id)) continue;
      const path = entryPath(layout, k);
      if (set.classify(path)) paths.push(path);
    }
    return paths;
  };
  return {
    size,
    unread(cache) {
      const out: Array<{ oid: string; path: string }> = [];
      const seen = new Set<string>();
      for (let k = 0; k < layout.count; k++) {
        if (!candidate(k) || cache.hasBytes(layout.data, layout.oidAt[k]!, layout.oidBytes)) continue;
        const path = entryPath(layout, k);
        const oid = entryOid(layout, k);
        if (seen.has(oid) || !set.classify(path)) continue;
        seen.add(oid);
        out.push({ oid, path });
      }
      return out;
    },
    pathsOf,
    has(oid) {
      if (!all) {
        all = new Set();
        for (let k = 0; k < layout.count; k++) if (candidate(k) && set.classify(entryPath(layout, k))) all.add(entryOid(layout, k));
      }
      return all.has(oid);
    },
  };
}

function sameBytes(data: Buffer, at: number, id: Buffer): boolean {
  if (data[at] !== id[0]) return false;
  for (let i = 1; i < id.length; i++) if (data[at + i] !== id[i]) return false;
  return true;
}
