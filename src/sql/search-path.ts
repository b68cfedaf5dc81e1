/**
 * Names that change meaning: `SET search_path` (PostgreSQL) and `USE db` (MySQL) change which schema an
 * unqualified name means for the rest of the file. Each top-level statement that changes it is read, and
 * every operation after it on an unqualified object gets the schema it really acts on (one candidate), the
 * schemas it may act on (`flags.searchPath`), or `*` when the change cannot be read (protection then
 * matches the name in any schema: never let a protected drop pass). docs/check.md, "Names that change meaning".
 */
import type { Dialect, Operation } from '../model/operation.js';
import { psqlCommands, psqlEffect } from './client-commands.js';
import { splitSql } from './split.js';
import { tokenize, type Token } from './tokens.js';

/** What unqualified names resolve to: the default, a list of schemas, or something unknown. */
export type PathState = { kind: 'default' } | { kind: 'list'; schemas: string[] } | { kind: 'unknown' };

/** What a statement does to the path or the transaction. */
type PathEffect =
  | { kind: 'set'; state: PathState; local: boolean }
  /** `SET ROLE` / `SET SESSION AUTHORIZATION`: the default path's `"$user"` is that role (undefined: back to the default). */
  | { kind: 'role'; role: string | undefined; local: boolean }
  | { kind: 'begin' }
  | { kind: 'commit' | 'rollback' | 'prepare'; chain: boolean }
  | { kind: 'savepoint'; name: string }
  | { kind: 'release'; name: string }
  | { kind: 'rollback-to'; name: string }
  /** psql `\connect`: a new session (its path is the default, its user the one named). */
  | { kind: 'session'; state: PathState; role: string | undefined }
  /** `ALTER ROLE / DATABASE … SET search_path`: the default of the sessions opened after it. */
  | { kind: 'new-sessions' };

/** A statement's effect, where it is, in the order the statements run. */
export type PathEvent = PathEffect & {
  /** Offset of the statement in the text read. */
  offset: number;
  /** The statement, for the note on each operation. */
  text: string;
};

const UNKNOWN: PathState = { kind: 'unknown' };
const DEFAULT: PathState = { kind: 'default' };

/**
 * Could the text change the path? Setting names are case-insensitive and may be quoted (`"search_path"`),
 * `SET SCHEMA` is the standard's spelling, `U&"…"` may spell anything, a role names the default's `$user`.
 */
export const MAY_CHANGE_PATH = /search_path|set_config|\bschema\b|\brole\b|\bauthorization\b|u&/i;

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

/** A setting or function name as PostgreSQL looks it up: case-insensitive, quoted or not. */
function isName(t: Token | undefined, name: string): boolean {
  return t !== undefined && (t.type === 'word' || t.type === 'ident') && t.value.toLowerCase() === name;
}

/** A plain name token, not the start of `U&"…"` (which may spell any name). */
function plainName(toks: Token[], i: number): boolean {
  const t = toks[i];
  return t !== undefined && (t.type === 'word' || t.type === 'ident') && toks[i + 1]?.value !== '&';
}

/** The value of `SET search_path TO …` from token i. */
function pathValue(toks: Token[], i: number): PathState {
  if (toks[i]?.upper === 'DEFAULT' && toks.length === i + 1) return DEFAULT;
  const items: string[] = [];
  for (; i < toks.length; i++) {
    const t = toks[i];
    if (t.type === 'punct' && t.value === ',') continue;
    if (t.type === 'word' || t.type === 'ident') items.push(nameOf(t, 'postgres'));
    else if (t.type === 'string') {
      const parts = splitPathString(t.value);
      if (!parts) return UNKNOWN;
      // a quoted value is one name when it has no comma (`SET search_path = 'billing'`)
      items.push(...(t.value.includes(',') ? parts : [t.value]));
    } else return UNKNOWN;
  }
  return pathFromList(items);
}

