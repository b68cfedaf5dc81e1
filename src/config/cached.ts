import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_SEARCH_PLACES } from './places.js';
import type { Config } from './schema.js';
import { readText, writeAtomic } from '../util/files.js';
import { userCacheDir } from '../util/user-cache-dir.js';

/**
 * The configuration for a hook run or `check`, without loading the validator when nothing changed.
 * Validating (zod) costs more than everything else the pre-commit hook does, so the validated result of
 * a JSON config is cached: in a repository in `<git common dir>/dbsafe/config-cache.json`, outside one
 * (`check --worktree` of a downloaded tree) in the user's cache directory. The entry is keyed by the
 * file, a hash of its exact bytes and a hash of the schema's sources taken at build time (so a build whose
 * schema gained a section or a default never reads a config validated by an older one, even at the same
 * version). A `--config` file ending in `.json` is cached the same way. Anything else (YAML, JS configs,
 * `$import`, an empty or unparsable file) goes through the normal loader every time, which also words
 * the errors.
 */

declare const __DBSAFE_SCHEMA_HASH__: string | undefined;
/** Set by the build (tsup.config.ts); tests that import the sources directly never reuse a cache entry. */
const SCHEMA_HASH = typeof __DBSAFE_SCHEMA_HASH__ === 'string' ? __DBSAFE_SCHEMA_HASH__ : `unbuilt-${process.pid}-${Date.now()}`;

interface CacheEntry {
  schema: string;
  file: string;
  sha256: string;
  config: Config;
}

/** The JSON sources this fast path reads (first in the search order), then the ones it leaves to the loader. */
const JSON_PLACES = ['package.json', '.dbsaferc', '.dbsaferc.json'] as const;
const OTHER_PLACES = CONFIG_SEARCH_PLACES.filter((name) => !(JSON_PLACES as readonly string[]).includes(name));

type Found = { file: string; raw: unknown; text: string } | 'slow';

/**
 * The config a JSON file holds as cosmiconfig would load it (its whole content, or package.json's
 * `dbsafe`), or 'slow' for what only the loader reads right: `$import` (cosmiconfig merges the files it
 * names), anything not a JSON object, a syntax error (the loader words it).
 */
function jsonSource(file: string, text: string, packageProp: boolean): Found | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'slow';
  }
  const raw = packageProp ? (parsed as Record<string, unknown> | null)?.dbsafe : parsed;
  if (raw === undefined && packageProp) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.hasOwn(raw, '$import')) return 'slow';
  return { file, raw, text: packageProp ? JSON.stringify(raw) : text };
}

/** Where cosmiconfig would find the config, when that source is plain JSON; 'slow' otherwise. */
function findJsonConfig(cwd: string, root: string): Found {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of JSON_PLACES) {
      const file = path.join(dir, name);
      const text = readText(file);
      if (text === undefined) continue;
      if (name === '.dbsaferc') return 'slow'; // JSON or YAML: let the loader decide
      const found = jsonSource(file, text, name === 'package.json');
      if (found !== undefined) return found;
    }
    for (const name of OTHER_PLACES) {
      if (readText(path.join(dir, name)) !== undefined) return 'slow';
    }
    // nothing in the repository: cosmiconfig may still find a global config (~/.config/dbsafe)
    if (dir === root || path.dirname(dir) === dir) return 'slow';
    dir = path.dirname(dir);
  }
}

/** `--config <file>.json` (cosmiconfig reads it as JSON by its extension); 'slow' for any other name. */
function explicitJsonConfig(cwd: string, configPath: string): Found {
  const file = path.resolve(cwd, configPath);
  if (path.extname(file) !== '.json' || path.basename(file) === 'package.json') return 'slow';
  const text = readText(file);
  return text === undefined ? 'slow' : (jsonSource(file, text, false) ?? 'slow');
}

/** Where the validated config is kept: the repository's private dir, else the user's cache directory. */
function cacheFileFor(commonDir: string | undefined): string | undefined {
  if (commonDir) return path.join(commonDir, 'dbsafe', 'config-cache.json');
  const dir = userCacheDir();
  return dir && path.join(dir, 'config-cache.json');
}

export async function hookConfig(options: {
  cwd: string;
  /** Where the search for a config stops: the repository's root (or `cwd` outside one). */
  root: string;
  /** The git common dir; undefined outside a repository. */
  commonDir: string | undefined;
  configPath?: string;
  /** pre-push changes nothing: it reads the cache but never writes it. */
  writeCache: boolean;
}): Promise<Config> {
  const slow = async () => (await import('./load.js')).loadConfig(options.cwd, options.root, options.configPath);
  const found = options.configPath ? explicitJsonConfig(options.cwd, options.configPath) : findJsonConfig(options.cwd, options.root);
  const cacheFile = found === 'slow' ? undefined : cacheFileFor(options.commonDir);
  if (found === 'slow' || !cacheFile) return (await slow()).config;
  const key = found.file;
  const sha256 = createHash('sha256').update(found.text).digest('hex');
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as CacheEntry;
    if (cached.schema === SCHEMA_HASH && cached.file === key && cached.sha256 === sha256) return cached.config;
  } catch {
    /* no cache yet, or unreadable: validate below */
  }
  const { parseConfig } = await import('./load.js');
  const config = parseConfig(found.raw, found.file);
  if (options.writeCache) {
    try {
      mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 }); // .git/dbsafe is private (docs/backup.md)
      writeAtomic(cacheFile, `${JSON.stringify({ schema: SCHEMA_HASH, file: key, sha256, config } satisfies CacheEntry)}\n`, 0o600);
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
  return config;
}

/**
 * Work tree root and common git dir found on disk (no git process: every spawn is felt on
 * commit). Undefined when git's environment points elsewhere (linked worktree hooks get GIT_DIR):
 * then ask git.
 */
export function gitDirsFromDisk(cwd: string): { root: string; commonDir: string } | undefined {
  if (process.env.GIT_DIR || process.env.GIT_COMMON_DIR || process.env.GIT_WORK_TREE) return undefined;
  let dir = path.resolve(cwd);
  for (;;) {
    const dotGit = path.join(dir, '.git');
    try {
      const stat = statSync(dotGit);
      if (stat.isDirectory()) return { root: dir, commonDir: dotGit };
      const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
      if (!pointer) return undefined;
      const gitDir = path.resolve(dir, pointer);
      const common = readText(path.join(gitDir, 'commondir'))?.trim();
      return { root: dir, commonDir: common ? path.resolve(gitDir, common) : gitDir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
    dir = path.dirname(dir);
  }
}
