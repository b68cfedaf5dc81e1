/**
 * Looking inside DO blocks and function bodies (PostgreSQL). Plain SQL statements in a PL/pgSQL body
 * are read as embedded operations; `EXECUTE '<literal>'` counts as the statement it runs; EXECUTE of
 * a string built at run time (variables, format(), concatenation) is `opaque`. When the PL/pgSQL
 * parser rejects a body (e.g. an undeclared variable), our own scan of the body takes over.
 */
import { ACTING_CALL, MAY_DESTROY } from './pg-ops.js';
import type { OpSink } from './sink.js';
import { bodyMayAct, scanBody } from './plpgsql-scan.js';
import { LineIndex } from './text-index.js';
import { tokenize, type Token } from './tokens.js';

type PgLib = typeof import('libpg-query');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

export interface PlpgsqlHost {
  lib: PgLib;
  sink: OpSink;
  /** Read SQL text located at `base` (string offset in the sink's text). */
  readText(text: string, base: number, embedded: boolean): void;
}

export interface RoutineSource {
  kind: 'do' | 'function';
  node: Node;
  /** The DO / CREATE FUNCTION statement text and its offset. */
  text: string;
  abs: number;
}

/** Where a routine body sits in the statement: the token holding it and the length of its opener. */
function locateBody(text: string, body: string): { offset: number; exact: boolean } | undefined {
  // dollar-quoted (the usual case): the body appears verbatim right after its `$tag$`
  const verbatim = body.length > 0 ? text.indexOf(body) : -1;
  if (verbatim > 0 && text[verbatim - 1] === '$') return { offset: verbatim, exact: true };
  for (const t of tokenize(text, 'postgres')) {
    if (t.type !== 'string' || t.value !== body) continue;
    const opener = /^\$[^$]*\$/.exec(text.slice(t.start, t.start + 200));
    if (opener) return { offset: t.start + opener[0].length, exact: true };
    return { offset: t.start + (text[t.start] === "'" ? 1 : 2), exact: !body.includes("'") && !body.includes('\\') };
  }
  return undefined;
}

/** `'a' || 'b' || …` made of string literals only (parenthesised or not): their concatenation. */
function literalConcatenation(toks: Token[]): string | undefined {
  const parts = toks.filter((t) => t.value !== '(' && t.value !== ')');
  if (parts.length === 0 || parts.length % 2 === 0) return undefined;
  let out = '';
  for (let k = 0; k < parts.length; k++) {
    const t = parts[k];
    if (k % 2 === 0 ? t.type !== 'string' : t.value !== '||') return undefined;
    if (k % 2 === 0) out += t.value;
  }
  return out;
}

/**
 * `'GRANT … TO ' || role_var || ', ' || other_var`: a privilege statement whose only run-time parts are
 * whole role names (after TO / FROM / ROLE / USER / GROUP, or the commas of that list). The roles are
 * not known, but a GRANT, REVOKE, CREATE/ALTER ROLE/USER, ALTER DEFAULT PRIVILEGES or `ALTER … OWNER TO`
 * destroys no data whichever role it names (the literal rest of the statement is read as usual).
 * Returns the statement with placeholder role names, or undefined for anything else.
 */
export function roleNameConcatenation(toks: Token[]): string | undefined {
  const parts = toks.filter((t) => t.value !== '(' && t.value !== ')');
  if (parts.length < 3 || parts.length % 2 === 0) return undefined;
  let out = '';
  let roles = 0;
  let ownerOnly = true;
  for (let k = 0; k < parts.length; k++) {
    const t = parts[k];
    if (k % 2 === 1) {
      if (t.value !== '||') return undefined;
      continue;
    }
    if (t.type === 'string') {
      if (roles > 0 && !/^(\s|,|$)/.test(t.value)) return undefined; // the name must end where the variable does
      out += t.value;
      continue;
    }
    if (t.type !== 'word' && t.type !== 'ident') return undefined;
    if (!/(\b(TO|FROM|ROLE|USER|GROUP)\s+|,\s*|^\s*GRANT\s+)$/i.test(out)) return undefined;
    if (!/\bOWNER\s+TO\s+$/i.test(out)) ownerOnly = false;
    out += `dbsafe_role_${++roles}`;
  }
  // `ALTER TABLE t OWNER TO ' || role`: the rest of the statement is literal and read as usual
  const privileges = /^\s*(GRANT|REVOKE|CREATE\s+ROLE|ALTER\s+ROLE|CREATE\s+USER|ALTER\s+USER|ALTER\s+DEFAULT\s+PRIVILEGES)\b/i.test(out) || (ownerOnly && /^\s*ALTER\b/i.test(out));
  if (!roles || !privileges || /;\s*\S/.test(out)) return undefined;
  return out;
}

