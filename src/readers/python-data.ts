/**
 * The body of a Python data migration (Django `RunPython(forwards)`), read token by token so that no
 * call can hide in an expression the parser does not model. What the body does is decided per call:
 *
 * - ORM calls on a model (`apps.get_model(...)`, querysets and instances derived from it): a
 *   `delete()` / `update()` without `filter`/`exclude`/`get` is `delete-all` / `update-all` on the
 *   model's table; bounded ones destroy no more than `DELETE … WHERE` does (which no rule reports).
 * - `schema_editor.execute(sql)` goes to the SQL reader.
 * - Calls to functions defined in the same file are followed; builtins, the standard library and
 *   read-only or row-level methods are harmless.
 * - Anything else (an imported helper, a method the table below does not know, a call through a
 *   computed value, `cursor()`, `raw()`) is `opaque`: code we cannot see stays opaque (fail closed).
 *
 * A body that is seen entirely and destroys nothing yields no operation at all (docs/check.md).
 */
import { patternTruth } from '../sql/constant-conditions.js';
import type { Direction, Operation } from '../model/operation.js';
import { makeOp, opaqueOp, tableRef, type ReadContext } from './common.js';
import { logicalLines, type PyParser, type PyTok, type PyValue } from './python.js';

/** What a name in the body stands for. */
type Binding =
  | { kind: 'model'; model: string; table: string; note?: string }
  /** A queryset, manager or instance of a model; `bounded` once a filter narrowed it. */
  | { kind: 'derived'; model: string; table: string; note?: string; bounded: boolean }
  | { kind: 'container' }
  | { kind: 'apps' }
  | { kind: 'schema-editor' }
  /** `schema_editor.connection` or `django.db.connection`; its `cursor()` runs SQL we can read. */
  | { kind: 'connection' }
  | { kind: 'cursor' }
  | { kind: 'function' };

export interface DataBodyContext {
  ctx: ReadContext;
  toks: PyTok[];
  parser: PyParser;
  /** `app`, `Model` → the table (and a note when the name is assumed). */
  tableOf(app: string | undefined, model: string): { table: string; note?: string };
  /** Resolve a literal string argument (names assigned to literals included). */
  ident(v: PyValue | undefined): string | undefined;
  /**
   * Read the SQL of `schema_editor.execute(arg)` or `cursor.execute(arg)`, names resolved in the function
   * `scope` first; `withParams`: the call passes parameters, so `%s` are placeholders.
   */
  readSql(arg: PyValue, direction: Direction, at: number, statement: string, scope: number, withParams: boolean): void;
}

const KEYWORDS = new Set([
  'if', 'elif', 'while', 'and', 'or', 'not', 'in', 'is', 'return', 'yield', 'for', 'assert', 'lambda', 'with', 'del',
  'else', 'await', 'async', 'from', 'import', 'raise', 'except', 'as', 'global', 'nonlocal', 'class', 'def', 'try',
  'finally', 'pass', 'break', 'continue', 'None', 'True', 'False',
]);

/** The SQL argument of `x.execute(sql, params)` and whether parameters are passed. */
function executedSql(call: PyValue): { arg: PyValue; withParams: boolean } | undefined {
  if (call.kind !== 'call') return undefined;
  const arg = call.args[0] ?? call.kwargs.get('sql');
  const params = call.args[1] ?? call.kwargs.get('params');
  return arg ? { arg, withParams: params !== undefined && !(params.kind === 'const' && params.value === 'None') } : undefined;
}

/** Cursor methods that read results or tidy up. */
const CURSOR_READS = new Set(['fetchone', 'fetchall', 'fetchmany', 'close', '__enter__', '__exit__', 'description']);

/** Names bound to Django's connection by `from django.db import connection [as x]` (anywhere in the file). */
function connectionImports(toks: PyTok[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 3 < toks.length; i++) {
    if (!(toks[i].value === 'from' && toks[i + 1].value === 'django' && toks[i + 2].value === '.' && toks[i + 3].value === 'db' && toks[i + 4]?.value === 'import')) continue;
    for (let k = i + 5; k < toks.length && !toks[k].lineStart; k++) {
      if (toks[k].value !== 'connection') continue;
      out.add(toks[k + 1]?.value === 'as' && toks[k + 2]?.type === 'name' ? toks[k + 2].value : 'connection');
    }
  }
  return out;
}

