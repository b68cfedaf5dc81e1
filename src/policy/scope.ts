import type { Dialect, Operation } from '../model/operation.js';
import type { MarkerItem } from './markers.js';
import { schemaMatches, segmentMatches } from '../model/names.js';

/**
 * The operations a line marker covers. On a line that has operations: those operations.
 * Otherwise: the next statement that has an operation, from the marker's line on (so a marker
 * between two sub-commands of one ALTER TABLE covers only the ones after it).
 */
export function markerScope(line: number, sorted: readonly Operation[]): Set<Operation> {
  // Binary search: the first operation on or after the marker's line.
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid].line < line) low = mid + 1;
    else high = mid;
  }
  const covered = new Set<Operation>();
  for (let i = low; i < sorted.length && sorted[i].line === line; i++) covered.add(sorted[i]);
  if (covered.size) return covered;
  const next = sorted[low];
  if (!next) return covered;
  for (let i = low; i < sorted.length && sorted[i].statementLine <= next.statementLine; i++) {
    const op = sorted[i];
    if (op.statementLine === next.statementLine && op.statement === next.statement && op.file === next.file) covered.add(op);
  }
  return covered;
}

/**
 * Does the object named in a marker (exact names, no globs) denote the operation's target?
 * Read from the right: the object's name, then its table (columns, constraints, triggers; for
 * indexes the part before may be the schema or the table), then the schema, which follows the same
 * rules as config `protected` (unqualified matches any schema unless unqualifiedMatchesAnySchema is false).
 */
export function objectMatches(item: MarkerItem, op: Operation, dialect: Dialect, anySchema: boolean): boolean {
  const target = op.target;
  const segments = item.segments;
  if (!target || !segments || segments.length === 0) return false;
  const name = segments[segments.length - 1];
  if (!segmentMatches(name, target.name, dialect, false)) return false;
  const rest = segments.slice(0, -1);
  const schemaOk = (segment: (typeof rest)[number] | undefined) =>
    schemaMatches(segment, target.schema, dialect, anySchema, false);
  const tableOk = (segment: (typeof rest)[number]) =>
    target.table !== undefined && segmentMatches(segment, target.table, dialect, false);
  switch (target.type) {
    case 'column':
    case 'constraint':
    case 'trigger':
      if (rest.length === 0) return schemaOk(undefined);
      if (rest.length > 2) return false;
      return tableOk(rest[rest.length - 1]) && schemaOk(rest.length === 2 ? rest[0] : undefined);
    case 'index':
      if (rest.length === 0) return schemaOk(undefined);
      if (rest.length === 1) return tableOk(rest[0]) || schemaOk(rest[0]);
      if (rest.length === 2) return tableOk(rest[1]) && schemaOk(rest[0]);
      return false;
    default:
      if (rest.length > 1) return false;
      return schemaOk(rest[0]);
  }
}
