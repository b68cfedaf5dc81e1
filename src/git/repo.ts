import path from 'node:path';
import { GitError } from '../errors.js';
import { execGit } from './exec-git.js';
import { shimLayout } from './shim-handover.js';

/** What the check needs to know about the repository it runs in. */
export interface RepoInfo {
  /** Absolute path of the work tree root (`git rev-parse --show-toplevel`). */
  root: string;
  /** Absolute path of the common git dir (shared by linked worktrees). */
  commonDir: string;
  /** Absolute path of this worktree's git dir (MERGE_HEAD lives here). */
  gitDir: string;
  objectFormat: 'sha1' | 'sha256';
  /** The empty tree of this object format: the base of an initial commit. */
  emptyTree: string;
  /** The empty blob: what an intent-to-add entry (`git add -N`) shows in the index. */
  emptyBlob: string;
  /** The commit HEAD points at, or undefined when HEAD is unborn (no commit yet). */
  head?: string;
}

const EMPTY_TREE = {
  sha1: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  sha256: '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321',
} as const;

const EMPTY_BLOB = {
  sha1: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391',
  sha256: '473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813',
} as const;

export const NOT_A_REPO_HINT = 'Run it inside a git work tree, or check files on disk with `dbsafe-hooks check --worktree <files>`.';

/** What the layout query asks git (one call: layout and HEAD); the pre-commit shim asks the same (install/shim.ts). */
export const LAYOUT_QUERY = ['rev-parse', '--show-toplevel', '--git-common-dir', '--absolute-git-dir', '--show-object-format', '-q', '--verify', 'HEAD^{commit}'];

/**
 * Locate the repository containing `cwd`: ONE git call for the layout and HEAD (`--verify` exits 1
 * with the layout printed when HEAD is unborn: an answer rather than an error; 128 outside a repo).
 */
export async function locateRepo(cwd: string): Promise<RepoInfo> {
  // the pre-commit shim asked the same already (git/shim-handover.ts)
  const handed = shimLayout();
  const given = handed && layoutFrom(handed.cwd, handed.code, handed.stdout);
  if (given && !path.relative(given.root, path.resolve(cwd)).startsWith('..')) return given;
  const layoutResult = await execGit(LAYOUT_QUERY, { cwd, okCodes: [1, 128] });
  if (layoutResult.code === 128) {
    const why = layoutResult.stderr.trim().split('\n')[0] ?? '';
    if (/not a git repository/i.test(why)) throw new GitError(`Not inside a git repository: ${cwd}`, { hint: NOT_A_REPO_HINT });
    throw new GitError(`Could not locate the git repository: ${why || 'git rev-parse failed'}`, { hint: NOT_A_REPO_HINT });
  }
  const layout = layoutFrom(cwd, layoutResult.code, layoutResult.stdout.toString('utf8'));
  // inside .git or a bare repository: there is no work tree and no index to check
  if (!layout) throw new GitError(`Not inside a git work tree: ${cwd}`, { hint: NOT_A_REPO_HINT });
  return layout;
}

/** LAYOUT_QUERY's answer (exit code 0 or 1) as run in `cwd`; undefined without a work tree. */
function layoutFrom(cwd: string, code: number, stdout: string): RepoInfo | undefined {
  const [root, commonDirRaw, gitDir, format, headLine] = stdout.split('\n');
  if (!root) return undefined;
  const objectFormat = format === 'sha256' ? 'sha256' : 'sha1';
  const headOid = code === 0 ? headLine?.trim() : undefined;
  return {
    root,
    commonDir: path.resolve(cwd, commonDirRaw ?? '.git'),
    gitDir: gitDir || path.join(root, '.git'),
    objectFormat,
    emptyTree: EMPTY_TREE[objectFormat],
    emptyBlob: EMPTY_BLOB[objectFormat],
    head: headOid || undefined,
  };
}

/** Absolute path of a file in the git dir (`git rev-parse --git-path <name>`), worktree-aware. */
export async function gitPath(root: string, name: string): Promise<string> {
  const { stdout } = await execGit(['rev-parse', '--git-path', name], { cwd: root });
  return path.resolve(root, stdout.toString('utf8').trim());
}

/** Resolve a ref to a commit oid, or throw a GitError that names the ref (exit 2). */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new GitError(`Not a valid git ref: ${ref}`);
  const result = await execGit(['rev-parse', '-q', '--verify', '--end-of-options', `${ref}^{commit}`], { cwd: root, okCodes: [1, 128] });
  const oid = result.stdout.toString('utf8').trim();
  if (result.code !== 0 || !oid) {
    throw new GitError(`Unknown git ref "${ref}": it does not name a commit in this repository`, {
      hint: 'In CI, fetch the base branch first (e.g. `git fetch origin main` and use `--base origin/main`; with actions/checkout set fetch-depth: 0).',
    });
  }
  return oid;
}