/** `SET [SESSION | LOCAL] …` / `RESET …`: what it does to the path or the role, if anything. */
function setOf(toks: Token[]): Array<Extract<PathEffect, { kind: 'set' | 'role' }>> {
  const head = toks[0]?.upper;
  let i = 1;
  let local = false;
  if (head === 'SET' && toks[i]?.upper === 'SESSION' && toks[i + 1]?.upper !== 'AUTHORIZATION' && toks[i + 1]?.upper !== 'CHARACTERISTICS') i++;
  else if (head === 'SET' && toks[i]?.upper === 'LOCAL') [local, i] = [true, i + 1];
  const what = toks[i]?.upper;
  if (head === 'RESET') {
    // the role is not among the settings RESET ALL resets
    if (what === 'ALL') return [{ kind: 'set', state: DEFAULT, local: false }];
    if (isName(toks[i], 'role') || isName(toks[i], 'session_authorization') || (what === 'SESSION' && toks[i + 1]?.upper === 'AUTHORIZATION')) return [{ kind: 'role', role: undefined, local: false }];
    if (isName(toks[i], 'search_path') && plainName(toks, i)) return [{ kind: 'set', state: DEFAULT, local: false }];
    // a name this reader cannot spell out may be search_path
    return plainName(toks, i) ? [] : [{ kind: 'set', state: UNKNOWN, local: false }];
  }
  // `SET ROLE x`, `SET SESSION AUTHORIZATION x`, and the settings' own names (`SET "role" = x`)
  const authorization = what === 'SESSION' && toks[i + 1]?.upper === 'AUTHORIZATION';
  if (authorization || isName(toks[i], 'role') || isName(toks[i], 'session_authorization')) {
    let j = i + (authorization ? 2 : 1);
    if (toks[j]?.upper === 'TO' || toks[j]?.value === '=') j++;
    const role = toks[j];
    if (role?.upper === 'NONE' || role?.upper === 'DEFAULT') return [{ kind: 'role', role: undefined, local }];
    if (role && (role.type === 'word' || role.type === 'ident' || role.type === 'string') && toks.length === j + 1) {
      return [{ kind: 'role', role: role.type === 'word' ? role.value.toLowerCase() : role.value, local }];
    }
    return [{ kind: 'set', state: UNKNOWN, local }];
  }
  // `SET SCHEMA 'auth'` is the SQL standard's `SET search_path TO 'auth'`
  if (what === 'SCHEMA') return [{ kind: 'set', state: toks[i + 1]?.type === 'string' && toks.length === i + 2 ? pathValue(toks, i + 1) : UNKNOWN, local }];
  if (!plainName(toks, i)) return [{ kind: 'set', state: UNKNOWN, local }];
  if (!isName(toks[i], 'search_path')) return [];
  i++;
  if (toks[i]?.upper === 'FROM') return [{ kind: 'set', state: UNKNOWN, local }];
  if (toks[i]?.upper !== 'TO' && toks[i]?.value !== '=') return [{ kind: 'set', state: UNKNOWN, local }];
  return [{ kind: 'set', state: pathValue(toks, i + 1), local }];
}

/** `set_config(name, value, is_local)` calls: a name not written as a plain literal may be search_path. */
function setConfigCalls(all: Token[]): Array<Extract<PathEffect, { kind: 'set' }>> {
  const out: Array<Extract<PathEffect, { kind: 'set' }>> = [];
  for (let i = 0; i < all.length; i++) {
    if (!isName(all[i], 'set_config') || all[i + 1]?.value !== '(') continue;
    const [name, value, flag] = [all[i + 2], all[i + 4], all[i + 6]];
    if (name?.type !== 'string' || all[i + 3]?.value !== ',') {
      out.push({ kind: 'set', state: UNKNOWN, local: false });
      continue;
    }
    if (name.value.toLowerCase() !== 'search_path') continue;
    const flagRead = all[i + 5]?.value === ',' && (flag?.upper === 'TRUE' || flag?.upper === 'FALSE') && all[i + 7]?.value === ')';
    if (value?.type !== 'string' || !flagRead) {
      out.push({ kind: 'set', state: UNKNOWN, local: false });
      continue;
    }
    const parts = splitPathString(value.value);
    out.push({ kind: 'set', state: parts ? pathFromList(parts) : UNKNOWN, local: flag.upper === 'TRUE' });
  }
  return out;
}

