import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execGit, splitNul } from './exec-git.js';
import { type RepoInfo } from './repo.js';
import { shimStagedDiff, STAGED_DIFF_QUERY } from './shim-handover.js';

/**
 * What changed, read with plumbing only (`diff-index` / `diff-tree` / `ls-files`, always `-z`):
 * porcelain obeys user config (`diff.renames`) and C-quotes odd paths. Every command runs from the
 * repository root and passes the caller's environment through untouched (GIT_INDEX_FILE may be
 * `index.lock` or `next-index-<pid>.lock` during a commit).
 */

export type ChangeStatus = 'A' | 'M' | 'D' | 'R' | 'C' | 'T' | 'U' | 'X';

export interface Change {
  status: ChangeStatus;
  /** Rename/copy similarity (R100 → 100). */
  score?: number;
  /** Repository-relative path (for R/C: the new path). */
  path: string;
  /** For R/C: the old path. */
  from?: string;
  oldMode: string;
  newMode: string;
  /** Blob before the change (all zeros when added). */
  oldOid: string;
  /** Blob after the change (all zeros when deleted). */
  newOid: string;
}

export const MODE_SYMLINK = '120000';
export const MODE_GITLINK = '160000';
export const isZeroOid = (oid: string) => /^0+$/.test(oid);

/** Parse `--raw -z` output of diff-index / diff-tree: `:m1 m2 o1 o2 S\0path\0` or `… R100\0old\0new\0`. */
export function parseRawDiff(output: Buffer): Change[] {
  const fields = splitNul(output);
  const changes: Change[] = [];
  for (let i = 0; i < fields.length; ) {
    const meta = fields[i++] ?? '';
    const match = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])(\d*)$/.exec(meta);
    if (!match) {
      i++; // not a raw record (should not happen): skip it and its path
      continue;
    }
    const [, oldMode, newMode, oldOid, newOid, letter, score] = match;
    const status = letter as ChangeStatus;
    if (status === 'R' || status === 'C') {
      const from = fields[i++] ?? '';
      const to = fields[i++] ?? '';
      changes.push({ status, score: Number(score || 0), path: to, from, oldMode: oldMode!, newMode: newMode!, oldOid: oldOid!, newOid: newOid! });
    } else {
      const path = fields[i++] ?? '';
      changes.push({ status, path, oldMode: oldMode!, newMode: newMode!, oldOid: oldOid!, newOid: newOid! });
    }
  }
  return changes;
}

/**
 * Literal directory prefixes as git pathspecs, so git itself leaves out the rest of a huge staged
 * set. Only a superset: the exact glob match happens afterwards. Empty when any glob could match at
 * the root (then no pathspec at all).
 */
export function prefixPathspecs(prefixes: readonly string[] | undefined): string[] {
  if (!prefixes || !prefixes.length || prefixes.some((p) => p === '')) return [];
  return [...new Set(prefixes)].map((p) => `:(top,literal)${p}`);
}

/** `git diff-index --cached --raw -z -M <base>`: the index compared with a commit or tree. */
export async function diffIndex(repo: RepoInfo, base: string, pathspecs: string[] = []): Promise<Change[]> {
  const handed = pathspecs.length ? undefined : shimStagedDiff(base);
  const stdout = handed ?? (await execGit([...STAGED_DIFF_QUERY, base, '--', ...pathspecs], { cwd: repo.root })).stdout;
  return parseRawDiff(stdout);
}

/** `git diff-tree -r --raw -z -M <a> <b>`: between two commits. */
export async function diffTree(repo: RepoInfo, a: string, b: string, pathspecs: string[] = []): Promise<Change[]> {
  const { stdout } = await execGit(['diff-tree', '-r', '--raw', '-z', '-M', '--no-ext-diff', a, b, '--', ...pathspecs], { cwd: repo.root });
  return parseRawDiff(stdout);
}

/** The commits being merged in (MERGE_HEAD, one line per parent for an octopus), or none. */
export async function mergeHeads(repo: RepoInfo): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path.join(repo.gitDir, 'MERGE_HEAD'), 'utf8');
  } catch {
    // pre-merge-commit of a clean `git merge`: git 2.39 has not written MERGE_HEAD yet (tested), but
    // it exports GITHEAD_<oid>=<name> for every head being merged (octopus too)
    return Object.keys(process.env).flatMap((key) => /^GITHEAD_([0-9a-f]{40,64})$/.exec(key)?.[1] ?? []);
  }
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^[0-9a-f]{40,64}$/.test(line));
}

export interface StagedChanges {
  changes: Change[];
  /** The parents the index was compared with: HEAD (or the empty tree), plus MERGE_HEADs. */
  bases: string[];
  /** For a merge: per path, the blob each merge parent has (for "new compared with every parent"). */
  parentBlobs: Map<string, string[]>;
  merging: boolean;
  /** `git commit --amend`: compared with HEAD's parents (the amended commit replaces HEAD). */
  amending: boolean;
}