/** Builtins that only compute (no callable arguments they would run: `map`/`filter` are left out). */
const SAFE_BUILTINS = new Set([
  'print', 'len', 'range', 'enumerate', 'zip', 'list', 'dict', 'set', 'frozenset', 'tuple', 'str', 'int', 'float',
  'bool', 'bytes', 'sorted', 'reversed', 'min', 'max', 'sum', 'any', 'all', 'isinstance', 'issubclass', 'hasattr',
  'getattr', 'setattr', 'repr', 'abs', 'round', 'divmod', 'iter', 'next', 'type', 'id', 'hash', 'ord', 'chr',
  'defaultdict', 'Counter', 'OrderedDict', 'namedtuple',
  'Exception', 'ValueError', 'TypeError', 'KeyError', 'RuntimeError', 'AssertionError', 'NotImplementedError',
]);

/** Standard-library modules usually imported whole (`import json`); `from … import` names are in `harmlessImports`. */
const SAFE_MODULES = new Set([
  'logging', 'json', 'uuid', 'datetime', 're', 'math', 'random', 'string', 'hashlib', 'time', 'decimal', 'itertools',
  'collections', 'functools', 'operator', 'copy', 'base64', 'secrets', 'textwrap',
]);

/**
 * Modules whose functions compute without touching the database: the standard library's pure parts and
 * Django's query-expression and utility modules (`Q`, `F`, `Subquery`, `Prefetch`, `timezone`, `slugify`).
 */
const HARMLESS_MODULES = /^(pathlib|logging|json|uuid|datetime|re|math|random|string|hashlib|time|decimal|itertools|collections|functools|operator|copy|base64|secrets|textwrap|typing|enum|dataclasses|django\.db\.models(\.(functions|expressions|query_utils|aggregates|lookups|fields))?|django\.utils(\.[a-z_]+)?|django\.contrib\.postgres\.(aggregates|functions|search))$/;

/** Names bound at module level by `import x` / `from x import a` from a harmless module. */
function harmlessImports(toks: PyTok[]): Set<string> {
  const out = new Set<string>();
  for (const line of logicalLines(toks)) {
    if (line.indent !== 0) continue;
    const t = line.toks;
    const dottedAt = (i: number): [string, number] => {
      let name = t[i]?.value ?? '';
      while (t[i + 1]?.value === '.' && t[i + 2]?.type === 'name') (name += '.' + t[i + 2].value), (i += 2);
      return [name, i + 1];
    };
    if (t[0]?.value === 'import') {
      for (let i = 1; i < t.length; ) {
        const [module, next] = dottedAt(i);
        let bound = module.split('.')[0];
        i = next;
        if (t[i]?.value === 'as') (bound = t[i + 1]?.value ?? bound), (i += 2);
        if (HARMLESS_MODULES.test(module)) out.add(bound);
        if (t[i]?.value === ',') i++;
        else break;
      }
    } else if (t[0]?.value === 'from') {
      const [module, next] = dottedAt(1);
      if (t[next]?.value !== 'import') continue;
      // `from django.db import models, transaction`: field and expression builders, atomic blocks
      const only = module === 'django.db' ? /^(models|transaction)$/ : HARMLESS_MODULES.test(module) ? /^/ : undefined;
      if (!only) continue;
      for (let i = next + 1; i < t.length; i++) {
        if (t[i].type !== 'name' || t[i].value === 'as') continue;
        if (t[i + 1]?.value === 'as') continue;
        if (only.test(t[i].value)) out.add(t[i].value);
      }
    } else if (t[0]?.type === 'name' && t[1]?.value === '=' && t[2]?.type === 'name' && (out.has(t[2].value) || SAFE_MODULES.has(t[2].value))) {
      out.add(t[0].value); // `LABEL_RE = re.compile(…)`: a value built by a harmless module
    }
  }
  return out;
}

/** Queryset, manager and instance methods that read, or write bounded rows (like `INSERT` / `UPDATE … WHERE id`). */
const ORM_SAFE = new Set([
  'all', 'filter', 'exclude', 'get', 'first', 'last', 'latest', 'earliest', 'exists', 'count', 'order_by', 'values',
  'values_list', 'select_related', 'prefetch_related', 'distinct', 'only', 'defer', 'annotate', 'aggregate',
  'iterator', 'create', 'get_or_create', 'update_or_create', 'bulk_create', 'bulk_update', 'in_bulk', 'none', 'using',
  'select_for_update', 'reverse', 'dates', 'datetimes', 'union', 'intersection', 'difference', 'alias', 'save',
  'refresh_from_db', 'full_clean', 'clean', 'add', 'remove', 'get_by_natural_key', 'natural_key',
  'get_next_by_created', 'contains', 'explain',
]);