/**
 * `format('CREATE TABLE q.%I (…)', name)`: `%I` is quoted as an identifier and `%L` as a literal, so
 * the statement's text is fixed but for names and values. Returns it with `%I` as placeholder names
 * (an operation on one is opaque: see `RUNTIME_IDENT`) and `%L` as NULL; undefined when the template is
 * not one literal or uses `%s` (raw text, which may be statement text).
 */
export function formatTemplate(toks: Token[]): string | undefined {
  if (toks[0]?.type !== 'word' || toks[0].value.toLowerCase() !== 'format' || toks[1]?.value !== '(' || toks[2]?.type !== 'string') return undefined;
  if (toks[toks.length - 1]?.value !== ')' || (toks[3]?.value !== ',' && toks[3]?.value !== ')')) return undefined;
  let names = 0;
  let ok = true;
  const text = toks[2].value.replace(/%(\d+\$)?(-?\d*)([ILs%])/g, (_m, _pos, _width, conv: string) => {
    if (conv === '%') return '%';
    if (conv === 'I') return `${RUNTIME_IDENT}${++names}`;
    if (conv === 'L') return 'NULL';
    ok = false;
    return '';
  });
  return ok ? text : undefined;
}

/** Placeholder for an identifier `format()` fills in at run time. */
export const RUNTIME_IDENT = 'dbsafe_runtime_ident_';

function option(list: Node[] | undefined, name: string): Node {
  return (list ?? []).find((o: Node) => o?.DefElem?.defname === name)?.DefElem?.arg;
}

interface Routine {
  language: string;
  body?: string;
}

function routineOf(kind: RoutineSource['kind'], node: Node): Routine {
  if (kind === 'do') {
    return { language: String(option(node.args, 'language')?.String?.sval ?? 'plpgsql').toLowerCase(), body: option(node.args, 'as')?.String?.sval };
  }
  const language = String(option(node.options, 'language')?.String?.sval ?? (node.sql_body ? 'sql' : '')).toLowerCase();
  const as = option(node.options, 'as');
  const items: Node[] = as?.List?.items ?? (as?.String ? [as] : []);
  return { language, body: items.length === 1 ? items[0]?.String?.sval : undefined };
}

/** A function or procedure whose body this reader reads (sql, plpgsql): what calling it does is known here. */
export function routineIsRead(node: Node): boolean {
  const { language, body } = routineOf('function', node);
  return Boolean(node.sql_body) || ((language === 'sql' || language === 'plpgsql') && body !== undefined);
}

/** Cheap test on the AST alone: can this DO block / function report anything? */
export function routineNeedsReading(kind: RoutineSource['kind'], node: Node): boolean {
  if (kind === 'function' && node.sql_body) return true;
  const { language, body } = routineOf(kind, node);
  if (body === undefined) return false;
  if (language !== 'sql' && language !== 'plpgsql') return kind === 'do';
  return MAY_DESTROY.test(body);
}

export function readPlpgsql(host: PlpgsqlHost, src: RoutineSource): void {
  const { node, text, abs } = src;
  const { language, body } = routineOf(src.kind, node);
  if (src.kind === 'function') {
    if (node.sql_body) {
      // BEGIN ATOMIC … END: SQL-standard body, read as SQL
      const m = /\bbegin\s+atomic\b/i.exec(text);
      const endAt = text.search(/\bend\s*;?\s*$/i);
      if (m && endAt > m.index) host.readText(text.slice(m.index + m[0].length, endAt), abs + m.index + m[0].length, true);
      return;
    }
  }
  if (body === undefined) return;
  if (language !== 'sql' && language !== 'plpgsql') {
    if (src.kind === 'do') {
      host.sink.add({ kind: 'opaque', at: abs, statementStart: abs, statementText: text, detail: `DO block in language ${language}: its effect cannot be read statically` });
    }
    return;
  }
  if (!MAY_DESTROY.test(body)) return;
  const code = body;
  const bodyAt = (): number => abs + (locateBody(text, code)?.offset ?? 0);
  if (language === 'sql') {
    host.readText(body, bodyAt(), true);
    return;
  }
  if (!bodyMayAct(body)) return;
  const walker = new BodyWalker(host, body, bodyAt);
  let tree: Node;
  try {
    if (src.kind === 'function') {
      tree = host.lib.parsePlPgSQLSync(text);
    } else {
      let tag = '$dbsafe_do$';
      while (body.includes(tag)) tag = `$dbsafe_do${tag.length}$`;
      tree = host.lib.parsePlPgSQLSync(`CREATE FUNCTION dbsafe_do() RETURNS void LANGUAGE plpgsql AS ${tag}${body}${tag}`);
    }
  } catch {
    walker.emitScan();
    return;
  }
  walker.walk(tree);
}