/**
 * What the commit being made changes. Initial commit: against the empty tree of the repository's
 * object format. Merge (MERGE_HEAD present, octopus too): only paths that differ from EVERY parent
 * are new in this commit; the others come unchanged from one side and were checked there.
 * `amend`: the commit replaces HEAD and gets HEAD's parents, so it is compared with those: the first
 * parent as the base (the empty tree for a root commit), an amended merge's other parents like
 * MERGE_HEADs (git refuses to amend while a merge is in progress, so there are none of those).
 */
export async function stagedChanges(repo: RepoInfo, pathspecs: string[] = [], options: { amend?: boolean } = {}): Promise<StagedChanges> {
  const parents = options.amend && repo.head ? await commitParents(repo, repo.head) : undefined;
  const base = parents ? (parents[0] ?? repo.emptyTree) : (repo.head ?? repo.emptyTree);
  const [changes, heads] = await Promise.all([
    diffIndex(repo, base, pathspecs),
    parents ? parents.slice(1) : repo.head ? mergeHeads(repo) : Promise.resolve([]),
  ]);
  const parentBlobs = new Map<string, string[]>();
  const amending = parents !== undefined;
  if (!heads.length || !changes.length) return { changes, bases: [base], parentBlobs, merging: heads.length > 0, amending };
  const others = (await Promise.all(heads.map((head) => diffIndex(repo, head, pathspecs)))).map(
    (list) => new Map(list.map((change) => [change.path, change] as const)),
  );
  const kept = changes.filter((change) => others.every((byPath) => byPath.has(change.path)));
  for (const change of kept) {
    const blobs: string[] = [];
    for (const byPath of others) {
      // the merge parent's version of this path (its old side in the diff against that parent)
      const other = byPath.get(change.path);
      if (other && !isZeroOid(other.oldOid) && other.oldMode !== MODE_GITLINK) blobs.push(other.oldOid);
    }
    parentBlobs.set(change.path, blobs);
  }
  return { changes: kept, bases: [base, ...heads], parentBlobs, merging: true, amending };
}

/** A commit's parents in order (`git rev-parse <oid>^@`); none for a root commit. */
async function commitParents(repo: RepoInfo, commit: string): Promise<string[]> {
  const { stdout } = await execGit(['rev-parse', `${commit}^@`], { cwd: repo.root });
  return stdout.toString('utf8').split('\n').filter((line) => /^[0-9a-f]{40,64}$/.test(line));
}

/** One entry of `git ls-files --stage -z`. */
export interface IndexEntry {
  mode: string;
  oid: string;
  stage: number;
  path: string;
}

/** Every path in the index (`git ls-files --stage -z`), optionally limited by pathspecs. */
export async function indexEntries(repo: RepoInfo, pathspecs: string[] = []): Promise<IndexEntry[]> {
  const { stdout } = await execGit(['ls-files', '--stage', '-z', '--full-name', '--', ...pathspecs], { cwd: repo.root });
  const entries: IndexEntry[] = [];
  for (const field of splitNul(stdout)) {
    const match = /^(\d{6}) ([0-9a-f]+) (\d)\t([\s\S]*)$/.exec(field);
    if (match) entries.push({ mode: match[1]!, oid: match[2]!, stage: Number(match[3]), path: match[4]! });
  }
  return entries;
}

/** The blobs of a commit's tree (`git ls-tree -z --full-tree`): every one (`recursive`), or those the pathspecs name directly. */
export async function treeEntries(repo: RepoInfo, commit: string, pathspecs: string[] = [], recursive = true): Promise<Array<{ path: string; oid: string; mode: string }>> {
  const { stdout } = await execGit(['ls-tree', ...(recursive ? ['-r'] : []), '-z', '--full-tree', commit, '--', ...pathspecs], { cwd: repo.root });
  const out: Array<{ path: string; oid: string; mode: string }> = [];
  for (const field of splitNul(stdout)) {
    const m = /^(\d{6}) blob ([0-9a-f]+)\t([\s\S]*)$/.exec(field);
    if (m) out.push({ mode: m[1]!, oid: m[2]!, path: m[3]! });
  }
  return out;
}

/** Untracked files that are not ignored (`git ls-files --others --exclude-standard -z`). */
export async function untrackedFiles(repo: RepoInfo, pathspecs: string[] = []): Promise<string[]> {
  const { stdout } = await execGit(['ls-files', '--others', '--exclude-standard', '-z', '--full-name', '--', ...pathspecs], { cwd: repo.root });
  return splitNul(stdout);
}

/** The merge base of two commits (`<base>...<head>`), or undefined when they share no history. */
export async function mergeBase(repo: RepoInfo, a: string, b: string): Promise<string | undefined> {
  const result = await execGit(['merge-base', a, b], { cwd: repo.root, okCodes: [1] });
  const oid = result.stdout.toString('utf8').trim();
  return result.code === 0 && oid ? oid : undefined;
}
