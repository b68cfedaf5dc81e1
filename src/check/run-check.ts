import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { FileError, GitError, UsageError } from '../errors.js';
import type { CheckResult } from '../model/finding.js';
import type { Operation } from '../model/operation.js';
import { blobsFromWorktree, readBlobs, type BlobContent } from '../git/blobs.js';
import {
  diffTree,
  indexEntries,
  isZeroOid,
  mergeBase,
  MODE_GITLINK,
  MODE_SYMLINK,
  prefixPathspecs,
  stagedChanges,
  untrackedFiles,
  type Change,
} from '../git/changes.js';
import { locateRepo, resolveCommit, type RepoInfo } from '../git/repo.js';
import { preexistingOperations, withoutScratchClaims } from './compare.js';
import { MAX_FILE_BYTES, tooLargeProblem } from './decode.js';
import { compileMigrationSet, type MigrationKind, type MigrationSet } from './migration-set.js';
import { openReader, workerCount, type Reader } from './parallel-read.js';
import { unparseable as unparseableOperation, type ReadJob } from './read-job.js';
import { toRepoPath } from './paths.js';
import { applyWasmTier, preferBaselineWasmCompiler } from '../sql/wasm-tier.js';
import { BIG_FILE_BYTES, tuneForBigFile } from '../util/v8-tuning.js';
import type { ReferenceSource } from './referenced-files.js';
import { migrationFormatOf, unmatchedCandidates, type UnmatchedCandidate } from './unmatched.js';

export type CheckMode =
  /** `amend`: `git commit --amend` (cli/hook/amend.ts): compared with HEAD's parents, not HEAD. */
  | { kind: 'staged'; amend?: boolean }
  | { kind: 'all' }
  | { kind: 'files'; files: string[]; source: 'index' | 'worktree' }
  | { kind: 'range'; base: string; head?: string };

export interface RunCheckOptions {
  cwd: string;
  mode: CheckMode;
  configPath?: string;
  /** An already loaded and validated configuration (the hooks cache it; skips the loader). */
  config?: Config;
  /** filter hint: only these repo paths (lint-staged / pre-commit framework args) */
  only?: string[];
  /** Read many files in worker threads (`check`; never the hooks, which read a few files). */
  workers?: boolean;
}

export interface RunCheckResult extends CheckResult {
  config: Config;
  root: string;
  /** Things the user should know that are not findings (skipped submodule, file read from disk...). */
  notes: string[];
  /** Text of the files that have findings, for reporters that show the source line. */
  sources: Map<string, string>;
  /** New operations a rule reports, whatever their configured severity (policy/evaluate.ts). */
  destructive: number;
}

/** How a file's edit relates to the committed history (for edited-applied-migration). */
export interface FileEdit {
  change: 'modified' | 'deleted' | 'renamed';
  from?: string;
}

/** The policy's input for one file (structurally the policy's SourceFile). */
export interface CheckedFile {
  path: string;
  text: string;
  operations: Operation[];
  preexisting?: ReadonlySet<Operation>;
  edit?: FileEdit;
  /** Looks like a migration of this format, but no glob selects it: not read (check/unmatched.ts). */
  unmatched?: { format: string };
}

/** Where a candidate file's bytes come from. */
type Content = { oid: string; mode: string } | { disk: string } | { none: true } | { conflict: true };

interface Candidate {
  path: string;
  kind: MigrationKind;
  content: Content;
  /** Blobs of the versions this one is compared with (HEAD, merge parents, merge base). */
  previous: string[];
  edit?: FileEdit;
}

/**
 * `dbsafe-hooks check` end to end: what git is committing (or a range, or every migration, or
 * given files) → bytes → text → operations → policy → findings. Never throws for what is inside a
 * file: a file that cannot be read becomes an `unparseable` operation (fail closed). Throws typed
 * errors (exit 2) when the tool cannot do its job: not a repository, bad config, unknown ref,
 * missing file.
 */