/** Statements whose tokens after the head name something else than this session (a function's or role's settings). */
const NOT_THIS_SESSION = new Set(['ALTER', 'SHOW', 'COMMENT', 'GRANT', 'REVOKE']);
/** `CREATE [OR REPLACE] [TEMP …] TABLE` or `CREATE MATERIALIZED VIEW`: their `AS` query runs now. */
const RUNS_QUERY_NOW = /^\s*create\s+(?:or\s+replace\s+)?(?:(?:global|local|temp|temporary|unlogged)\s+)*(?:table|materialized)\b/i;
/**
 * SQL that may change the path, in text not read statement by statement: a DO block's body (it runs here), a
 * routine's body, SQL embedded in a migration of code. Either makes the path unknown. A `set_config` call whose
 * first argument is a literal naming another setting (`set_config('request.jwt.claims', …)`) does not.
 */
export const MENTIONS_PATH_CHANGE =
  /search_path|\bset\s+(?:local\s+|session\s+)?"?(?:schema|role)\b|\bsession\s+authorization\b|u&|set_config\s*\(\s*(?!'(?!search_path')[^'\\]*'\s*,)/i;

/** What a top-level PostgreSQL statement does to the path and the transaction. */
function eventsOf(code: string): PathEffect[] {
  const toks = tokenize(code, 'postgres', 64);
  const head = toks[0]?.upper;
  const second = toks[1]?.upper;
  if (head === 'BEGIN' || (head === 'START' && second === 'TRANSACTION')) return [{ kind: 'begin' }];
  if (head === 'SAVEPOINT' && toks[1]) return [{ kind: 'savepoint', name: nameOf(toks[1], 'postgres') }];
  if (head === 'RELEASE') {
    const name = toks[second === 'SAVEPOINT' ? 2 : 1];
    return name ? [{ kind: 'release', name: nameOf(name, 'postgres') }] : [];
  }
  if (head === 'COMMIT' || head === 'END' || head === 'ROLLBACK' || head === 'ABORT') {
    if (second === 'PREPARED') return [];
    const chain = /\band\s+chain\b/i.test(code) && !/\band\s+no\s+chain\b/i.test(code);
    if ((head === 'ROLLBACK' || head === 'ABORT') && toks.some((t) => t.upper === 'TO')) {
      const name = toks[toks.length - 1];
      return name ? [{ kind: 'rollback-to', name: nameOf(name, 'postgres') }] : [];
    }
    return [{ kind: head === 'COMMIT' || head === 'END' ? 'commit' : 'rollback', chain }];
  }
  if (head === 'PREPARE' && second === 'TRANSACTION') return [{ kind: 'prepare', chain: false }];
  if (head === 'DISCARD' && second === 'ALL') return [{ kind: 'set', state: DEFAULT, local: false }, { kind: 'role', role: undefined, local: false }];
  if (!MAY_CHANGE_PATH.test(code)) return [];
  // every token: a long path list is not cut at the first 64
  if (head === 'SET' || head === 'RESET') return setOf(tokenize(code, 'postgres'));
  if (head === 'DO') return MENTIONS_PATH_CHANGE.test(code) ? [{ kind: 'set', state: UNKNOWN, local: false }] : [];
  if (head === 'ALTER' && (second === 'ROLE' || second === 'USER' || second === 'DATABASE')) return /search_path/i.test(code) ? [{ kind: 'new-sessions' }] : [];
  if (head && NOT_THIS_SESSION.has(head)) return [];
  // CREATE TABLE … AS / MATERIALIZED VIEW run their query now (unless WITH NO DATA)
  if (head === 'CREATE' && (!RUNS_QUERY_NOW.test(code) || /\bwith\s+no\s+data\b/i.test(code))) return routineBody(code);
  const all = tokenize(code, 'postgres');
  const calls = setConfigCalls(all);
  if (calls.length) return calls;
  // search_path written in code this reader does not follow (EXECUTE…): be conservative
  return all.some((t) => isName(t, 'search_path')) && head !== 'CREATE' ? [{ kind: 'set', state: UNKNOWN, local: false }] : [];
}

/**
 * A function's SET clause applies while it runs, but a SET in its body (or a trigger's) stays after it returns:
 * a body that may change the path, called any time after it is created, makes the path unknown from there.
 */
