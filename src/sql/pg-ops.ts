/**
 * The operations a PostgreSQL statement performs, as read from its syntax (libpg-query's tree, or the
 * parser-free subset in pg-subset.ts), before they are placed in the text. Both readers build them
 * with these helpers so that they report the same object the same way.
 */
import type { ObjectRef, ObjectType, OperationFlags, OperationKind } from '../model/operation.js';

export interface AstOp {
  kind: OperationKind;
  target: ObjectRef;
  flags: OperationFlags;
  detail?: string;
}

/** A sql / plpgsql routine body is read for operations only when it holds one of these words. */
export const MAY_DESTROY = /\b(?:drop|truncate|delete|update|alter|rename|execute|call)\b/i;

/** Quote a name for display when it would not survive unquoted. */
export function show(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** `[schema.]name` (a longer name keeps its last two parts): the object, its schema, how to show it. */
export function refFromParts(type: ObjectType, parts: string[]): ObjectRef {
  const ref: ObjectRef = { type, name: parts[parts.length - 1] ?? '', written: parts.map(show).join('.') };
  if (parts.length > 1) ref.schema = parts[parts.length - 2];
  return ref;
}

/** A column, constraint… of `table` (an ALTER TABLE sub-command's object). */
export function memberOf(table: ObjectRef, type: ObjectType, name: string): ObjectRef {
  return { type, name, table: table.name, ...(table.schema ? { schema: table.schema } : {}), written: show(name) };
}
