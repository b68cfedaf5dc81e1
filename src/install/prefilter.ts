import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_SEARCH_PLACES } from '../config/places.js';
import { shQuote } from '../config/pathspecs.js';

/**
 * Whether the shims' shell pre-filter still matches the configuration (docs/check.md: the same globs for
 * check, pre-commit, the pre-filter and the gate). The pre-filter's pathspecs are written into the hook at
 * install time, so a glob added to the config later (or pulled from a teammate) would never start node.
 * The shell cannot hash a file without starting a process (the budget of a commit with no migration
 * staged is 1.3x an empty hook), but `test -nt` is a builtin: install leaves a stamp file in this
 * worktree's git dir, and the shim falls through to node when any config file the loader would find is
 * newer than the stamp, appeared, or went away. Node then decides with the config in effect and, when
 * the config still gives the hook's pathspecs, renews the stamp (`renewStamp`), so an edit that did not
 * change the globs costs one node start, and one that did keeps starting node (and says to re-install).
 */

/** The stamp, in the worktree's own git dir (each worktree has its own config file). */
export const STAMP_NAME = 'dbsafe-prefilter';

/** Root-relative config files the loader searches, from the package dir up to the root (config/places.ts). */
export function configCandidates(packageDir: string): string[] {
  const dirs: string[] = [];
  let dir = packageDir;
  for (;;) {
    dirs.push(dir ? `${dir}/` : '');
    if (!dir) break;
    dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
  }
  return dirs.flatMap((prefix) => CONFIG_SEARCH_PLACES.map((place) => `${prefix}${place}`));
}

/** Which of the candidates exist now (relative to the root): what the pre-filter is built from. */
export function presentConfigFiles(root: string, packageDir: string): string[] {
  return configCandidates(packageDir).filter((file) => existsSync(path.join(root, file)));
}

/** A short name for a list of pathspecs: the shim hands it to node, which compares it with the config's. */
export function pathspecFingerprint(pathspecs: string[]): string {
  return createHash('sha256').update(pathspecs.join('\n')).digest('hex').slice(0, 16);
}

/**
 * Shell that leaves `dbsafe_stale` empty when the pre-filter is current, else sets it: lines for a hook
 * file, or one line for a manager's command string. Builtins only (`read`, `test`): the hook runs in the
 * work tree's root, whose `.git` is the git dir, or a file naming it (linked worktrees, submodules); git
 * may also give hooks GIT_DIR.
 */
export function freshnessScript(packageDir: string, present: string[], form: { indent: string } | 'inline'): string {
  const tests = configCandidates(packageDir).map((file) =>
    present.includes(file) ? `[ -f ${shQuote(file)} ] && ! [ ${shQuote(file)} -nt "$dbsafe_stamp" ]` : `! [ -e ${shQuote(file)} ]`,
  );
  const head = [
    'dbsafe_stale=1 dbsafe_gd=${GIT_DIR:-.git}',
    'if [ -f "$dbsafe_gd" ] && read -r dbsafe_gd < "$dbsafe_gd"; then dbsafe_gd=${dbsafe_gd#gitdir: }; fi',
    `dbsafe_stamp="$dbsafe_gd/${STAMP_NAME}"`,
  ];
  const condition = ['[ -f "$dbsafe_stamp" ]', ...tests];
  if (form === 'inline') return [...head, `if ${condition.join(' && ')}; then dbsafe_stale=; fi`].join('; ');
  const i = form.indent;
  return [
    ...head.map((line) => `${i}${line}`),
    `${i}if ${condition[0]} &&`,
    ...tests.map((test, n) => `${i}  ${test}${n === tests.length - 1 ? '; then' : ' &&'}`),
    `${i}  dbsafe_stale=`,
    `${i}fi`,
  ].join('\n');
}

/** The stamp's path for a work tree root, as the shell finds it (GIT_DIR, or `.git` and the file it may hold). */
export function stampPath(root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let gitDir = path.resolve(root, env.GIT_DIR || '.git');
  try {
    if (statSync(gitDir).isFile()) {
      const pointer = /^gitdir: (.+)$/m.exec(readFileSync(gitDir, 'utf8'))?.[1]?.trim();
      if (!pointer) return undefined;
      gitDir = path.resolve(root, pointer);
    }
  } catch {
    return undefined;
  }
  return path.join(gitDir, STAMP_NAME);
}

/**
 * Write the stamp BEFORE the config is read: its time is then just before that read, so a config written
 * during or after it is newer (strictly: the file system's clock is coarse, hence the microsecond taken off).
 */
export function writeStamp(file: string): void {
  writeFileSync(file, 'dbsafe-hooks: the pre-filter of the hooks was current at this file\'s modification time\n');
  const written = statSync(file).mtimeMs / 1000 - 1e-6;
  utimesSync(file, written, written);
}

/**
 * In a hook that the pre-filter sent to node because the stamp was stale (`DBSAFE_PREFILTER` holds the
 * shim's fingerprint): a stamp is written first, then `keep(fingerprint)` is asked once the config is
 * loaded; false removes it again (the shim keeps starting node) and returns the note for the user.
 */
export function renewStamp(root: string, env: NodeJS.ProcessEnv): ((current: string) => string | undefined) | undefined {
  const shim = env.DBSAFE_PREFILTER;
  delete env.DBSAFE_PREFILTER;
  if (!shim) return undefined;
  const file = stampPath(root, env);
  if (!file) return undefined;
  try {
    writeStamp(file);
  } catch {
    return undefined; // a read-only git dir: node keeps starting, which is only slower
  }
  return (current) => {
    if (current === shim) return undefined;
    rmSync(file, { force: true });
    return 'the configuration\'s migration globs changed since this hook was installed, so every commit starts node to check them: run `npx dbsafe-hooks install` to update the hook\'s pre-filter';
  };
}
