/**
 * The part Knex, TypeORM and Sequelize readers share: tokenize, find up/down regions, visit every
 * call chain with its direction, resolve `const` strings, read raw SQL through the SQL reader.
 */
import type { Dialect, Direction, Operation, OperationFlags, OperationKind, ObjectRef } from '../model/operation.js';
import { SourceSyntaxError, substituteKnownHoles, syntaxErrorOp, makeContext, makeOp, opaqueOp, readEmbeddedSql, sortOperations, sqlWithValueInterpolations, unparseableOp, type ReadContext, type SourceText } from './common.js';
import { JsParser, chainCalls, chains, directionAt, findRegions, literalText, tokenIndexAt, tokenizeJs, type JsValue, type Region } from './js.js';
import { collectBindings, type JsBinding } from './js-bindings.js';
import { foreignEntries } from './js-foreign-entries.js';
import { MIGRATION_HANDLES, collectIndirection, directCall, mentionsHandle, rootOf, substituteRoot } from './js-indirect.js';
import type { FormatInput } from './types.js';
import { markClaimedScratchTables, type TableCreation } from './scratch-claims.js';

export type JsCall = Extract<JsValue, { kind: 'call' }>;

export interface TableScope {
  param: string;
  table: string;
  schema?: string;
  from: number;
  to: number;
}

export interface CallSite {
  ctx: ReadContext;
  parser: JsParser;
  call: JsCall;
  method: string;
  /** All calls of the chain, innermost first (`knex.schema.withSchema('s').dropTable('t')`). */
  chain: JsCall[];
  /** Root name of the chain (`knex`, `queryRunner`, `table`, `this`). */
  root: string | undefined;
  /** Token index of the chain start. */
  index: number;
  direction: Direction;
  push(kind: OperationKind, target: ObjectRef | undefined, flags?: OperationFlags, detail?: string): void;
  dynamic(what: string): void;
  /**
   * Read SQL; `bindings`: the call passes values for `?` (and `:name`) placeholders, and `values` the
   * positional bindings when they are a literal array (a `??` takes its identifier from there).
   * `expression`: the SQL is a value inside another call (`update({ email: knex.raw('LOWER(email)') })`):
   * read as `SELECT <sql>`, or as a statement when it is not an expression.
   */
  sql(v: JsValue | undefined, bindings?: Bindings, options?: { expression?: boolean }): void;
  /** A string argument, resolving `const NAME = '...'`; undefined when computed at run time. */
  ident(v: JsValue | undefined): string | undefined;
  /** Resolve a name to the value of its `const`/`let`/`var` declaration. */
  resolve(v: JsValue | undefined): JsValue | undefined;
  tableScope(param: string | undefined): TableScope | undefined;
  addTableScope(scope: TableScope): void;
  /**
   * This call created `table` (a literal name, no if-not-exists): kept as a scratch-table claim when
   * the call is an awaited statement of an up/down function's own body (readers/scratch-claims.ts).
   */
  created(table: string, schema?: string): void;
}

function rootName(v: JsValue): string | undefined {
  let cur: JsValue = v;
  for (;;) {
    if (cur.kind === 'call') cur = cur.func;
    else if (cur.kind === 'member') cur = cur.obj;
    else if (cur.kind === 'name') return cur.name;
    else return undefined;
  }
}

