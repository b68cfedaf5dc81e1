/**
 * Our own token-based recognizer for the destructive statement forms, shared by every dialect.
 * It reads what the parsers reject (MySQL `DROP TABLE a, b CASCADE`, MariaDB `DROP COLUMN IF EXISTS`,
 * SQLite `DROP INDEX i`, procedure and trigger bodies…) and classifies known-safe statements by their
 * leading keywords, so that only a statement nobody can classify ends up `unparseable`.
 */
import type { ObjectRef, ObjectType, OperationFlags, OperationKind } from '../model/operation.js';
import type { Dialect } from '../model/operation.js';
import { compareConstants, coverEveryValue, NUMBER_TYPES, patternTruth, selfComparison, type Constant } from './constant-conditions.js';
import { identName, isNameToken, tokenize, type Token } from './tokens.js';

/** An operation found inside one statement; `at` is a string offset inside the statement text. */
export interface FoundOp {
  kind: OperationKind;
  target?: ObjectRef;
  flags: OperationFlags;
  at: number;
  detail?: string;
  /** opaque `PREPARE s FROM @v`: the user variable holding the SQL. */
  variable?: string;
}

export interface Recognition {
  /** ops: destructive operations found; safe: known not destructive; unknown: cannot classify. */
  status: 'ops' | 'safe' | 'unknown';
  ops: FoundOp[];
  /** `INSERT INTO x … SELECT … FROM y`: rows of y copied into x (SQLite table-rebuild pattern). */
  copy?: { into: string; from: string };
  /** The statement is DELETE/UPDATE: the caller may confirm the WHERE decision with a parser. */
  dml?: 'delete' | 'update';
  /** DELETE/UPDATE whose WHERE was judged to restrict: its operations should a parser find that WHERE always true. */
  ifAlwaysTrue?: FoundOp[];
}

/** Statements known not to destroy data, by their first keyword. */
const SAFE_LEADING = new Set([
  'CREATE', 'INSERT', 'REPLACE', 'SELECT', 'VALUES', 'TABLE', 'SET', 'RESET', 'SHOW', 'USE', 'DESCRIBE', 'DESC', 'EXPLAIN',
  'BEGIN', 'START', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'END', 'ABORT', 'XA', 'LOCK', 'UNLOCK',
  'PRAGMA', 'VACUUM', 'ANALYZE', 'ANALYSE', 'REINDEX', 'ATTACH', 'DETACH', 'GRANT', 'REVOKE', 'COMMENT',
  'FLUSH', 'OPTIMIZE', 'CHECK', 'CHECKSUM', 'REPAIR', 'LOAD', 'HANDLER', 'DO', 'DEALLOCATE',
  'CLUSTER', 'REFRESH', 'NOTIFY', 'LISTEN', 'UNLISTEN', 'DISCARD', 'SECURITY', 'IMPORT', 'CHECKPOINT',
  'REASSIGN', 'COPY', 'DECLARE', 'FETCH', 'MOVE', 'CLOSE', 'OPEN', 'SIGNAL', 'RESIGNAL', 'GET', 'KILL',
  'INSTALL', 'UNINSTALL', 'PURGE', 'BINLOG', 'CACHE', 'HELP', 'SHUTDOWN', 'RESTART', 'CLONE', 'PREPARE_SAFE',
  'UPSERT', 'MERGE',
]);

/** How many tokens tell whether a statement needs reading in full (see needsAllTokens). */
export const HEAD_TOKENS = 16;

/**
 * Whether a statement must be tokenized in full, judged from its first HEAD_TOKENS tokens: a huge
 * `INSERT … VALUES` (dumps) or `CREATE TABLE` is classified safe by its leading keywords alone.
 */
export function needsAllTokens(head: Token[], code: string): boolean {
  if (head.length < HEAD_TOKENS) return false; // already complete
  const lead = head[0]?.type === 'word' ? head[0].upper : '';
  if (lead === 'INSERT' || lead === 'REPLACE') return /\bselect\b/i.test(code);
  if (lead === 'CREATE') return head.some((t) => t.type === 'word' && ['TRIGGER', 'PROCEDURE', 'FUNCTION', 'EVENT'].includes(t.upper));
  return lead === '' || !SAFE_LEADING.has(lead) || lead === 'SET';
}

/** DROP <object> that does not remove table data (roles, extensions, policies…). */
const SAFE_DROP_OBJECTS = new Set([
  'EXTENSION', 'ROLE', 'USER', 'POLICY', 'RULE', 'EVENT', 'SERVER', 'PUBLICATION', 'SUBSCRIPTION', 'CAST',
  'OPERATOR', 'AGGREGATE', 'COLLATION', 'CONVERSION', 'TEXT', 'STATISTICS', 'LANGUAGE', 'PROCEDURAL', 'ACCESS',
  'TRANSFORM', 'TABLESPACE', 'LOGFILE', 'SPATIAL', 'RESOURCE', 'PREPARE', 'GROUP', 'SYNONYM', 'PACKAGE',
]);

const WHERE_WORD = new Set(['WHERE']);
const WHERE_END = new Set(['RETURNING', 'ORDER', 'LIMIT', 'GROUP']);
const FROM_WORD = new Set(['FROM']);
const USING_WORD = new Set(['USING']);
const SET_WORD = new Set(['SET']);
const WHERE_OR_END = new Set(['WHERE', ...WHERE_END]);
const DO_WORD = new Set(['DO']);

/** Words that start a CREATE TABLE element that is not a column. */
const TABLE_ELEMENT_WORDS = new Set(['PRIMARY', 'KEY', 'INDEX', 'UNIQUE', 'CONSTRAINT', 'FOREIGN', 'CHECK', 'FULLTEXT', 'SPATIAL', 'PERIOD', 'LIKE']);

/** Statements only a stored program's body has, which change no data: `LEAVE l`, `ITERATE l`, `RETURN x`, `UNTIL c END REPEAT`. */
const BODY_ONLY = new Set(['LEAVE', 'ITERATE', 'RETURN', 'UNTIL']);

/** Words that start a MySQL routine's one-statement body (no BEGIN): after the parameters and characteristics. */
const ROUTINE_BODY_START = new Set([
  'DELETE', 'UPDATE', 'DROP', 'TRUNCATE', 'ALTER', 'RENAME', 'INSERT', 'REPLACE', 'SELECT', 'SET', 'CALL', 'PREPARE',
  'EXECUTE', 'RETURN', 'IF', 'CASE', 'WHILE', 'LOOP', 'REPEAT', 'WITH', 'DO', 'LOAD', 'CREATE', 'GRANT', 'REVOKE',
  'START', 'COMMIT', 'ROLLBACK', 'SIGNAL', 'RESIGNAL', 'HANDLER', 'LOCK', 'UNLOCK', 'FLUSH', 'VALUES', 'TABLE',
]);

/**
 * `CREATE PROCEDURE p() [characteristics] <statement>` / `CREATE FUNCTION f() RETURNS t … <statement>`: where the
 * statement starts (the first statement word after the parameter list and the word after RETURNS), or -1.
 */
function routineBodyStart(toks: Token[], from: number, to: number): number {
  let k = from;
  while (k < to && toks[k].value !== '(') k++;
  let depth = 0;
  for (; k < to; k++) {
    if (toks[k].value === '(') depth++;
    else if (toks[k].value === ')' && --depth === 0) break;
  }
  for (k++; k < to; k++) {
    const t = toks[k];
    if (t.value === '(') {
      const c = new Cursor(toks, k, to);
      c.skipParens();
      k = c.i - 1;
    } else if (t.type === 'word' && t.upper === 'RETURNS') k++; // `RETURNS SET('a')` is a type
    else if (t.type === 'word' && ROUTINE_BODY_START.has(t.upper)) return k;
    else if ((t.type === 'word' || t.type === 'ident') && toks[k + 1]?.value === ':' && toks[k + 2]?.type === 'word') return k; // `label: LOOP`
  }
  return -1;
}

/** `ENGINE [=] BLACKHOLE` (a word, 'string' or `name`) at depth 0 of an ALTER TABLE sub-command. */
function blackholeEngine(c: Cursor): boolean {
  for (let k = c.i, depth = 0; k < c.end; k++) {
    const t = c.toks[k];
    if (t.value === '(') depth++;
    else if (t.value === ')') depth--;
    else if (depth === 0 && t.type === 'word' && t.upper === 'ENGINE') {
      const value = c.toks[k + 1]?.value === '=' ? c.toks[k + 2] : c.toks[k + 1];
      if (value && k + 1 < c.end && value.type !== 'punct' && value.value.toUpperCase() === 'BLACKHOLE') return true;
    }
  }
  return false;
}