class BodyWalker {
  private lines?: LineIndex;
  private start?: number;

  constructor(
    private readonly host: PlpgsqlHost,
    private readonly body: string,
    private readonly locate: () => number,
  ) {}

  /** Offset of the body in the sink's text (found only when something is reported). */
  private get bodyAbs(): number {
    this.start ??= this.locate();
    return this.start;
  }

  /** Offset in the body of `needle` on or after line `lineno` (1-based, counted in the body). */
  private find(needle: string, lineno: number | undefined): number {
    this.lines ??= new LineIndex(this.body);
    const from = this.lines.lineStart(lineno ?? 1);
    let idx = this.body.indexOf(needle, from);
    if (idx === -1) idx = this.body.indexOf(needle);
    return idx === -1 ? from : idx;
  }

  /** Every statement of the tree; `lineno` is the enclosing statement's line (for locating its expressions). */
  walk(node: Node, lineno?: number): void {
    if (Array.isArray(node)) {
      for (const n of node) this.walk(n, lineno);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const key in node) {
      const value = node[key];
      const line: number | undefined = typeof value?.lineno === 'number' ? value.lineno : lineno;
      if (key === 'PLpgSQL_stmt_execsql') {
        const query: string | undefined = value?.sqlstmt?.PLpgSQL_expr?.query;
        if (query && MAY_DESTROY.test(query)) this.host.readText(query, this.bodyAbs + this.find(query, line), true);
        continue;
      } else if (key === 'PLpgSQL_stmt_call') {
        // CALL p(): read as the statement it is (opaque unless p is created in this text)
        const query: string | undefined = value?.expr?.PLpgSQL_expr?.query;
        if (query) this.host.readText(query, this.bodyAbs + this.find(query, line), true);
        continue;
      } else if (key === 'PLpgSQL_stmt_dynexecute' || key === 'PLpgSQL_stmt_dynfors') {
        const query: string | undefined = value?.query?.PLpgSQL_expr?.query;
        if (query) this.dynamic(query, this.find(query, line));
        // its USING values are evaluated too, and a FOR loop has a body
        this.walk([value.params, value.body], line);
        continue;
      } else if ((key === 'PLpgSQL_stmt_open' || key === 'PLpgSQL_stmt_return_query') && value?.dynquery) {
        const query: string | undefined = value.dynquery?.PLpgSQL_expr?.query;
        if (query) this.dynamic(query, this.find(query, line));
        this.walk(value.params, line);
        continue;
      } else if (key === 'PLpgSQL_expr') {
        // any other expression the body evaluates: PERFORM, an assignment, IF / WHILE, RETURN, RAISE, a FOR query…
        this.expression(value, line);
        continue;
      }
      if (value && typeof value === 'object') this.walk(value, line);
    }
  }

  /**
   * An expression holding a call that acts (deletes, or runs SQL elsewhere), or a query PL/pgSQL runs as a
   * statement, is read as the SQL that PL/pgSQL runs for it. An assignment's `:=` / `=` becomes a comma of the same width, so its target
   * (a subscript may call something too) stays an expression and offsets still match the body.
   */
  private expression(expr: { query?: string; parseMode?: number } | undefined, lineno: number | undefined): void {
    const query = expr?.query;
    // a whole statement (FOR … IN query LOOP, RETURN QUERY, OPEN … FOR, PERFORM) is read as one when it may destroy
    if (!query || !(ACTING_CALL.test(query) || (expr.parseMode === 0 && MAY_DESTROY.test(query)))) return;
    let sql = query.replace(/^\s*perform\b/i, (perform) => `${' '.repeat(perform.length - 6)}SELECT`);
    // PL/pgSQL's parse modes: 0 a whole statement, 2 an expression, 3-5 an assignment `target := expr`
    if ((expr.parseMode ?? 0) >= 3) {
      let depth = 0;
      for (const t of tokenize(query, 'postgres')) {
        if (t.value === '(' || t.value === '[') depth++;
        else if (t.value === ')' || t.value === ']') depth--;
        else if (depth === 0 && (t.value === ':=' || t.value === '=')) {
          sql = `${query.slice(0, t.start)}${','.padEnd(t.value.length)}${query.slice(t.end)}`;
          break;
        }
      }
    }
    const prefix = expr.parseMode === 0 || /^\s*select\b/i.test(sql) ? '' : 'SELECT ';
    this.host.readText(prefix + sql, this.bodyAbs + this.find(query, lineno) - prefix.length, true);
  }

