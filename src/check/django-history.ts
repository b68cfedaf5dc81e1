/**
 * A Django migration names models, not tables: `DeleteModel("Invoice")` drops whatever `db_table` an
 * earlier migration gave Invoice, and `RemoveField` of a many-to-many field drops its join table. The
 * reader alone can only assume Django's defaults for what the file does not declare, and marks those
 * operations (`assumedName`). Those files are read again here with the app's model state before them:
 * the events of the app's earlier migrations (the same `migrations` folder, earlier in path order,
 * which is Django's numbering) folded in order.
 *
 * Only the app's own folder is listed (the index, or the head commit's tree for `--base` / pre-push),
 * and each migration's events are cached per blob in one small file per app under
 * `.git/dbsafe/django-apps/`: a commit with one new migration in a repository of thousands reads one
 * folder listing and one app's cache.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { readBlobs } from '../git/blobs.js';
import { indexEntries, treeEntries } from '../git/changes.js';
import type { RepoInfo } from '../git/repo.js';
import { applyModelEvent, type ModelEvent, type ModelState } from '../readers/django-model-state.js';
import { modelEventsIn } from '../readers/django-model-events.js';
import { resolveFormat } from '../readers/index.js';
import { MAX_FILE_BYTES } from './decode.js';
import type { MigrationSet } from './migration-set.js';
import { readBlobCache, writeBlobCache } from './blob-cache.js';
import type { ReadJob, ReadResult } from './read-job.js';

export interface AppHistorySource {
  repo?: RepoInfo;
  /** The commit whose tree holds the history; undefined: the index. */
  commit?: string;
  set: MigrationSet;
  /** pre-push and `check --base` write nothing. */
  writeCache: boolean;
}

/** Bumped when django-model-events.ts changes what it finds: older caches are then ignored. */
const CACHE_VERSION = 1;

interface AppFile {
  path: string;
  events: ModelEvent[];
}

export async function rereadWithAppHistory(
  jobs: ReadJob[],
  results: ReadResult[],
  source: AppHistorySource,
  read: (jobs: ReadJob[]) => Promise<ReadResult[]>,
): Promise<void> {
  const needed = jobs.flatMap((_, i) => {
    const result = results[i]!;
    return result.ok && result.operations.some((op) => op.flags.assumedName) ? [i] : [];
  });
  // outside a git repository there is no history: the findings keep saying which names were assumed
  if (!needed.length || !source.repo) return;
  const apps = new Map<string, Promise<AppFile[]>>();
  const again: ReadJob[] = [];
  for (const i of needed) {
    const job = jobs[i]!;
    const folder = folderOf(job.path);
    let files = apps.get(folder);
    if (!files) apps.set(folder, (files = appHistory(source, source.repo, folder)));
    again.push({ ...job, djangoModels: modelsBefore(await files, job.path) });
  }
  const reread = await read(again);
  needed.forEach((i, k) => (results[i] = reread[k]!));
}

const folderOf = (file: string) => file.slice(0, file.lastIndexOf('/') + 1);

/** The app's models after every migration of its folder that comes before `file`. */
export function modelsBefore(files: AppFile[], file: string): ModelState {
  const state: ModelState = {};
  for (const f of files.filter((f) => f.path < file).sort((a, b) => (a.path < b.path ? -1 : 1))) {
    for (const event of f.events) applyModelEvent(state, event);
  }
  return state;
}

/** The Django migrations directly in `folder`, with their model events (cached per blob). */
async function appHistory(source: AppHistorySource, repo: RepoInfo, folder: string): Promise<AppFile[]> {
  const literal = `:(top,literal)${folder}`;
  const entries = source.commit
    ? await treeEntries(repo, source.commit, [literal], false)
    : (await indexEntries(repo, [literal])).filter((e) => e.stage === 0);
  const migrations = entries.filter((e) => /^100/.test(e.mode) && e.path.endsWith('.py') && !e.path.slice(folder.length).includes('/') && source.set.classify(e.path));
  const cacheFile = path.join(repo.commonDir, 'dbsafe', 'django-apps', `${createHash('sha256').update(folder).digest('hex').slice(0, 16)}.json`);
  const cache = readBlobCache<ModelEvent[]>(cacheFile, CACHE_VERSION);
  const missing = migrations.filter((e) => !(e.oid in cache));
  if (missing.length) {
    const blobs = await readBlobs(repo.root, missing.map((e) => e.oid), MAX_FILE_BYTES);
    for (const e of missing) {
      const content = blobs.get(e.oid);
      const text = Buffer.isBuffer(content) ? content.toString('utf8') : undefined;
      // a migration that cannot be read (too large, not Django) tells nothing: after it, nothing earlier is trusted
      cache[e.oid] = text !== undefined && resolveFormat({ path: e.path, text, format: source.set.classify(e.path)?.format }) === 'django' ? modelEventsIn(text) : [{ event: 'unknown' }];
    }
    if (source.writeCache) writeBlobCache(cacheFile, CACHE_VERSION, cache, migrations.map((e) => e.oid));
  }
  return migrations.map((e) => ({ path: e.path, events: cache[e.oid]! }));
}