export async function runCheck(options: RunCheckOptions): Promise<RunCheckResult> {
  const cwd = path.resolve(options.cwd);
  const notes: string[] = [];
  const repo = await locate(cwd, options.mode);

  // 1. Ask git what is being checked, then load the config once (or take the caller's). Readers
  //    and the policy are loaded only when a migration is actually there to read.
  // git runs in child processes while this process loads and validates the config: overlap them
  const [{ listing, references, unmatched: unmatchedOf }, { config }] = await Promise.all([
    listChanges(repo, cwd, options.mode, notes),
    options.config ? { config: options.config } : loadConfiguration(cwd, repo, options.configPath),
  ]);
  const set = compileMigrationSet(config);
  const only = options.only?.length ? new Set(options.only.map((file) => toRepoPath(repo.root, cwd, file))) : undefined;
  const candidates = await listing(set);
  const selected = only ? candidates.filter((c) => only.has(c.path) || (c.edit?.from !== undefined && only.has(c.edit.from))) : candidates;
  const unmatched: UnmatchedCandidate[] =
    config.rules?.['unmatched-migration'] === 'off' ? [] : (unmatchedOf?.(set) ?? []).filter((u) => !only || only.has(u.path));

  // many files: the worker threads start now, while git streams the blobs
  const kinds = new Map(selected.filter((c) => c.kind).map((c) => [`${c.kind.format}/${c.kind.dialect}`, c.kind] as const));
  const context = { root: repo.root, references, warmUp: [...kinds.values()].slice(0, 4) };
  const allowWorkers = options.workers === true;
  // `check` over many files: V8's baseline WASM compiler only. Tiering the parser up to TurboFan cost
  // ~20% more CPU and ~30 MB on 2,149 real files and saved nothing on a 10 MB file (bench/RESULTS.md).
  // Set before any worker starts (V8 flags are per process).
  if (allowWorkers) {
    preferBaselineWasmCompiler();
    applyWasmTier();
  }
  const readable = selected.filter((c) => 'oid' in c.content || 'disk' in c.content).length;
  let reader: Reader | undefined = allowWorkers && workerCount(readable, 0) > 0 ? openReader(context, workerCount(readable, 0)) : undefined;

  // 2. All blobs in ONE cat-file --batch.
  const oids = new Set<string>();
  for (const candidate of selected) {
    if ('oid' in candidate.content) oids.add(candidate.content.oid);
    for (const oid of candidate.previous) oids.add(oid);
  }
  for (const candidate of unmatched) oids.add(candidate.oid);
  // a commit's staged files are usually as they are on disk: those are read there (proved by their hash),
  // and git is asked only for the rest. Blobs over the size limit are skipped while streaming: reported by
  // size, never held in memory.
  const blobs = new Map<string, BlobContent | undefined>();
  if (repo.kind === 'git') {
    if (options.mode.kind === 'staged') {
      const where = new Map(selected.flatMap((c) => ('oid' in c.content && /^100[67]/.test(c.content.mode) ? [[c.content.oid, c.path] as const] : [])));
      for (const [oid, bytes] of blobsFromWorktree(repo.root, where, repo.objectFormat, MAX_FILE_BYTES)) {
        blobs.set(oid, bytes);
        oids.delete(oid);
      }
    }
    for (const [oid, content] of await readBlobs(repo.root, oids, MAX_FILE_BYTES)) blobs.set(oid, content);
  }

  // 3. Bytes → operations: what needs no parser is decided here, the rest is read (in worker
  //    threads when there are many files), then put back together in the candidates' order.
  const prepared = selected.map((candidate) => prepareCandidate(candidate, blobs));
  const jobs = prepared.filter((item): item is ReadJob => 'bytes' in item);
  const bytes = jobs.reduce((sum, job) => sum + job.bytes.byteLength, 0);
  // a file of a megabyte or more: V8's own settings, not those for many small files (util/v8-tuning.ts)
  if (jobs.some((job) => job.bytes.byteLength >= BIG_FILE_BYTES)) tuneForBigFile();
  reader ??= openReader(context, allowWorkers ? workerCount(jobs.length, bytes) : 0);
  // the commit whose tree holds the migration history (`--base` / pre-push: the head), else the index
  const commit = options.mode.kind === 'range' ? (options.mode.head ?? 'HEAD') : undefined;
  const history = { repo: repo.kind === 'git' ? repo : undefined, commit, set, writeCache: options.mode.kind !== 'range', blobs };
  // a file that may drop an index, constraint or trigger without naming its table (DROP INDEX, op.drop_index,
  // RemoveIndex, dropForeignKey, …): git lists the history while the files are read. A hint for speed, nothing
  // more (step 3b asks for the history whenever a drop names no table); a DROP TABLE or DROP COLUMN does not list it.
  const mayDropUnnamed = jobs.some((job) =>
    /(?:drop|remove)[\s_]*(?:index|constraint|trigger|foreign|unique|primary|check|key)/i.test(
      Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength).toString('latin1'),
    ),
  );
  const names = mayDropUnnamed ? (await import('./schema-history.js')).historyLoader(history) : undefined;
  names?.prefetch();
  const results = await reader.readAll(jobs);
  // 3a. Django names taken from the defaults: read again with the app's models from its earlier migrations
  if (results.some((result) => result.ok && result.operations.some((op) => op.flags.assumedName))) {
    const { rereadWithAppHistory } = await import('./django-history.js');
    await rereadWithAppHistory(jobs, results, history, (again) => openReader(context, 0).readAll(again));
  }
  const files: CheckedFile[] = [];
  let next = 0;
  for (let i = 0; i < prepared.length; i++) {
    const item = prepared[i];
    if (!('bytes' in item)) {
      files.push(item);
      continue;
    }
    const candidate = selected[i];
    const result = results[next++];
    const base = { path: candidate.path, edit: candidate.edit };
    if (!result.ok) {
      files.push({ ...base, text: '', operations: [unparseable(candidate, result.problem)] });
      continue;
    }
    if (result.note) notes.push(`${candidate.path}: ${result.note}`);
    if (!candidate.previous.length) files.push({ ...base, text: result.text, operations: result.operations });
    else {
      const operations = withoutScratchClaims(result.operations);
      files.push({ ...base, text: result.text, operations, preexisting: preexistingOperations(operations, result.previousVersions) });
    }
  }

  // 3b. Drops of indexes/constraints/triggers that name no table: the table from where the same file or
  //     the migration history created them (the history is read only if such a drop is there).
  if (files.some((file) => file.operations.some(namesNoTable))) {
    const { resolveNames } = await import('./resolve-names.js');
    await resolveNames(files, names ?? (await import('./schema-history.js')).historyLoader(history));
  }

  const checked = files.length;
  for (const candidate of unmatched) {
    // a file a checked migration names (Liquibase sqlFile / include, psql \i) is read through that migration
    const name = candidate.path.slice(candidate.path.lastIndexOf('/') + 1);
    if (files.some((file) => file.text.includes(name))) continue;
    const found = await migrationFormatOf(candidate.path, blobs.get(candidate.oid));
    if (found) files.push({ path: candidate.path, text: found.text, operations: [], unmatched: { format: found.format } });
  }

  // 4. Policy: rules, protected objects, markers, severity (not even loaded when no migration changed).
  const { findings, overridesUsed, destructive } = files.length
    ? (await import('../policy/evaluate.js')).evaluate(files, config)
    : { findings: [], overridesUsed: [], destructive: 0 };
  const withFindings = new Set(findings.map((f) => f.file));
  const sources = new Map<string, string>();
  for (const file of files) if (withFindings.has(file.path)) sources.set(file.path, file.text);
  return {
    findings,
    overridesUsed,
    filesChecked: checked,
    operations: files.reduce((sum, file) => sum + file.operations.length, 0),
    config,
    root: repo.root,
    notes,
    sources,
    destructive,
  };
}

