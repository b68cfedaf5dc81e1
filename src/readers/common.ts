import type { Dialect, Direction, ObjectRef, Operation, OperationFlags, OperationKind } from '../model/operation.js';
import { readSql } from '../sql/index.js';
import { MAY_MOVE_NAMES } from '../sql/scratch-tables.js';
import { LineIndex } from '../sql/text-index.js';

/** Raised by the small tokenizers (js, python, ruby, xml) at the first thing they cannot follow. */
export class SourceSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Text decoded from source (a string literal, a heredoc, an XML text node...) with, for every
 * character, the offset in the file it came from, so operations found in it point at the file.
 */
export interface SourceText {
  text: string;
  /** map[i] = file offset of text[i]; map[text.length] = offset just after the last character. */
  map: number[];
}

/** A piece of an interpolated string (`${x}`, `#{x}`, f-string `{x}`): literal text, or a hole at its file offset. */
export type StringPart = { literal: SourceText } | { hole: number };

/**
 * Collects a SourceText while a reader decodes a string literal; each reader keeps its own escape
 * and interpolation rules and only hands over what each character decodes to and where it stands.
 */
export class SourceTextBuilder {
  private text = '';
  private map: number[] = [];

  /** One decoded character (an escape decodes to one) and the file offset it came from. */
  append(decoded: string, offset: number): void {
    this.text += decoded;
    this.map.push(offset);
  }

  /** Characters kept as written (a raw backslash and what follows it), each at its own offset. */
  appendVerbatim(chars: string, offset: number): void {
    this.text += chars;
    for (let k = 0; k < chars.length; k++) this.map.push(offset + k);
  }

  /** The offset just after the last character appended, or `fallback` when there is none yet. */
  offsetAfterLast(fallback: number): number {
    return this.map.length ? this.map[this.map.length - 1] + 1 : fallback;
  }

  /** The text collected so far, ending at `endOffset` (a closing quote, an interpolation); starts afresh. */
  take(endOffset: number): SourceText {
    this.map.push(endOffset);
    const taken = { text: this.text, map: this.map };
    this.text = '';
    this.map = [];
    return taken;
  }
}

/** Text that stands for a single place in the file (a placeholder, a substituted value): every character maps there. */
function textAt(text: string, offset: number): SourceText {
  return { text, map: new Array<number>(text.length + 1).fill(offset) };
}

export function sourceSlice(file: string, start: number, end: number): SourceText {
  const map: number[] = [];
  for (let i = start; i <= end; i++) map.push(i);
  return { text: file.slice(start, end), map };
}

/** Join pieces (implicit string concatenation): the result maps back into each piece. */
export function joinSource(pieces: SourceText[]): SourceText {
  if (pieces.length === 1) return pieces[0];
  let text = '';
  const map: number[] = [];
  for (const piece of pieces) {
    text += piece.text;
    for (let i = 0; i < piece.text.length; i++) map.push(piece.map[i]);
  }
  const last = pieces[pieces.length - 1];
  map.push(last ? last.map[last.text.length] : 0);
  return { text, map };
}

export interface ReadContext {
  path: string;
  text: string;
  dialect: Dialect;
  lines: LineIndex;
  /** Some raw SQL of the file renames, moves schemas, changes the search path or runs code (readers/scratch-claims.ts). */
  movesNames?: boolean;
}

export function makeContext(path: string, text: string, dialect: Dialect): ReadContext {
  return { path, text, dialect, lines: new LineIndex(text) };
}

export interface OpInit {
  kind: OperationKind;
  target?: ObjectRef;
  /** File offset of the operation (the call / element). */
  offset: number;
  /** File offset where the statement (call expression) starts; defaults to `offset`. */
  statementOffset?: number;
  direction: Direction;
  flags?: OperationFlags;
  statement: string;
  detail?: string;
}

export function makeOp(ctx: ReadContext, init: OpInit): Operation {
  const pos = ctx.lines.position(init.offset);
  const op: Operation = {
    kind: init.kind,
    file: ctx.path,
    line: pos.line,
    column: pos.column,
    direction: init.direction,
    flags: init.flags ?? {},
    statement: init.statement.trim(),
    statementLine: ctx.lines.lineOf(init.statementOffset ?? init.offset),
    dialect: ctx.dialect,
  };
  if (init.target) op.target = init.target;
  if (init.detail) op.detail = init.detail;
  return op;
}

/** Object references for ORM calls: names are exact identifiers (ORMs quote them), kept as written. */
export function tableRef(name: string, schema?: string): ObjectRef {
  return { type: 'table', name, ...(schema ? { schema } : {}), written: schema ? `${schema}.${name}` : name };
}

