import { existsSync } from 'node:fs';
import path from 'node:path';
import { execGit } from '../git/exec-git.js';

/** Where things are: the work tree, the git dirs and the npm package that depends on dbsafe-hooks. */
export interface Location {
  /** Work tree root (of this worktree). */
  root: string;
  /** Shared git dir (`.git` of the main worktree): hooks and dbsafe state live here. */
  commonDir: string;
  /** This worktree's git dir (differs from commonDir in a linked worktree). */
  gitDir: string;
  /** Nearest directory with a package.json, from cwd up to root (root when none). */
  packageRoot: string;
  /** packageRoot relative to root, POSIX separators, '' at the root. */
  packageDir: string;
}

export type LocateResult = { ok: true; location: Location } | { ok: false; reason: string };

export async function locate(cwd: string): Promise<LocateResult> {
  const probe = await execGit(['rev-parse', '--is-inside-work-tree', '--is-bare-repository'], { cwd, okCodes: [128] }).catch(
    (error: Error) => ({ code: 127, stdout: Buffer.from(''), stderr: error.message }),
  );
  if (probe.code !== 0) return { ok: false, reason: 'not inside a git repository' };
  const [inside, bare] = probe.stdout.toString('utf8').trim().split('\n');
  if (bare === 'true') return { ok: false, reason: 'this is a bare repository (hooks there never see a commit being made)' };
  if (inside !== 'true') return { ok: false, reason: 'not inside a git work tree (inside the .git directory?)' };
  const { stdout } = await execGit(
    ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir', '--git-dir'],
    { cwd },
  );
  const [root, commonDir, gitDir] = stdout.toString('utf8').trim().split('\n') as [string, string, string];
  const packageRoot = findPackageRoot(path.resolve(cwd), root);
  const packageDir = path.relative(root, packageRoot).split(path.sep).join('/');
  return { ok: true, location: { root, commonDir, gitDir, packageRoot, packageDir } };
}

function findPackageRoot(start: string, root: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === root || path.dirname(dir) === dir || !dir.startsWith(root)) return root;
    dir = path.dirname(dir);
  }
}

/** The installed bin, searched from the package dir up to the root (workspaces hoist it). */
export function findBin(location: Location): string {
  let dir = location.packageRoot;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', '.bin', 'dbsafe-hooks');
    if (existsSync(candidate)) return toRootRelative(location.root, candidate);
    if (dir === location.root || path.dirname(dir) === dir) break;
    dir = path.dirname(dir);
  }
  // not installed yet (npx from the cache): the package's own bin dir is where it will be
  return toRootRelative(location.root, path.join(location.packageRoot, 'node_modules', '.bin', 'dbsafe-hooks'));
}

function toRootRelative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