/** Methods of plain Python values (strings, lists, dicts, loggers) that never reach the database. */
const VALUE_SAFE = new Set([
  'append', 'extend', 'insert', 'get', 'items', 'keys', 'values', 'format', 'join', 'split', 'rsplit', 'strip',
  'lstrip', 'rstrip', 'lower', 'upper', 'title', 'capitalize', 'replace', 'startswith', 'endswith', 'encode', 'decode',
  'copy', 'index', 'find', 'sort', 'setdefault', 'isoformat', 'strftime', 'hex', 'zfill', 'splitlines', 'isdigit',
  'info', 'debug', 'warning', 'warn', 'error', 'exception', 'pop', 'discard', 'issubset', 'union', 'intersection',
  'difference', 'most_common', 'total_seconds', 'date', 'now', 'today', 'uuid4', 'hexdigest', 'dumps', 'loads',
  'open', 'read', 'readline', 'readlines', 'is_file', 'is_dir', 'resolve', 'match', 'search', 'fullmatch', 'sub',
  'group', 'groups',
]);

/** Filters that narrow a queryset to some rows (with arguments). */
const NARROWING = new Set(['filter', 'exclude', 'get', 'first', 'last', 'latest', 'earliest', 'get_or_create', 'in_bulk']);

interface Segment {
  name: string;
  /** Token index of the name. */
  at: number;
  called: boolean;
  /**
   * The call's arguments choose rows: not none (`filter()` narrows nothing), and not all true for every row
   * (`filter(pk__isnull=False)`, `exclude(pk=None)`: argumentsChooseRows).
   */
  choosesRows: boolean;
}

interface FunctionDef {
  name: string;
  params: string[];
  /** Token index range of the body [start, end). */
  start: number;
  end: number;
  defTok: PyTok;
  /** Where its line starts: the scope its local assignments belong to (alembic.ts collectAssignments). */
  scope: number;
}

/** Module-level `def name(...)`s of the file, with their body's token range. */
export function moduleFunctions(toks: PyTok[]): Map<string, FunctionDef> {
  const out = new Map<string, FunctionDef>();
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (!(t.lineStart && t.indent === 0 && t.type === 'name')) continue;
    let j = i;
    if (t.value === 'async') j++;
    if (toks[j]?.value !== 'def' || toks[j + 1]?.type !== 'name' || toks[j + 2]?.value !== '(') continue;
    const name = toks[j + 1].value;
    // parameters up to the matching `)`
    const params: string[] = [];
    let depth = 0;
    let k = j + 2;
    let expectName = true;
    for (; k < toks.length; k++) {
      const u = toks[k];
      if (u.type === 'op' && '([{'.includes(u.value)) {
        depth++;
        if (depth === 1) expectName = true;
        continue;
      }
      if (u.type === 'op' && ')]}'.includes(u.value)) {
        if (--depth === 0) break;
        continue;
      }
      if (depth === 1 && u.type === 'op' && u.value === ',') expectName = true;
      else if (depth === 1 && expectName && u.type === 'name') {
        params.push(u.value);
        expectName = false;
      } else if (depth === 1 && !(u.type === 'op' && (u.value === '*' || u.value === '**'))) expectName = false;
    }
    // the body: after the header's `:`, up to the next line at indentation 0
    while (k < toks.length && !(toks[k].type === 'op' && toks[k].value === ':')) k++;
    const start = k + 1;
    let end = start;
    while (end < toks.length && !(toks[end].lineStart && toks[end].indent === 0)) end++;
    out.set(name, { name, params, start, end, defTok: toks[j + 1], scope: t.start });
  }
  return out;
}

/** Index of the bracket that opens the one closing at `close` (walking back), or -1. */
function openerOf(toks: PyTok[], close: number, lo: number): number {
  let depth = 0;
  for (let j = close; j >= lo; j--) {
    const t = toks[j];
    if (t.type !== 'op') continue;
    if (')]}'.includes(t.value)) depth++;
    else if ('([{'.includes(t.value) && --depth === 0) return j;
  }
  return -1;
}

/** A chain `root(.name | (…) | […])*`, root first; `called` when the name was called. */
interface Chain {
  /** undefined when the chain starts at a computed value (or a literal: `rootLiteral`). */
  root?: Segment;
  rest: Segment[];
  rootLiteral: boolean;
}