/** A drop of an index, constraint or trigger whose statement does not say its table (`DROP INDEX x`). */
function namesNoTable(op: Operation): boolean {
  return (op.kind === 'drop-index' || op.kind === 'drop-constraint' || op.kind === 'drop-trigger') && op.target !== undefined && op.target.table === undefined;
}

type Located = (RepoInfo & { kind: 'git' }) | { kind: 'plain'; root: string };

/** The repository; `--worktree <files>` also works outside one (a downloaded tarball). */
async function locate(cwd: string, mode: CheckMode): Promise<Located> {
  try {
    return { ...(await locateRepo(cwd)), kind: 'git' };
  } catch (error) {
    if (error instanceof GitError && mode.kind === 'files' && mode.source === 'worktree') return { kind: 'plain', root: cwd };
    throw error;
  }
}

/**
 * A plain JSON config validated before (same bytes, same version) comes from the hooks' cache (in the git
 * dir, or the user's cache directory outside a repository): loading cosmiconfig and zod costs ~0.1 s of CPU.
 */
async function loadConfiguration(cwd: string, repo: Located, configPath?: string): Promise<{ config: Config }> {
  const { hookConfig } = await import('../config/cached.js');
  const commonDir = repo.kind === 'git' ? repo.commonDir : undefined;
  return { config: await hookConfig({ cwd, root: repo.root, commonDir, configPath, writeCache: true }) };
}

