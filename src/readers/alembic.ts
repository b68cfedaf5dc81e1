/**
 * Alembic (Python). `upgrade*()` runs forward, `downgrade*()` on rollback; code outside both
 * (helpers, module level) is read as forward (fail closed). `op.*` schema calls become
 * operations; `op.execute(...)` / `conn.execute(...)` go to the SQL reader; anything whose
 * value cannot be known statically is `opaque` at its line.
 */
import type { Dialect, Direction, Operation } from '../model/operation.js';
import {
  childRef,
  makeContext,
  makeOp,
  opaqueOp,
  readEmbeddedSql,
  sortOperations,
  sqlWithValueInterpolations,
  substituteKnownHoles,
  tableRef,
  unparseableOp,
  type ReadContext,
  type SourceText,
} from './common.js';
import { PyParser, callsIn, dotted, literalString, logicalLines, stringParts, pythonTokensOrError, type PyTok, type PyValue } from './python.js';
import { downOnlyFunctions, namesInString, type FunctionBody } from './reachability.js';
import { mentionsDatabase, readImports, rootName, unseenCodeCall, type PyImports } from './python-indirect.js';
import { sqlalchemyCall } from './sqlalchemy-calls.js';
import { isNarrowing } from '../sql/type-narrowing.js';
import { usingReplacesValues } from '../sql/using-expression.js';
import type { FormatInput } from './types.js';
import { markClaimedScratchTables, type TableCreation } from './scratch-claims.js';

type Call = Extract<PyValue, { kind: 'call' }>;

interface Assignment {
  name: string;
  scope: number;
  offset: number;
  value: PyValue;
}

/** Resolves names to the values assigned to them (same function first, then module level). */
/** Every `name = value` with the function it belongs to (-1 = module level). */
export function collectAssignments(parser: PyParser, lines: ReturnType<typeof logicalLines>): Assignment[] {
  const assignments: Assignment[] = [];
  const stack: Block[] = [];
  for (const line of lines) {
    while (stack.length && stack[stack.length - 1].indent >= line.indent) stack.pop();
    const first = line.toks[0];
    const isDef = first.value === 'def' || (first.value === 'async' && line.toks[1]?.value === 'def');
    if (isDef) stack.push({ indent: line.indent, scopeId: first.start });
    const scopeId = [...stack].reverse().find((b) => b.scopeId !== undefined)?.scopeId ?? -1;
    let eq = -1;
    if (first.type === 'name' && line.toks[1]?.value === '=') eq = 1;
    else if (first.type === 'name' && line.toks[1]?.value === ':' && !isDef) eq = line.toks.findIndex((t) => t.type === 'op' && t.value === '=');
    if (eq > 0) assignments.push({ name: first.value, scope: scopeId, offset: first.start, value: parser.parseExpr(line.startIndex + eq + 1).value });
  }
  return assignments;
}

/**
 * SQLAlchemy runs every SQL string as `text()`, where `:name` is a bound parameter (a value, never a name).
 * Each becomes a parameter the SQL parser accepts (`$1` / `?`), padded to the same length so positions hold;
 * strings, quoted names, comments and `::` casts are left alone. SQLite reads `:name` itself.
 */
export function withoutBindParams(source: SourceText, dialect: Dialect): SourceText {
  const text = source.text;
  if (dialect === 'sqlite' || !/(?<![:\w]):[A-Za-z_]/.test(text)) return source;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const skipTo = (end: number) => {
      const to = end === -1 ? text.length : end;
      out += text.slice(i, to);
      i = to;
    };
    if (c === "'" || c === '"' || c === '`') skipTo(text.indexOf(c, i + 1) + 1 || text.length);
    else if (c === '-' && text[i + 1] === '-') skipTo(text.indexOf('\n', i));
    else if (c === '/' && text[i + 1] === '*') skipTo(text.indexOf('*/', i) === -1 ? -1 : text.indexOf('*/', i) + 2);
    else if (c === '$' && /^\$\w*\$/.test(text.slice(i, i + 64))) {
      const tag = /^\$\w*\$/.exec(text.slice(i, i + 64))![0];
      const close = text.indexOf(tag, i + tag.length);
      skipTo(close === -1 ? -1 : close + tag.length);
    } else if (c === ':' && text[i - 1] !== ':' && !/\w/.test(text[i - 1] ?? '') && /[A-Za-z_]/.test(text[i + 1] ?? '') && text[i + 1] !== ':') {
      const name = /^:[A-Za-z_]\w*/.exec(text.slice(i))![0];
      out += (dialect === 'postgres' ? '$1' : '?').padEnd(name.length, ' ');
      i += name.length;
    } else {
      out += c;
      i++;
    }
  }
  return out === text ? source : { text: out, map: source.map };
}

