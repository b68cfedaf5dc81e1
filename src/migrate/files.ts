import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileMigrationSet } from '../check/migration-set.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { execGit, splitNul } from '../git/exec-git.js';

/**
 * The built-in runner's migration files: the `.sql` files matched by the config's `migrations`
 * globs (tracked or untracked, not ignored), each with a version taken from its name
 * (`0001_add_users.sql`, `2.5_backfill.sql`, `20240101120000_x.up.sql`, Flyway's `V2__x.sql`), ordered by version.
 * `*.down.sql` are rollbacks and never applied; a dbmate file runs only its `-- migrate:up` part.
 */

export interface MigrationFile {
  version: string;
  name: string;
  /** Repository-relative path, forward slashes. */
  path: string;
  /** sha256 of the file's bytes: an applied file whose checksum changed blocks. */
  checksum: string;
  /** The SQL to apply. */
  sql: string;
}

const VERSIONED = /^(?:V(\d+(?:[._]\d+)*)__|(\d+(?:\.\d+)*)[_-])(.+?)(?:\.up)?\.sql$/i;

/** Version and name from a file name, or undefined when the name carries no version. */
export function parseMigrationName(basename: string): { version: string; name: string } | undefined {
  if (/\.down\.sql$/i.test(basename)) return undefined;
  const match = VERSIONED.exec(basename);
  if (!match) return undefined;
  return { version: (match[1] ?? match[2])!.replace(/_/g, '.'), name: match[3]! };
}

/** Numeric, part by part: 2 < 10, 1.2 < 1.10, 0001 == 1. */
export function compareVersions(a: string, b: string): number {
  if (!/^\d+(\.\d+)*$/.test(a) || !/^\d+(\.\d+)*$/.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const pa = a.split('.').map((p) => BigInt(p));
  const pb = b.split('.').map((p) => BigInt(p));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The part of a file that migrates up (dbmate keeps up and down in one file). */
export function upSql(text: string): string {
  const up = /^--\s*migrate:up\b.*$/m.exec(text);
  if (!up) return text;
  const rest = text.slice(up.index + up[0].length);
  const down = /^--\s*migrate:down\b/m.exec(rest);
  return down ? rest.slice(0, down.index) : rest;
}

export async function listMigrationFiles(config: Pick<Config, 'migrations' | 'dialect'>, repoRoot: string): Promise<MigrationFile[]> {
  const set = compileMigrationSet(config);
  const { stdout } = await execGit(['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--full-name'], { cwd: repoRoot });
  const paths = [...new Set(splitNul(stdout))].filter((p) => p.toLowerCase().endsWith('.sql') && set.classify(p));
  const files: MigrationFile[] = [];
  const unversioned: string[] = [];
  for (const rel of paths) {
    const base = path.posix.basename(rel);
    if (/\.down\.sql$/i.test(base)) continue;
    const parsed = parseMigrationName(base);
    if (!parsed) {
      unversioned.push(rel);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(path.join(repoRoot, rel));
    } catch {
      continue; // deleted in the worktree but still in the index
    }
    files.push({ ...parsed, path: rel, checksum: createHash('sha256').update(bytes).digest('hex'), sql: upSql(bytes.toString('utf8')) });
  }
  if (unversioned.length) {
    throw new ConfigError(`These files match the migration globs but their names carry no version: ${unversioned.slice(0, 10).join(', ')}${unversioned.length > 10 ? ', …' : ''}`, {
      hint: 'Name migrations like 0001_create_users.sql or V1__create_users.sql, or narrow "migrations[].glob" / add them to "migrations[].ignore" in the config.',
    });
  }
  files.sort((a, b) => compareVersions(a.version, b.version) || (a.path < b.path ? -1 : 1));
  for (let i = 1; i < files.length; i++) {
    if (compareVersions(files[i - 1]!.version, files[i]!.version) === 0) {
      throw new ConfigError(`Two migration files have version ${files[i]!.version}: ${files[i - 1]!.path} and ${files[i]!.path}`, {
        hint: 'Give each migration its own version.',
      });
    }
  }
  return files;
}

/** Every migration file the config's globs match (any format), as text: where dry-run looks for override markers. */
export async function migrationTexts(config: Pick<Config, 'migrations' | 'dialect'>, repoRoot: string): Promise<Array<{ path: string; text: string }>> {
  const set = compileMigrationSet(config);
  const { stdout } = await execGit(['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--full-name'], { cwd: repoRoot });
  const out: Array<{ path: string; text: string }> = [];
  for (const rel of new Set(splitNul(stdout))) {
    if (!set.classify(rel)) continue;
    try {
      const text = readFileSync(path.join(repoRoot, rel), 'utf8');
      if (text.includes('dbsafe:')) out.push({ path: rel, text });
    } catch {
      /* deleted in the worktree */
    }
  }
  return out;
}

/** Files named on the command line (dry-run <files…>): version from the name when it has one, else the name itself. */
export function migrationFromPath(file: string, repoRoot: string, cwd: string): MigrationFile {
  const absolute = path.resolve(cwd, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch {
    throw new ConfigError(`Cannot read the migration file ${file}`, { hint: 'Give paths of existing SQL files, or a command after `--`.' });
  }
  const base = path.basename(absolute);
  const parsed = parseMigrationName(base) ?? { version: base.replace(/\.sql$/i, ''), name: base.replace(/\.sql$/i, '') };
  return { ...parsed, path: path.relative(repoRoot, absolute).split(path.sep).join('/'), checksum: createHash('sha256').update(bytes).digest('hex'), sql: upSql(bytes.toString('utf8')) };
}
