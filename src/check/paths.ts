import { realpathSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * A path given on the command line → repository-relative with forward slashes. Accepts absolute
 * paths (lint-staged) and paths relative to `cwd` (a shell in a subdirectory; hooks run at the
 * root). Symlinked directories (macOS /tmp → /private/tmp) are resolved before giving up.
 */
export function toRepoPath(root: string, cwd: string, input: string): string {
  // the common case, a plain relative path given at the root (thousands of them from a shell glob): as it is
  if (cwd === root && path.sep === '/' && PLAIN_RELATIVE.test(input) && !DOT_SEGMENT.test(input)) return input;
  const absolute = path.resolve(cwd, input);
  let relative = path.relative(root, absolute);
  if (isOutside(relative)) {
    const real = realDir(absolute);
    if (real) relative = path.relative(realDir(root) ?? root, real);
  }
  if (isOutside(relative) || relative === '') {
    throw new UsageError(`${input} is not a file inside the repository ${root}`, {
      hint: 'Give paths of migration files inside the repository (relative to the current directory, or absolute).',
    });
  }
  return relative.split(path.sep).join('/');
}

/** Relative, no `.` or `..` segment, no empty segment (`a//b`), no trailing slash. */
const PLAIN_RELATIVE = /^(?!\.\.?(?:\/|$))(?:[^/]+\/)*[^/]+$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

function isOutside(relative: string): boolean {
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}

/** The real path of `file`'s directory joined with its name (the file itself may not exist). */
function realDir(file: string): string | undefined {
  try {
    return path.join(realpathSync(path.dirname(file)), path.basename(file));
  } catch {
    return undefined;
  }
}