/**
 * Read resolved SQL. SQL held in a variable is reported at the call that runs it (where a
 * reviewer looks and a marker goes), with the variable's line in the detail.
 */
export async function readResolvedSql(
  ctx: ReadContext,
  resolved: { source: SourceText; viaName?: string },
  direction: Direction,
  at: number,
  callStart: number,
): Promise<Operation[]> {
  const found = await readEmbeddedSql(ctx, withoutBindParams(resolved.source, ctx.dialect), direction);
  if (!resolved.viaName) return found;
  const pos = ctx.lines.position(at);
  const definedAt = ctx.lines.lineOf(resolved.source.map[Math.max(0, resolved.source.text.search(/\S/))] ?? 0);
  return found.map((op) => ({
    ...op,
    line: pos.line,
    column: pos.column,
    statementLine: ctx.lines.lineOf(callStart),
    detail: [op.detail, `SQL from \`${resolved.viaName}\` (line ${definedAt})`].filter(Boolean).join('; '),
  }));
}

/** Whether a call's arguments mention any of the names. */
function mentions(call: Call, names: Map<string, PyValue>): boolean {
  const walk = (v: PyValue): boolean => {
    if (v.kind === 'name') return names.has(v.name);
    if (v.kind === 'call') return [...v.args, ...v.kwargs.values()].some(walk) || walk(v.func);
    if (v.kind === 'attr') return walk(v.obj);
    if (v.kind === 'list') return v.items.some(walk);
    if (v.kind === 'dict') return v.entries.some(([a, b]) => walk(a) || walk(b));
    return false;
  };
  return [...call.args, ...call.kwargs.values()].some(walk);
}

/**
 * Top-level functions that run only on rollback (see reachability.ts): reached from `downgrade()`
 * and not from `upgrade()` or module-level code. Any mention counts (`helper()`, `run_callable(helper)`,
 * `globals()["downgrade_%s" % engine]`).
 */
export function downgradeOnlyFunctions(lines: ReturnType<typeof logicalLines>): Set<string> {
  const defined = new Set<string>();
  for (const line of lines) {
    const nameTok = defName(line.toks);
    if (nameTok && line.indent === 0) defined.add(nameTok.value);
  }
  const bodies: FunctionBody[] = [];
  let current: string[] | undefined;
  const moduleMentions: string[] = [];
  for (const line of lines) {
    const nameTok = defName(line.toks);
    if (line.indent === 0) current = undefined;
    if (nameTok && line.indent === 0) {
      current = [];
      bodies.push({ name: nameTok.value, mentions: current });
    }
    for (const t of line.toks) {
      if (t === nameTok) continue;
      const into = current ?? moduleMentions;
      if (t.type === 'name' && defined.has(t.value)) into.push(t.value);
      else if (t.type === 'string' && t.str) into.push(...namesInString(t.str.source.text, defined));
    }
  }
  return downOnlyFunctions(bodies, { up: ['upgrade', ...moduleMentions], down: ['downgrade'] });
}

/** The name token of a `def` / `async def` line. */
function defName(toks: PyTok[]): PyTok | undefined {
  if (toks[0]?.value === 'def') return toks[1];
  if (toks[0]?.value === 'async' && toks[1]?.value === 'def') return toks[2];
  return undefined;
}

export class PyScope {
  constructor(private readonly assignments: Assignment[]) {}
  lookup(name: string, scope: number, offset: number): PyValue | undefined {
    let best: Assignment | undefined;
    for (const a of this.assignments) {
      if (a.name !== name) continue;
      if (a.scope === scope && a.offset < offset) best = a;
    }
    if (best) return best.value;
    for (const a of this.assignments) if (a.name === name && a.scope === -1) best = a; // module level: defined by the time functions run
    return best?.value;
  }
}

/** Calls that give back the SQL they are handed: SQLAlchemy's constructs, and text-only reshaping (`textwrap.dedent`). */
const TEXT_WRAPPERS = /(^|\.)(text|DDL|literal_column|f|dedent|cleandoc)$/;
/** Methods of such a value that keep its SQL (whitespace trimming, SQLAlchemy's options). */
const KEEPING_METHODS = ['bindparams', 'columns', 'execution_options', 'strip', 'lstrip', 'rstrip'];

export interface ValueResolver {
  /** A literal string (identifier): undefined when it is computed at run time. */
  ident(v: PyValue | undefined): string | undefined;
  /** The value a name was assigned (or the value itself). */
  value(v: PyValue): PyValue | undefined;
  /** SQL text, or the reason it cannot be known. */
  sql(v: PyValue): { source: SourceText; viaName?: string } | { opaque: string };
}