export function childRef(
  type: 'column' | 'index' | 'constraint' | 'trigger',
  table: string | undefined,
  name: string,
  schema?: string,
): ObjectRef {
  const qualifiedTable = table ? (schema ? `${schema}.${table}` : table) : undefined;
  return {
    type,
    name,
    ...(table ? { table } : {}),
    ...(schema ? { schema } : {}),
    written: qualifiedTable ? `${qualifiedTable}.${name}` : name,
  };
}

export function namedRef(
  type: 'view' | 'schema' | 'database' | 'function' | 'type' | 'sequence' | 'index',
  name: string,
  schema?: string,
): ObjectRef {
  return { type, name, ...(schema ? { schema } : {}), written: schema ? `${schema}.${name}` : name };
}

/**
 * Read SQL embedded in another language and point every operation back into the file: the
 * SQL reader sees the decoded text from line 1, and each position is mapped through `source.map`
 * (escapes, concatenation, heredoc indentation and XML entities all keep their real location).
 */
export async function readEmbeddedSql(
  ctx: ReadContext,
  source: SourceText,
  direction: Direction,
  options: { dialect?: Dialect; detail?: string } = {},
): Promise<Operation[]> {
  if (source.text.trim() === '') return [];
  if (MAY_MOVE_NAMES.test(source.text)) ctx.movesNames = true;
  const dialect = options.dialect ?? ctx.dialect;
  const ops = await readSql(source.text, { path: ctx.path, dialect, direction, startLine: 1, startColumn: 1 });
  const local = new LineIndex(source.text);
  const toFile = (line: number, column: number): number => {
    const localOffset = Math.min(local.lineStart(line) + Math.max(0, column - 1), source.text.length);
    return source.map[localOffset] ?? source.map[source.map.length - 1];
  };
  return ops.map((op) => {
    if (op.target && [op.target.name, op.target.table, op.target.schema].some((n) => n !== undefined && RUNTIME_NAME_RE.test(n))) {
      // the statement acts on a table whose name is interpolated: known kind, unknown object
      const at = toFile(op.line, op.column);
      return opaqueOp(ctx, at, direction, op.statement.replace(/dbsafe_runtime_name_\d+/g, '…'), `${op.kind} of a table whose name is interpolated at run time`);
    }
    const filePos = ctx.lines.position(toFile(op.line, op.column));
    const stmtOffset = toFile(op.statementLine, firstNonBlankColumn(local.lineText(op.statementLine)));
    const mapped: Operation = {
      ...op,
      file: ctx.path,
      line: filePos.line,
      column: filePos.column,
      statementLine: ctx.lines.lineOf(stmtOffset),
      direction,
      flags: { ...op.flags },
    };
    if (options.detail) mapped.detail = op.detail ? `${op.detail}; ${options.detail}` : options.detail;
    return mapped;
  });
}

function firstNonBlankColumn(line: string): number {
  const m = /\S/.exec(line);
  return m ? m.index + 1 : 1;
}

/** Read a verbatim region of the file (whole lines) as SQL: positions need no mapping. */
export async function readSqlRegion(
  ctx: ReadContext,
  startOffset: number,
  endOffset: number,
  direction: Direction,
  dialect?: Dialect,
  resolveFile?: (repoRelativePath: string) => string | undefined,
): Promise<Operation[]> {
  const text = ctx.text.slice(startOffset, endOffset);
  if (text.trim() === '') return [];
  const pos = ctx.lines.position(startOffset);
  const ops = await readSql(text, {
    path: ctx.path,
    dialect: dialect ?? ctx.dialect,
    direction,
    startLine: pos.line,
    startColumn: pos.column,
    resolveFile,
  });
  return ops.map((op) => ({ ...op, file: ctx.path, direction }));
}

/** Placeholder for a table name interpolated at run time; an operation on it is reported as opaque. */
const RUNTIME_NAME = 'dbsafe_runtime_name_';
const RUNTIME_NAME_RE = /^dbsafe_runtime_name_\d+$/;
/** Text before an interpolation that makes it a whole table name. */
const TABLE_NAME_POSITION = /\b(UPDATE(\s+ONLY)?|FROM(\s+ONLY)?|INTO|JOIN|ON(\s+ONLY)?|TABLE(\s+IF\s+(NOT\s+)?EXISTS)?(\s+ONLY)?)\s+$/i;

/**
 * SQL built with interpolation (`${x}`, `#{x}`, f-string `{x}`) is opaque unless every
 * interpolation sits inside a single-quoted SQL string literal (a value) or is a whole table name
 * after UPDATE / FROM / INTO / JOIN / ON / TABLE (then any operation on that table is opaque).
 * `parts` alternates literal text and interpolations; returns the SQL with each interpolation
 * replaced by a placeholder when that is provably safe, else undefined.
 */
