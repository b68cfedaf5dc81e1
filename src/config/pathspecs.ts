import type { Config } from './schema.js';
import { foldExtensionCase } from './glob-case.js';
import { LOOKS_LIKE_MIGRATION_PATHSPECS } from './conventional-migrations.js';

/**
 * Git pathspecs that cover every file the configured migration globs can match, for the shell
 * pre-filter (`git diff --cached --quiet -- <pathspecs>`) and `rev-list -- <pathspecs>`.
 * They may match MORE than the globs (then node starts and decides), never less: a glob that git's
 * `:(glob)` magic cannot express exactly (braces, extglobs, negation) is widened to its literal
 * directory prefix, or to everything. `unmatched`: also the paths that look like migrations (the pre-commit
 * shim: node then warns about those no glob matches).
 */
export function pathspecsFor(config: Pick<Config, 'migrations'> & { rules?: Config['rules'] }, prefix = '', options: { unmatched?: boolean } = {}): string[] {
  const specs = new Set<string>();
  for (const set of config.migrations) {
    const globs = Array.isArray(set.glob) ? set.glob : [set.glob];
    for (const glob of globs) specs.add(globToPathspec(joinPrefix(prefix, glob)));
  }
  // paths that look like migrations start node too, which warns when no glob matches them (unmatched-migration)
  if (options.unmatched && config.rules?.['unmatched-migration'] !== 'off') {
    for (const spec of LOOKS_LIKE_MIGRATION_PATHSPECS) specs.add(prefix && prefix !== '.' ? spec.replace(')**/', `)${prefix.replace(/\/+$/, '')}/**/`) : spec);
  }
  // a single catch-all makes the others redundant
  if (specs.has(EVERYTHING)) return [EVERYTHING];
  return [...specs];
}

const EVERYTHING = ':(top)';

function joinPrefix(prefix: string, glob: string): string {
  const clean = glob.replace(/^\.\//, '');
  if (!prefix || prefix === '.') return clean;
  return `${prefix.replace(/\/+$/, '')}/${clean}`;
}

/** Characters git's glob magic does not understand the way picomatch does. */
const UNSUPPORTED = /[{}()!+@]|\\/;

export function globToPathspec(glob: string): string {
  // extensions in any case, exactly as the matcher does (config/glob-case.ts)
  let clean = foldExtensionCase(glob.replace(/^\/+/, ''));
  if (clean.startsWith('!')) return EVERYTHING;
  if (!UNSUPPORTED.test(clean)) {
    // a pattern without a slash may be matched against base names (matchBase): widen to any depth
    return clean.includes('/') ? `:(top,glob)${clean}` : `:(top,glob)**/${clean}`;
  }
  // widen to the longest literal directory prefix
  const segments = clean.split('/');
  const literal: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?[\]{}()!+@\\]/.test(segment)) break;
    literal.push(segment);
  }
  clean = literal.join('/');
  return clean ? `:(top,glob)${clean}/**` : EVERYTHING;
}

/** Quote one word for POSIX sh (single quotes; embedded quotes closed and escaped). */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