/**
 * The receiver chain of the call whose name is at `n`, walking back: `Model.objects.filter(x).delete`
 * → root Model, rest [objects, filter()]; the called name itself is not included.
 */
function chainBefore(toks: PyTok[], n: number, lo: number): Chain {
  const back: Segment[] = [];
  let j = n - 1;
  let rootLiteral = false;
  let computed = false;
  while (j > lo && toks[j].type === 'op' && toks[j].value === '.') {
    j--;
    let t = toks[j];
    let called = false;
    let choosesRows = false;
    while (t && t.type === 'op' && (t.value === ')' || t.value === ']') && j >= lo) {
      const open = openerOf(toks, j, lo);
      if (open < 0) return { rest: [], rootLiteral: false };
      if (t.value === ')') {
        called = true;
        choosesRows = argumentsChooseRows(toks, toks[open - 1]?.value ?? '', open);
      }
      j = open - 1;
      t = toks[j];
    }
    if (j >= lo && t?.type === 'name' && !KEYWORDS.has(t.value)) {
      back.push({ name: t.value, at: j, called, choosesRows });
      j--;
      continue;
    }
    if (t?.type === 'string') rootLiteral = true;
    computed = true;
    break;
  }
  if (computed || back.length === 0) return { rest: [], rootLiteral };
  const chain = back.reverse();
  return { root: chain[0], rest: chain.slice(1), rootLiteral };
}

/** The chain that starts at token `i`, reading forward; the index after it. */
function chainFrom(toks: PyTok[], i: number, hi: number): { chain: Chain; next: number } {
  const segs: Segment[] = [];
  let k = i;
  while (k < hi && toks[k].type === 'name' && !KEYWORDS.has(toks[k].value)) {
    const seg: Segment = { name: toks[k].value, at: k, called: false, choosesRows: false };
    k++;
    while (k < hi && toks[k].type === 'op' && (toks[k].value === '(' || toks[k].value === '[')) {
      if (toks[k].value === '(') {
        seg.called = true;
        seg.choosesRows = argumentsChooseRows(toks, seg.name, k);
      }
      let depth = 0;
      for (; k < hi; k++) {
        if (toks[k].type === 'op' && '([{'.includes(toks[k].value)) depth++;
        if (toks[k].type === 'op' && ')]}'.includes(toks[k].value) && --depth === 0) break;
      }
      k++;
    }
    segs.push(seg);
    if (toks[k]?.type === 'op' && toks[k].value === '.') k++;
    else break;
  }
  return { chain: segs.length ? { root: segs[0], rest: segs.slice(1), rootLiteral: false } : { rest: [], rootLiteral: false }, next: k };
}

const narrows = (segs: Segment[]) => segs.some((s) => s.called && s.choosesRows && NARROWING.has(s.name));

/**
 * Whether the arguments of the call opened at `open` choose rows. `filter(…)` whose every argument holds for
 * every row, and `exclude(…)` whose every argument holds for none, choose nothing: the same class as SQL's
 * `WHERE id = id` (test/adversarial/tautologies.test.ts). Any other call with arguments chooses rows.
 */
function argumentsChooseRows(toks: PyTok[], name: string, open: number): boolean {
  if (toks[open + 1]?.value === ')') return false;
  if (name !== 'filter' && name !== 'exclude') return true;
  const args: PyTok[][] = [[]];
  let depth = 0;
  for (let k = open + 1; k < toks.length; k++) {
    const t = toks[k];
    if (t.type === 'op' && ')]}'.includes(t.value) && depth-- === 0) break;
    if (t.type === 'op' && '([{'.includes(t.value)) depth++;
    if (depth === 0 && t.type === 'op' && t.value === ',') args.push([]);
    else args[args.length - 1]!.push(t);
  }
  const given = args.filter((arg) => arg.length > 0);
  return !given.every((arg) => (name === 'filter' ? holdsForEveryRow(arg) : holdsForNoRow(arg)));
}

/** The primary key: never NULL (`id` is Django's default one). */
const PRIMARY_KEY = /^(pk|id)$/;
/** Lookups that match every value when given the empty string: LIKE '%%'. */
const EMPTY_MATCHES_ALL = /__i?(contains|startswith|endswith)$/;

/** `keyword=value` as the lookup and the value's tokens. */
function keywordArgument(arg: PyTok[]): { lookup: string; value: PyTok[] } | undefined {
  return arg.length >= 3 && arg[0]!.type === 'name' && arg[1]!.value === '=' ? { lookup: arg[0]!.value, value: arg.slice(2) } : undefined;
}

