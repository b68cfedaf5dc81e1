/**
 * The repository's own migration history, as the names it defines (schema-names.ts): every migration
 * file of the config's set in the commit being checked (`check --base`/pre-push: the head's tree) or
 * in the index (pre-commit, `check --all`, files). Built lazily, only when a statement needs a name
 * resolved, and cached per blob in `.git/dbsafe/schema-names.txt` (names-cache.ts): a blob's definitions
 * never change, so a commit with one new migration reads one new blob, however long the history.
 */
import path from 'node:path';
import { readBlobs, type BlobContent } from '../git/blobs.js';
import type { RepoInfo } from '../git/repo.js';
import { MAX_FILE_BYTES } from './decode.js';
import { listMigrations, type MigrationListing } from './migration-listing.js';
import type { MigrationSet } from './migration-set.js';
import { NamesCache } from './names-cache.js';
import { namesDefinedIn, type NameDefinition, type NamedKind } from './schema-names.js';

/** Where each migration of the history defines an index, constraint or trigger of that name. */
export type History = { lookup(kind: NamedKind, name: string): Array<{ path: string; def: NameDefinition }> } | { unavailable: string };

export interface HistorySource {
  repo?: RepoInfo;
  /** The commit whose tree holds the history; undefined: the index. */
  commit?: string;
  set: MigrationSet;
  /** pre-push and `check --base` write nothing. */
  writeCache: boolean;
  /** Blobs the check already holds (the staged files): not asked of git again. */
  blobs?: ReadonlyMap<string, BlobContent | undefined>;
}

export interface HistoryLoader {
  /** Build the history on first use, then return the same answer. */
  load(): Promise<History>;
  /** Start listing the migrations now (one git process), so a later load() does not wait for it. */
  prefetch(): void;
}

export function historyLoader(source: HistorySource): HistoryLoader {
  let listing: Promise<MigrationListing> | undefined;
  let built: Promise<History> | undefined;
  const list = (repo: RepoInfo) => (listing ??= listMigrations(repo, source.set, source.commit));
  return {
    load: () => (built ??= buildHistory(source, list)),
    prefetch: () => {
      if (source.repo) list(source.repo).catch(() => undefined);
    },
  };
}

async function buildHistory(source: HistorySource, list: (repo: RepoInfo) => Promise<MigrationListing>): Promise<History> {
  const { repo, writeCache } = source;
  if (!repo) return { unavailable: 'not a git repository, so there is no migration history to read' };
  const migrations = await list(repo);
  const cache = NamesCache.read(path.join(repo.commonDir, 'dbsafe', 'schema-names.txt'));
  const missing = migrations.unread(cache);
  if (missing.length) {
    const held = source.blobs ?? new Map<string, BlobContent | undefined>();
    const blobs = new Map<string, BlobContent | undefined>();
    for (const { oid } of missing) if (held.get(oid) !== undefined) blobs.set(oid, held.get(oid));
    const unread = missing.filter(({ oid }) => !blobs.has(oid)).map(({ oid }) => oid);
    if (unread.length) for (const [oid, content] of await readBlobs(repo.root, unread, MAX_FILE_BYTES)) blobs.set(oid, content);
    for (const { oid, path: file } of missing) {
      const content = blobs.get(oid);
      cache.add(oid, Buffer.isBuffer(content) ? namesDefinedIn(content.toString('utf8'), file) : []);
    }
  }
  // every blob of the listing is in the cache now, as write() expects
  if (writeCache) cache.write(migrations);
  return {
    lookup: (kind, name) =>
      cache
        .lookup(name)
        .filter(({ def }) => def.kind === kind)
        .flatMap(({ oid, def }) => migrations.pathsOf(oid).map((p) => ({ path: p, def }))),
  };
}
