import type { Operation } from '../model/operation.js';

/**
 * Which operations of a modified migration were already in the committed version. An operation
 * matches by kind + target + statement text with whitespace normalized, counted as a multiset:
 * a whitespace or comment edit keeps an approved DROP approved, while a second identical DROP
 * added to the file is new. Pure.
 */
export function preexistingOperations(current: readonly Operation[], previousVersions: ReadonlyArray<readonly Operation[]>): Set<Operation> {
  // for a merge, an operation is old when any parent already had it: take the largest count
  const available = new Map<string, number>();
  for (const version of previousVersions) {
    const counts = new Map<string, number>();
    for (const op of version) counts.set(operationKey(op), (counts.get(operationKey(op)) ?? 0) + 1);
    for (const [key, count] of counts) available.set(key, Math.max(available.get(key) ?? 0, count));
  }
  const old = new Set<Operation>();
  for (const op of current) {
    const key = operationKey(op);
    const left = available.get(key) ?? 0;
    if (left > 0) {
      old.add(op);
      available.set(key, left - 1);
    }
  }
  return old;
}

export function operationKey(op: Operation): string {
  const t = op.target;
  const target = t ? [t.type, t.schema ?? '', t.table ?? '', t.name].join('\u0001') : '';
  return [op.kind, op.direction, target, normalizeStatement(op.statement)].join('\u0000');
}

/** Whitespace runs collapse to one space; a trailing semicolon does not matter. */
export function normalizeStatement(statement: string): string {
  return statement.replace(/\s+/g, ' ').replace(/\s*;\s*$/, '').trim();
}

/**
 * A modified or renamed migration's "scratch table" claims are not trusted: the CREATE that made a
 * dropped table look like this migration's own may have been applied long ago (an applied
 * `CREATE TABLE a` edited to add `DROP TABLE a` drops a real table with real rows). The drop is
 * judged as any other. Pure: returns new operations where a claim was removed.
 */
export function withoutScratchClaims(operations: readonly Operation[]): Operation[] {
  return operations.map((op) => {
    if (!op.flags.scratch) return op;
    const { scratch: _scratch, ...flags } = op.flags;
    return { ...op, flags };
  });
}