const stringValue = (value: PyTok[]) => (value.length === 1 && value[0]!.type === 'string' && !value[0]!.str?.parts ? value[0]!.str?.source.text : undefined);

/** `pk__isnull=False`, `name__contains=''`, `name__regex='.*'`, `Q()`: true for every row (whose value is not NULL). */
function holdsForEveryRow(arg: PyTok[]): boolean {
  if (arg.length === 3 && arg[0]!.value === 'Q' && arg[1]!.value === '(' && arg[2]!.value === ')') return true;
  const kw = keywordArgument(arg);
  if (!kw) return false;
  const [field, lookup] = kw.lookup.split(/__(?=[a-z]+$)/);
  if (lookup === 'isnull' && PRIMARY_KEY.test(field!)) return kw.value.length === 1 && kw.value[0]!.value === 'False';
  const text = stringValue(kw.value);
  if (text === undefined) return false;
  if (EMPTY_MATCHES_ALL.test(kw.lookup)) return text === '';
  return /__i?regex$/.test(kw.lookup) && patternTruth('~', text) === true;
}

/** `pk=None`, `pk__isnull=True`, `id__in=[]`: true for no row. */
function holdsForNoRow(arg: PyTok[]): boolean {
  const kw = keywordArgument(arg);
  if (!kw) return false;
  const v = kw.value.map((t) => t.value).join(' ');
  const [field, lookup] = kw.lookup.split(/__(?=[a-z]+$)/);
  if (PRIMARY_KEY.test(field!) && ((lookup === undefined && v === 'None') || (lookup === 'exact' && v === 'None') || (lookup === 'isnull' && v === 'True'))) return true;
  return lookup === 'in' && (v === '[ ]' || v === '( )');
}

/** Read one data function (and the same-file functions it calls); returns its operations. */
export function readDataFunction(
  body: DataBodyContext,
  fnName: string,
  direction: Direction,
  app: string | undefined,
): Operation[] | undefined {
  const functions = moduleFunctions(body.toks);
  const fn = functions.get(fnName);
  if (!fn) return undefined;
  const ops: Operation[] = [];
  const seen = new Set<string>();
  const safeImports = harmlessImports(body.toks);
  const visit = (f: FunctionDef, depth: number) => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    readBody(body, f, functions, direction, app, ops, (callee) => {
      if (depth < 8) visit(callee, depth + 1);
      else ops.push(opaqueOp(body.ctx, callee.defTok.start, direction, callee.name, `RunPython ${fnName}: calls nested too deep to follow`));
    }, depth === 0, safeImports);
  };
  visit(fn, 0);
  return ops;
}

