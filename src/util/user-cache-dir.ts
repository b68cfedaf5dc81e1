import { lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The user's own cache directory for dbsafe-hooks (`$XDG_CACHE_HOME/dbsafe-hooks` or
 * `~/.cache/dbsafe-hooks`), created 0700; undefined when there is no safe one. What is kept there (V8's
 * code cache, validated configs) is speed only, but it is read back as code or as a trusted config, so a
 * directory another user could write to (another owner, group or world bits, a symlink) is never used.
 */
export function userCacheDir(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME ? path.join(process.env.HOME, '.cache') : '');
  if (!path.isAbsolute(base)) return undefined;
  const dir = path.join(base, 'dbsafe-hooks');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || (stat.mode & 0o077) !== 0 || (process.getuid && stat.uid !== process.getuid())) return undefined;
  } catch {
    return undefined;
  }
  return dir;
}
