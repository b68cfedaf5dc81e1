/**
 * Staged files that look like migrations (by path, then by content) but that no `migrations` glob selects:
 * nothing in them is checked, so the commit is warned about them (`unmatched-migration`, warn by default;
 * `error` blocks). Only a handful of paths are looked at: the path test is cheap, the content is read for
 * those alone. docs/check.md, "Files no glob matches".
 */
import { looksLikeMigrationPath } from '../config/conventional-migrations.js';
import type { BlobContent } from '../git/blobs.js';
import type { Change } from '../git/changes.js';
import { decodeMigration } from './decode.js';
import type { MigrationSet } from './migration-set.js';

export interface UnmatchedCandidate {
  path: string;
  oid: string;
}

/** At most this many are read: a commit of hundreds of such files is warned about by these. */
const MAX_CANDIDATES = 20;

/** Added, modified or renamed files no glob selects whose path looks like a migration's. */
export function unmatchedCandidates(changes: Change[], set: MigrationSet): UnmatchedCandidate[] {
  const out: UnmatchedCandidate[] = [];
  for (const change of changes) {
    if (change.status === 'D' || /^0+$/.test(change.newOid)) continue;
    if (set.classify(change.path) || !looksLikeMigrationPath(change.path)) continue;
    out.push({ path: change.path, oid: change.newOid });
    if (out.length >= MAX_CANDIDATES) break;
  }
  return out;
}

/** The format a candidate's content shows, or undefined when it is not a migration after all. */
export async function migrationFormatOf(path: string, blob: BlobContent | undefined): Promise<{ format: string; text: string } | undefined> {
  if (!blob || !Buffer.isBuffer(blob)) return undefined;
  const decoded = decodeMigration(blob);
  if (!decoded.ok) return undefined;
  // loaded only when such a file is staged (the hook's common path loads no reader)
  const { detectFormat } = await import('../readers/detect.js');
  const format = detectFormat(path, decoded.text);
  return format === 'none' || format === 'unknown' ? undefined : { format, text: decoded.text };
}