export async function readJsMigration(input: FormatInput, handle: (site: CallSite) => void): Promise<Operation[]> {
  const ctx = makeContext(input.path, input.text, input.dialect);
  let parser: JsParser;
  try {
    parser = new JsParser(tokenizeJs(input.text));
  } catch (error) {
    if (error instanceof SourceSyntaxError) return [syntaxErrorOp(ctx, error.offset, 'JavaScript/TypeScript', error.message)];
    throw error;
  }
  const toks = parser.toks;
  const regions = findRegions(parser);
  const ops: Operation[] = [];
  const pending: Array<Promise<Operation[]>> = [];
  const tableScopes: TableScope[] = [];

  // const/let/var NAME = value (any scope; the closest one before the use wins) and what later assignments give it
  const bindings = collectBindings(parser);
  const bindingAt = (name: string, at: number): JsBinding | undefined => {
    let found: JsBinding | undefined;
    for (const b of bindings) if (b.name === name && (b.offset < at || !found)) found = b;
    return found;
  };
  const makeResolve =
    (overrides?: Map<string, JsValue>) =>
    (v: JsValue | undefined): JsValue | undefined => {
      for (let k = 0; v && v.kind === 'name' && k < 8; k++) {
        const name: string = v.name;
        const override = overrides?.get(name);
        if (override) {
          v = override;
          continue;
        }
        const found = bindingAt(name, v.start);
        // a name given more than one value is each of them (a loop over its values, below) or unknown
        v = !found ? undefined : found.mutated || found.values.length > 1 ? { kind: 'unknown', start: v.start, end: v.end } : found.values[0];
      }
      return v;
    };

  // Loops over literal arrays: `for (const t of ['a', 'b'])`, `['a', 'b'].forEach((t) => …)` / `.map(…)`.
  const loops: Array<{ name: string; values: JsValue[]; from: number; to: number }> = [];
  const baseResolve = makeResolve();
  for (let i = 0; i < toks.length - 4; i++) {
    if (toks[i].value !== 'for' || toks[i + 1]?.value !== '(') continue;
    const close = parser.matching(i + 1);
    let j = i + 2;
    if (['const', 'let', 'var'].includes(toks[j]?.value)) j++;
    if (toks[j]?.type !== 'name' || toks[j + 1]?.value !== 'of') continue;
    const iterable = baseResolve(parser.parseExpr(j + 2).value);
    if (iterable?.kind !== 'array') continue;
    const bodyEnd = toks[close + 1]?.value === '{' ? parser.matching(close + 1) : parser.skipExpr(close + 1);
    loops.push({ name: toks[j].value, values: iterable.items, from: close + 1, to: bodyEnd });
  }
  // `let sql = 'SELECT 1'; if (c) sql = 'DROP TABLE t';`: every value the name is given, as a loop over them
  for (const b of bindings) {
    if (b.mutated || b.values.length < 2 || !b.values.every((v) => baseResolve(v)?.kind !== 'unknown')) continue;
    loops.push({ name: b.name, values: b.values, from: tokenIndexAt(toks, b.offset), to: toks.length });
  }
  const loopAt = (index: number, call: JsCall) => {
    let best: (typeof loops)[number] | undefined;
    for (const l of loops) if (l.from <= index && index <= l.to && mentions(call, l.name) && (!best || l.to - l.from < best.to - best.from)) best = l;
    return best;
  };

  // Methods reached indirectly: aliases are read as the call they stand for, the rest is opaque.
  const indirect = collectIndirection(parser, input.text);
  for (const o of indirect.opaque) ops.push(opaqueOp(ctx, o.start, directionAt(regions, tokenIndexAt(toks, o.start)), input.text.slice(o.start, o.end), o.detail));
  for (const f of foreignEntries(parser)) ops.push(opaqueOp(ctx, f.start, f.direction ?? directionAt(regions, tokenIndexAt(toks, f.start)), input.text.slice(f.start, f.end), f.detail));
  const standsFor = (name: string, at: number): JsValue | undefined => {
    const alias = indirect.aliases.get(name);
    if (alias) return alias;
    // const s = knex.schema / const repo = queryRunner.manager.getRepository(User): built from the handle
    const binding = bindingAt(name, at);
    // any of its values (`let s = null; s = knex.schema`): a handle it may hold is read as that handle
    if (!binding || binding.offset >= at) return undefined;
    return binding.values.find((value) => (value.kind === 'member' || value.kind === 'call' || value.kind === 'name') && mentionsHandle(value));
  };

  const creations: TableCreation[] = [];
  /**
   * `{ …; await <chain at index>` with nothing open in between (an `if (…)`, `else` or loop without braces
   * puts another token before `await`): a statement the up/down function surely runs, in order.
   */
  const awaitedBodyStatement = (index: number): Region | undefined => {
    if (toks[index - 1]?.value !== 'await' || !['{', ';', '}'].includes(toks[index - 2]?.value ?? '')) return undefined;
    let region: Region | undefined;
    for (const r of regions) if (r.from < index && index <= r.to && (!region || r.to - r.from < region.to - region.from)) region = r;
    if (!region || toks[region.from]?.value !== '{') return undefined;
    let depth = 0;
    for (let k = region.from + 1; k < index; k++) {
      const v = toks[k].type === 'punct' ? toks[k].value : '';
      if (v === '{' || v === '(' || v === '[') depth++;
      else if (v === '}' || v === ')' || v === ']') depth--;
    }
    return depth === 0 ? region : undefined;
  };

  // each call once, by where it is written: a parenthesized root is visited, then the chain inside it
  const handled = new Set<string>();
  for (const { value: written, index } of chains(parser)) {
    const value = directCall(substituteRoot(directCall(written), (name) => standsFor(name, written.start)));
    const chain = chainCalls(value);
    const direction = directionAt(regions, index);
    const root = rootOf(written);
    const module = root !== undefined ? indirect.imported.get(root) : undefined;
    if (module && chain.some((call) => call.args.some((a) => mentionsHandle(a, MIGRATION_HANDLES)))) {
      ops.push(opaqueOp(ctx, written.start, direction, ctx.text.slice(written.start, written.end), `${root} from ${module} is given the migration's database handle: what it runs cannot be known statically`));
      continue;
    }
    for (const call of chain) {
      const key = `${call.nameStart}:${call.end}`;
      if (handled.has(key)) continue;
      handled.add(key);
      const method = call.func.kind === 'member' ? call.func.name : call.func.kind === 'name' ? call.func.name : undefined;
      if (!method) continue;
      if ((method === 'forEach' || method === 'map') && call.func.kind === 'member') {
        const list = baseResolve(call.func.obj);
        const fn = call.args[0];
        if (list?.kind === 'array' && fn?.kind === 'func' && fn.params[0]) loops.push({ name: fn.params[0], values: list.items, from: fn.bodyStart, to: fn.bodyEnd });
      }
      const loop = loopAt(index, call);
      for (const binding of loop ? loop.values : [undefined]) {
        const resolve = makeResolve(loop && binding ? new Map([[loop.name, binding]]) : undefined);
        try {
          visitCall(call, chain, value, index, method, direction, resolve);
        } catch (error) {
          // a call the reader cannot follow is unparseable; the other calls are still read
          const statement = ctx.text.slice(call.start, call.end);
          ops.push(unparseableOp(ctx, call.start, direction, statement, `the reader failed on this call: ${(error as Error)?.message ?? String(error)}`));
        }
      }
    }
  }

  function visitCall(call: JsCall, chain: JsCall[], value: JsValue, index: number, method: string, direction: Direction, resolve: (v: JsValue | undefined) => JsValue | undefined) {
    const ident = (v: JsValue | undefined) => literalText(resolve(v))?.text;
    {
      const statement = ctx.text.slice(value.start, value.end);
      const at = call.nameStart;
      const site: CallSite = {
        ctx,
        parser,
        call,
        method,
        chain,
        root: rootName(value),
        index,
        direction,
        push(kind, target, flags, detail) {
          ops.push(makeOp(ctx, { kind, target, offset: at, statementOffset: value.start, direction, flags: flags ?? {}, statement, detail }));
        },
        dynamic(what) {
          ops.push(opaqueOp(ctx, at, direction, statement, `${method} with ${what} computed at run time`));
        },
        sql(v, bindings, options) {
          if (!v) return;
          let r = resolve(v);
          if (r?.kind === 'template') {
            const holes = resolve;
            r = { ...r, parts: substituteKnownHoles(r.parts, ctx.text, (name, offset) => literalText(holes({ kind: 'name', name, start: offset, end: offset }))?.text) };
          }
          let source = sqlSource(r);
          if (source && bindings) {
            const bound = bindPlaceholders(source, bindings, ctx.dialect);
            if (!bound) {
              ops.push(opaqueOp(ctx, at, direction, statement, 'the SQL takes an identifier from a binding (??), known only at run time'));
              return;
            }
            source = bound;
          }
          if (!source) {
            ops.push(opaqueOp(ctx, at, direction, statement, r && (r.kind === 'template' || r.kind === 'str') ? 'the SQL is a template literal that interpolates identifiers or statement text' : 'the SQL is built at run time (not a literal string)'));
            return;
          }
          const viaName = v.kind === 'name' ? v.name : undefined;
          const written = source;
          const read = options?.expression
            ? readEmbeddedSql(ctx, asSelect(written), direction).then((found) => (found.some((op) => op.kind === 'unparseable') ? readEmbeddedSql(ctx, written, direction) : found))
            : readEmbeddedSql(ctx, written, direction);
          pending.push(
            read.then((found) =>
              viaName
                ? found.map((op) => ({ ...op, ...ctx.lines.position(at), statementLine: ctx.lines.lineOf(value.start), detail: [op.detail, `SQL from \`${viaName}\``].filter(Boolean).join('; ') }))
                : found,
            ),
          );
        },
        ident,
        resolve,
        tableScope(param) {
          if (!param) return undefined;
          let best: TableScope | undefined;
          for (const s of tableScopes) if (s.param === param && s.from <= index && index <= s.to && (!best || s.to - s.from < best.to - best.from)) best = s;
          return best;
        },
        addTableScope(scope) {
          tableScopes.push(scope);
        },
        created(table, schema) {
          const region = awaitedBodyStatement(index);
          if (region) creations.push({ table, schema, direction, offset: at, scopeEnd: toks[region.to]!.start });
        },
      };
      handle(site);
    }
  }
  for (const more of await Promise.all(pending)) ops.push(...more);
  markClaimedScratchTables(ctx, ops, creations);
  return sortOperations(ops);
}

