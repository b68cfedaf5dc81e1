/**
 * A Django migration names models, not tables: `DeleteModel("Invoice")` drops whatever `db_table` an
 * earlier migration gave Invoice, and `RemoveField` of a many-to-many field drops its join table. The
 * reader alone can only assume Django's defaults for what the file does not declare, and marks those
 * operations (`assumedName`). Those files are read again here with the app's model state before them:
 * the events of the app's earlier migrations (same `migrations` folder, earlier in path order, which
 * is Django's numbering) folded in order. The history is the one schema-history.ts builds, cached per blob.
 */
import type { ReadJob, ReadResult } from './read-job.js';
import type { History, HistoryFile } from './schema-history.js';
import { applyModelEvent, type ModelState } from '../readers/django-model-state.js';

export async function rereadWithAppHistory(
  jobs: ReadJob[],
  results: ReadResult[],
  loadHistory: () => Promise<History>,
  read: (jobs: ReadJob[]) => Promise<ReadResult[]>,
): Promise<void> {
  const needed = jobs.flatMap((_, i) => {
    const result = results[i]!;
    return result.ok && result.operations.some((op) => op.flags.assumedName) ? [i] : [];
  });
  if (!needed.length) return;
  const history = await loadHistory();
  // without a history the findings keep saying which names were assumed
  if ('unavailable' in history) return;
  const again = await read(needed.map((i) => ({ ...jobs[i]!, djangoModels: modelsBefore(history.files, jobs[i]!.path) })));
  needed.forEach((i, k) => (results[i] = again[k]!));
}

/** The app's models after every migration of its folder that comes before `file`. */
export function modelsBefore(files: HistoryFile[], file: string): ModelState {
  const folder = file.slice(0, file.lastIndexOf('/') + 1);
  const earlier = files
    .filter((f) => f.models && f.path.startsWith(folder) && !f.path.slice(folder.length).includes('/') && f.path < file)
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const state: ModelState = {};
  for (const f of earlier) for (const event of f.models!) applyModelEvent(state, event);
  return state;
}