type Listing = {
  listing: (set: MigrationSet) => Promise<Candidate[]>;
  references: ReferenceSource;
  /** Staged files that look like migrations but that no glob selects (pre-commit only). */
  unmatched?: (set: MigrationSet) => UnmatchedCandidate[];
};

/**
 * Ask git what is to be checked. Returns a function that, given the migration set, makes the
 * candidates: the git work that needs no config happens first.
 */
async function listChanges(repo: Located, cwd: string, mode: CheckMode, notes: string[]): Promise<Listing> {
  if (repo.kind === 'plain') {
    if (mode.kind !== 'files') throw new GitError(`Not inside a git repository: ${cwd}`);
    const paths = mode.files.map((file) => toRepoPath(repo.root, cwd, file));
    return { listing: async (set) => worktreeCandidates(repo.root, paths, set, notes), references: { kind: 'disk' } };
  }
  switch (mode.kind) {
    case 'staged': {
      const staged = await stagedChanges(repo, [], { amend: mode.amend });
      if (staged.amending) notes.push(`git commit --amend: checked against the parent of the commit being amended, so what it already contained is checked too`);
      if (staged.merging) {
        const what = staged.amending ? 'amending a merge commit' : 'merge in progress';
        notes.push(`${what}: only files that differ from every parent (${staged.bases.length}) are checked as new`);
      }
      return {
        listing: async (set) => changeCandidates(repo, staged.changes, set, notes, staged.parentBlobs),
        references: { kind: 'index', diskFallback: false },
        unmatched: (set) => unmatchedCandidates(staged.changes, set),
      };
    }
    case 'range': {
      const head = await resolveCommit(repo.root, mode.head ?? 'HEAD');
      // base = the empty tree: everything at head is new (pre-push re-checking a root commit)
      const base = mode.base === repo.emptyTree ? undefined : await resolveCommit(repo.root, mode.base);
      const fork = base ? await mergeBase(repo, base, head) : undefined;
      if (!fork && base) notes.push(`${mode.base} and ${mode.head ?? 'HEAD'} share no history: every migration at ${mode.head ?? 'HEAD'} is checked as new`);
      const changes = await diffTree(repo, fork ?? repo.emptyTree, head);
      return { listing: async (set) => changeCandidates(repo, changes, set, notes, new Map()), references: { kind: 'tree', commit: head } };
    }
    case 'all': {
      const [entries, untracked] = await Promise.all([indexEntries(repo), untrackedFiles(repo)]);
      const listing = async (set: MigrationSet) => {
        const candidates: Candidate[] = [];
        const conflicted = new Set<string>();
        for (const entry of entries) {
          const kind = set.classify(entry.path);
          if (!kind) continue;
          if (entry.stage !== 0) {
            if (!conflicted.has(entry.path)) candidates.push({ path: entry.path, kind, content: { conflict: true }, previous: [] });
            conflicted.add(entry.path);
            continue;
          }
          const candidate = indexCandidate(entry.path, kind, entry.mode, entry.oid, notes);
          if (candidate) candidates.push(candidate);
        }
        candidates.push(...(worktreeCandidates(repo.root, untracked.filter((p) => set.classify(p)), set, notes)));
        return candidates;
      };
      return { listing, references: { kind: 'index', diskFallback: true } };
    }
    case 'files': {
      const paths = [...new Set(mode.files.map((file) => toRepoPath(repo.root, cwd, file)))];
      if (mode.source === 'worktree') return { listing: async (set) => worktreeCandidates(repo.root, paths, set, notes), references: { kind: 'disk' } };
      const listing = async (set: MigrationSet) => {
        const wanted = new Set(paths);
        const entries = (await indexEntries(repo, prefixPathspecs(set.prefixes))).filter((e) => wanted.has(e.path));
        const byPath = new Map(entries.map((e) => [e.path, e] as const));
        const candidates: Candidate[] = [];
        const fromDisk: string[] = [];
        for (const file of paths) {
          const kind = set.classify(file);
          const entry = byPath.get(file);
          if (!kind) {
            notes.push(`${file}: not a migration according to the configuration's \`migrations\` globs; skipped`);
            continue;
          }
          if (!entry) {
            fromDisk.push(file);
            continue;
          }
          if (entry.stage !== 0) {
            candidates.push({ path: file, kind, content: { conflict: true }, previous: [] });
            continue;
          }
          const candidate = indexCandidate(file, kind, entry.mode, entry.oid, notes);
          if (candidate) candidates.push(candidate);
        }
        for (const file of fromDisk) notes.push(`${file}: not in the git index; read from the working tree`);
        candidates.push(...(worktreeCandidates(repo.root, fromDisk, set, notes)));
        return candidates;
      };
      return { listing, references: { kind: 'index', diskFallback: true } };
    }
  }
}

