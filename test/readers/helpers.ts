import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dialect, Operation } from '../../src/model/operation.js';
import { readMigration, type MigrationInput } from '../../src/readers/index.js';
import type { MigrationFormat } from '../../src/readers/types.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'readers');

/** Read a fixture the way `check` does: repository-relative path, text, format, dialect. */
export async function readFixture(
  relPath: string,
  options: { format?: MigrationFormat | 'auto'; dialect?: Dialect; repoPath?: string; resolveFile?: MigrationInput['resolveFile'] } = {},
): Promise<Operation[]> {
  const text = readFileSync(path.join(FIXTURES, relPath), 'utf8');
  return readMigration({
    path: options.repoPath ?? relPath,
    text,
    format: options.format ?? 'auto',
    dialect: options.dialect ?? 'postgres',
    resolveFile: options.resolveFile,
  });
}

/** The object as schema.table.name (normalized parts, independent of how it was written). */
export function objectName(op: Operation): string {
  const t = op.target;
  if (!t) return '-';
  return [t.schema, t.type === 'table' ? undefined : t.table, t.name].filter(Boolean).join('.');
}

/** A compact, comparable row per operation: direction, kind, object, line. */
export function rows(ops: Operation[]): string[] {
  return ops.map((op) => `${op.direction} ${op.kind} ${objectName(op)} @${op.line}`);
}