function readBody(
  body: DataBodyContext,
  fn: FunctionDef,
  functions: Map<string, FunctionDef>,
  direction: Direction,
  app: string | undefined,
  ops: Operation[],
  follow: (f: FunctionDef) => void,
  entry: boolean,
  safeImports: Set<string>,
): void {
  const { toks, ctx } = body;
  const bindings = new Map<string, Binding>();
  // RunPython calls the function with (apps, schema_editor); a helper it calls gets them by name
  const [appsParam, editorParam] = entry ? fn.params : [fn.params.includes('apps') ? 'apps' : undefined, fn.params.includes('schema_editor') ? 'schema_editor' : undefined];
  if (appsParam) bindings.set(appsParam, { kind: 'apps' });
  if (editorParam) bindings.set(editorParam, { kind: 'schema-editor' });
  for (const name of connectionImports(toks)) if (!bindings.has(name)) bindings.set(name, { kind: 'connection' });
  const lineText = (offset: number) => ctx.lines.lineText(ctx.lines.lineOf(offset));
  const opaque = (at: number, why: string) => ops.push(opaqueOp(ctx, at, direction, lineText(at), `RunPython ${fn.name}: ${why}`));

  // nested defs are read inline (their calls are in the body's tokens): calling them adds nothing
  for (let i = fn.start; i < fn.end; i++) {
    if (toks[i].value === 'def' && toks[i + 1]?.type === 'name') bindings.set(toks[i + 1].value, { kind: 'function' });
  }

  /** What the expression at `start` evaluates to, as far as destruction goes. */
  const bindingAt = (start: number, modelOnly = false): Binding | undefined => {
    const first = toks[start];
    if (!first) return undefined;
    if (first.type === 'op' && (first.value === '[' || first.value === '{')) return { kind: 'container' };
    const { chain } = chainFrom(toks, start, fn.end);
    const root = chain.root;
    if (!root) return undefined;
    if (/^(dict|set|list|defaultdict|Counter|OrderedDict)$/.test(root.name) && root.called && chain.rest.length === 0) return { kind: 'container' };
    // `h = hashlib.sha256()`: a value of a harmless module, whose update() stays in Python
    if ((SAFE_MODULES.has(root.name) || safeImports.has(root.name)) && !bindings.has(root.name)) return { kind: 'container' };
    const b = bindings.get(root.name);
    // `connection.cursor()`, `schema_editor.connection.cursor()`, `schema_editor.connection`
    const viaEditor = b?.kind === 'schema-editor' && chain.rest[0]?.name === 'connection' && !chain.rest[0].called;
    const connectionRest = b?.kind === 'connection' ? chain.rest : viaEditor ? chain.rest.slice(1) : undefined;
    if (connectionRest && !root.called) {
      if (connectionRest.length === 0) return { kind: 'connection' };
      if (connectionRest.length === 1 && connectionRest[0].name === 'cursor' && connectionRest[0].called) return { kind: 'cursor' };
    }
    if (b?.kind === 'apps' && chain.rest[0]?.name === 'get_model' && chain.rest[0].called) {
      // the `apps.get_model(…)` call itself, under whatever follows it (`.objects.filter(…)`)
      let call: PyValue | undefined = body.parser.parseExpr(start).value;
      while (call && !(call.kind === 'call' && call.func.kind === 'attr' && call.func.name === 'get_model')) {
        call = call.kind === 'call' ? call.func : call.kind === 'attr' ? call.obj : undefined;
      }
      if (call?.kind !== 'call') return undefined;
      const a0 = body.ident(call.args[0] ?? call.kwargs.get('app_label'));
      const a1 = body.ident(call.args[1] ?? call.kwargs.get('model_name'));
      const [modelApp, modelName] = a1 ? [a0, a1] : a0?.includes('.') ? a0.split('.', 2) : [undefined, undefined];
      if (!modelName) return undefined;
      const model: Binding = { kind: 'model', model: modelName, ...body.tableOf(modelApp ?? app, modelName) };
      if (modelOnly || chain.rest.length === 1) return model;
      return { kind: 'derived', model: model.model, table: model.table, ...(model.note ? { note: model.note } : {}), bounded: narrows(chain.rest.slice(1)) };
    }
    if (b?.kind === 'model' && chain.rest.length === 2 && chain.rest[1].name === 'through' && !chain.rest[0].called && !chain.rest[1].called) {
      // `Model.tags.through`: the join model of a many-to-many field, table <model table>_<field>
      return { kind: 'model', model: `${b.model}.${chain.rest[0].name}.through`, table: `${b.table}_${chain.rest[0].name}`, ...(b.note ? { note: b.note } : {}) };
    }
    if (b?.kind === 'model' || b?.kind === 'derived') {
      // Model(...) is one new row; anything reached through a filter is bounded
      const bounded = (b.kind === 'derived' && b.bounded) || (root.called && chain.rest.length === 0) || narrows(chain.rest);
      return { kind: 'derived', model: b.model, table: b.table, ...(b.note ? { note: b.note } : {}), bounded };
    }
    return undefined;
  };

  // names this body binds (parameters, assignments, loop and `with … as` targets): not module-level code
  const locals = new Set(fn.params);
  for (let i = fn.start; i < fn.end; i++) {
    const t = toks[i];
    if (t.type !== 'name') continue;
    if (toks[i - 1]?.value === 'as' || toks[i - 1]?.value === 'def') locals.add(t.value);
    else if (t.value === 'for') {
      for (let k = i + 1; k < fn.end && toks[k].value !== 'in'; k++) if (toks[k].type === 'name') locals.add(toks[k].value);
    } else if (t.lineStart && !KEYWORDS.has(t.value)) {
      // `a = …`, `a, b = …`, `a: T = …`
      const names: string[] = [];
      let k = i;
      while (k < fn.end && (toks[k].type === 'name' || (toks[k].type === 'op' && (toks[k].value === ',' || toks[k].value === '(' || toks[k].value === ')')))) {
        if (toks[k].type === 'name') names.push(toks[k].value);
        k++;
      }
      if (toks[k]?.type === 'op' && (toks[k].value === '=' || toks[k].value === ':')) for (const n of names) locals.add(n);
    }
  }

  const bind = (targets: number[], exprStart: number) => {
    const binding = bindingAt(exprStart);
    for (const i of targets) {
      const name = toks[i].value;
      if (binding) bindings.set(name, binding);
      else bindings.delete(name);
    }
  };

  for (let i = fn.start; i < fn.end; i++) {
    const t = toks[i];
    // statements that bind names: `a = …`, `a, b = …`, `for a in …:` (in order: later lines see earlier ones)
    if (t.lineStart && t.type === 'name') {
      if (t.value === 'for') {
        const targets: number[] = [];
        let k = i + 1;
        for (; k < fn.end && toks[k].value !== 'in'; k++) if (toks[k].type === 'name') targets.push(k);
        bind(targets, k + 1);
      } else if (t.value === 'with') {
        // `with <expr> as <name>:` (one item): the name is what the expression gives
        let k = i + 1;
        for (let depth = 0; k < fn.end && !(depth === 0 && (toks[k].value === 'as' || toks[k].value === ':' || toks[k].value === ',')); k++) {
          if (toks[k].type === 'op' && '([{'.includes(toks[k].value)) depth++;
          else if (toks[k].type === 'op' && ')]}'.includes(toks[k].value)) depth--;
        }
        if (toks[k]?.value === 'as' && toks[k + 1]?.type === 'name' && toks[k + 2]?.value === ':') bind([k + 1], i + 1);
      } else if (!KEYWORDS.has(t.value)) {
        const targets: number[] = [];
        let k = i;
        while (k < fn.end && (toks[k].type === 'name' || (toks[k].type === 'op' && (toks[k].value === ',' || toks[k].value === '(' || toks[k].value === ')')))) {
          if (toks[k].type === 'name') targets.push(k);
          if (toks[k].type === 'op' && toks[k].value === '(' ) break;
          k++;
        }
        if (toks[k]?.type === 'op' && toks[k].value === ':' && toks[k + 1]?.type === 'name') {
          // an annotation: `x: Model = …`
          k += 2;
          while (toks[k]?.type === 'op' && toks[k].value === '.') k += 2;
        }
        if (toks[k]?.type === 'op' && toks[k].value === '=' && targets.length) bind(targets, k + 1);
      }
    }
    if (!(t.type === 'op' && t.value === '(')) continue;
    const prev = toks[i - 1];
    if (i - 1 < fn.start || !prev) continue;
    if (prev.type === 'op' && (prev.value === ')' || prev.value === ']')) {
      // `(…)(…)` or `x[k](…)`: unless it is a parenthesized expression after an operator, a computed call
      const open = openerOf(toks, i - 1, fn.start);
      const before = toks[open - 1];
      const grouping = prev.value === ')' && (!before || before.type === 'op' ? !(before && (before.value === ')' || before.value === ']')) : KEYWORDS.has(before.value));
      if (!grouping) opaque(prev.start, 'calls a value computed at run time');
      continue;
    }
    if (prev.type !== 'name' || KEYWORDS.has(prev.value)) continue; // a parenthesis, not a call
    if (toks[i - 2]?.value === 'def' || toks[i - 2]?.value === 'class') continue;
    classify(i - 1);
  }

  function classify(n: number) {
    const name = toks[n].value;
    const at = toks[n].start;
    const isMethod = toks[n - 1]?.type === 'op' && toks[n - 1].value === '.' && n - 1 > fn.start;
    if (!isMethod) {
      const b = bindings.get(name);
      if (b?.kind === 'model' || b?.kind === 'function') return; // Model(...) builds an instance; a nested def is read inline
      const callee = functions.get(name);
      if (callee) return follow(callee);
      if (SAFE_BUILTINS.has(name) || SAFE_MODULES.has(name) || safeImports.has(name)) return;
      // filter(lambda …, xs) / map(lambda …, xs): the lambda's body is part of this body's tokens
      if ((name === 'filter' || name === 'map') && toks[n + 2]?.value === 'lambda') return;
      return opaque(at, `calls ${name}(), which is not defined in this file`);
    }
    const chain = chainBefore(toks, n, fn.start);
    const root = chain.root;
    if (!root) {
      // "…".join(…), (a or b).get(…): reading methods are harmless on any value
      if (VALUE_SAFE.has(name) && name !== 'pop' && name !== 'discard') return;
      return opaque(at, `calls .${name}() on a value computed at run time`);
    }
    let b = bindings.get(root.name);
    let rest = chain.rest;
    const written = [root.name + (root.called ? '()' : ''), ...rest.map((s) => s.name + (s.called ? '()' : ''))].join('.');
    if (b?.kind === 'apps' && !root.called && rest[0]?.name === 'get_model' && rest[0].called && rest.length > 1) {
      // apps.get_model("app", "Model").objects…: the model inline
      const model = bindingAt(root.at, true);
      if (model) [b, rest] = [model, rest.slice(1)];
    }
    if (b?.kind === 'apps' && !root.called) {
      if (rest.length === 0 && /^(get_model|get_models|get_app_config|get_app_configs|is_installed)$/.test(name)) return;
      return opaque(at, `calls ${written}.${name}()`);
    }
    if (b?.kind === 'schema-editor' && !root.called) {
      if (name === 'execute' && rest.length === 0) {
        const sql = executedSql(body.parser.parseExpr(n - 2).value);
        if (sql) return body.readSql(sql.arg, direction, at, lineText(at), fn.scope, sql.withParams);
      }
      if (name === 'quote_name' && rest.length === 0) return;
      if (name === 'cursor' && rest.length === 1 && rest[0].name === 'connection' && !rest[0].called) return;
      return opaque(at, `calls ${written}.${name}()`);
    }
    if (b?.kind === 'connection' && !root.called && rest.length === 0 && name === 'cursor') return;
    if (b?.kind === 'cursor' && !root.called && rest.length === 0) {
      if (name === 'execute' || name === 'executemany') {
        const sql = executedSql(body.parser.parseExpr(n - 2).value);
        if (sql) return body.readSql(sql.arg, direction, at, lineText(at), fn.scope, sql.withParams);
      }
      if (CURSOR_READS.has(name)) return;
      return opaque(at, `calls ${written}.${name}()`);
    }
    if (b?.kind === 'model' || b?.kind === 'derived') {
      if (rest[0]?.name === '_meta') return; // the model's metadata: fields, names
      const managers = /^(objects|_default_manager|_base_manager)$/;
      // a related manager (`obj.tags.all().delete()`) acts on another table
      const related = rest.some((s) => !s.called && !managers.test(s.name));
      const bounded = (b.kind === 'derived' && b.bounded) || (root.called && b.kind === 'model') || narrows(rest);
      if (name === 'delete' || name === 'update') {
        if (related) return opaque(at, `calls ${written}.${name}() on a related object`);
        if (bounded) return; // like DELETE/UPDATE … WHERE: rows chosen by a filter
        ops.push(
          makeOp(ctx, {
            kind: name === 'delete' ? 'delete-all' : 'update-all',
            target: tableRef(b.table),
            offset: at,
            direction,
            statement: lineText(at),
            detail: [`${written}.${name}() in RunPython ${fn.name} ${name === 'delete' ? 'deletes' : 'updates'} every row of ${b.model}`, b.note].filter(Boolean).join('; '),
          }),
        );
        return;
      }
      if (name === 'clear' || name === 'raw' || name === 'extra') return opaque(at, `calls ${written}.${name}()`);
      if (ORM_SAFE.has(name)) return;
      return opaque(at, `calls ${written}.${name}()`);
    }
    if (b?.kind === 'container' && rest.length === 0 && (name === 'update' || name === 'clear' || name === 'remove')) return;
    if (name === 'remove' && toks[n + 2]?.value !== ')') return; // named objects out of a list, set or relation
    if (root.called) {
      if ((SAFE_MODULES.has(root.name) || safeImports.has(root.name)) && VALUE_SAFE.has(name)) return; // datetime.now().isoformat()
      return opaque(at, `calls ${written}.${name}()`);
    }
    if (functions.has(root.name)) return opaque(at, `calls ${written}.${name}()`);
    if (!locals.has(root.name) && !SAFE_MODULES.has(root.name) && !safeImports.has(root.name) && !/^(logger|log)$/i.test(root.name)) {
      // a module-level name: an import or a value built by code this file does not show
      return opaque(at, `calls ${written}.${name}(), which is not defined in this file`);
    }
    if (SAFE_MODULES.has(root.name) || safeImports.has(root.name) || /^(logger|log|logging)$/i.test(root.name)) return;
    if (rest.some((s) => s.name === '_meta')) return; // the model's metadata: fields, names
    if (VALUE_SAFE.has(name)) return;
    // reads and bounded writes on a model this body did not get from `apps` (an imported model, a parameter)
    if (ORM_SAFE.has(name) && name !== 'remove' && name !== 'set') return;
    if ((name === 'delete' || name === 'update') && narrows(rest)) return;
    return opaque(at, `calls ${written}.${name}(), which this reader cannot see through`);
  }
}
