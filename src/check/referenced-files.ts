import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gitBufferSync } from '../git/exec-git.js';
import { decodeMigration } from './decode.js';

/** Where files that a migration references (Liquibase `sqlFile`) are read from: the same place as the migration. */
export type ReferenceSource = { kind: 'index'; diskFallback: boolean } | { kind: 'tree'; commit: string } | { kind: 'disk' };

/**
 * A resolver for readers that follow references to other files. Staged checks read the index
 * (what is being committed), range checks the head commit, worktree checks the disk. A path that
 * leaves the repository, does not exist or cannot be decoded resolves to undefined, which the
 * reader reports as unparseable (fail closed).
 */
export function makeResolver(root: string, source: ReferenceSource): (repoPath: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  return (repoPath) => {
    const normalized = path.posix.normalize(repoPath.replace(/\\/g, '/'));
    if (normalized.startsWith('../') || normalized === '..' || path.posix.isAbsolute(normalized)) return undefined;
    if (cache.has(normalized)) return cache.get(normalized);
    const bytes = read(root, normalized, source);
    const decoded = bytes ? decodeMigration(bytes) : undefined;
    const text = decoded?.ok ? decoded.text : undefined;
    cache.set(normalized, text);
    return text;
  };
}

function read(root: string, file: string, source: ReferenceSource): Buffer | undefined {
  if (source.kind === 'disk') return fromDisk(root, file);
  const spec = source.kind === 'tree' ? `${source.commit}:${file}` : `:${file}`;
  const blob = gitBufferSync(['cat-file', 'blob', spec], root);
  if (blob || source.kind === 'tree' || !source.diskFallback) return blob;
  return fromDisk(root, file);
}

function fromDisk(root: string, file: string): Buffer | undefined {
  try {
    return readFileSync(path.join(root, file));
  } catch {
    return undefined;
  }
}