function routineBody(code: string): PathEffect[] {
  if (!/^\s*create\s+(?:or\s+replace\s+)?(?:function|procedure)\b/i.test(code)) return [];
  const bodies = tokenize(code, 'postgres').filter((t) => t.type === 'string');
  return bodies.some((t) => MENTIONS_PATH_CHANGE.test(t.value)) ? [{ kind: 'set', state: UNKNOWN, local: false }] : [];
}

/** The text of a file psql `\i` / `\ir` includes, when it is a file of the repository. */
export type ReadInclude = (include: string, relative: boolean) => string | undefined;

/**
 * What a psql meta-command does to the session: `\connect` opens a new one; `\gexec`, an editor, and an
 * included file that may change the path or include another (or that cannot be read) run SQL not followed here.
 */
function psqlEvents(text: string, readInclude: ReadInclude | undefined): PathEvent[] {
  const out: PathEvent[] = [];
  for (const command of psqlCommands(text)) {
    const effect = psqlEffect(command);
    if (effect && 'include' in effect) {
      const included = readInclude?.(effect.include, effect.relative);
      // read without includes: one in the included file makes it unknown too
      if (included === undefined || searchPathChanges(included, 'postgres').length) {
        out.push({ offset: command.start, text: command.text, kind: 'set', state: UNKNOWN, local: false });
      }
      continue;
    }
    const base = { offset: command.start, text: command.text };
    if (command.name === 'c' || command.name === 'connect') {
      // `\c db user`: the user names the default's `$user`; a connection string may set options=-csearch_path
      const [db, user] = command.args;
      const conninfo = db !== undefined && /[=/]/.test(db);
      const role = user && user !== '-' ? user.replace(/^(['"])(.*)\1$/, '$2') : undefined;
      out.push({ ...base, kind: 'session', state: conninfo ? UNKNOWN : DEFAULT, role });
    } else if (['gexec', 'e', 'edit', 'ef', 'ev'].includes(command.name) || command.backquote || (command.sqlAfter && MAY_CHANGE_PATH.test(command.sqlAfter))) {
      out.push({ ...base, kind: 'set', state: UNKNOWN, local: false });
    }
  }
  return out;
}

/** Every statement of the text that changes what unqualified names mean, or ends a transaction, in order. */
export function searchPathChanges(text: string, dialect: Dialect, readInclude?: ReadInclude): PathEvent[] {
  if (dialect === 'mysql') {
    if (!/\buse\b/i.test(text)) return [];
    const out: PathEvent[] = [];
    for (const statement of splitSql(text, dialect).statements) {
      const toks = tokenize(statement.code, dialect, 2);
      if (toks[0]?.upper === 'USE' && toks[1] && (toks[1].type === 'word' || toks[1].type === 'ident')) {
        out.push({ kind: 'set', state: { kind: 'list', schemas: [toks[1].value] }, local: false, offset: statement.start, text: statement.code.trim().slice(0, 200) });
      }
    }
    return out;
  }
  if (dialect !== 'postgres') return [];
  const client = psqlEvents(text, readInclude);
  if (!client.length && !MAY_CHANGE_PATH.test(text)) return [];
  const out: PathEvent[] = [];
  for (const statement of splitSql(text, dialect).statements) {
    const text200 = statement.code.trim().slice(0, 200);
    for (const event of eventsOf(statement.code)) out.push({ ...event, offset: statement.start, text: text200 });
  }
  return [...out, ...client].sort((a, b) => a.offset - b.offset);
}

/** Objects that live in a schema (a schema, database or role does not). */
const SCHEMA_BOUND = new Set(['table', 'column', 'index', 'constraint', 'view', 'function', 'type', 'sequence', 'trigger']);

interface Placed {
  text: string;
  line: number;
}
/** A value of the path or the role, and the statement that gave it. */
interface Held<T> {
  value: T;
  at?: Placed;
}
interface Settings {
  path: Held<PathState>;
  role: Held<string | undefined>;
}
interface Session {
  /** What lasts past the transaction. */
  session: Settings;
  /** `SET LOCAL`: until the transaction ends. */
  local: Partial<Settings>;
}

/**
 * The path in force after each event, as PostgreSQL keeps it: a SET lasts for the session unless its
 * transaction is rolled back (ROLLBACK, ROLLBACK TO SAVEPOINT), SET LOCAL until the transaction ends. A
 * ROLLBACK without a BEGIN in the file may undo what the runner's transaction did, or nothing: unknown.
 */
function timeline(events: Array<PathEvent & Placed>): Array<{ path: Held<PathState> }> {
  const start: Settings = { path: { value: DEFAULT }, role: { value: undefined } };
  let now: Session = { session: start, local: {} };
  let tx: { at: Session; savepoints: Array<{ name: string; at: Session }> } | undefined;
  let newSessionsChanged = false;
  const out: Array<{ path: Held<PathState> }> = [];
  for (const e of events) {
    const at: Placed = { text: e.text, line: e.line };
    if (e.kind === 'set' || e.kind === 'role') {
      const held = e.kind === 'set' ? { path: { value: e.state, at } } : { role: { value: e.role, at } };
      now = e.local ? { session: now.session, local: { ...now.local, ...held } } : { session: { ...now.session, ...held }, local: {} };
    } else if (e.kind === 'begin') {
      tx ??= { at: now, savepoints: [] };
    } else if (e.kind === 'savepoint') {
      tx?.savepoints.push({ name: e.name, at: now });
    } else if (e.kind === 'release' || e.kind === 'rollback-to') {
      const index = tx ? tx.savepoints.map((s) => s.name).lastIndexOf(e.name) : -1;
      if (tx && index >= 0) {
        if (e.kind === 'rollback-to') now = tx.savepoints[index]!.at;
        tx.savepoints.length = e.kind === 'rollback-to' ? index + 1 : index;
      } else if (e.kind === 'rollback-to' && now.session !== start) {
        // a savepoint this file did not set (the runner's): what it undoes cannot be known
        now = { session: { ...now.session, path: { value: UNKNOWN, at } }, local: {} };
      }
    } else if (e.kind === 'new-sessions') {
      newSessionsChanged = true;
    } else if (e.kind === 'session') {
      now = { session: { path: { value: newSessionsChanged ? UNKNOWN : e.state, at }, role: { value: e.role, at } }, local: {} };
      tx = undefined;
    } else {
      const changed = tx ? now !== tx.at : now.session !== start;
      if (e.kind === 'rollback') now = tx ? { session: tx.at.session, local: {} } : { session: changed ? { ...now.session, path: { value: UNKNOWN, at } } : now.session, local: {} };
      else if (e.kind === 'prepare' && changed) now = { session: { ...now.session, path: { value: UNKNOWN, at } }, local: {} };
      else now = { session: now.session, local: {} };
      tx = e.chain ? { at: now, savepoints: [] } : undefined;
    }
    out.push({ path: effective(now) });
  }
  return out;
}

/** The path in force: SET LOCAL over SET; the default path's `"$user"` is the current role's schema. */
function effective(now: Session): Held<PathState> {
  const path = now.local.path ?? now.session.path;
  const role = now.local.role ?? now.session.role;
  if (path.value.kind !== 'default' || role.value === undefined) return path;
  return { value: { kind: 'list', schemas: [role.value, 'public'] }, at: role.at };
}

/**
 * Give each operation after a change the schema its unqualified name means there. `position` turns an
 * offset of the text into the file's line and column (operations are placed in the file).
 */
export function applySearchPath(ops: Operation[], changes: PathEvent[], position: (offset: number) => { line: number; column: number }): void {
  if (!changes.some((c) => c.kind === 'set' || c.kind === 'role' || c.kind === 'session')) return;
  const placed = changes.map((c) => ({ ...c, ...position(c.offset) }));
  const states = timeline(placed);
  for (const op of ops) {
    if (!op.target || op.target.schema !== undefined || !SCHEMA_BOUND.has(op.target.type)) continue;
    let k = -1;
    while (k + 1 < placed.length && (placed[k + 1]!.line < op.line || (placed[k + 1]!.line === op.line && placed[k + 1]!.column <= op.column))) k++;
    if (k < 0) continue;
    const { value: state, at } = states[k]!.path;
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