/** A blob in the index or a tree as a candidate (submodules are skipped with a note). */
function indexCandidate(file: string, kind: MigrationKind, mode: string, oid: string, notes: string[]): Candidate | undefined {
  if (mode === MODE_GITLINK) {
    notes.push(`${file}: a submodule, not a file; skipped`);
    return undefined;
  }
  return { path: file, kind, content: { oid, mode }, previous: [] };
}

/**
 * Files read from disk; a path that does not exist is an error (exit 2), not a pass. Synchronous on
 * purpose: an awaited fs/promises call per file left the event loop idle between thousands of tiny
 * calls (a quarter of `check --worktree` on real files; bench/RESULTS.md).
 */
function worktreeCandidates(root: string, files: string[], set: MigrationSet, notes: string[]): Candidate[] {
  const candidates: Candidate[] = [];
  for (const file of files) {
    const kind = set.classify(file);
    if (!kind) {
      notes.push(`${file}: not a migration according to the configuration's \`migrations\` globs; skipped`);
      continue;
    }
    // a missing file or a directory is said when it is read (readFromDisk): one system call less per file
    candidates.push({ path: file, kind, content: { disk: path.join(root, file) }, previous: [] });
  }
  return candidates;
}

/**
 * Changes (staged or in a range) → candidates. Added: every operation. Modified: only what is new
 * compared with the previous version(s), plus edited-applied-migration. Deleted or renamed:
 * edited-applied-migration (a rename with content changes also reports the new operations).
 */
function changeCandidates(repo: RepoInfo, changes: Change[], set: MigrationSet, notes: string[], parentBlobs: Map<string, string[]>): Candidate[] {
  const candidates: Candidate[] = [];
  for (const change of changes) {
    const kind = set.classify(change.path);
    const fromKind = change.from !== undefined ? set.classify(change.from) : undefined;
    if (!kind && !fromKind) continue;
    const previous = [...(parentBlobs.get(change.path) ?? [])];
    const oldIsBlob = !isZeroOid(change.oldOid) && change.oldMode !== MODE_GITLINK && change.oldMode !== '000000';
    if (oldIsBlob && change.status !== 'A' && change.status !== 'C') previous.unshift(change.oldOid);
    switch (change.status) {
      case 'D':
        candidates.push({ path: change.path, kind: kind!, content: { none: true }, previous: [], edit: { change: 'deleted' } });
        continue;
      case 'U':
        if (kind) candidates.push({ path: change.path, kind, content: { conflict: true }, previous: [] });
        continue;
      case 'R': {
        if (!kind) {
          // renamed out of the migration set: for the migration tool the old file is gone
          candidates.push({ path: change.from!, kind: fromKind!, content: { none: true }, previous: [], edit: { change: 'deleted' } });
          continue;
        }
        if (!fromKind) {
          // renamed into the migration set: a new migration as far as the tool is concerned
          candidates.push(...maybe(indexCandidate(change.path, kind, change.newMode, change.newOid, notes)));
          continue;
        }
        const candidate = indexCandidate(change.path, kind, change.newMode, change.newOid, notes);
        if (candidate) candidates.push({ ...candidate, previous, edit: { change: 'renamed', from: change.from } });
        continue;
      }
      default: {
        if (!kind) continue;
        if (change.newMode === MODE_GITLINK) {
          notes.push(`${change.path}: a submodule, not a file; skipped`);
          continue;
        }
        if ((change.status === 'A' || change.status === 'C') && change.newOid === repo.emptyBlob && change.newMode !== MODE_SYMLINK) {
          // intent-to-add (`git add -N`) or an empty new file: nothing to check
          continue;
        }
        const candidate = indexCandidate(change.path, kind, change.newMode, change.newOid, notes)!;
        const modified = change.status === 'M' || change.status === 'T' || previous.length > 0;
        candidates.push({ ...candidate, previous, edit: modified ? { change: 'modified' } : undefined });
      }
    }
  }
  return candidates;
}

