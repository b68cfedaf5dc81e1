/**
 * The repository's own migration history, as the names it defines (schema-names.ts) and, for Django,
 * what it does to each app's models (readers/django-model-events.ts): every migration
 * file of the config's set in the commit being checked (`check --base`/pre-push: the head's tree) or
 * in the index (pre-commit, `check --all`, files). Built lazily, only when a statement needs a name
 * resolved, and cached per blob in `.git/dbsafe/schema-names.json`: a blob's definitions never
 * change, so a commit with one new migration reads one new blob, however long the history.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { readBlobs } from '../git/blobs.js';
import { indexEntries, prefixPathspecs } from '../git/changes.js';
import { execGit, splitNul } from '../git/exec-git.js';
import type { RepoInfo } from '../git/repo.js';
import { readText, writeAtomic } from '../util/files.js';
import { MAX_FILE_BYTES } from './decode.js';
import type { MigrationSet } from './migration-set.js';
import { namesDefinedIn, type NameDefinition } from './schema-names.js';
import { resolveFormat } from '../readers/index.js';
import type { ModelEvent } from '../readers/django-model-state.js';

export interface HistoryFile {
  path: string;
  defs: NameDefinition[];
  /** Django migrations: what each operation does to the app's models (readers/django-model-events.ts). */
  models?: ModelEvent[];
}

/** What one blob contributes, whatever path it has. */
interface BlobFacts {
  defs: NameDefinition[];
  models?: ModelEvent[];
}

export type History = { files: HistoryFile[] } | { unavailable: string };

/** Bumped when schema-names.ts or django-model-events.ts change what they find: older caches are then ignored. */
const CACHE_VERSION = 2;

interface CacheFile {
  version: number;
  blobs: Record<string, BlobFacts>;
}

export interface HistorySource {
  repo?: RepoInfo;
  /** The commit whose tree holds the history; undefined: the index. */
  commit?: string;
  set: MigrationSet;
  /** pre-push and `check --base` write nothing. */
  writeCache: boolean;
}

/** Built once per check, on first need (run-check.ts keeps the promise). */
export async function buildHistory({ repo, commit, set, writeCache }: HistorySource): Promise<History> {
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
      cache.blobs[oid] = Buffer.isBuffer(content) ? await blobFacts(content.toString('utf8'), pathOf.get(oid)!, set) : { defs: [] };
    }
  }
  if (writeCache && missing.length) {
    // keep only this history's blobs: the cache never outgrows the repository's migrations
    const kept: Record<string, BlobFacts> = {};
    for (const e of migrations) kept[e.oid] = cache.blobs[e.oid]!;
    try {
      mkdirSync(path.dirname(cacheFile), { recursive: true });
      writeAtomic(cacheFile, JSON.stringify({ version: CACHE_VERSION, blobs: kept }));
    } catch {
      /* a cache that cannot be written costs time, not correctness */
    }
  }
  return { files: migrations.map((e) => ({ path: e.path, ...(cache.blobs[e.oid] ?? { defs: [] }) })) };
}

async function blobFacts(text: string, file: string, set: MigrationSet): Promise<BlobFacts> {
  const defs = namesDefinedIn(text, file);
  if (!file.endsWith('.py') || resolveFormat({ path: file, text, format: set.classify(file)?.format }) !== 'django') return { defs };
  const { modelEventsIn } = await import('../readers/django-model-events.js');
  return { defs, models: modelEventsIn(text) };
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

async function treeEntries(repo: RepoInfo, commit: string): Promise<Array<{ path: string; oid: string; mode: string }>> {
  const { stdout } = await execGit(['ls-tree', '-r', '-z', '--full-tree', commit], { cwd: repo.root });
  const out: Array<{ path: string; oid: string; mode: string }> = [];
  for (const field of splitNul(stdout)) {
    const m = /^(\d{6}) blob ([0-9a-f]+)\t([\s\S]*)$/.exec(field);
    if (m) out.push({ mode: m[1]!, oid: m[2]!, path: m[3]! });
  }
  return out;
}