/** What a call binds to its SQL's placeholders (knex.raw's second argument). */
export interface Bindings {
  question?: boolean;
  named?: boolean;
  /** Positional bindings given as a literal array: each a literal string, or undefined when computed. */
  values?: Array<string | undefined>;
  /** `$1`, `$2`… are positional bindings too (TypeORM's and Sequelize's `bind` on PostgreSQL). */
  dollar?: boolean;
  /** Each positional binding as SQL when it is a literal (`true` → TRUE): `WHERE ?` with `[true]` is always true. */
  literals?: Array<string | undefined>;
  /** Named bindings (`:name`) as SQL when literal. */
  namedLiterals?: Map<string, string | undefined>;
}

/** A literal binding value as SQL text (TRUE, 1, 'x', NULL), else undefined. */
function sqlLiteral(v: JsValue | undefined): string | undefined {
  if (v?.kind === 'const') return v.value === 'true' ? 'TRUE' : v.value === 'false' ? 'FALSE' : /^(null|undefined)$/.test(v.value) ? 'NULL' : /^\d+(\.\d+)?$/.test(v.value) ? v.value : undefined;
  if (v?.kind === 'str') return `'${v.source.text.replace(/'/g, "''")}'`;
  return undefined;
}

/**
 * What a bindings argument gives the SQL's placeholders: a literal array (positional values, `??` identifiers)
 * or a literal object (named values); computed bindings give nothing (their placeholders read as NULL).
 */