function maybe<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

/**
 * A file named on the command line (`--worktree`), or its size when it is over the limit: a huge file is
 * refused before it is read into memory. A missing file or a directory is the user's mistake, said in words.
 */
function readFromDisk(file: string, absolute: string): Buffer | { size: number } {
  const unreadable = (error: unknown) => new FileError(`${file}: could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  let fd: number;
  try {
    fd = openSync(absolute, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new FileError(`${file}: no such file`, { hint: 'Check the path; it is resolved against the current directory.' });
    throw unreadable(error);
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new UsageError(`${file} is a directory; give the migration files (e.g. ${file}/*.sql)`);
    if (info.size > MAX_FILE_BYTES) return { size: info.size };
    return readFileSync(fd);
  } catch (error) {
    throw error instanceof UsageError ? error : unreadable(error);
  } finally {
    closeSync(fd);
  }
}

/**
 * One candidate → the policy's input when no parser is needed (deleted, conflict, symlink, missing,
 * too large), else the bytes to read. Whatever cannot be read is an `unparseable` operation.
 */
function prepareCandidate(candidate: Candidate, blobs: Map<string, BlobContent | undefined>): CheckedFile | ReadJob {
  const base = { path: candidate.path, edit: candidate.edit };
  const content = candidate.content;
  if ('none' in content) return { ...base, text: '', operations: [] };
  if ('conflict' in content) {
    return { ...base, text: '', operations: [unparseable(candidate, 'the file has an unresolved merge conflict in the index; resolve it and `git add` it, then check again')] };
  }
  let bytes: Buffer | undefined;
  if ('disk' in content) {
    const read = readFromDisk(candidate.path, content.disk);
    if (!Buffer.isBuffer(read)) return { ...base, text: '', operations: [unparseable(candidate, tooLargeProblem(read.size))] };
    bytes = read;
  } else {
    if (content.mode === MODE_SYMLINK) {
      const link = blobs.get(content.oid);
      const target = Buffer.isBuffer(link) ? link.toString('utf8') : '?';
      return {
        ...base,
        text: '',
        operations: [
          unparseable(
            candidate,
            `the migration is a symbolic link (to ${target}): git stores only the link, so what it points to cannot be checked here. Commit the migration as a regular file, or leave the link out with an \`ignore\` glob in the configuration`,
          ),
        ],
      };
    }
    const blob = blobs.get(content.oid);
    if (!blob) {
      return { ...base, text: '', operations: [unparseable(candidate, `git does not have the file's content (object ${content.oid} is missing; a partial clone?)`)] };
    }
    if (!Buffer.isBuffer(blob)) return { ...base, text: '', operations: [unparseable(candidate, tooLargeProblem(blob.size))] };
    bytes = blob;
  }
  const previous = candidate.previous.map((oid) => {
    const old = blobs.get(oid);
    return Buffer.isBuffer(old) ? old : undefined;
  });
  return { path: candidate.path, kind: candidate.kind, bytes, previous, previousPath: candidate.edit?.from ?? candidate.path };
}

function unparseable(candidate: Pick<Candidate, 'path' | 'kind'>, detail: string): Operation {
  return unparseableOperation(candidate.path, candidate.kind.dialect, detail);
}
