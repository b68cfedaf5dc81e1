/**
 * Names that change meaning: `SET search_path` (PostgreSQL) and `USE db` (MySQL) change which schema an
 * unqualified name means for the rest of the file. Each top-level statement that changes it is read, and
 * every operation after it on an unqualified object gets the schema it really acts on (one candidate), the
 * schemas it may act on (`flags.searchPath`), or `*` when the change cannot be read (protection then
 * matches the name in any schema: never let a protected drop pass). docs/check.md, "Names that change meaning".
 */
import type { Dialect, Operation } from '../model/operation.js';
import { splitSql } from './split.js';
import { tokenize, type Token } from './tokens.js';

/** What unqualified names resolve to: the default, a list of schemas, or something unknown. */
export type PathState = { kind: 'default' } | { kind: 'list'; schemas: string[] } | { kind: 'unknown' };

export interface PathChange {
  /** Offset of the statement that changes the path, in the text read. */
  offset: number;
  state: PathState;
  /** `SET LOCAL` / `set_config(…, true)`: lasts until the transaction ends. */
  local: boolean;
  /** Ends a transaction (local settings revert). */
  endsTransaction?: boolean;
  /** The statement, for the note on each operation. */
  text: string;
}

const UNKNOWN: PathState = { kind: 'unknown' };
const DEFAULT: PathState = { kind: 'default' };

/** Parse a search_path value list (`billing, "Public"`, or the string form `'billing, public'`). */
function pathFromList(items: string[]): PathState {
  const schemas = items.map((s) => s.trim()).filter((s) => s && s !== 'pg_catalog' && s !== 'pg_temp');
  // `$user` is a schema named after whoever runs the migration, `${flyway:defaultSchema}` (masked as `$…`) a
  // placeholder filled at run time: unknown here
  if (schemas.some((s) => s.startsWith('$'))) return schemas.length === 2 && schemas[1] === 'public' && schemas[0] === '$user' ? DEFAULT : UNKNOWN;
  if (schemas.length === 0) return UNKNOWN;
  return { kind: 'list', schemas };
}

/** `'billing, "Odd Name", public'` → the names, folded as PostgreSQL folds them; undefined when unreadable. */
function splitPathString(value: string): string[] | undefined {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const t = part.trim();
    if (/^"([^"]|"")*"$/.test(t)) out.push(t.slice(1, -1).replace(/""/g, '"'));
    else if (/^[A-Za-z_$][\w$]*$/.test(t)) out.push(t.toLowerCase());
    else if (t) return undefined;
  }
  return out;
}

function nameOf(t: Token, dialect: Dialect): string {
  return t.type === 'word' && dialect === 'postgres' ? t.value.toLowerCase() : t.value;
}

/** The change a top-level statement makes, if any. */
function changeOf(code: string, offset: number, dialect: Dialect): PathChange | undefined {
  const lower = code.toLowerCase();
  const toks = tokenize(code, dialect, 64);
  const head = toks[0]?.upper;
  const text = code.trim().slice(0, 200);
  if (dialect === 'mysql') {
    if (head === 'USE' && toks[1] && (toks[1].type === 'word' || toks[1].type === 'ident')) return { offset, state: { kind: 'list', schemas: [toks[1].value] }, local: false, text };
    return undefined;
  }
  if (dialect !== 'postgres') return undefined;
  if (head === 'COMMIT' || head === 'END' || head === 'ROLLBACK' || head === 'ABORT') {
    if (toks[1]?.upper === 'PREPARED') return undefined;
    return { offset, state: DEFAULT, local: true, endsTransaction: true, text };
  }
  if (!lower.includes('search_path')) return undefined;
  // in code, not only in a string or a comment (a DO block's body is code run here: read below)
  if (head !== 'DO' && !toks.some((t) => t.upper === 'SEARCH_PATH' || t.upper === 'SET_CONFIG') && !tokenize(code, dialect).some((t) => t.upper === 'SEARCH_PATH' || t.upper === 'SET_CONFIG')) return undefined;
  if (head === 'RESET') {
    const what = toks[1]?.upper;
    return what === 'SEARCH_PATH' || what === 'ALL' ? { offset, state: DEFAULT, local: false, text } : undefined;
  }
  if (head === 'SET') {
    let i = 1;
    let local = false;
    if (toks[i]?.upper === 'SESSION' && toks[i + 1]?.upper !== 'AUTHORIZATION' && toks[i + 1]?.upper !== 'CHARACTERISTICS') i++;
    else if (toks[i]?.upper === 'LOCAL') {
      local = true;
      i++;
    }
    if (toks[i]?.upper !== 'SEARCH_PATH') return undefined;
    i++;
    if (toks[i]?.upper === 'FROM') return { offset, state: UNKNOWN, local, text };
    if (toks[i]?.upper !== 'TO' && toks[i]?.value !== '=') return { offset, state: UNKNOWN, local, text };
    i++;
    if (toks[i]?.upper === 'DEFAULT') return { offset, state: DEFAULT, local, text };
    const items: string[] = [];
    for (; i < toks.length; i++) {
      const t = toks[i];
      if (t.type === 'punct' && t.value === ',') continue;
      if (t.type === 'word' || t.type === 'ident') items.push(nameOf(t, dialect));
      else if (t.type === 'string') {
        const parts = splitPathString(t.value);
        if (!parts) return { offset, state: UNKNOWN, local, text };
        // a quoted value is one name when it has no comma (`SET search_path = 'billing'`)
        items.push(...(t.value.includes(',') ? parts : [t.value]));
      } else return { offset, state: UNKNOWN, local, text };
    }
    return { offset, state: pathFromList(items), local, text };
  }
  // A function or role setting applies when that function runs / to new sessions, not to this file.
  if (head === 'CREATE' || head === 'ALTER' || head === 'SHOW' || head === 'COMMENT') return undefined;
  // set_config('search_path', 'billing', false) in a SELECT / PERFORM
  const all = tokenize(code, dialect);
  for (let i = 0; i < all.length; i++) {
    if (all[i].upper !== 'SET_CONFIG' || all[i + 1]?.value !== '(') continue;
    const name = all[i + 2];
    if (name?.type === 'string' && name.value.toLowerCase() !== 'search_path') continue;
    if (name?.type !== 'string' || all[i + 3]?.value !== ',') return { offset, state: UNKNOWN, local: false, text };
    const value = all[i + 4];
    const local = all[i + 6]?.upper === 'TRUE';
    if (value?.type !== 'string' || all[i + 5]?.value !== ',') return { offset, state: UNKNOWN, local: false, text };
    const parts = splitPathString(value.value);
    return { offset, state: parts ? pathFromList(parts) : UNKNOWN, local, text };
  }
  // mentioned in a way this reader does not follow (a DO block, EXECUTE…): be conservative
  return { offset, state: UNKNOWN, local: false, text };
}