  /** EXECUTE <expr>: a single string literal is read as SQL; anything built at run time is opaque. */
  private dynamic(expr: string, offset: number): void {
    const toks = tokenize(expr, 'postgres');
    const at = this.bodyAbs + offset;
    const joined = literalConcatenation(toks);
    if (joined !== undefined && toks.length > 1) {
      // 'DROP TABLE ' || 'x': literals only, so the SQL is known; located at the expression
      const before = this.host.sink.ops.length;
      this.host.readText(joined, 0, true);
      for (const op of this.host.sink.ops.slice(before)) this.relocate(op, at);
      return;
    }
    const template = formatTemplate(toks);
    if (template !== undefined) {
      const before = this.host.sink.ops.length;
      this.host.readText(template, 0, true);
      for (const op of this.host.sink.ops.slice(before)) {
        this.relocate(op, at);
        const t = op.target;
        if (t && [t.name, t.table, t.schema].some((n) => n?.startsWith(RUNTIME_IDENT))) {
          // the statement acts on an object format() names at run time: known kind, unknown object
          op.detail = `${op.kind} of an object format() names at run time (%I)`;
          op.kind = 'opaque';
          delete op.target;
          op.statement = `EXECUTE ${expr}`;
        }
      }
      return;
    }
    const withRoles = roleNameConcatenation(toks);
    if (withRoles !== undefined) {
      const before = this.host.sink.ops.length;
      this.host.readText(withRoles, 0, true);
      for (const op of this.host.sink.ops.slice(before)) this.relocate(op, at);
      return;
    }
    if (toks.length === 1 && toks[0].type === 'string') {
      const literal = toks[0];
      const raw = expr.slice(literal.start, literal.end);
      // plain '…' / $$…$$ without escapes map 1:1 to the source; otherwise locate at the literal
      const opener = /^\$[^$]*\$/.exec(raw)?.[0].length ?? (raw.startsWith("'") && !literal.value.includes("'") && !raw.includes('\\') ? 1 : -1);
      if (opener > 0) {
        this.host.readText(literal.value, at + literal.start + opener, true);
      } else {
        const before = this.host.sink.ops.length;
        this.host.readText(literal.value, 0, true);
        for (const op of this.host.sink.ops.slice(before)) this.relocate(op, at);
      }
      return;
    }
    this.host.sink.add({
      kind: 'opaque', flags: { embedded: true }, at, statementStart: at, statementText: `EXECUTE ${expr}`,
      detail: `EXECUTE of SQL built at run time (${expr.length > 120 ? expr.slice(0, 117) + '...' : expr}): its effect cannot be known statically`,
    });
  }

  private relocate(op: { line: number; column: number; statementLine: number }, at: number): void {
    const p = this.host.sink.position(at);
    op.line = p.line;
    op.column = p.column;
    op.statementLine = p.line;
  }

  /** Report what our own scan finds (the PL/pgSQL parser rejected the body). */
  emitScan(): void {
    for (const found of scanBody(this.body)) {
      const { st, head } = found;
      const abs = this.bodyAbs + st.start;
      const piece = st.text.slice(head.start);
      switch (found.kind) {
        case 'call': {
          // PERFORM / RETURN f(…): the SELECT PL/pgSQL runs for it (PERFORM is as wide as ' SELECT')
          const select = head.upper === 'PERFORM' ? ' SELECT' : 'SELECT ';
          this.host.readText(`${select}${st.text.slice(head.end)}`, abs + head.end - select.length, true);
          break;
        }
        case 'execute': {
          const { toks, from } = found;
          let end = toks.length;
          const using = toks.findIndex((t, k) => k > from && t.type === 'word' && (t.upper === 'USING' || t.upper === 'INTO'));
          if (using !== -1) end = using;
          if (end > from + 1) this.dynamic(st.text.slice(toks[from + 1].start, toks[end - 1].end), st.start + toks[from + 1].start);
          break;
        }
        case 'program':
          this.host.readText(piece, abs + head.start, true);
          break;
        case 'unknown':
          this.host.sink.add({
            kind: 'unparseable', flags: { embedded: true }, at: abs + head.start, statementStart: abs + head.start, statementText: piece,
            detail: 'a statement of a PL/pgSQL body that the PL/pgSQL parser rejected and our recognizer cannot read',
          });
          break;
        case 'ops':
          for (const op of found.ops) {
            this.host.sink.add({
              kind: op.kind, target: op.target, flags: { ...op.flags, embedded: true }, at: abs + head.start + op.at,
              statementStart: abs + head.start, statementText: piece, ...(op.detail ? { detail: op.detail } : {}),
            });
          }
      }
    }
  }
}
