import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { HookName } from './shim.js';
import { readText, writeAtomic } from '../util/files.js';

/**
 * `$(git rev-parse --git-common-dir)/dbsafe/install.json`: everything install changed, so that
 * uninstall reverses exactly that and nothing else. Shared by all worktrees, never committed.
 */

export type InstallAction =
  /** A whole hook file we wrote (plain hooks dir or a local core.hooksPath); a foreign hook moved aside to `movedAside`. */
  | { type: 'hook-file'; hook: HookName; path: string; movedAside?: string }
  /** Our marked block inside someone else's script (husky); `createdFile` when the file did not exist. */
  | { type: 'block'; hook: HookName; path: string; createdFile: boolean }
  /** Commands added to a YAML config (lefthook, pre-commit framework) under these keys. */
  | { type: 'yaml-entries'; path: string; entries: string[][] }
  /** A command string in a JSON config (simple-git-hooks, husky v4): what it was before and what we made it. */
  | { type: 'json-command'; path: string; key: string[]; before: string | null; after: string }
  /** A config file we created from the template (removed by uninstall only while unchanged). */
  | { type: 'config-file'; path: string; sha256: string }
  /** Lines we appended to a .gitignore. */
  | { type: 'gitignore'; path: string; lines: string[]; createdFile: boolean }
  /** `<hook file> text eol=lf` lines we appended to a .gitattributes (hook scripts committed to the repository). */
  | { type: 'gitattributes'; path: string; lines: string[]; createdFile: boolean };

export interface InstallManifest {
  tool: 'dbsafe-hooks';
  version: string;
  manager: string;
  /** Root-relative package dir the hooks run from. */
  packageDir: string;
  pathspecs: string[];
  actions: InstallAction[];
}

export function manifestPath(commonDir: string): string {
  return path.join(commonDir, 'dbsafe', 'install.json');
}

export function readManifest(commonDir: string): InstallManifest | undefined {
  const text = readText(manifestPath(commonDir));
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as InstallManifest;
    return parsed.tool === 'dbsafe-hooks' && Array.isArray(parsed.actions) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Atomic; returns false when nothing changed. */
export function writeManifest(commonDir: string, manifest: InstallManifest): boolean {
  const file = manifestPath(commonDir);
  // .git/dbsafe holds the backup log and secrets' temp dirs: private whoever creates it first
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  chmodSync(path.dirname(file), 0o700);
  return writeAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

export function removeManifest(commonDir: string): void {
  rmSync(manifestPath(commonDir), { force: true });
}

/** Add or replace an action (same type + path + hook/key) so re-running install never duplicates. */
export function upsertAction(actions: InstallAction[], action: InstallAction): void {
  const key = actionKey(action);
  const index = actions.findIndex((a) => actionKey(a) === key);
  if (index >= 0) actions[index] = action;
  else actions.push(action);
}

function actionKey(action: InstallAction): string {
  switch (action.type) {
    case 'json-command':
      return `${action.type}:${action.path}:${action.key.join('.')}`;
    default:
      return `${action.type}:${action.path}`;
  }
}