/** Every top-level statement of the text that changes what unqualified names mean. */
export function searchPathChanges(text: string, dialect: Dialect): PathChange[] {
  if (dialect === 'sqlite') return [];
  if (dialect === 'postgres' && !/search_path/i.test(text)) return [];
  if (dialect === 'mysql' && !/\buse\b/i.test(text)) return [];
  const out: PathChange[] = [];
  for (const statement of splitSql(text, dialect).statements) {
    const change = changeOf(statement.code, statement.start, dialect);
    if (change) out.push(change);
  }
  return out;
}

/** Objects that live in a schema (a schema, database or role does not). */
const SCHEMA_BOUND = new Set(['table', 'column', 'index', 'constraint', 'view', 'function', 'type', 'sequence', 'trigger']);

/**
 * Give each operation after a change the schema its unqualified name means there. `position` turns an
 * offset of the text into the file's line and column (operations are placed in the file).
 */
export function applySearchPath(ops: Operation[], changes: PathChange[], position: (offset: number) => { line: number; column: number }): void {
  if (changes.every((c) => c.endsTransaction)) return;
  const placed = changes.map((c) => ({ ...c, ...position(c.offset) }));
  for (const op of ops) {
    if (!op.target || op.target.schema !== undefined || !SCHEMA_BOUND.has(op.target.type)) continue;
    let session: PathState = DEFAULT;
    let local: PathState | undefined;
    let setAt: (typeof placed)[number] | undefined;
    let localAt: (typeof placed)[number] | undefined;
    for (const c of placed) {
      if (c.line > op.line || (c.line === op.line && c.column > op.column)) break;
      if (c.endsTransaction) local = undefined;
      else if (c.local) [local, localAt] = [c.state, c];
      else [session, setAt, local] = [c.state, c, undefined];
    }
    const state = local ?? session;
    const at = local ? localAt : setAt;
    if (state.kind === 'default' || !at) continue;
    const where = `\`${at.text.split('\n')[0]}\` (line ${at.line})`;
    if (state.kind === 'unknown') {
      op.flags = { ...op.flags, searchPath: ['*'] };
      op.detail = [op.detail, `the schema of ${op.target.written} is unknown after ${where}: it is matched in every schema`].filter(Boolean).join('; ');
    } else if (state.schemas.length === 1) {
      op.target = { ...op.target, schema: state.schemas[0] };
      op.detail = [op.detail, `schema ${state.schemas[0]} from ${where}`].filter(Boolean).join('; ');
    } else {
      op.flags = { ...op.flags, searchPath: state.schemas };
      op.detail = [op.detail, `${op.target.written} is in the first of ${state.schemas.join(', ')} that has it, after ${where}`].filter(Boolean).join('; ');
    }
  }
}

/** For formats that embed SQL in code: a search_path change anywhere makes every unqualified name unknown. */
export function markUnknownSearchPath(ops: Operation[], why: string): void {
  for (const op of ops) {
    if (!op.target || op.target.schema !== undefined || op.flags.searchPath || !SCHEMA_BOUND.has(op.target.type)) continue;
    op.flags = { ...op.flags, searchPath: ['*'] };
    op.detail = [op.detail, why].filter(Boolean).join('; ');
  }
}