export function makeResolver(scope: PyScope, scopeId: number, overrides?: Map<string, PyValue>, fileText?: string): ValueResolver {
  const resolve = (v: PyValue | undefined): PyValue | undefined => {
    for (let i = 0; v && i < 8; i++) {
      if (v.kind === 'name') {
        v = overrides?.get(v.name) ?? scope.lookup(v.name, scopeId, v.start);
        continue;
      }
      if (v.kind === 'call') {
        const callee = dotted(v.func) ?? '';
        if (TEXT_WRAPPERS.test(callee) && v.args.length >= 1) {
          v = v.args[0];
          continue;
        }
        if (v.func.kind === 'attr' && KEEPING_METHODS.includes(v.func.name)) {
          v = v.func.obj;
          continue;
        }
      }
      return v;
    }
    return v;
  };
  return {
    value(v) {
      return v.kind === 'name' ? (overrides?.get(v.name) ?? scope.lookup(v.name, scopeId, v.start)) : v;
    },
    ident(v) {
      const r = resolve(v);
      return r ? literalString(r)?.text : undefined;
    },
    sql(v) {
      const r = resolve(v);
      const viaName = v.kind === 'name' || (v.kind === 'call' && v.args[0]?.kind === 'name') ? (v.kind === 'name' ? v.name : (v as Call).args[0].kind === 'name' ? ((v as Call).args[0] as { name: string }).name : undefined) : undefined;
      if (!r) return { opaque: 'the SQL comes from a name whose value is not a literal string' };
      const raw = stringParts(r);
      if (!raw) return { opaque: 'the SQL is built at run time (not a literal string)' };
      const parts = fileText ? substituteKnownHoles(raw, fileText, (name, offset) => literalString(resolve({ kind: 'name', name, start: offset, end: offset }))?.text) : raw;
      const source = sqlWithValueInterpolations(parts);
      if (!source) return { opaque: 'the SQL is an f-string that interpolates identifiers or statement text' };
      return viaName ? { source, viaName } : { source };
    },
  };
}

function arg(call: Call, position: number, keyword: string): PyValue | undefined {
  return call.kwargs.get(keyword) ?? call.args[position];
}

function isNone(v: PyValue | undefined): boolean {
  return v?.kind === 'const' && v.value === 'None';
}

/** Autogenerate writes `op.drop_constraint(None, 't', type_='foreignkey')` for unnamed constraints. */
const UNNAMED_NOTE = 'constraint name is None: the name comes from the naming convention or the database';
function unnamedConstraint(call: Call): string {
  const type = literalString(call.kwargs.get('type_'))?.text;
  return `(unnamed${type ? ` ${type}` : ''})`;
}

function isTrue(v: PyValue | undefined): boolean {
  return v?.kind === 'const' && v.value === 'True';
}

interface Block {
  indent: number;
  direction?: Direction;
  scopeId?: number;
  /** A def: the indentation of its body's statements, and the offset where it ends (once known). */
  bodyIndent?: number;
  end?: number;
  batch?: { alias: string; table: string | undefined; schema: string | undefined };
  /** `for a, b in LITERAL_LIST:` → one binding per iteration. */
  loop?: Array<Map<string, PyValue>>;
}

/** Iterations of `for <names> in <iterable>` when the iterable is a literal list/tuple (possibly via a name). */
function literalLoop(names: string[], iterable: PyValue, r: ValueResolver, text: string): Array<Map<string, PyValue>> | undefined {
  let it: PyValue | undefined = iterable;
  // reversed(X), sorted(X), list(X), tuple(X)
  while (it?.kind === 'call' && it.func.kind === 'name' && ['reversed', 'sorted', 'list', 'tuple'].includes(it.func.name) && it.args.length === 1) it = it.args[0];
  // a list that the file changes (`rows.append(…)`, `rows += …`) holds more than its literal
  if (it?.kind === 'name' && new RegExp(`(?<![\\w.])${it.name}\\s*(?:\\.\\s*(?:append|extend|insert)\\s*\\(|\\+=|\\[[^\\]]*\\]\\s*=)`).test(text)) return undefined;
  it = it ? r.value(it) : undefined;
  if (!it || it.kind !== 'list') return undefined;
  const out: Array<Map<string, PyValue>> = [];
  for (const item of it.items) {
    const binding = new Map<string, PyValue>();
    if (names.length === 1) binding.set(names[0], item);
    else if (item.kind === 'list' && item.items.length === names.length) names.forEach((n, k) => binding.set(n, item.items[k]));
    else return undefined;
    out.push(binding);
  }
  return out;
}

/** Alembic operations that never destroy data (the destructive ones are read above, everything else is opaque). */
const QUIET_OPERATIONS = new Set([
  'add_column', 'bulk_insert', 'create_check_constraint', 'create_exclude_constraint', 'create_foreign_key', 'create_index',
  'create_primary_key', 'create_table', 'create_table_comment', 'create_unique_constraint', 'drop_table_comment',
  'f', 'get_bind', 'get_context', 'inline_literal', 'batch_alter_table',
  // attributes read for the dialect (`op.impl.dialect.name`), never operations
  'impl', 'migration_context', 'schema_obj',
  // plugins' creating operations: alembic_utils (views, functions, triggers, policies), GeoAlchemy2
  'create_entity', 'replace_entity', 'create_geospatial_table', 'add_geospatial_column', 'create_geospatial_index',
]);

