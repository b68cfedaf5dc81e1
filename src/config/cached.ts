import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_SEARCH_PLACES } from './places.js';
import type { Config } from './schema.js';
import { readText, writeAtomic } from '../util/files.js';

/**
 * The configuration for a hook run, without loading the validator when nothing changed.
 * Validating (zod) costs more than everything else the pre-commit hook does, so the validated
 * result of a JSON config is cached in `<git common dir>/dbsafe/config-cache.json`, keyed by the
 * file, a hash of its exact bytes and a hash of the schema's sources taken at build time (so a build
 * whose schema gained a section or a default never reads a config validated by an older one, even at
 * the same version). Anything else (YAML, JS configs, --config) goes through the normal loader every time.
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

/** Where cosmiconfig would find the config, when that source is plain JSON; 'slow' otherwise. */
function findJsonConfig(cwd: string, root: string): Found {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of JSON_PLACES) {
      const file = path.join(dir, name);
      const text = readText(file);
      if (text === undefined) continue;
      if (name === '.dbsaferc') return 'slow'; // JSON or YAML: let the loader decide
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return 'slow'; // the loader reports the syntax error properly
      }
      if (name === 'package.json') {
        const own = (parsed as Record<string, unknown> | null)?.dbsafe;
        if (own === undefined) continue;
        return { file, raw: own, text: JSON.stringify(own) };
      }
      return { file, raw: parsed, text };
    }
    for (const name of OTHER_PLACES) {
      if (readText(path.join(dir, name)) !== undefined) return 'slow';
    }
    // nothing in the repository: cosmiconfig may still find a global config (~/.config/dbsafe)
    if (dir === root || path.dirname(dir) === dir) return 'slow';
    dir = path.dirname(dir);
  }
}

export async function hookConfig(options: {
  cwd: string;
  root: string;
  commonDir: string;
  configPath?: string;
  /** pre-push changes nothing: it reads the cache but never writes it. */
  writeCache: boolean;
}): Promise<Config> {
  const slow = async () => (await import('./load.js')).loadConfig(options.cwd, options.root, options.configPath);
  if (options.configPath) return (await slow()).config;
  const found = findJsonConfig(options.cwd, options.root);
  if (found === 'slow') return (await slow()).config;
  const key = found.file;
  const sha256 = createHash('sha256').update(found.text).digest('hex');
  const cacheFile = path.join(options.commonDir, 'dbsafe', 'config-cache.json');
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
      writeAtomic(cacheFile, `${JSON.stringify({ schema: SCHEMA_HASH, file: key, sha256, config } satisfies CacheEntry)}\n`);
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