export function sqlWithValueInterpolations(parts: StringPart[]): SourceText | undefined {
  // no interpolation at all: the text as written (dollar-quoted DO blocks included)
  const literals = parts.flatMap((part) => ('literal' in part ? [part.literal] : []));
  if (literals.length === parts.length) return joinSource(literals);
  let inQuote = false;
  let inLineComment = false;
  let inBlockComment = false;
  const out: SourceText[] = [];
  let names = 0;
  for (const [index, part] of parts.entries()) {
    if ('hole' in part) {
      if (inQuote) {
        out.push(textAt('dbsafe_value', part.hole));
        continue;
      }
      // a whole table name (`UPDATE {Model.__tablename__} SET … WHERE id = :id`): read with a placeholder
      // name; whatever the statement does to that table is opaque (readEmbeddedSql), the rest is read
      const before = out.map((o) => o.text).join('').slice(-60);
      const after = parts[index + 1];
      const endsName = !after || ('literal' in after && /^(\s|[;,)(]|$)/.test(after.literal.text));
      if (!inLineComment && !inBlockComment && TABLE_NAME_POSITION.test(before) && endsName) {
        out.push(textAt(`${RUNTIME_NAME}${++names}`, part.hole));
        continue;
      }
      return undefined;
    }
    const t = part.literal.text;
    if (/\$[A-Za-z_]*\$/.test(t)) return undefined; // dollar-quoted bodies: quote tracking is unreliable
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (inLineComment) {
        if (c === '\n') inLineComment = false;
      } else if (inBlockComment) {
        if (c === '*' && t[i + 1] === '/') inBlockComment = false;
      } else if (inQuote) {
        if (c === "'") inQuote = false;
      } else if (c === "'") inQuote = true;
      else if (c === '-' && t[i + 1] === '-') inLineComment = true;
      else if (c === '/' && t[i + 1] === '*') inBlockComment = true;
    }
    out.push(part.literal);
  }
  return joinSource(out);
}

/**
 * Interpolations of a plain name whose value is a known literal (a constant, a loop value) are
 * replaced by that literal: `${TABLE}`, `{TABLE}`, `#{TABLE}`; so are interpolated string literals
 * (`#{' '}`, `${'x'}`). Others stay holes.
 */
export function substituteKnownHoles(
  parts: StringPart[],
  fileText: string,
  valueOf: (name: string, offset: number) => string | undefined,
): StringPart[] {
  return parts.map((part) => {
    if (!('hole' in part)) return part;
    const open = fileText.indexOf('{', part.hole);
    const close = fileText.indexOf('}', open);
    if (open === -1 || close === -1 || open - part.hole > 1) return part;
    const expr = fileText.slice(open + 1, close).trim();
    // a string literal interpolated (`#{' '}`, which keeps a heredoc's trailing space from editors): its text
    const literal = /^'([^'\\]*)'$/.exec(expr) ?? /^"([^"\\#{}$]*)"$/.exec(expr);
    if (literal) return { literal: textAt(literal[1]!, part.hole) };
    if (!/^[A-Za-z_$][\w$]*$/.test(expr)) return part;
    const value = valueOf(expr, part.hole);
    if (value === undefined) return part;
    return { literal: textAt(value, part.hole) };
  });
}

export function opaqueOp(
  ctx: ReadContext,
  offset: number,
  direction: Direction,
  statement: string,
  detail: string,
): Operation {
  return makeOp(ctx, { kind: 'opaque', offset, direction, statement, detail });
}

export function unparseableOp(
  ctx: ReadContext,
  offset: number,
  direction: Direction,
  statement: string,
  detail: string,
): Operation {
  return makeOp(ctx, { kind: 'unparseable', offset, direction, statement, detail });
}

/** A syntax error of the host language (Python, Ruby, JS, XML) as the file's `unparseable` operation. */
export function syntaxErrorOp(ctx: ReadContext, offset: number, language: string, message: string): Operation {
  return unparseableOp(ctx, offset, 'up', ctx.lines.lineText(ctx.lines.lineOf(offset)), `${language} syntax the reader cannot follow: ${message}`);
}

/** Sort by position, keep stable order for equal positions. */
export function sortOperations(ops: Operation[]): Operation[] {
  return ops
    .map((op, i) => ({ op, i }))
    .sort((a, b) => a.op.line - b.op.line || a.op.column - b.op.column || a.i - b.i)
    .map((x) => x.op);
}