const KEYWORDS = new Set(['def', 'class', 'if', 'elif', 'else', 'for', 'while', 'with', 'try', 'except', 'finally', 'return', 'async', 'import', 'from', 'pass', 'in', 'and', 'or', 'not', 'is', 'raise', 'assert', 'global', 'nonlocal', 'del', 'yield', 'lambda', 'as', 'await']);

export async function readAlembic(input: FormatInput): Promise<Operation[]> {
  const ctx = makeContext(input.path, input.text, input.dialect);
  const tokenized = pythonTokensOrError(ctx, input.text);
  if ('error' in tokenized) return [tokenized.error];
  const toks = tokenized.toks;
  const parser = new PyParser(toks);
  const lines = logicalLines(toks);
  const assignments: Assignment[] = [];
  const ops: Operation[] = [];
  const pending: Array<Promise<Operation[]>> = [];

  assignments.push(...collectAssignments(parser, lines));
  const scope = new PyScope(assignments);

  const downOnly = downgradeOnlyFunctions(lines);
  const imports = readImports(lines);
  const isOpValue = (v: PyValue): boolean => {
    const name = dotted(v);
    return name === 'alembic.op' || (name !== undefined && imports.opNames.has(name));
  };

  /** Operations referred to but not called here (`map(op.drop_table, …)`, `run(drop)` with `drop = op.drop_table`). */
  function uncalledOpMethods(v: PyValue, r: ValueResolver): Array<{ start: number; end: number; method: string }> {
    const found: Array<{ start: number; end: number; method: string }> = [];
    const walk = (x: PyValue, asArgument: boolean): void => {
      if (x.kind === 'attr') {
        if (isOpValue(x.obj)) {
          if (!QUIET_OPERATIONS.has(x.name)) found.push({ start: x.start, end: x.end, method: dotted(x) ?? x.name });
        } else walk(x.obj, false);
      } else if (x.kind === 'name' && asArgument) {
        const aliased = r.value(x);
        if (aliased !== x && aliased?.kind === 'attr' && isOpValue(aliased.obj) && !QUIET_OPERATIONS.has(aliased.name)) found.push({ start: x.start, end: x.end, method: `${x.name} (${dotted(aliased)})` });
      } else if (x.kind === 'call') {
        if (x.func.kind === 'attr') walk(x.func.obj, false);
        else if (x.func.kind !== 'name') walk(x.func, false);
        for (const a of [...x.args, ...x.kwargs.values()]) walk(a, true);
      } else if (x.kind === 'list') for (const a of x.items) walk(a, asArgument);
      else if (x.kind === 'dict') for (const [a, b] of x.entries) (walk(a, asArgument), walk(b, asArgument));
      else if (x.kind === 'unknown') for (const a of x.parts ?? []) walk(a, asArgument);
    };
    walk(v, false);
    return found;
  }

  // Pass 2: operations.
  const stack: Block[] = [];
  const handled = new Set<Call>();
  const creations: Array<Omit<TableCreation, 'scopeEnd'> & { def: Block }> = [];
  let statementStart = -1; // offset of the line's first token when the line is a statement of its def's body
  for (const line of lines) {
    while (stack.length && stack[stack.length - 1].indent >= line.indent) stack.pop()!.end = line.toks[0].start;
    const first = line.toks[0];
    const def = [...stack].reverse().find((b) => b.scopeId !== undefined);
    if (def && def.bodyIndent === undefined) def.bodyIndent = line.indent;
    statementStart = def && def.bodyIndent === line.indent ? first.start : -1;
    const direction = (): Direction => [...stack].reverse().find((b) => b.direction)?.direction ?? 'up';
    const scopeId = (): number => [...stack].reverse().find((b) => b.scopeId !== undefined)?.scopeId ?? -1;
    const defTok = first.value === 'def' ? line.toks[1] : first.value === 'async' && line.toks[1]?.value === 'def' ? line.toks[2] : undefined;
    // A nested def runs with the function that holds it.
    if (defTok) stack.push({ indent: line.indent, scopeId: first.start, direction: line.indent > 0 ? undefined : downOnly.has(defTok.value) ? 'down' : 'up' });

    // a line the reader cannot follow is unparseable; the lines before and after are still read
    // `drop = op.drop_table`: an alias, read where it is called
    const aliasLine = line.toks.length >= 3 && first.type === 'name' && line.toks[1].value === '=' && line.toks.slice(2).every((t) => t.type === 'name' || t.value === '.');
    try {
      let k = defTok ? line.toks.findIndex((t) => t.type === 'op' && t.value === ':' ) + 1 || line.toks.length : 0;
      if (first.value === 'with' || (first.value === 'async' && line.toks[1]?.value === 'with')) {
        // with op.batch_alter_table("t", schema="s") as batch_op:
        let j = line.startIndex + (first.value === 'with' ? 1 : 2);
        for (;;) {
          const item = parser.parseExpr(j);
          const asTok = parser.toks[item.next];
          let alias: string | undefined;
          let next = item.next;
          if (asTok?.value === 'as' && parser.toks[item.next + 1]?.type === 'name') {
            alias = parser.toks[item.next + 1].value;
            next = item.next + 2;
          }
          if (item.value.kind === 'call' && /(^|\.)op\.batch_alter_table$/.test(dotted(item.value.func) ?? '') && alias) {
            const r = makeResolver(scope, scopeId());
            const tableArg = arg(item.value, 0, 'table_name');
            const schemaArg = arg(item.value, 1, 'schema');
            stack.push({ indent: line.indent, batch: { alias, table: r.ident(tableArg), schema: r.ident(schemaArg) } });
            if (tableArg && !r.ident(tableArg)) ops.push(opaqueOp(ctx, item.value.start, direction(), ctx.text.slice(item.value.start, item.value.end), 'batch_alter_table with a table name computed at run time'));
            handled.add(item.value);
          }
          visit(item.value);
          if (parser.toks[next]?.value === ',') j = next + 1;
          else {
            k = next - line.startIndex; // a body on the same line (`with x: op.drop_table("t")`) is read below
            break;
          }
        }
      }
      if (first.value === 'for') {
        // for name[, name] in <iterable>:
        const inAt = line.toks.findIndex((t) => t.type === 'name' && t.value === 'in');
        const names = line.toks.slice(1, inAt).filter((t) => t.type === 'name').map((t) => t.value);
        if (inAt > 1) {
          const iterable = parser.parseExpr(line.startIndex + inAt + 1, true).value;
          const loop = literalLoop(names, iterable, makeResolver(scope, scopeId()), ctx.text);
          if (loop) stack.push({ indent: line.indent, loop });
        }
      }
      // f"{op.drop_table('users')}": a hole runs its code; the reader does not parse holes, so it is opaque
      for (const t of line.toks) {
        const holes = t.str?.parts?.filter((p): p is { hole: number } => 'hole' in p) ?? [];
        const call = holes.find((h) => [...imports.opNames].some((name) => new RegExp(`^\\{[^}]*\\b${name}\\s*\\.`).test(ctx.text.slice(h.hole, h.hole + 200))));
        if (call) ops.push(opaqueOp(ctx, call.hole, direction(), t.value, 'an f-string runs an operation inside {…}: what it does is not read'));
      }
      while (k < line.toks.length) {
        const t = line.toks[k];
        const prev = line.toks[k - 1];
        if ((t.type === 'name' && !KEYWORDS.has(t.value) && !(prev && prev.type === 'op' && prev.value === '.')) || t.type === 'string' || (t.type === 'op' && '([{'.includes(t.value))) {
          // stop at a block's colon: `if c: op.drop_table("t")` runs its body on the same line
          const { value, next } = parser.parseExpr(line.startIndex + k, true);
          visit(value);
          if (!aliasLine) for (const ref of uncalledOpMethods(value, makeResolver(scope, scopeId(), undefined, ctx.text))) ops.push(opaqueOp(ctx, ref.start, direction(), ctx.text.slice(ref.start, ref.end), `${ref.method} is passed around rather than called here: where and with what it runs cannot be followed`));
          k = Math.max(k + 1, next - line.startIndex);
        } else k++;
      }
    } catch (error) {
      ops.push(unparseableOp(ctx, first.start, direction(), ctx.lines.lineText(ctx.lines.lineOf(first.start)), `the alembic reader failed on this line: ${(error as Error)?.message ?? String(error)}`));
    }

    function visit(value: PyValue) {
      const loop = [...stack].reverse().find((b) => b.loop)?.loop;
      for (const call of callsIn(value)) {
        if (handled.has(call)) continue;
        handled.add(call);
        // a call inside `for x in ["a", "b"]:` that uses x runs once per literal value
        const usesLoop = loop && loop.length > 0 && mentions(call, loop[0]);
        if (usesLoop) for (const binding of loop!) handleCall(call, direction(), makeResolver(scope, scopeId(), binding, ctx.text), stack);
        else handleCall(call, direction(), makeResolver(scope, scopeId(), undefined, ctx.text), stack);
      }
    }
  }

  function handleCall(call: Call, direction: Direction, r: ValueResolver, blocks: Block[]) {
    const opaqueCall = (detail: string) => ops.push(opaqueOp(ctx, call.start, direction, ctx.text.slice(call.start, call.end), detail));
    const unseen = unseenCodeCall(dotted(call.func), imports);
    if (unseen) return void opaqueCall(unseen);
    const givenDatabase = () => call.args.some((a) => mentionsDatabase(a, imports.opNames)) || [...call.kwargs.values()].some((a) => mentionsDatabase(a, imports.opNames));
    if (call.func.kind === 'name') {
      const name = call.func.name;
      // from alembic.op import drop_table [as dt]: dt("users") is op.drop_table("users")
      const opMethod = imports.opFunctions.get(name);
      if (opMethod) return handleCall({ ...call, func: { kind: 'attr', obj: { kind: 'name', name: 'op', start: call.func.start, end: call.func.start }, name: opMethod, start: call.func.start, end: call.func.end } }, direction, r, blocks);
      // drop = op.drop_table; drop("users")
      const aliased = r.value(call.func);
      if (aliased?.kind === 'attr' && isOpValue(aliased.obj)) return handleCall({ ...call, func: { ...aliased, start: call.func.start, end: call.func.end } }, direction, r, blocks);
      if (name === 'exec' || name === 'eval') return void opaqueCall(`${name}() runs code from a string: its effect cannot be known statically`);
      const module = imports.projectNames.get(name);
      if (module && givenDatabase()) return void opaqueCall(`${name} from ${module} is given the database: what it runs cannot be known statically`);
      return;
    }
    // getattr(op, "drop_table")("users"): the method named by a literal, else chosen at run time
    if (call.func.kind === 'call' && call.func.func.kind === 'name' && call.func.func.name === 'getattr') {
      const [obj, attrName] = call.func.args;
      const literal = r.ident(attrName);
      if (obj && literal !== undefined) return handleCall({ ...call, func: { kind: 'attr', obj, name: literal, start: call.func.start, end: call.func.end } }, direction, r, blocks);
      if (mentionsDatabase(obj, imports.opNames)) return void opaqueCall('getattr picks the method at run time: its effect cannot be known statically');
      return;
    }
    if (call.func.kind !== 'attr') return;
    const method = call.func.name;
    const receiver = dotted(call.func.obj);
    const statement = ctx.text.slice(call.start, call.end);
    const at = call.func.end - method.length;
    const batch = [...blocks].reverse().find((b) => b.batch && b.batch.alias === receiver)?.batch;
    const isOp = receiver === 'op' || receiver === 'alembic.op' || (receiver !== undefined && imports.opNames.has(receiver));
    const root = rootName(call.func);
    const module = root !== undefined && !isOp ? imports.projectNames.get(root) : undefined;
    if (module && givenDatabase()) return void opaqueCall(`${dotted(call.func) ?? root} from ${module} is given the database: what it runs cannot be known statically`);
    const dynamic = (what: string) => ops.push(opaqueOp(ctx, at, direction, statement, `${receiver}.${method} with ${what} computed at run time`));
    const push = (init: Omit<Parameters<typeof makeOp>[1], 'offset' | 'statementOffset' | 'direction' | 'statement'>) =>
      ops.push(makeOp(ctx, { ...init, offset: at, statementOffset: call.start, direction, statement }));

    if ((isOp || batch) && method === 'execute') return sql(call.args[0] ?? call.kwargs.get('sqltext'));
    if (!isOp && !batch && (method === 'execute' || method === 'exec_driver_sql')) {
      // conn.execute(...), op.get_bind().execute(...), session.execute(...)
      if (receiver && /connection|conn|bind|session|engine|connectable|(^|\.)db$/i.test(receiver)) return sql(call.args[0]);
      return;
    }
    if (!isOp && !batch && sqlalchemyCall(call, method, r, push, opaqueCall)) return;
    if (!isOp && !batch) {
      // batch_op.drop_column(...) on a batch object passed around (a helper's parameter): table unknown
      if (receiver && /^(drop_column|drop_index|drop_constraint|drop_table|rename_table)$/.test(method) && !/(^|\.)(metadata|inspector|insp)$/.test(receiver)) {
        ops.push(opaqueOp(ctx, at, direction, statement, `${receiver}.${method} on an object that is not op or a batch_alter_table block: its table cannot be told statically`));
      }
      return;
    }
    const schemaArg = call.kwargs.get('schema');
    const schema = batch ? batch.schema : r.ident(schemaArg);
    if (schemaArg && !(schemaArg.kind === 'const') && schema === undefined) return dynamic('a schema');
    if (batch) {
      const table = batch.table;
      if (table === undefined) return; // already reported at the `with`
      switch (method) {
        case 'drop_column': {
          const col = r.ident(arg(call, 0, 'column_name'));
          if (col === undefined) return dynamic('a column name');
          return push({ kind: 'drop-column', target: childRef('column', table, col, schema) });
        }
        case 'drop_index': {
          const name = r.ident(arg(call, 0, 'index_name'));
          if (name === undefined) return dynamic('an index name');
          return push({ kind: 'drop-index', target: childRef('index', table, name, schema) });
        }
        case 'drop_constraint': {
          const nameArg = arg(call, 0, 'constraint_name');
          const name = isNone(nameArg) ? unnamedConstraint(call) : r.ident(nameArg);
          if (name === undefined) return dynamic('a constraint name');
          return push({ kind: 'drop-constraint', target: childRef('constraint', table, name, schema), detail: isNone(nameArg) ? UNNAMED_NOTE : undefined });
        }
        case 'alter_column':
          return alterColumn(table, r.ident(arg(call, 0, 'column_name')), 1);
      }
      return unknownOperation();
    }
    switch (method) {
      case 'create_table': {
        // `op.create_table("t", …)` or `t = op.create_table(…)` as a statement of the function body
        const table = r.ident(arg(call, 0, 'table_name'));
        const owner = [...blocks].reverse().find((b) => b.scopeId !== undefined);
        const lead = statementStart >= 0 && statementStart <= call.start ? ctx.text.slice(statementStart, call.start) : undefined;
        const whole = lead !== undefined && /^(?:[A-Za-z_]\w*\s*=\s*)?$/.test(lead);
        if (table !== undefined && owner && whole && !isTrue(call.kwargs.get('if_not_exists'))) creations.push({ table, schema, direction, offset: call.start, def: owner });
        return;
      }
      case 'drop_table': {
        const table = r.ident(arg(call, 0, 'table_name'));
        if (table === undefined) return dynamic('a table name');
        return push({ kind: 'drop-table', target: tableRef(table, schema), flags: isTrue(call.kwargs.get('if_exists')) ? { ifExists: true } : {} });
      }
      case 'drop_column': {
        const table = r.ident(arg(call, 0, 'table_name'));
        const col = r.ident(arg(call, 1, 'column_name'));
        if (table === undefined || col === undefined) return dynamic('a table or column name');
        return push({ kind: 'drop-column', target: childRef('column', table, col, schema) });
      }
      case 'drop_index': {
        const name = r.ident(arg(call, 0, 'index_name'));
        const tableArg = arg(call, 1, 'table_name');
        const table = r.ident(tableArg);
        if (name === undefined || (tableArg && tableArg.kind !== 'const' && table === undefined)) return dynamic('an index or table name');
        return push({
          kind: 'drop-index',
          target: childRef('index', table, name, schema),
          flags: { ...(isTrue(call.kwargs.get('if_exists')) ? { ifExists: true } : {}), ...(isTrue(call.kwargs.get('postgresql_concurrently')) ? { concurrently: true } : {}) },
        });
      }
      case 'drop_constraint': {
        const nameArg = arg(call, 0, 'constraint_name');
        const name = isNone(nameArg) ? unnamedConstraint(call) : r.ident(nameArg);
        const table = r.ident(arg(call, 1, 'table_name'));
        if (name === undefined || table === undefined) return dynamic('a constraint or table name');
        return push({ kind: 'drop-constraint', target: childRef('constraint', table, name, schema), detail: isNone(nameArg) ? UNNAMED_NOTE : undefined });
      }
      case 'rename_table': {
        const from = r.ident(arg(call, 0, 'old_table_name'));
        const to = r.ident(arg(call, 1, 'new_table_name'));
        if (from === undefined || to === undefined) return dynamic('a table name');
        return push({ kind: 'rename-table', target: tableRef(from, schema), flags: { newName: to } });
      }
      case 'alter_column': {
        const table = r.ident(arg(call, 0, 'table_name'));
        if (table === undefined) return dynamic('a table name');
        return alterColumn(table, r.ident(arg(call, 1, 'column_name')), 2);
      }
    }
    return unknownOperation();

    /** A custom or third-party operation (`op.purge_legacy(…)`, `op.invoke(DropTableOp(…))`) may do anything. */
    function unknownOperation() {
      if (QUIET_OPERATIONS.has(method)) return;
      ops.push(opaqueOp(ctx, at, direction, statement, `${receiver}.${method} is not an Alembic operation dbsafe knows (a custom or plugin operation, or one run indirectly): what it does cannot be known statically`));
    }

    /**
     * SQLAlchemy Core statements (`t.insert().values(...)`, `sa.select(...)`, `t.update().where(...)`,
     * `t.delete()`): inserts, selects and filtered changes are safe; an unfiltered update/delete is
     * reported on the table when `t = sa.table("name", ...)` is known. Returns true when handled.
     */
    function coreExpression(v: PyValue): boolean {
      if (v.kind !== 'call') return false;
      const methods: string[] = [];
      let cur: PyValue = v;
      let root: PyValue | undefined;
      while (cur.kind === 'call' || cur.kind === 'attr') {
        if (cur.kind === 'call') {
          if (cur.func.kind === 'attr') methods.push(cur.func.name);
          else if (cur.func.kind === 'name') methods.push(cur.func.name);
          cur = cur.func.kind === 'attr' ? cur.func.obj : cur.func;
          if (cur.kind === 'name') root = cur;
        } else cur = cur.obj;
      }
      if (cur.kind === 'name') root = cur;
      if (methods.includes('insert') || methods.includes('select')) return !methods.includes('update') && !methods.includes('delete');
      const kind = methods.includes('delete') ? 'delete-all' : methods.includes('update') ? 'update-all' : undefined;
      if (!kind) return false;
      if (methods.includes('where') || methods.includes('filter') || methods.includes('filter_by')) return true;
      // t.delete() with t = sa.table("users"), or sa.table("users").delete() itself
      let inline: PyValue | undefined;
      for (let c: PyValue = v; c.kind === 'call' || c.kind === 'attr'; c = c.kind === 'call' ? c.func : c.obj) if (c.kind === 'call' && /(^|\.)(table|Table)$/.test(dotted(c.func) ?? '')) inline = c;
      const tableValue = inline ?? (root ? r.value(root) : undefined);
      const tableName = tableValue?.kind === 'call' && /(^|\.)(table|Table)$/.test(dotted(tableValue.func) ?? '') ? r.ident(tableValue.args[0]) : undefined;
      if (tableName === undefined) return false; // unknown table: opaque below
      push({ kind, target: tableRef(tableName), detail: 'SQLAlchemy Core statement without where()' });
      return true;
    }

    function alterColumn(table: string, column: string | undefined, _firstKw: number) {
      if (column === undefined) return dynamic('a column name');
      const newName = call.kwargs.get('new_column_name');
      const type = call.kwargs.get('type_');
      const existing = call.kwargs.get('existing_type');
      if (type && type.kind !== 'const') {
        const flags: Operation['flags'] = { newType: ctx.text.slice(type.start, type.end) };
        if (existing && existing.kind !== 'const') flags.oldType = ctx.text.slice(existing.start, existing.end);
        const narrowing = isNarrowing(flags.oldType, flags.newType);
        if (narrowing !== undefined) flags.narrowing = narrowing;
        const using = r.ident(call.kwargs.get('postgresql_using'));
        if (using !== undefined && usingReplacesValues(using, column)) flags.valuesReplaced = true;
        push({ kind: 'alter-column-type', target: childRef('column', table, column, schema), flags });
      }
      if (newName && newName.kind !== 'const') {
        const to = r.ident(newName);
        if (to === undefined) return dynamic('a new column name');
        push({ kind: 'rename-column', target: childRef('column', table, column, schema), flags: { newName: to } });
      }
    }

    function sql(v: PyValue | undefined) {
      if (!v) return;
      if (coreExpression(v)) return;
      const resolved = r.sql(v);
      if ('opaque' in resolved) return ops.push(opaqueOp(ctx, at, direction, statement, resolved.opaque));
      pending.push(readResolvedSql(ctx, resolved, direction, at, call.start));
    }
  }

  ops.push(...migrationFromElsewhere(ctx, lines, imports, assignments));
  for (const more of await Promise.all(pending)) ops.push(...more);
  markClaimedScratchTables(ctx, ops, creations.map(({ def, ...c }) => ({ ...c, scopeEnd: def.end ?? ctx.text.length })));
  return sortOperations(ops);
}