class Cursor {
  constructor(
    readonly toks: Token[],
    public i: number,
    readonly end: number,
  ) {}
  peek(k = 0): Token | undefined {
    const j = this.i + k;
    return j < this.end ? this.toks[j] : undefined;
  }
  word(k = 0): string {
    const t = this.peek(k);
    return t && t.type === 'word' ? t.upper : '';
  }
  /** Consume the given keyword sequence if it is next. */
  accept(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (this.word(k) !== words[k]) return false;
    this.i += words.length;
    return true;
  }
  punct(k = 0): string {
    const t = this.peek(k);
    return t && t.type === 'punct' ? t.value : '';
  }
  done(): boolean {
    return this.i >= this.end;
  }
  /** Whether the keyword appears anywhere from here to the statement's end. */
  ahead(word: string): boolean {
    for (let j = this.i; j < this.end; j++) if (this.toks[j].type === 'word' && this.toks[j].upper === word) return true;
    return false;
  }
  /** Skip a balanced parenthesised group if one starts here. */
  skipParens(): void {
    if (this.punct() !== '(') return;
    let depth = 0;
    while (!this.done()) {
      const p = this.punct();
      if (p === '(') depth++;
      else if (p === ')') depth--;
      this.i++;
      if (depth === 0) return;
    }
  }
}

interface Name {
  parts: string[];
  written: string;
  start: number;
}

