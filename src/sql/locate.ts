/**
 * Where each operation of a PostgreSQL statement is written: the syntax tree (or the parser-free
 * subset) says what the statement does; our token recognizer says at which word, and how the object
 * was spelled. Shared by both PostgreSQL readers so that they place operations identically.
 */
import type { ObjectRef, OperationFlags, OperationKind } from '../model/operation.js';
import type { AstOp } from './pg-ops.js';
import type { SubsetStatement } from './pg-subset-statements.js';
import { Recognizer, type FoundOp } from './recognize.js';
import type { OpInput, OpSink } from './sink.js';
import { tokenize } from './tokens.js';

export interface LocatedOp {
  kind: OperationKind;
  target: ObjectRef;
  flags: OperationFlags;
  /** String offset inside the statement text (0 when the recognizer did not find the operation). */
  at: number;
  detail?: string;
  /** The recognizer found this operation (kind and object), so `at`, `written` and `newType` come from it. */
  found: boolean;
}

export function locateOps(ops: AstOp[], statementText: string, embedded: boolean): LocatedOp[] {
  let found: FoundOp[] = [];
  try {
    found = new Recognizer(statementText, 'postgres').recognize(tokenize(statementText, 'postgres')).ops;
  } catch {
    found = [];
  }
  const used = new Set<number>();
  return ops.map((op) => {
    let k = found.findIndex((f, idx) => !used.has(idx) && f.kind === op.kind && f.target?.name === op.target.name);
    if (k === -1) k = found.findIndex((f, idx) => !used.has(idx) && f.kind === op.kind);
    const match = k === -1 ? undefined : found[k];
    if (k !== -1) used.add(k);
    const sameObject = match?.target !== undefined && match.target.name === op.target.name;
    const target = sameObject ? { ...op.target, written: match.target!.written } : op.target;
    const flags = { ...op.flags };
    if (op.kind === 'alter-column-type' && match?.flags.newType) flags.newType = match.flags.newType;
    if (embedded) flags.embedded = true;
    return { kind: op.kind, target, flags, at: match?.at ?? 0, ...(op.detail ? { detail: op.detail } : {}), found: sameObject };
  });
}

/**
 * Add the operations pg-subset.ts read to the sink, placed exactly as the full reader places them.
 * False (and nothing added) when one cannot be placed the same way: a type change whose new type
 * the recognizer does not spell out (the full reader would take it from the parse tree).
 */
export function placeSubsetOps(sink: OpSink, statements: SubsetStatement[]): boolean {
  const placed: OpInput[] = [];
  for (const statement of statements) {
    if (statement.ops.length === 0) continue;
    const text = sink.text.slice(statement.start, statement.end);
    for (const op of locateOps(statement.ops, text, statement.embedded === true)) {
      if (op.kind === 'alter-column-type' && op.flags.newType === undefined) return false;
      placed.push({ kind: op.kind, target: op.target, flags: op.flags, at: statement.start + op.at, statementStart: statement.start, statementText: text });
    }
  }
  for (const input of placed) sink.add(input);
  return true;
}