/**
 * `from shared.drops import upgrade, downgrade`, `upgrade = make_upgrade(…)`, `from shared.drops import *`: the code
 * Alembic runs is not in this file (docs/rules/opaque.md: the project's own modules are opaque).
 */
function migrationFromElsewhere(ctx: ReadContext, lines: ReturnType<typeof logicalLines>, imports: PyImports, assignments: Assignment[]): Operation[] {
  const defined = new Set(lines.filter((l) => l.indent === 0).map((l) => defName(l.toks)?.value));
  const out: Operation[] = [];
  for (const [name, direction] of [['upgrade', 'up'], ['downgrade', 'down']] as const) {
    if (defined.has(name)) continue;
    const from = imports.qualified.get(name) ?? imports.starModules[0];
    const assigned = assignments.find((a) => a.name === name && a.scope === -1);
    if (from === undefined && !assigned) continue;
    const at = assigned?.offset ?? lines.find((l) => l.toks[0]?.value === 'from' || l.toks[0]?.value === 'import')?.toks[0].start ?? 0;
    const why = from !== undefined ? `${name}() comes from ${from}` : `${name} is assigned a value computed at run time`;
    out.push(opaqueOp(ctx, at, direction, ctx.lines.lineText(ctx.lines.lineOf(at)), `${why}: the migration's code is not in this file`));
  }
  return out;
}

export type { ReadContext };