export function bindingsOf(site: CallSite, v: JsValue | undefined, kinds: Bindings): Bindings {
  const r = site.resolve(v);
  if (r?.kind === 'array') return { ...kinds, values: r.items.map((item) => site.ident(item)), literals: r.items.map((item) => sqlLiteral(site.resolve(item))) };
  if (r?.kind === 'object') return { ...kinds, namedLiterals: new Map([...r.entries].map(([k, item]) => [k, sqlLiteral(site.resolve(item))])) };
  return kinds;
}

/** `SELECT <expression>`, positions kept (the prefix maps to the expression's first character). */
function asSelect(source: SourceText): SourceText {
  const prefix = 'SELECT ';
  return { text: prefix + source.text, map: [...Array<number>(prefix.length).fill(source.map[0]!), ...source.map] };
}

/**
 * Placeholders → what the parser accepts: `?`, `:name` (and `$1` with `dollar`) are values: the literal bound to
 * them, else NULL; `??` is an identifier, known only when the bindings are a literal array that gives it (else
 * undefined: the statement is opaque).
 */
export function bindPlaceholders(source: SourceText, kinds: Bindings, dialect: Dialect = 'postgres'): SourceText | undefined {
  const t = source.text;
  let position = 0;
  let text = '';
  const map: number[] = [];
  let quote = '';
  const emit = (s: string, at: number) => {
    text += s;
    for (let k = 0; k < s.length; k++) map.push(source.map[at]);
  };
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (kinds.question && c === '?' && t[i - 1] !== '\\') {
      if (t[i + 1] === '?') {
        const name = kinds.values?.[position++];
        if (name === undefined) return undefined;
        emit(dialect === 'mysql' ? `\`${name.replace(/`/g, '``')}\`` : `"${name.replace(/"/g, '""')}"`, i);
        i++;
        continue;
      }
      emit(kinds.literals?.[position++] ?? 'NULL', i);
      continue;
    } else if (kinds.named && c === ':' && t[i - 1] !== ':' && t[i + 1] !== ':' && /[A-Za-z_]/.test(t[i + 1] ?? '')) {
      let j = i + 1;
      while (j < t.length && /[A-Za-z0-9_]/.test(t[j])) j++;
      if (t[j] === ':') return undefined; // knex :name: is an identifier binding
      emit(kinds.namedLiterals?.get(t.slice(i + 1, j)) ?? 'NULL', i);
      i = j - 1;
      continue;
    } else if (kinds.dollar && c === '$' && /[0-9]/.test(t[i + 1] ?? '') && !/[A-Za-z0-9_$]/.test(t[i - 1] ?? '')) {
      let j = i + 1;
      while (j < t.length && /[0-9]/.test(t[j])) j++;
      const literal = kinds.literals?.[Number(t.slice(i + 1, j)) - 1];
      if (literal !== undefined) {
        emit(literal, i);
        i = j - 1;
        continue;
      }
    }
    emit(c, i);
  }
  map.push(source.map[t.length]);
  return { text, map };
}

/** Whether a call's arguments mention a name (a loop variable). */
function mentions(call: JsCall, name: string): boolean {
  const walk = (v: JsValue): boolean => {
    if (v.kind === 'name') return v.name === name;
    if (v.kind === 'call') return v.args.some(walk) || walk(v.func);
    if (v.kind === 'member') return walk(v.obj);
    if (v.kind === 'array') return v.items.some(walk);
    if (v.kind === 'object') return [...v.entries.values()].some(walk);
    if (v.kind === 'template') return false;
    return false;
  };
  return call.args.some(walk);
}

function sqlSource(v: JsValue | undefined): SourceText | undefined {
  if (!v) return undefined;
  if (v.kind === 'str') return v.source;
  if (v.kind === 'template') return sqlWithValueInterpolations(v.parts);
  return undefined;
}

/** `'schema.table'` → { schema, table } (TypeORM accepts qualified names as one string). */
export function splitQualified(name: string): { schema?: string; name: string } {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? { schema: name.slice(0, dot), name: name.slice(dot + 1) } : { name };
}
