import type { Dialect, Operation, OperationFlags } from '../../src/model/operation.js';
import { readSql } from '../../src/sql/index.js';

/** The parts of an operation a user sees: what, on which object, where. */
export interface Seen {
  kind: string;
  object?: string;
  line: number;
  column: number;
  flags?: OperationFlags;
}

export function objectOf(op: Operation): string | undefined {
  const t = op.target;
  if (!t) return undefined;
  return [t.schema, t.table, t.name].filter((p) => p !== undefined).join('.');
}

export async function read(sql: string, dialect: Dialect | 'mariadb', extra: Partial<Parameters<typeof readSql>[1]> = {}): Promise<Operation[]> {
  return readSql(sql, { path: 'migrations/test.sql', dialect, ...extra });
}

export async function seen(sql: string, dialect: Dialect | 'mariadb'): Promise<Seen[]> {
  const ops = await read(sql, dialect);
  return ops.map((op) => ({ kind: op.kind, object: objectOf(op), line: op.line, column: op.column, flags: op.flags }));
}

/** Just kind + object, for compact expectations. */
export async function kinds(sql: string, dialect: Dialect | 'mariadb'): Promise<string[]> {
  const ops = await read(sql, dialect);
  return ops.map((op) => (op.target ? `${op.kind} ${objectOf(op)}` : op.kind));
}
