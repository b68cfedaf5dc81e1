import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { CONFIG_SEARCH_PLACES } from './places.js';
import { configSchema, type Config } from './schema.js';

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
  const explorer = cosmiconfig(MODULE_NAME, { searchPlaces: [...CONFIG_SEARCH_PLACES], stopDir, searchStrategy: 'global' });
  let found: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  try {
    found = explicitPath ? await explorer.load(path.resolve(cwd, explicitPath)) : await explorer.search(cwd);
  } catch (error) {
    const where = explicitPath ? path.resolve(cwd, explicitPath) : 'the configuration file';
    throw new ConfigError(`Could not read ${where}: ${firstLine(error)}`, {
      hint: 'Fix the syntax of the file, or run `npx dbsafe-hooks doctor`.',
    });
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
    const prefix = issue.path.length ? `${key}.` : '';
    return `unknown key ${issue.keys.map((k) => `"${prefix}${k}"`).join(', ')}`;
  }
  return `"${key}": ${issue.message}`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