/** What right after a name makes it only the start of one: a template or format placeholder. */
const TEMPLATE_HOLE_AFTER = /^(?:\{|[#$]\{|%[s(])/;

export class Recognizer {
  constructor(
    private readonly text: string,
    private readonly dialect: Dialect,
    /** Procedures the whole file creates (lower case): calling them is not opaque, their bodies are read. */
    private readonly procedures: ReadonlySet<string> = new Set(),
  ) {}

  /**
   * A token that can be a name here: words and quoted identifiers; also MySQL "double-quoted"
   * (ANSI_QUOTES mode) and SQLite 'single-quoted' names, which those databases accept as identifiers.
   */
  private isName(t: Token | undefined): boolean {
    if (isNameToken(t)) return true;
    if (!t || t.type !== 'string') return false;
    const q = this.text[t.start];
    return (this.dialect === 'mysql' && q === '"') || (this.dialect === 'sqlite' && q === "'");
  }

  private readName(c: Cursor): Name | undefined {
    const first = c.peek();
    if (!this.isName(first)) return undefined;
    const parts = [identName(first!, this.dialect)];
    let last = first!;
    c.i++;
    while (c.punct() === '.' && this.isName(c.peek(1))) {
      last = c.peek(1)!;
      parts.push(identName(last, this.dialect));
      c.i += 2;
    }
    // `users_{{ suffix }}`, `{{ s }}users`, `t_${n}`, `t_#{n}`, `t_%s`: part of the name is a template hole, so
    // the name read is not the name run: no name (the statement stays unparseable or opaque)
    if (TEMPLATE_HOLE_AFTER.test(this.text.slice(last.end, last.end + 2)) || this.text[first!.start - 1] === '}') return undefined;
    return { parts, written: this.text.slice(first!.start, last.end), start: first!.start };
  }

  private ref(type: ObjectType, name: Name, table?: Name): ObjectRef {
    const parts = name.parts;
    const ref: ObjectRef = { type, name: parts[parts.length - 1], written: name.written };
    if (type === 'column' || type === 'index' || type === 'constraint' || type === 'trigger') {
      if (table) {
        ref.table = table.parts[table.parts.length - 1];
        if (table.parts.length > 1) ref.schema = table.parts[table.parts.length - 2];
      }
      if (parts.length > 1 && !ref.schema) ref.schema = parts[parts.length - 2];
    } else if (parts.length > 1) {
      ref.schema = parts[parts.length - 2];
    }
    return ref;
  }

  /** Recognize tokens[from, to) as one statement. */
  recognize(toks: Token[], from = 0, to = toks.length): Recognition {
    const c = new Cursor(toks, from, to);
    const lead = c.word();
    if (!lead) return { status: c.done() ? 'safe' : 'unknown', ops: [] };
    switch (lead) {
      case 'DROP':
        return this.drop(c);
      case 'TRUNCATE':
        return this.truncate(c);
      case 'DELETE':
        return this.dml(c, 'delete');
      case 'UPDATE':
        return this.dml(c, 'update');
      case 'ALTER':
        return this.alter(c);
      case 'RENAME':
        return this.renameTables(c);
      case 'WITH':
        return this.withQuery(c);
      case 'PREPARE':
      case 'EXECUTE':
        return this.dynamic(c);
      case 'CALL':
        return this.call(c);
      case 'CREATE':
        return this.create(c);
      case 'INSERT':
      case 'REPLACE':
        return { status: 'safe', ops: [], copy: this.copyOf(c) };
      case 'BEGIN':
        // MariaDB's anonymous block `BEGIN NOT ATOMIC … END` runs its body; a plain BEGIN starts a transaction
        return this.dialect === 'mysql' && c.word(1) === 'NOT' && c.word(2) === 'ATOMIC' ? this.body(toks, c.i + 3, c.end) : { status: 'safe', ops: [] };
      default:
        return SAFE_LEADING.has(lead) ? { status: 'safe', ops: [] } : { status: 'unknown', ops: [] };
    }
  }

  private drop(c: Cursor): Recognition {
    const at = c.peek()!.start;
    c.i++;
    c.accept('TEMPORARY') || c.accept('TEMP');
    let kind: OperationKind;
    let type: ObjectType;
    const w = c.word();
    if (c.accept('TABLE') || c.accept('FOREIGN', 'TABLE') || (this.dialect === 'mysql' && c.accept('TABLES'))) [kind, type] = ['drop-table', 'table'];
    else if (c.accept('MATERIALIZED', 'VIEW') || c.accept('VIEW')) [kind, type] = ['drop-view', 'view'];
    else if (c.accept('INDEX')) [kind, type] = ['drop-index', 'index'];
    else if (c.accept('SCHEMA'))
      [kind, type] = this.dialect === 'postgres' ? ['drop-schema', 'schema'] : ['drop-database', 'database'];
    else if (c.accept('DATABASE')) [kind, type] = ['drop-database', 'database'];
    else if (c.accept('FUNCTION') || c.accept('PROCEDURE') || c.accept('ROUTINE')) [kind, type] = ['drop-function', 'function'];
    else if (c.accept('TYPE') || c.accept('DOMAIN')) [kind, type] = ['drop-type', 'type'];
    else if (c.accept('SEQUENCE')) [kind, type] = ['drop-sequence', 'sequence'];
    else if (c.accept('TRIGGER')) [kind, type] = ['drop-trigger', 'trigger'];
    else if (this.dialect === 'postgres' && SAFE_DROP_OBJECTS.has(w) && c.ahead('CASCADE')) return { status: 'unknown', ops: [] }; // what CASCADE takes with it is not named
    else if (SAFE_DROP_OBJECTS.has(w) || c.accept('OWNED')) return { status: 'safe', ops: [] };
    else return { status: 'unknown', ops: [] };

    const flags: OperationFlags = {};
    if (c.accept('CONCURRENTLY')) flags.concurrently = true;
    if (c.accept('IF', 'EXISTS')) flags.ifExists = true;
    const names: Name[] = [];
    let table: Name | undefined;
    while (!c.done()) {
      const name = this.readName(c);
      if (!name) break;
      names.push(name);
      if (type === 'function') c.skipParens();
      if ((type === 'index' || type === 'trigger') && c.accept('ON')) table = this.readName(c);
      if (c.punct() === '*') c.i++;
      if (c.punct() !== ',') break;
      c.i++;
    }
    if (names.length === 0) return { status: 'unknown', ops: [] };
    while (!c.done()) {
      if (c.word() === 'CASCADE') flags.cascade = true;
      c.i++;
    }
    const ops = names.map((name) => {
      let ref: ObjectRef;
      if (type === 'trigger' && !table && this.dialect === 'postgres') ref = this.ref(type, name);
      else ref = this.ref(type, name, table);
      return { kind, target: ref, flags: { ...flags }, at };
    });
    return { status: 'ops', ops };
  }

  private truncate(c: Cursor): Recognition {
    const at = c.peek()!.start;
    c.i++;
    c.accept('TABLE');
    const flags: OperationFlags = {};
    const names: Name[] = [];
    while (!c.done()) {
      c.accept('ONLY');
      const name = this.readName(c);
      if (!name) break;
      names.push(name);
      if (c.punct() === '*') c.i++;
      if (c.punct() !== ',') break;
      c.i++;
    }
    while (!c.done()) {
      if (c.word() === 'CASCADE') flags.cascade = true;
      c.i++;
    }
    if (names.length === 0) return { status: 'unknown', ops: [] };
    return { status: 'ops', ops: names.map((n) => ({ kind: 'truncate' as const, target: this.ref('table', n), flags: { ...flags }, at })) };
  }

  /** Index of the first depth-0 keyword among `words` in [from, to), or -1. */
  private findTopLevel(toks: Token[], from: number, to: number, words: Set<string>): number {
    let depth = 0;
    for (let k = from; k < to; k++) {
      const t = toks[k];
      if (t.type === 'punct') {
        if (t.value === '(') depth++;
        else if (t.value === ')') depth--;
      } else if (depth === 0 && t.type === 'word' && words.has(t.upper)) {
        return k;
      }
    }
    return -1;
  }

  private dml(c: Cursor, which: 'delete' | 'update'): Recognition {
    const toks = c.toks;
    const at = c.peek()!.start;
    c.i++;
    const targets: Name[] = [];
    if (which === 'delete') {
      while (['LOW_PRIORITY', 'QUICK', 'IGNORE'].includes(c.word())) c.i++;
      if (c.accept('FROM')) {
        c.accept('ONLY');
        // MySQL `DELETE FROM t1, t2 USING t1 JOIN t2 …`: every table listed loses rows (names may be aliases of USING)
        for (let name = this.readName(c); name; name = c.punct() === ',' ? (c.i++, this.readName(c)) : undefined) {
          if (c.punct() === '.' && c.punct(1) === '*') c.i += 2;
          targets.push(name);
        }
        const using = targets.length > 1 ? this.findTopLevel(toks, c.i, c.end, USING_WORD) : -1;
        if (using !== -1) this.resolveAliases(targets, this.aliases(toks, using + 1, c.end));
      } else {
        // multi-table DELETE t1, t2 FROM …: the tables before FROM lose rows (names may be aliases)
        while (!c.done() && c.word() !== 'FROM') {
          const name = this.readName(c);
          if (name) {
            if (c.punct() === '.' && c.punct(1) === '*') c.i += 2;
            targets.push(name);
          } else c.i++;
          if (c.punct() === ',') c.i++;
        }
        this.resolveAliases(targets, this.aliases(c.toks, c.i + 1, c.end));
      }
    } else {
      while (['LOW_PRIORITY', 'IGNORE'].includes(c.word())) c.i++;
      if (c.word() === 'OR') c.i += 2;
      c.accept('ONLY');
      const set = this.findTopLevel(toks, c.i, c.end, SET_WORD);
      const aliases = set === -1 ? new Map<string, Name>() : this.aliases(toks, c.i, set);
      if (new Set([...aliases.values()].map((n) => n.parts.join('.').toLowerCase())).size > 1) targets.push(...this.assignedTables(toks, set, c.end, aliases));
      else {
        const name = this.readName(c);
        if (name) targets.push(name);
      }
    }
    if (targets.length === 0) return { status: 'unknown', ops: [], dml: which };
    const where = this.findTopLevel(toks, c.i, c.end, WHERE_WORD);
    const kind: OperationKind = which === 'delete' ? 'delete-all' : 'update-all';
    const all = (flags: OperationFlags, detail?: string): FoundOp[] =>
      targets.map((t) => ({ kind, target: this.ref('table', t), flags: { ...flags }, at, ...(detail ? { detail } : {}) }));
    if (where === -1) return { status: 'ops', ops: all({}), dml: which };
    if (c.toks[where + 1]?.upper === 'CURRENT') return { status: 'safe', ops: [], dml: which };
    const stop = this.findTopLevel(toks, where + 1, c.end, WHERE_END);
    const table = targets.length === 1 ? targets[0]!.parts[targets[0]!.parts.length - 1] : undefined;
    const condition = toks.slice(where + 1, stop === -1 ? c.end : stop);
    if (isAlwaysTrue(condition, table)) return { status: 'ops', ops: all({ whereAlwaysTrue: true }), dml: which };
    if (rowIndependent(condition, table?.toLowerCase()) && tokenTruth(condition) !== false) {
      // `WHERE 0--1` (MySQL: 0 - -1), `WHERE 2 - 1`: the same value for every row, so every row or none
      return { status: 'ops', ops: all({ whereAlwaysTrue: true }, 'the WHERE clause reads no column: it keeps every row or none, and it is not known to be false'), dml: which };
    }
    return { status: 'safe', ops: [], dml: which, ifAlwaysTrue: all({ whereAlwaysTrue: true }) };
  }

  /** Names that are aliases (one part, lower case, in `aliases`) replaced by their table. */
  private resolveAliases(names: Name[], aliases: Map<string, Name>): void {
    for (let k = 0; k < names.length; k++) {
      const real = names[k].parts.length === 1 ? aliases.get(names[k].parts[0].toLowerCase()) : undefined;
      if (real) names[k] = real;
    }
  }

  /**
   * Multi-table `UPDATE a JOIN b … SET b.x = …`: the tables whose columns SET assigns (`set`: the SET keyword);
   * an unqualified column may be any of them, so it counts for all.
   */
  private assignedTables(toks: Token[], set: number, to: number, aliases: Map<string, Name>): Name[] {
    // one Name per table (a self-join names it twice)
    const byTable = new Map([...aliases.values()].map((n) => [n.parts.join('.').toLowerCase(), n]));
    const all = [...byTable.values()];
    const end = this.findTopLevel(toks, set + 1, to, WHERE_OR_END);
    const found = new Set<Name>();
    for (let k = set + 1, start = true, depth = 0; k < (end === -1 ? to : end); k++) {
      const t = toks[k];
      if (start) {
        const c = new Cursor(toks, k, to);
        const column = this.readName(c);
        const table = column && column.parts.length > 1 ? aliases.get(column.parts[column.parts.length - 2].toLowerCase()) : undefined;
        for (const name of table ? [byTable.get(table.parts.join('.').toLowerCase())!] : all) found.add(name);
        start = false;
      }
      if (t.value === '(') depth++;
      else if (t.value === ')') depth--;
      else if (depth === 0 && t.value === ',') start = true;
    }
    return found.size > 0 ? [...found] : all;
  }

  /** `FROM t AS a JOIN u b …` (depth 0, up to WHERE or SET): alias and table name (lower case) → table name. */
  private aliases(toks: Token[], from: number, to: number): Map<string, Name> {
    const map = new Map<string, Name>();
    const stop = new Set(['WHERE', 'ORDER', 'LIMIT', 'RETURNING', 'SET']);
    const notAlias = new Set(['JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'STRAIGHT_JOIN', 'NATURAL', 'OUTER', 'ON', 'USING', 'WHERE', 'ORDER', 'LIMIT', 'SET', 'PARTITION', 'USE', 'FORCE', 'IGNORE']);
    const c = new Cursor(toks, from, to);
    let expectTable = true;
    while (!c.done()) {
      const w = c.word();
      if (stop.has(w)) break;
      if (c.punct() === '(') {
        c.skipParens();
        continue;
      }
      if (expectTable) {
        const table = this.readName(c);
        if (!table) {
          c.i++;
          continue;
        }
        expectTable = false;
        map.set(table.parts[table.parts.length - 1].toLowerCase(), table);
        c.accept('AS');
        const alias = c.peek();
        if (alias && this.isName(alias) && !notAlias.has(alias.upper)) {
          map.set(alias.value.toLowerCase(), table);
          c.i++;
        }
        continue;
      }
      if (w === 'JOIN' || c.punct() === ',') expectTable = true;
      c.i++;
    }
    return map;
  }

  private withQuery(c: Cursor): Recognition {
    // skip the CTEs: the main statement is the first depth-0 DML keyword after a `)`
    const toks = c.toks;
    let depth = 0;
    for (let k = c.i + 1; k < c.end; k++) {
      const t = toks[k];
      if (t.type === 'punct') {
        if (t.value === '(') depth++;
        else if (t.value === ')') depth--;
      } else if (depth === 0 && t.type === 'word' && toks[k - 1]?.value === ')' &&
        ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'VALUES', 'TABLE'].includes(t.upper)) {
        const inner = this.recognize(toks, k, c.end);
        // WHERE clauses inside the CTEs are not the statement's WHERE
        return inner;
      }
    }
    return { status: 'unknown', ops: [] };
  }

  private alter(c: Cursor): Recognition {
    c.i++;
    while (['ONLINE', 'OFFLINE', 'IGNORE'].includes(c.word())) c.i++;
    if (!c.accept('TABLE')) {
      if (c.done()) return { status: 'unknown', ops: [] };
      // MySQL `ALTER [DEFINER=…] EVENT e … DO <body>` replaces what the event runs: read that body
      const event = this.dialect === 'mysql' && c.toks.slice(c.i, Math.min(c.end, c.i + 8)).some((t) => t.type === 'word' && t.upper === 'EVENT');
      const d = event ? this.findTopLevel(c.toks, c.i, c.end, DO_WORD) : -1;
      return d === -1 ? { status: 'safe', ops: [] } : this.body(c.toks, d + 1, c.end);
    }
    c.accept('IF', 'EXISTS');
    c.accept('ONLY');
    const table = this.readName(c);
    if (!table) return { status: 'unknown', ops: [] };
    if (c.punct() === '*') c.i++;
    const ops: FoundOp[] = [];
    // sub-commands separated by depth-0 commas
    const toks = c.toks;
    let start = c.i;
    let depth = 0;
    for (let k = c.i; k <= c.end; k++) {
      const t = k < c.end ? toks[k] : undefined;
      if (t && t.type === 'punct' && t.value === '(') depth++;
      else if (t && t.type === 'punct' && t.value === ')') depth--;
      else if (!t || (depth === 0 && t.type === 'punct' && t.value === ',')) {
        if (k > start) this.alterSubcommand(new Cursor(toks, start, k), table, ops);
        start = k + 1;
      }
    }
    return { status: ops.length > 0 ? 'ops' : 'safe', ops };
  }

  private alterSubcommand(c: Cursor, table: Name, ops: FoundOp[]): void {
    const at = c.peek()!.start;
    const restText = (): string => {
      const last = c.toks[c.end - 1];
      const first = c.peek();
      return first && last ? this.text.slice(first.start, last.end) : '';
    };
    const tailFlags = (flags: OperationFlags): OperationFlags => {
      for (let k = c.i; k < c.end; k++) if (c.toks[k].upper === 'CASCADE' && c.toks[k].type === 'word') flags.cascade = true;
      return flags;
    };
    const tableRef = this.ref('table', table);
    if (this.dialect === 'mysql' && blackholeEngine(c)) {
      // ENGINE=BLACKHOLE (quoted or not, among other table options) copies the rows into an engine that stores nothing
      ops.push({ kind: 'truncate', target: tableRef, flags: {}, at, detail: 'ENGINE=BLACKHOLE discards every row of the table (the engine stores nothing)' });
    }
    if (c.accept('DROP')) {
      // `DROP DEFAULT`, `DROP NOT NULL` change no data; `period`, `identity`, `system`… are also column names
      if (c.word() === 'DEFAULT' || c.word() === 'NOT' || (c.word() === 'PERIOD' && c.word(1) === 'FOR')) return;
      if (this.dialect === 'mysql' && c.word() === 'SYSTEM' && c.word(1) === 'VERSIONING') {
        ops.push({ kind: 'truncate', target: tableRef, flags: {}, at, detail: 'DROP SYSTEM VERSIONING deletes every history row of the table (MariaDB)' });
        return;
      }
      if (c.accept('PARTITION')) {
        const names: string[] = [];
        while (!c.done()) {
          const t = c.peek()!;
          if (isNameToken(t)) names.push(t.value);
          c.i++;
        }
        ops.push({ kind: 'truncate', target: tableRef, flags: {}, at, detail: `drops partition ${names.join(', ')} and its rows` });
        return;
      }
      let kind: OperationKind = 'drop-column';
      let type: ObjectType = 'column';
      if (c.accept('COLUMN')) {
        // default
      } else if (c.accept('INDEX') || c.accept('KEY')) [kind, type] = ['drop-index', 'index'];
      else if (c.accept('FOREIGN', 'KEY') || c.accept('CONSTRAINT') || c.accept('CHECK')) [kind, type] = ['drop-constraint', 'constraint'];
      else if (c.accept('PRIMARY', 'KEY')) {
        ops.push({ kind: 'drop-constraint', target: { type: 'constraint', name: 'PRIMARY', table: tableRef.name, ...(tableRef.schema ? { schema: tableRef.schema } : {}), written: 'PRIMARY KEY' }, flags: {}, at });
        return;
      }
      const flags: OperationFlags = {};
      if (c.accept('IF', 'EXISTS')) flags.ifExists = true;
      const name = this.readName(c);
      if (!name) return;
      ops.push({ kind, target: this.ref(type, name, table), flags: tailFlags(flags), at });
      return;
    }
    if (c.accept('TRUNCATE', 'PARTITION')) {
      ops.push({ kind: 'truncate', target: tableRef, flags: {}, at, detail: 'truncates partitions' });
      return;
    }
    if (this.dialect === 'mysql' && c.accept('DISCARD')) {
      // the table's .ibd file (every row) is deleted; the definition stays
      if (c.accept('TABLESPACE') || (c.accept('PARTITION') && !c.done())) ops.push({ kind: 'truncate', target: tableRef, flags: {}, at, detail: 'DISCARD TABLESPACE deletes the file that holds every row of the table' });
      return;
    }
    if (this.dialect === 'mysql' && c.accept('CONVERT', 'TO')) {
      // every text column is converted: characters the new character set lacks become '?'
      c.accept('CHARACTER', 'SET') || c.accept('CHARSET');
      if (c.punct() === '=') c.i++;
      const charset = c.word().toLowerCase() || (c.peek()?.value ?? '').toLowerCase();
      // utf8mb4 holds every character and binary keeps the bytes: nothing is lost
      if (charset.startsWith('utf8mb4') || charset === 'binary') return;
      const star = { parts: ['*'], written: '*', start: at };
      ops.push({ kind: 'alter-column-type', target: this.ref('column', star, table), flags: { newType: `CHARACTER SET ${charset}`, narrowing: true }, at, detail: `CONVERT TO CHARACTER SET ${charset} converts every text column of the table: characters ${charset} lacks become '?'` });
      return;
    }
    if (c.accept('ALTER')) {
      c.accept('COLUMN');
      const col = this.readName(c);
      if (!col) return;
      if (c.accept('TYPE') || c.accept('SET', 'DATA', 'TYPE')) {
        const typeText = restText().replace(/\s+using\s[\s\S]*$/i, '').replace(/\s+collate\s[\s\S]*$/i, '');
        ops.push({ kind: 'alter-column-type', target: this.ref('column', col, table), flags: { newType: typeText }, at });
      }
      return;
    }
    if (c.accept('MODIFY')) {
      c.accept('COLUMN');
      const col = this.readName(c);
      if (!col) return;
      ops.push({ kind: 'alter-column-type', target: this.ref('column', col, table), flags: { newType: columnType(restText()) }, at });
      return;
    }
    if (c.accept('CHANGE')) {
      c.accept('COLUMN');
      const from = this.readName(c);
      const to = this.readName(c);
      if (!from || !to) return;
      const oldName = from.parts[from.parts.length - 1];
      const newName = to.parts[to.parts.length - 1];
      if (oldName.toLowerCase() !== newName.toLowerCase()) {
        ops.push({ kind: 'rename-column', target: this.ref('column', from, table), flags: { newName }, at });
      }
      ops.push({ kind: 'alter-column-type', target: this.ref('column', from, table), flags: { newType: columnType(restText()) }, at });
      return;
    }
    if (c.accept('RENAME')) {
      if (['INDEX', 'KEY', 'CONSTRAINT'].includes(c.word())) return;
      const columnRename = c.word() === 'COLUMN' || (c.word() !== 'TO' && c.word() !== 'AS' && c.word(1) === 'TO');
      if (!columnRename) {
        c.accept('TO') || c.accept('AS');
        const to = this.readName(c);
        if (to) ops.push({ kind: 'rename-table', target: tableRef, flags: { newName: to.parts[to.parts.length - 1] }, at });
        return;
      }
      c.accept('COLUMN');
      const from = this.readName(c);
      if (!from || !c.accept('TO')) return;
      const to = this.readName(c);
      if (to) ops.push({ kind: 'rename-column', target: this.ref('column', from, table), flags: { newName: to.parts[to.parts.length - 1] }, at });
    }
  }

  private renameTables(c: Cursor): Recognition {
    c.i++;
    if (c.word() === 'USER') return { status: 'safe', ops: [] };
    if (!c.accept('TABLE') && !c.accept('TABLES')) return { status: 'unknown', ops: [] };
    const ops: FoundOp[] = [];
    while (!c.done()) {
      const at = c.peek()!.start;
      const from = this.readName(c);
      if (!from || !c.accept('TO')) break;
      const to = this.readName(c);
      if (!to) break;
      ops.push({ kind: 'rename-table', target: this.ref('table', from), flags: { newName: to.parts[to.parts.length - 1] }, at });
      if (c.punct() !== ',') break;
      c.i++;
    }
    return ops.length > 0 ? { status: 'ops', ops } : { status: 'unknown', ops: [] };
  }

  /** MySQL `PREPARE s FROM '…'` / MariaDB `EXECUTE IMMEDIATE '…'`: a literal is read, a variable is opaque. */
  /** CALL of a procedure: what it does is in a body defined elsewhere (one this text creates is read where it is created). */
  private call(c: Cursor): Recognition {
    const at = c.peek()!.start;
    c.i++;
    const name = this.readName(c);
    if (!name) return { status: 'unknown', ops: [] };
    if (this.procedures.has(name.parts[name.parts.length - 1]!.toLowerCase())) return { status: 'safe', ops: [] };
    return { status: 'ops', ops: [{ kind: 'opaque', target: this.ref('function', name), flags: {}, at, detail: `CALL ${name.written} runs a procedure whose body is not in this file: what it does cannot be known statically` }] };
  }

  private dynamic(c: Cursor): Recognition {
    const at = c.peek()!.start;
    const lead = c.word();
    c.i++;
    if (lead === 'PREPARE') {
      if (!this.readName(c) || !c.accept('FROM')) return { status: 'unknown', ops: [] };
    } else if (!c.accept('IMMEDIATE')) {
      return { status: 'safe', ops: [] }; // EXECUTE of a prepared statement: the PREPARE was read
    }
    const t = c.peek();
    const values = this.knownValues(c.toks, c.i, c.end);
    if (values) return this.embeddedValues(values);
    const expr = t ? this.text.slice(t.start, c.toks[c.end - 1].end) : '';
    const variable = t?.value === '@' && c.peek(1)?.type === 'word' && c.i + 2 === c.end ? c.peek(1)!.value.toLowerCase() : undefined;
    return { status: 'ops', ops: [{ kind: 'opaque', flags: {}, at, detail: `dynamic SQL built at run time: ${expr}`, ...(variable ? { variable } : {}) }] };
  }

  /**
   * The values an expression can have when it only chooses between literal strings: `'…'`, adjacent literals
   * `'a' 'b'` (MySQL joins them), `IF(c, x, y)`, `(SELECT x)`, `(x)`. Undefined for anything computed
   * (SUBSTRING, CONCAT, a variable…): that SQL is not known exactly.
   */
  knownValues(toks: Token[], from = 0, to = toks.length): Array<{ sql: string; at: number }> | undefined {
    while (to - from >= 2 && toks[from].value === '(' && closingParen(toks, from, to) === to - 1) [from, to] = [from + 1, to - 1];
    if (from >= to) return undefined;
    if (toks[from].type === 'word' && toks[from].upper === 'SELECT') return this.knownValues(toks, from + 1, to);
    if (toks.slice(from, to).every((t) => t.type === 'string')) return [{ sql: toks.slice(from, to).map((t) => t.value).join(''), at: toks[from].start }];
    if (toks[from].upper !== 'IF' || toks[from + 1]?.value !== '(' || closingParen(toks, from + 1, to) !== to - 1) return undefined;
    const commas: number[] = [];
    for (let k = from + 2, depth = 0; k < to - 1; k++) {
      if (toks[k].value === '(') depth++;
      else if (toks[k].value === ')') depth--;
      else if (depth === 0 && toks[k].value === ',') commas.push(k);
    }
    if (commas.length !== 2) return undefined;
    const [then, otherwise] = [this.knownValues(toks, commas[0] + 1, commas[1]), this.knownValues(toks, commas[1] + 1, to - 1)];
    return then && otherwise ? [...then, ...otherwise] : undefined;
  }

  /** `CREATE [TEMPORARY] TABLE [IF NOT EXISTS] t (col type …, …)`: t and each column's declared type. */
  declaredColumns(toks: Token[]): { table: string; columns: Array<[string, string]> } | undefined {
    const c = new Cursor(toks, 0, toks.length);
    if (!c.accept('CREATE')) return undefined;
    c.accept('TEMPORARY');
    if (!c.accept('TABLE')) return undefined;
    c.accept('IF', 'NOT', 'EXISTS');
    const name = this.readName(c);
    const close = name && c.punct() === '(' ? closingParen(toks, c.i, toks.length) : -1;
    if (!name || close === -1) return undefined;
    const columns: Array<[string, string]> = [];
    for (let k = c.i + 1, start = k, depth = 0; k <= close; k++) {
      const t = toks[k];
      if (k < close && t.value === '(') depth++;
      else if (k < close && t.value === ')') depth--;
      else if (k === close || (depth === 0 && t.value === ',')) {
        const first = toks[start];
        if (k - start >= 2 && this.isName(first) && !(first.type === 'word' && TABLE_ELEMENT_WORDS.has(first.upper))) {
          columns.push([first.value, columnType(this.text.slice(toks[start + 1].start, toks[k - 1].end))]);
        }
        start = k + 1;
      }
    }
    return { table: name.parts[name.parts.length - 1], columns };
  }

  /** Read each SQL text a value may hold: what any of them does; `unknown` when one cannot be read. */
  embeddedValues(values: Array<{ sql: string; at: number }>): Recognition {
    const ops: FoundOp[] = [];
    for (const value of values) {
      const rec = this.embedded(value.sql, value.at);
      if (rec.status === 'unknown') return rec;
      ops.push(...rec.ops);
    }
    return { status: ops.length > 0 ? 'ops' : 'safe', ops };
  }

  /** Read SQL held in a string literal; everything found is located at the literal. */
  embedded(sql: string, at: number): Recognition {
    const inner = new Recognizer(sql, this.dialect);
    const toks = tokenize(sql, this.dialect);
    const ops: FoundOp[] = [];
    let start = 0;
    let status: Recognition['status'] = 'safe';
    for (let k = 0; k <= toks.length; k++) {
      if (k === toks.length || (toks[k].type === 'punct' && toks[k].value === ';')) {
        if (k > start) {
          const r = inner.recognize(toks, start, k);
          for (const op of r.ops) ops.push({ ...op, at, flags: { ...op.flags, embedded: true } });
          if (r.status === 'unknown' && status === 'safe') status = 'unknown';
        }
        start = k + 1;
      }
    }
    return { status: ops.length > 0 ? 'ops' : status, ops };
  }

  private create(c: Cursor): Recognition {
    const toks = c.toks;
    if (this.dialect === 'mysql' && c.word(1) === 'OR' && c.word(2) === 'REPLACE') {
      const replaced = this.createOrReplace(c);
      if (replaced) return replaced;
    }
    // find the object word: CREATE [OR REPLACE] [DEFINER=…] TRIGGER|PROCEDURE|FUNCTION|EVENT
    let object = '';
    for (let k = c.i + 1; k < Math.min(c.end, c.i + 12); k++) {
      const t = toks[k];
      if (t.type === 'punct' && t.value === '(') break;
      if (t.type === 'word' && ['TRIGGER', 'PROCEDURE', 'FUNCTION', 'EVENT'].includes(t.upper)) {
        object = t.upper;
        break;
      }
      if (t.type === 'word' && ['TABLE', 'VIEW', 'INDEX', 'SCHEMA', 'DATABASE', 'SEQUENCE', 'TYPE'].includes(t.upper)) break;
    }
    if (!object) return { status: 'safe', ops: [] };
    // the body: from the first BEGIN to the end; else (MySQL one-statement trigger) after FOR EACH ROW
    let bodyStart = -1;
    for (let k = c.i; k < c.end; k++) {
      if (toks[k].type === 'word' && toks[k].upper === 'BEGIN') {
        bodyStart = k + 1;
        break;
      }
    }
    if (bodyStart === -1 && object === 'TRIGGER') {
      for (let k = c.i; k + 2 < c.end; k++) {
        if (toks[k].upper === 'FOR' && toks[k + 1].upper === 'EACH' && toks[k + 2].upper === 'ROW') {
          bodyStart = k + 3;
          if (toks[bodyStart]?.upper === 'WHEN') bodyStart = -1; // SQLite WHEN without BEGIN is invalid anyway
          // MySQL `FOLLOWS | PRECEDES other_trigger` orders the trigger; the body follows
          if (toks[bodyStart]?.upper === 'FOLLOWS' || toks[bodyStart]?.upper === 'PRECEDES') bodyStart += 2;
          break;
        }
      }
    }
    if (bodyStart === -1 && object === 'EVENT') {
      // CREATE EVENT … DO <statement>
      const d = this.findTopLevel(toks, c.i, c.end, DO_WORD);
      if (d !== -1) bodyStart = d + 1;
    }
    if (bodyStart === -1 && (object === 'PROCEDURE' || object === 'FUNCTION') && this.dialect === 'mysql') bodyStart = routineBodyStart(toks, c.i, c.end);
    if (bodyStart === -1) return { status: 'safe', ops: [] };
    return this.body(toks, bodyStart, c.end);
  }

  /**
   * The statements of a stored program's body, tokens [from, to), separated by `;`. In MySQL and SQLite a body
   * statement nobody can classify is `unparseable` (it runs whenever the program does).
   */
  private body(toks: Token[], from: number, to: number): Recognition {
    const ops: FoundOp[] = [];
    let start = from;
    for (let k = from; k <= to; k++) {
      if (k === to || (toks[k].type === 'punct' && toks[k].value === ';')) {
        if (k > start) {
          const first = stripControlFlow(toks, start, k);
          if (first < k && !(this.dialect !== 'postgres' && BODY_ONLY.has(toks[first].upper))) {
            const r = this.recognize(toks, first, k);
            for (const op of r.ops) ops.push({ ...op, flags: { ...op.flags, embedded: true } });
            if (r.status === 'unknown' && this.dialect !== 'postgres') {
              ops.push({ kind: 'unparseable', flags: { embedded: true }, at: toks[first].start, detail: `a statement of the stored program's body is not understood: ${this.text.slice(toks[first].start, toks[k - 1].end).slice(0, 80)}` });
            }
          }
        }
        start = k + 1;
      }
    }
    return { status: ops.length > 0 ? 'ops' : 'safe', ops };
  }

  /** `INSERT INTO x [(cols)] SELECT … FROM y`: which table's rows are copied where. */
  /**
   * MariaDB's `CREATE OR REPLACE TABLE|DATABASE|SCHEMA|SEQUENCE x` is `DROP … IF EXISTS x` then CREATE: the
   * existing object goes with its rows. (A TEMPORARY table only replaces a temporary one.)
   */
  private createOrReplace(c: Cursor): Recognition | undefined {
    const at = c.peek()!.start;
    const kinds: Record<string, [OperationKind, ObjectType]> = {
      TABLE: ['drop-table', 'table'],
      DATABASE: ['drop-database', 'database'],
      SCHEMA: ['drop-database', 'database'],
      SEQUENCE: ['drop-sequence', 'sequence'],
    };
    const found = kinds[c.word(3)];
    if (!found) return undefined;
    const word = c.word(3);
    c.i += 4;
    const name = this.readName(c);
    if (!name) return { status: 'unknown', ops: [] };
    return { status: 'ops', ops: [{ kind: found[0], target: this.ref(found[1], name), flags: { ifExists: true }, at, detail: `CREATE OR REPLACE ${word} drops the existing ${word.toLowerCase()} first (MariaDB)` }] };
  }

  private copyOf(c: Cursor): Recognition['copy'] {
    c.i++;
    if (c.word() === 'OR') c.i += 2;
    c.accept('IGNORE');
    if (!c.accept('INTO')) return undefined;
    const into = this.readName(c);
    if (!into) return undefined;
    c.skipParens();
    if (c.word() !== 'SELECT') return undefined;
    const from = this.findTopLevel(c.toks, c.i, c.end, FROM_WORD);
    if (from === -1) return undefined;
    const src = this.readName(new Cursor(c.toks, from + 1, c.end));
    if (!src) return undefined;
    return { into: into.parts[into.parts.length - 1].toLowerCase(), from: src.parts[src.parts.length - 1].toLowerCase() };
  }
}

/** Index of the `)` that closes the `(` at `open`, below `to`; -1 when it does not close. */
function closingParen(toks: Token[], open: number, to: number): number {
  for (let k = open, depth = 0; k < to; k++) {
    if (toks[k].value === '(') depth++;
    else if (toks[k].value === ')' && --depth === 0) return k;
  }
  return -1;
}

/** Skip procedural prefixes inside a body (`IF … THEN`, `ELSE`, `label:`, `END IF`…) to reach a statement. */
export function stripControlFlow(toks: Token[], from: number, to: number): number {
  let k = from;
  for (let guard = 0; guard < 64 && k < to; guard++) {
    const t = toks[k];
    const u = t.type === 'word' ? t.upper : '';
    if (t.value === '<' && toks[k + 1]?.value === '<') {
      // PL/pgSQL <<label>>
      let j = k + 2;
      while (j < to && toks[j].value !== '>') j++;
      k = j + 2;
    } else if (u === 'IF' || u === 'ELSEIF' || u === 'ELSIF' || u === 'WHEN' || u === 'WHILE' || u === 'FOR' || u === 'FOREACH') {
      let j = k + 1;
      let depth = 0;
      while (j < to) {
        const x = toks[j];
        if (x.value === '(') depth++;
        else if (x.value === ')') depth--;
        else if (depth === 0 && x.type === 'word' && (x.upper === 'THEN' || x.upper === 'DO' || x.upper === 'LOOP')) break;
        j++;
      }
      k = j + 1;
    } else if (u === 'ELSE' || u === 'LOOP' || u === 'REPEAT' || u === 'BEGIN' || u === 'DO' || u === 'THEN' || u === 'EXCEPTION') {
      k++;
    } else if (u === 'END') {
      k++;
      if (k < to && ['IF', 'LOOP', 'WHILE', 'REPEAT', 'CASE', 'FOR'].includes(toks[k].upper)) k++;
    } else if (u === 'CASE') {
      k++;
    } else if (u === 'DECLARE' && ['CONTINUE', 'EXIT', 'UNDO'].includes(toks[k + 1]?.upper ?? '') && toks[k + 2]?.upper === 'HANDLER' && toks[k + 3]?.upper === 'FOR') {
      // MySQL `DECLARE CONTINUE HANDLER FOR SQLEXCEPTION, NOT FOUND <statement>`: the statement runs on the condition
      k += 4;
      for (;;) {
        if (toks[k]?.upper === 'SQLSTATE') k += toks[k + 1]?.upper === 'VALUE' ? 3 : 2;
        else k += toks[k]?.upper === 'NOT' ? 2 : 1;
        if (toks[k]?.value !== ',') break;
        k++;
      }
    } else if ((t.type === 'word' || t.type === 'ident') && toks[k + 1]?.value === ':' ) {
      k += 2;
    } else {
      break;
    }
  }
  return k;
}

/** The type part of a MySQL column definition (`varchar(10) NOT NULL` → `varchar(10)`). */
function columnType(rest: string): string {
  const m = /^\s*([\w ]+?(?:\([^)]*\))?(?:\s+unsigned)?(?:\s+zerofill)?)(?=\s+(?:not|null|default|auto_increment|comment|after|first|collate|character|charset|generated|primary|unique|references|check|on|invisible|visible|as)\b|\s*$)/i.exec(rest);
  return m ? m[1].trim() : rest.trim().split(/\s+/)[0] ?? '';
}

/**
 * WHERE clauses that do not restrict anything: `1=1`, `true`, `'a'='a'`, `1`, `2 > 1`, `NOT false`,
 * `1 IN (1, 2)`, and by meaning: a value compared with itself (`id = id`), a value that is NULL or not
 * (`x IS NULL OR x IS NOT NULL`). The token twin of postgres.ts whereAlwaysTrue (its PL/pgSQL screen and the
 * readers without a parser tree must not call a statement bounded that the parser finds unbounded).
 */
export function isAlwaysTrue(expr: Token[], table?: string): boolean {
  // no size limit (a long condition can hide `1 OR …`): the tests of an OR's parts are grouped by key, not paired
  return tokenTruth(unqualifyOwn(expr, table?.toLowerCase()), table?.toLowerCase()) === true;
}

/** `users.a` written `a` in a statement on users (outside subqueries, where the name could mean another table). */
function unqualifyOwn(toks: Token[], table: string | undefined): Token[] {
  if (!table) return toks;
  const out: Token[] = [];
  for (let k = 0; k < toks.length; k++) {
    if (toks[k].value === '(' && toks[k + 1]?.upper === 'SELECT') {
      const end = closingParen(toks, k, toks.length);
      if (end === -1) return toks;
      out.push(...toks.slice(k, end + 1));
      k = end;
      continue;
    }
    // the table and its dot (not the middle of `db.users.a`)
    if (isNameToken(toks[k]) && identLower(toks[k]) === table && toks[k + 1]?.value === '.' && isNameToken(toks[k + 2]) && toks[k - 1]?.value !== '.') {
      k++;
      continue;
    }
    out.push(toks[k]);
  }
  return out;
}

/** Words of a condition that name no column and call nothing: operators and constants. */
const CONSTANT_WORDS = new Set(['NOT', 'AND', 'OR', 'XOR', 'IS', 'NULL', 'TRUE', 'FALSE', 'UNKNOWN', 'IN', 'BETWEEN', 'LIKE', 'DIV', 'MOD', 'BINARY']);
/** Words a subquery may hold besides names and constants (a clause's keywords). */
const SUBQUERY_WORDS = new Set([...CONSTANT_WORDS, 'SELECT', 'DISTINCT', 'ALL', 'AS', 'WHERE', 'LIMIT', 'OFFSET', 'ORDER', 'BY', 'ASC', 'DESC', 'GROUP', 'HAVING', 'EXISTS']);

/**
 * A condition whose value is the same for every row: constants, `CAST(constant AS type)`, and subqueries that do
 * not read the row (`EXISTS (SELECT 1 FROM accounts)`, `(SELECT 1)`): every name in them qualified by a table of
 * their own FROM (an unqualified one may be the row's). No column of the row, call or variable.
 */
function rowIndependent(toks: Token[], table?: string): boolean {
  if (toks.length === 0) return false;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.type === 'word' && t.upper === 'EXISTS' && toks[k + 1]?.value === '(') continue;
    if (t.value === '(' && toks[k + 1]?.upper === 'SELECT') {
      const end = closingParen(toks, k, toks.length);
      if (end === -1 || !subqueryIndependent(toks.slice(k + 2, end), table)) return false;
      k = end;
      continue;
    }
    if (t.type === 'word' && t.upper === 'CAST' && toks[k + 1]?.value === '(') {
      const end = closingParen(toks, k + 1, toks.length);
      const as = toks.findIndex((x, j) => j > k + 1 && j < end && x.upper === 'AS');
      if (end === -1 || as === -1 || !rowIndependent(toks.slice(k + 2, as)) || !toks.slice(as + 1, end).every((x) => x.type === 'word' || x.type === 'number' || x.value === '(' || x.value === ')' || x.value === ',')) return false;
      k = end;
      continue;
    }
    if (!(t.type === 'number' || t.type === 'string' || (t.type === 'punct' && t.value !== '@' && t.value !== '?' && t.value !== ':') || (t.type === 'word' && CONSTANT_WORDS.has(t.upper)))) return false;
  }
  return true;
}

/** The tokens of `SELECT …` (after SELECT) read nothing of the outer row: see rowIndependent. */
function subqueryIndependent(toks: Token[], table: string | undefined): boolean {
  const from = toks.findIndex((t, k) => t.upper === 'FROM' && toks.slice(0, k).filter((x) => x.value === '(').length === toks.slice(0, k).filter((x) => x.value === ')').length);
  const names = new Set<string>();
  let rest = toks;
  if (from !== -1) {
    // FROM name [[AS] alias], … only (a JOIN's ON may read anything)
    let k = from + 1;
    for (;;) {
      if (!isNameToken(toks[k])) return false;
      while (toks[k + 1]?.value === '.' && isNameToken(toks[k + 2])) k += 2;
      names.add(identLower(toks[k]!));
      k++;
      if (toks[k]?.upper === 'AS') k++;
      if (isNameToken(toks[k]) && !SUBQUERY_WORDS.has(toks[k]!.upper)) names.add(identLower(toks[k++]!));
      if (toks[k]?.value !== ',') break;
      k++;
    }
    if (table !== undefined && names.has(table)) names.delete(table);
    rest = [...toks.slice(0, from), ...toks.slice(k)];
    if (rest.slice(from).length && !['WHERE', 'LIMIT', 'ORDER', 'GROUP'].includes(rest[from]?.upper ?? '')) return false;
  }
  for (let k = 0; k < rest.length; k++) {
    const t = rest[k];
    if (t.value === '(' && rest[k + 1]?.upper === 'SELECT') return false;
    if (!isNameToken(t) || SUBQUERY_WORDS.has(t.upper) || (t.type === 'word' && /^(?:[0-9]|TRUE|FALSE)/.test(t.upper))) continue;
    if (rest[k + 1]?.value === '(') continue; // a call: once for the statement, whatever it returns
    if (rest[k + 1]?.value === '.' && names.has(identLower(t))) {
      k += 2;
      continue;
    }
    return false;
  }
  return true;
}

const COMPARE = new Set(['=', '==', '<>', '!=', '<', '<=', '>', '>=']);
const TESTED = new Set(['NULL', 'TRUE', 'FALSE', 'UNKNOWN']);

/** true / false when the condition has that value for every row; else undefined. `table`: the statement's own (lower case). */
function tokenTruth(expr: Token[], table?: string): boolean | undefined {
  const toks = withoutOuterParens(expr);
  if (toks.length === 0) return undefined;
  const ors = splitTopLevel(toks, 'OR');
  if (ors.length > 1) {
    const truths = ors.map((part) => tokenTruth(part, table));
    if (truths.includes(true) || complementaryIsTests(ors) || complementaryComparisons(ors) || negatedParts(ors)) return true;
    return truths.every((t) => t === false) ? false : undefined;
  }
  const ands = splitTopLevel(toks, 'AND');
  if (ands.length > 1) {
    const truths = ands.map((part) => tokenTruth(part, table));
    if (truths.includes(false)) return false;
    return truths.every((t) => t === true) ? true : undefined;
  }
  if (toks[0].type === 'word' && toks[0].upper === 'NOT') {
    const inner = tokenTruth(toks.slice(1), table);
    return inner === undefined ? undefined : !inner;
  }
  if (toks.length === 1) {
    const t = toks[0];
    if (t.type === 'word' && (t.upper === 'TRUE' || t.upper === 'FALSE')) return t.upper === 'TRUE';
    if (t.type === 'number' && !Number.isNaN(Number(t.value))) return Number(t.value) !== 0;
    return undefined;
  }
  if (toks.length === 3 && toks[1].value === '::' && toks[0].type === 'string' && toks[2].upper === 'BOOLEAN') {
    const v = toks[0].value.toLowerCase();
    if (['t', 'true', 'y', 'yes', 'on', '1'].includes(v)) return true;
    return ['f', 'false', 'n', 'no', 'off', '0'].includes(v) ? false : undefined;
  }
  // EXISTS (SELECT 1): a row that always exists
  if (toks[0].upper === 'EXISTS' && toks[1]?.value === '(' && toks[2]?.upper === 'SELECT' && toks.length === 5 && literal(toks[3]) && toks[4].value === ')') return true;
  return booleanTestTruth(toks) ?? inListTruth(toks) ?? selfSubqueryTruth(toks, table) ?? patternMatchTruth(toks) ?? comparisonTruth(toks);
}

/**
 * `id IN (SELECT id FROM users)` in a statement on users: every row whose value is not NULL (as `id = id`);
 * `NOT IN`: none. Only the plain form: one column, the same table, nothing that filters (WHERE, LIMIT, …).
 */
function selfSubqueryTruth(toks: Token[], table: string | undefined): boolean | undefined {
  if (!table) return undefined;
  const column = (at: number): [string, number] | undefined => {
    if (!isIdent(toks[at])) return undefined;
    return toks[at + 1]?.value === '.' && isIdent(toks[at + 2]) ? [identLower(toks[at + 2]!), at + 3] : [identLower(toks[at]!), at + 1];
  };
  const left = column(0);
  if (!left) return undefined;
  let at = left[1];
  const not = toks[at]?.upper === 'NOT';
  if (not) at++;
  if (toks[at]?.upper !== 'IN' || toks[at + 1]?.value !== '(' || toks[at + 2]?.upper !== 'SELECT') return undefined;
  const selected = column(at + 3);
  if (!selected || selected[0] !== left[0] || toks[selected[1]]?.upper !== 'FROM') return undefined;
  const from = column(selected[1] + 1);
  if (!from || from[0] !== table || toks[from[1]]?.value !== ')' || from[1] !== toks.length - 1) return undefined;
  return !not;
}

// a quoted name's token holds it unquoted (tokens.ts); names compare case-insensitively here
const isIdent = (t: Token | undefined) => isNameToken(t) && !RESERVED_IN_CONDITION.has(t!.upper);
const identLower = (t: Token) => t.value.toLowerCase();
const RESERVED_IN_CONDITION = new Set(['SELECT', 'FROM', 'WHERE', 'NOT', 'IN', 'NULL', 'TRUE', 'FALSE']);

const PATTERN_WORDS = new Set(['LIKE', 'ILIKE', 'GLOB', 'REGEXP', 'RLIKE']);

/** `name LIKE '%'`, `name ~ ''` (the operator in one-character tokens), `x NOT LIKE '%'`: constant-conditions.ts patternTruth. */
function patternMatchTruth(toks: Token[]): boolean | undefined {
  const last = toks.length - 1;
  if (last < 2 || toks[last].type !== 'string') return undefined;
  let at = last - 1;
  let op: string;
  if (PATTERN_WORDS.has(toks[at].upper)) {
    op = toks[at].upper;
    if (toks[at - 1]?.upper === 'NOT') op = `NOT ${op}`, at--;
  } else {
    op = '';
    while (at > 0 && toks[at].type === 'punct' && '!~*'.includes(toks[at].value)) op = toks[at--].value + op;
    at++;
  }
  const left = toks.slice(0, at);
  // NULL LIKE '%' matches nothing
  if (!op || !left.length || (left.length === 1 && left[0].upper === 'NULL')) return undefined;
  return patternTruth(op, toks[last].value);
}

/** `<constant condition> IS [NOT] TRUE | FALSE`. */
function booleanTestTruth(toks: Token[]): boolean | undefined {
  const n = toks.length;
  const not = toks[n - 2]?.upper === 'NOT';
  const is = n - (not ? 3 : 2);
  if (is < 1 || toks[is].upper !== 'IS' || (toks[n - 1].upper !== 'TRUE' && toks[n - 1].upper !== 'FALSE')) return undefined;
  const t = tokenTruth(toks.slice(0, is));
  if (t === undefined) return undefined;
  return (toks[n - 1].upper === 'TRUE' ? t : !t) !== not;
}

/** A number or string literal, a negative number, or a number cast to a number type: its value, else undefined. */
function constantOperand(toks: Token[]): Constant | undefined {
  let rest = toks;
  if (rest.length >= 3 && rest[rest.length - 2].value === '::' && rest[0].type === 'number' && NUMBER_TYPES.has(rest[rest.length - 1].upper.toLowerCase())) rest = rest.slice(0, -2);
  if (rest.length === 2 && rest[0].value === '-' && rest[1].type === 'number') return { kind: 'n', value: String(-Number(rest[1].value)) };
  if (rest.length !== 1 || !literal(rest[0])) return undefined;
  return rest[0].type === 'number' ? { kind: 'n', value: String(Number(rest[0].value)) } : { kind: 's', value: rest[0].value };
}

/** `x > 0 OR x <= 0`, `x = 'a' OR x != 'a'`, `x < 1 OR x = 1 OR x > 1`: every row whose value is not NULL is on one side. */
function complementaryComparisons(parts: Token[][]): boolean {
  const cmps = parts.flatMap((part) => {
    const p = withoutOuterParens(part);
    const at = topLevelComparison(p);
    const right = at > 0 ? constantOperand(p.slice(at + 1)) : undefined;
    return right && plainValue(p.slice(0, at)) ? [{ left: p.slice(0, at), op: p[at].value, right }] : [];
  });
  const groups = new Map<string, string[]>();
  for (const c of cmps) {
    const key = valueKey(c.left);
    if (key === '') continue;
    const group = `${c.right.kind}:${c.right.value}\u0000${key}`;
    groups.set(group, [...(groups.get(group) ?? []), c.op]);
  }
  return [...groups.values()].some(coverEveryValue);
}

/** Words a NOT may stand before to negate the test: `x NOT IN (…)`, `x NOT LIKE '…'`, `x NOT BETWEEN …`. */
const NEGATABLE = new Set(['IN', 'LIKE', 'ILIKE', 'BETWEEN', 'GLOB', 'REGEXP', 'RLIKE']);

/**
 * `p OR NOT p`, `x IN (…) OR x NOT IN (…)`, `x LIKE 'a%' OR x NOT LIKE 'a%'`, `x BETWEEN 1 AND 2 OR x NOT BETWEEN 1
 * AND 2`: one or the other holds for every row whose values are not NULL (postgres.ts negatedPredicates).
 */
function negatedParts(parts: Token[][]): boolean {
  const tests = parts.flatMap((part) => {
    const p = withoutOuterParens(part);
    if (!p.length || !plainValue(p)) return [];
    if (p[0].upper === 'NOT') return [{ key: valueKey(withoutOuterParens(p.slice(1))), negated: true }];
    const not = p.findIndex((t, k) => t.type === 'word' && t.upper === 'NOT' && NEGATABLE.has(p[k + 1]?.upper ?? ''));
    return not > 0 ? [{ key: valueKey([...p.slice(0, not), ...p.slice(not + 1)]), negated: true }] : [{ key: valueKey(p), negated: false }];
  });
  const plain = new Set(tests.filter((t) => !t.negated).map((t) => t.key));
  return tests.some((t) => t.negated && t.key !== '' && plain.has(t.key));
}

/** Where the top-level comparison operator of a predicate is (-1: none). */
function topLevelComparison(toks: Token[]): number {
  let depth = 0;
  for (let k = 0; k < toks.length; k++) {
    if (toks[k].value === '(') depth++;
    else if (toks[k].value === ')') depth--;
    else if (depth === 0 && toks[k].type === 'punct' && COMPARE.has(toks[k].value)) return k;
  }
  return -1;
}

const literal = (t: Token | undefined) => t !== undefined && (t.type === 'number' || t.type === 'string');
/**
 * The same value written two ways (`x` and `` `x` `` or `"x"`, `X` and `x`, `0` and `0.0`, `(x)` and `x`): names in
 * lower case (MySQL and SQLite compare column names so), numbers by value, strings by text, parentheses left out.
 */
const valueKey = (toks: Token[]) =>
  toks
    .filter((t) => t.type !== 'punct' || (t.value !== '(' && t.value !== ')'))
    .map((t) => (t.type === 'number' ? `n:${Number(t.value)}` : t.type === 'string' ? `s:${t.value}` : t.type === 'punct' ? t.value : `w:${t.value.toLowerCase()}`))
    .join(' ');
const sameTokens = (a: Token[], b: Token[]) => {
  const key = valueKey(a);
  return key !== '' && key === valueKey(b);
};
/** No call and no subquery: `random() = random()` is not a value compared with itself (`(id)` is; `IN (`, `NOT (` open no call). */
const plainValue = (toks: Token[]) =>
  !toks.some((t, k) => (t.value === '(' && (toks[k - 1]?.type === 'word' || toks[k - 1]?.type === 'ident') && !NOT_A_CALL.has(toks[k - 1]!.upper)) || t.upper === 'SELECT');
const NOT_A_CALL = new Set(['IN', 'NOT', 'AND', 'OR']);

/** `1 IN (1, 2)`, `1 NOT IN (2, 3)`: a literal and a list of literals. */
function inListTruth(toks: Token[]): boolean | undefined {
  // `x IN (1, x)`: every row whose x is not NULL (NOT IN: none)
  const inAt = toks.findIndex((t) => t.type === 'word' && t.upper === 'IN');
  const negated = toks[inAt - 1]?.upper === 'NOT';
  const tested = toks.slice(0, negated ? inAt - 1 : inAt);
  if (inAt > 0 && toks[inAt + 1]?.value === '(' && closingParen(toks, inAt + 1, toks.length) === toks.length - 1 && plainValue(tested)) {
    if (splitTopLevel(toks.slice(inAt + 2, -1), ',').some((item) => sameTokens(item, tested))) return !negated;
  }
  const not = toks[1]?.upper === 'NOT' ? 1 : 0;
  if (!literal(toks[0]) || toks[1 + not]?.upper !== 'IN' || toks[2 + not]?.value !== '(' || toks[toks.length - 1].value !== ')') return undefined;
  const items = toks.slice(3 + not, -1);
  const values = items.filter((_, k) => k % 2 === 0);
  if (!values.length || items.some((t, k) => (k % 2 === 0 ? !literal(t) || t.type !== toks[0].type : t.value !== ','))) return undefined;
  const found = values.some((v) => (v.type === 'number' ? Number(v.value) === Number(toks[0].value) : v.value === toks[0].value));
  return found !== (not === 1);
}

/** Literals compared (`2 > 1`), or a value compared with itself (`id = id`, `x IS NOT DISTINCT FROM x`). */
function comparisonTruth(toks: Token[]): boolean | undefined {
  const notDistinct = toks.findIndex((t, k) => t.upper === 'IS' && toks[k + 1]?.upper === 'NOT' && toks[k + 2]?.upper === 'DISTINCT' && toks[k + 3]?.upper === 'FROM');
  if (notDistinct > 0) return sameTokens(toks.slice(0, notDistinct), toks.slice(notDistinct + 4)) && plainValue(toks) ? true : undefined;
  const at = topLevelComparison(toks);
  if (at <= 0) return undefined;
  const [left, op, right] = [toks.slice(0, at), toks[at].value, toks.slice(at + 1)];
  const [a, b] = [constantOperand(left), constantOperand(right)];
  if (a && b) return compareConstants(op, a, b);
  return sameTokens(left, right) && plainValue(left) ? selfComparison(op) : undefined;
}

/** `x IS NULL OR x IS NOT NULL` (and TRUE, FALSE, UNKNOWN) among the parts of an OR. */
function complementaryIsTests(parts: Token[][]): boolean {
  const tests = parts.flatMap((part) => {
    const p = withoutOuterParens(part);
    const n = p.length;
    const not = p[n - 2]?.upper === 'NOT';
    const is = p[n - (not ? 3 : 2)];
    if (n < 3 || is?.upper !== 'IS' || !TESTED.has(p[n - 1].upper)) return [];
    return [{ key: `${p[n - 1].upper} ${valueKey(p.slice(0, n - (not ? 3 : 2)))}`, not }];
  });
  const negated = new Set(tests.filter((t) => t.not).map((t) => t.key));
  return tests.some((t) => !t.not && !t.key.endsWith(' ') && negated.has(t.key));
}

/** `((x))` → `x`; `(a) OR (b)` is left whole. */
function withoutOuterParens(expr: Token[]): Token[] {
  let toks = expr;
  while (toks.length >= 2 && toks[0].value === '(' && toks[toks.length - 1].value === ')' && balancedInside(toks)) toks = toks.slice(1, -1);
  return toks;
}

function balancedInside(toks: Token[]): boolean {
  let depth = 0;
  for (let k = 0; k < toks.length - 1; k++) {
    if (toks[k].value === '(') depth++;
    else if (toks[k].value === ')') depth--;
    if (depth === 0) return false;
  }
  return true;
}

/** The parts of `toks` between top-level `word`s (a keyword, or `,`: a list's items). */
function splitTopLevel(toks: Token[], word: string): Token[][] {
  const parts: Token[][] = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.value === '(') depth++;
    else if (t.value === ')') depth--;
    else if (depth === 0 && (word === ',' ? t.value === ',' : t.type === 'word' && t.upper === word)) {
      parts.push(toks.slice(start, k));
      start = k + 1;
    }
  }
  parts.push(toks.slice(start));
  return parts;
}
