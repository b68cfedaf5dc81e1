/**
 * The repository's own migration history, as the names it defines (schema-names.ts): every migration
 * file of the config's set in the commit being checked (`check --base`/pre-push: the head's tree) or
 * in the index (pre-commit, `check --all`, files). Built lazily, only when a statement needs a name
 * resolved, and cached per blob in `.git/dbsafe/schema-names.json`: a blob's definitions never
 * change, so a commit with one new migration reads one new blob, however long the history.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { readBlobs } from '../git/blobs.js';
import { indexEntries, prefixPathspecs, treeEntries } from '../git/changes.js';
import type { RepoInfo } from '../git/repo.js';
import { readText, writeAtomic } from '../util/files.js';
import { MAX_FILE_BYTES } from './decode.js';
import type { MigrationSet } from './migration-set.js';
import { namesDefinedIn, type NameDefinition } from './schema-names.js';

export interface HistoryFile {
  path: string;
  defs: NameDefinition[];
}

export type History = { files: HistoryFile[] } | { unavailable: string };

/** Bumped when schema-names.ts changes what it finds: older caches are then ignored. */
const CACHE_VERSION = 1;

interface CacheFile {
  version: number;
  blobs: Record<string, NameDefinition[]>;
}

export interface HistorySource {
  repo?: RepoInfo;
  /** The commit whose tree holds the history; undefined: the index. */
  commit?: string;
  set: MigrationSet;
  /** pre-push and `check --base` write nothing. */
  writeCache: boolean;
}

/** A loader that builds the history on first use and then returns the same answer. */
export function historyLoader(source: HistorySource): () => Promise<History> {
  let built: Promise<History> | undefined;
  return () => (built ??= buildHistory(source));
}

async function buildHistory({ repo, commit, set, writeCache }: HistorySource): Promise<History> {
  if (!repo) return { unavailable: 'not a git repository, so there is no migration history to read' };
  const entries = commit ? await treeEntries(repo, commit) : (await indexEntries(repo, prefixPathspecs(set.prefixes))).filter((e) => e.stage === 0);
  const migrations = entries.filter((e) => set.classify(e.path) && /^100/.test(e.mode));
  const cacheFile = path.join(repo.commonDir, 'dbsafe', 'schema-names.json');
  const cache = readCache(cacheFile);
  const missing = migrations.filter((e) => !(e.oid in cache.blobs)).map((e) => e.oid);
  if (missing.length) {
    const blobs = await readBlobs(repo.root, missing, MAX_FILE_BYTES);
    const pathOf = new Map(migrations.map((e) => [e.oid, e.path]));
    for (const oid of missing) {
      const content = blobs.get(oid);
      cache.blobs[oid] = Buffer.isBuffer(content) ? namesDefinedIn(content.toString('utf8'), pathOf.get(oid)!) : [];
    }
  }
  if (writeCache && missing.length) {
    // keep only this history's blobs: the cache never outgrows the repository's migrations
    const kept: Record<string, NameDefinition[]> = {};
    for (const e of migrations) kept[e.oid] = cache.blobs[e.oid]!;
    try {
      mkdirSync(path.dirname(cacheFile), { recursive: true });
      writeAtomic(cacheFile, JSON.stringify({ version: CACHE_VERSION, blobs: kept }));
    } catch {
      /* a cache that cannot be written costs time, not correctness */
    }
  }
  return { files: migrations.map((e) => ({ path: e.path, defs: cache.blobs[e.oid] ?? [] })) };
}

function readCache(file: string): CacheFile {
  const text = readText(file);
  if (text) {
    try {
      const parsed = JSON.parse(text) as CacheFile;
      if (parsed.version === CACHE_VERSION && parsed.blobs && typeof parsed.blobs === 'object') return parsed;
    } catch {
      /* a damaged cache is rebuilt */
    }
  }
  return { version: CACHE_VERSION, blobs: {} };
}
