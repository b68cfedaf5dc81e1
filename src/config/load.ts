import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { CONFIG_SEARCH_PLACES } from './places.js';
import { configReadError } from './read-error.js';
import { configSchema, type Config } from './schema.js';
import { unknownKeyMessage } from './unknown-keys.js';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file it came from, or undefined when defaults were used. */
  filepath?: string;
}

const MODULE_NAME = 'dbsafe';


/**
 * Find and validate the configuration, searching from `cwd` up to `stopDir` (the repository root).
 * `explicitPath` (--config) must exist. A wrong key or type is a ConfigError naming the key, the
 * file and what was expected.
 */
export async function loadConfig(cwd: string, stopDir: string, explicitPath?: string): Promise<LoadedConfig> {
  // cosmiconfig is only needed here; importing it lazily keeps `--help` and hook fast paths light.
  const { cosmiconfig } = await import('cosmiconfig');
  let found: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  try {
    // inside the try: creating the explorer already reads package.json (cosmiconfig's own meta config)
    const explorer = cosmiconfig(MODULE_NAME, { searchPlaces: [...CONFIG_SEARCH_PLACES], stopDir, searchStrategy: 'global' });
    found = explicitPath ? await explorer.load(path.resolve(cwd, explicitPath)) : await explorer.search(cwd);
  } catch (error) {
    const file = explicitPath ? path.resolve(cwd, explicitPath) : (error as { filepath?: string }).filepath;
    throw configReadError(error, file, explicitPath !== undefined);
  }
  if (!found) return { config: parseConfig({}, '(defaults)') };
  const raw = found.isEmpty ? {} : found.config;
  return { config: parseConfig(raw, found.filepath), filepath: found.filepath };
}

/** Validate an already-read configuration object; `source` names it in error messages. */
export function parseConfig(raw: unknown, source: string): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${describeIssue(issue)}`);
  throw new ConfigError(`Invalid configuration in ${source}:\n${lines.join('\n')}`, {
    hint: 'See .dbsaferc.example or schema.json for every key and its type.',
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((unknown) => unknownKeyMessage(configSchema, issue.path, unknown)).join('\n  - ');
  }
  return `"${key}": ${issue.message}`;
}
