/**
 * PostgreSQL reader: libpg-query (the real parser, WASM) over the whole text in one call when it
 * parses; on a syntax error, per-statement parsing via our splitter so that only the bad statement
 * is `unparseable`. DO blocks and function bodies are read through the PL/pgSQL parser.
 */
import type { ObjectRef, ObjectType, OperationFlags, OperationKind } from '../model/operation.js';
import { ColumnTypes, type ColumnType } from './column-types.js';
import { compareConstants, coverEveryValue, NUMBER_TYPES, patternTruth, selfComparison, type Constant } from './constant-conditions.js';
import { locateOps } from './locate.js';
import { ACTING_CALL, DELETING_FUNCTIONS, memberOf, refFromParts, REMOTE_FUNCTIONS, TABLE_FIRST_ARGUMENT, type AstOp } from './pg-ops.js';
import { readPlpgsql, routineIsRead, routineNeedsReading, type PlpgsqlHost } from './plpgsql.js';
import { Recognizer } from './recognize.js';
import type { OpSink } from './sink.js';
import { splitSql, type SkippedRegion, type SqlStatement } from './split.js';
import { ByteCursor } from './text-index.js';
import { isParsedNarrowing } from './type-narrowing.js';
import { endOfLineComment, tokenize } from './tokens.js';
import { applyWasmTier } from './wasm-tier.js';

type PgLib = typeof import('libpg-query');
// libpg-query's JSON tree: walked by key, typed loosely on purpose
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

let loading: Promise<PgLib> | undefined;

/** Load libpg-query once per process, lazily (the WASM init costs ~30 ms). */
export function loadPostgresParser(): Promise<PgLib> {
  loading ??= import('libpg-query').then(async (mod) => {
    // ESM named exports, or the CommonJS build seen through `default`
    const lib = (typeof mod.parseSync === 'function' ? mod : (mod as unknown as { default: PgLib }).default) as PgLib;
    applyWasmTier();
    await lib.loadModule();
    return lib;
  });
  return loading;
}

/** Whether a parse-tree node reads the column `name` (a ColumnRef ending in it, qualified or not). */
function readsColumn(node: Node, name: string): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((item) => readsColumn(item, name));
  if (node.ColumnRef) {
    const fields: Node[] = node.ColumnRef.fields ?? [];
    if (fields[fields.length - 1]?.String?.sval === name) return true;
  }
  return Object.values(node).some((value) => readsColumn(value, name));
}

/** Texts longer than this are parsed in runs of statements of at most RUN_MAX_CHARS (memory, not speed). */
const WHOLE_PARSE_MAX_CHARS = 1024 * 1024;
const RUN_MAX_CHARS = 64 * 1024;

/** Statement node types that can hold a destructive operation; everything else is skipped unread. */
const INTERESTING = new Set([
  'DropStmt', 'DropdbStmt', 'TruncateStmt', 'DeleteStmt', 'UpdateStmt', 'AlterTableStmt', 'RenameStmt',
  'DoStmt', 'CreateFunctionStmt', 'ExplainStmt', 'PrepareStmt', 'InsertStmt', 'SelectStmt',
  'DropOwnedStmt', 'AlterObjectSchemaStmt', 'RuleStmt', 'MergeStmt', 'CopyStmt', 'CallStmt',
  // CREATE TABLE / MATERIALIZED VIEW … AS runs its query (the calls in it) unless WITH NO DATA
  'CreateTableAsStmt',
]);

/** DROP … CASCADE of these takes every object that depends on them (columns of their types, foreign tables). */
const CASCADE_DEPENDENTS: Record<string, string> = {
  OBJECT_EXTENSION: 'extension',
  OBJECT_FOREIGN_SERVER: 'server',
  OBJECT_FDW: 'foreign data wrapper',
  // columns that use a collation; tables of an access method; generated columns, views and functions
  // built on a cast, operator, aggregate, language, transform, conversion or text search object
  OBJECT_COLLATION: 'collation',
  OBJECT_ACCESS_METHOD: 'access method',
  OBJECT_CAST: 'cast',
  OBJECT_OPERATOR: 'operator',
  OBJECT_AGGREGATE: 'aggregate',
  OBJECT_LANGUAGE: 'language',
  OBJECT_TRANSFORM: 'transform',
  OBJECT_CONVERSION: 'conversion',
  OBJECT_TSCONFIGURATION: 'text search configuration',
  OBJECT_TSDICTIONARY: 'text search dictionary',
  OBJECT_TSPARSER: 'text search parser',
  OBJECT_TSTEMPLATE: 'text search template',
  // the indexes (and constraints) built with it
  OBJECT_OPCLASS: 'operator class',
  OBJECT_OPFAMILY: 'operator family',
};

/** `WITH d AS (DELETE FROM t RETURNING *) INSERT …`: data-modifying CTEs run with the statement. */
function cteStatements(node: Node): Array<[string, Node]> {
  const out: Array<[string, Node]> = [];
  for (const cte of node?.withClause?.ctes ?? []) {
    const query = cte?.CommonTableExpr?.ctequery;
    const key = query ? firstKey(query) : '';
    if (key === 'DeleteStmt' || key === 'UpdateStmt') out.push([key, query[key]]);
  }
  return out;
}

const DROP_KINDS: Record<string, [OperationKind, ObjectType]> = {
  OBJECT_TABLE: ['drop-table', 'table'],
  OBJECT_FOREIGN_TABLE: ['drop-table', 'table'],
  OBJECT_INDEX: ['drop-index', 'index'],
  OBJECT_VIEW: ['drop-view', 'view'],
  OBJECT_MATVIEW: ['drop-view', 'view'],
  OBJECT_SCHEMA: ['drop-schema', 'schema'],
  OBJECT_FUNCTION: ['drop-function', 'function'],
  OBJECT_PROCEDURE: ['drop-function', 'function'],
  OBJECT_ROUTINE: ['drop-function', 'function'],
  OBJECT_TYPE: ['drop-type', 'type'],
  OBJECT_DOMAIN: ['drop-type', 'type'],
  OBJECT_SEQUENCE: ['drop-sequence', 'sequence'],
  OBJECT_TRIGGER: ['drop-trigger', 'trigger'],
};

function firstKey(node: Node): string {
  for (const k in node) return k;
  return '';
}

function strings(list: Node[] | undefined): string[] {
  return (list ?? []).map((n: Node) => n?.String?.sval ?? '').filter((s: string) => s !== '');
}

function rangeVarRef(rv: Node): ObjectRef {
  const r = rv?.RangeVar ?? rv ?? {};
  const parts = [r.schemaname, r.relname].filter((p: unknown): p is string => typeof p === 'string');
  return refFromParts('table', parts);
}

function dropObjectParts(obj: Node): string[] {
  if (obj.List) return strings(obj.List.items);
  if (obj.String) return [obj.String.sval];
  if (obj.TypeName) return strings(obj.TypeName.names);
  if (obj.ObjectWithArgs) return strings(obj.ObjectWithArgs.objname);
  return [];
}

function constValue(c: Node): string | undefined {
  if (!c) return undefined;
  if (c.isnull) return undefined;
  if ('boolval' in c) return `b:${c.boolval?.boolval === true}`;
  if ('ival' in c) return `n:${c.ival?.ival ?? 0}`;
  if ('fval' in c) return `n:${Number(c.fval?.fval ?? 0)}`;
  if ('sval' in c) return `s:${c.sval?.sval ?? ''}`;
  return undefined;
}

/**
 * WHERE that restricts nothing: `true`, `1`, `1=1`, `'a'='a'`, `2 > 1`, `NOT false`, `1 IN (1, 2)`,
 * `'t'::boolean`, and a condition that holds for every row by its meaning: a value compared with itself
 * (`id = id`, `x >= x`, `x IS NOT DISTINCT FROM x`: every row whose value is not NULL at least), a value that
 * is NULL or not (`x IS NULL OR x IS NOT NULL`, `b IS TRUE OR b IS NOT TRUE`); ORs containing one, ANDs of them.
 */
export function whereAlwaysTrue(node: Node, target?: Node): boolean {
  const table = target?.RangeVar ?? target;
  const own = new Set<string>([table?.relname, table?.alias?.aliasname].filter((n): n is string => typeof n === 'string'));
  return allOrNothing(unqualifyOwnColumns(node, own), table, own);
}

/**
 * The condition with `users.x` written `x` where users is the statement's own table or alias (outside subqueries,
 * where the name could mean another table): the row's x however it is written (`users.a = a`).
 */
function unqualifyOwnColumns(node: Node, own: Set<string>, depth = 0): Node {
  if (depth > 64 || !node || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((n) => unqualifyOwnColumns(n, own, depth + 1));
  if (node.SelectStmt) return node;
  const fields: Node[] | undefined = node.ColumnRef?.fields;
  if (fields && fields.length >= 2 && own.has(fields[fields.length - 2]?.String?.sval) && fields[fields.length - 1]?.String) {
    return { ColumnRef: { ...node.ColumnRef, fields: [fields[fields.length - 1]] } };
  }
  const out: Node = {};
  for (const key in node) out[key] = unqualifyOwnColumns(node[key], own, depth + 1);
  return out;
}

/**
 * true when a condition selects every row, or all or none of them: a condition whose value does not depend on
 * the row (rowIndependent) holds for every row or for none, and unless it is known false it is judged as every
 * row (`WHERE EXISTS (SELECT 1 FROM u)`, `WHERE 2 BETWEEN 1 AND 3`, `WHERE (SELECT true)`); an OR with such a
 * branch, an AND of them.
 */
function allOrNothing(node: Node, table: Node | undefined, own: Set<string>): boolean {
  const truth = conditionTruth(node, 0, table);
  if (truth !== undefined) return truth;
  if (rowIndependent(node, own)) return true;
  const args: Node[] = node?.BoolExpr?.args ?? [];
  if (node?.BoolExpr?.boolop === 'OR_EXPR') return args.some((a) => allOrNothing(a, table, own));
  if (node?.BoolExpr?.boolop === 'AND_EXPR') return args.length > 0 && args.every((a) => allOrNothing(a, table, own));
  return false;
}

/**
 * No part of the condition depends on the row: no column of it, no call (`random() < 0.5` is evaluated per row),
 * no `CURRENT OF`; a subquery may read anything but the row (every column in it qualified by a name of its own
 * FROM, never by one of the statement's `own` names: an unqualified one may be the row's). `inner`: the names
 * in scope inside a subquery.
 */
function rowIndependent(node: Node, own: Set<string>, inner?: Set<string>, depth = 0): boolean {
  if (depth > 64) return false;
  if (Array.isArray(node)) return node.every((n) => rowIndependent(n, own, inner, depth + 1));
  if (!node || typeof node !== 'object') return true;
  if (node.ColumnRef) {
    const fields: Node[] = node.ColumnRef.fields ?? [];
    if (!inner || fields.length < 2) return Boolean(inner) && fields.length === 1 && Boolean(fields[0]?.A_Star);
    const qualifier = fields[fields.length - 2]?.String?.sval;
    return typeof qualifier === 'string' && inner.has(qualifier) && !own.has(qualifier);
  }
  if ((node.FuncCall && !inner) || node.CurrentOfExpr) return false;
  if (node.SelectStmt) {
    const names = new Set(inner);
    collectRelationNames(node.SelectStmt.fromClause, names);
    return Object.values(node.SelectStmt).every((v) => rowIndependent(v, own, names, depth + 1));
  }
  return Object.values(node).every((v) => rowIndependent(v, own, inner, depth + 1));
}

/** The names a FROM list brings into scope: tables and their aliases, subqueries' aliases, joins' parts. */
function collectRelationNames(value: unknown, names: Set<string>, depth = 0): void {
  if (depth > 32 || !value || typeof value !== 'object') return;
  if (Array.isArray(value)) return value.forEach((v) => collectRelationNames(v, names, depth + 1));
  const node = value as Node;
  if (typeof node.relname === 'string') names.add(node.relname);
  if (typeof node.aliasname === 'string') names.add(node.aliasname);
  for (const key of ['RangeVar', 'RangeSubselect', 'JoinExpr', 'larg', 'rarg', 'alias', 'RangeFunction']) collectRelationNames(node[key], names, depth + 1);
}

/** true / false when a condition has that value for every row (its rows selected: all, none); else undefined. */
/** `target`: the statement's own table (a RangeVar), for a subquery that reads it back (selfSubqueryTruth). */
function conditionTruth(node: Node, depth: number, target?: Node): boolean | undefined {
  // constant conditions are shallow; a deep tree is not one (and must not exhaust the stack)
  if (!node || depth > 16) return undefined;
  if (node.A_Const) {
    // WHERE NULL selects no row
    if (node.A_Const.isnull) return false;
    const v = constValue(node.A_Const);
    if (v === 'b:true' || v === 'b:false') return v === 'b:true';
    return v?.startsWith('n:') ? v !== 'n:0' : undefined;
  }
  if (node.TypeCast) {
    const v = constValue(node.TypeCast.arg?.A_Const)?.toLowerCase();
    if (strings(node.TypeCast.typeName?.names).pop() !== 'bool' || v === undefined) return undefined;
    if (['s:t', 's:true', 's:y', 's:yes', 's:on', 's:1'].includes(v)) return true;
    return ['s:f', 's:false', 's:n', 's:no', 's:off', 's:0'].includes(v) ? false : undefined;
  }
  if (node.A_Expr) return comparisonTruth(node.A_Expr);
  if (node.BooleanTest) {
    // `true IS TRUE`, `1 = 2 IS FALSE`: a test of a constant condition
    const t = conditionTruth(node.BooleanTest.arg, depth + 1, target);
    if (t === undefined) return undefined;
    const test = String(node.BooleanTest.booltesttype);
    const holds = test.endsWith('TRUE') ? t : test.endsWith('FALSE') ? !t : false;
    return test.includes('_NOT_') ? !holds : holds;
  }
  if (node.SubLink?.subLinkType === 'ANY_SUBLINK') return selfSubqueryTruth(node.SubLink, target);
  if (node.SubLink?.subLinkType === 'EXISTS_SUBLINK') {
    // EXISTS (SELECT 1): a row that always exists (no FROM, WHERE, HAVING, LIMIT or set operation)
    const sel = node.SubLink.subselect?.SelectStmt;
    const constant = sel && !sel.fromClause && !sel.whereClause && !sel.havingClause && !sel.limitCount && sel.op === 'SETOP_NONE' && !sel.valuesLists;
    return constant ? true : undefined;
  }
  if (node.NullTest) {
    const v = node.NullTest.arg?.A_Const;
    if (!v) return undefined;
    return (v.isnull === true) === (node.NullTest.nulltesttype === 'IS_NULL');
  }
  if (node.BoolExpr) {
    const args: Node[] = node.BoolExpr.args ?? [];
    const truths = args.map((a) => conditionTruth(a, depth + 1, target));
    if (node.BoolExpr.boolop === 'NOT_EXPR') return truths[0] === undefined ? undefined : !truths[0];
    if (node.BoolExpr.boolop === 'OR_EXPR') {
      if (truths.includes(true) || complementaryTests(args) || complementaryComparisons(args) || negatedPredicates(args)) return true;
      return truths.length > 0 && truths.every((t) => t === false) ? false : undefined;
    }
    if (node.BoolExpr.boolop === 'AND_EXPR') {
      if (truths.includes(false)) return false;
      return truths.length > 0 && truths.every((t) => t === true) ? true : undefined;
    }
  }
  return undefined;
}

/**
 * `id IN (SELECT id FROM users)` in a statement on users: every row whose value is not NULL (as `id = id`).
 * Only the plain form: one column of the same table, read back with nothing that filters (WHERE, GROUP BY,
 * HAVING, LIMIT, OFFSET, a set operation, a CTE). `NOT IN` is a NOT of this: false.
 */
function selfSubqueryTruth(link: Node, target: Node | undefined): boolean | undefined {
  const sel = link.subselect?.SelectStmt;
  const from = sel?.fromClause?.length === 1 ? sel.fromClause[0]?.RangeVar : undefined;
  if (!target || !from || (link.operName && strings(link.operName).join() !== '=')) return undefined;
  if (sel.whereClause || sel.groupClause || sel.havingClause || sel.limitCount || sel.limitOffset || sel.withClause || sel.op !== 'SETOP_NONE' || sel.targetList?.length !== 1) return undefined;
  if (from.relname !== target.relname || (from.schemaname && target.schemaname && from.schemaname !== target.schemaname)) return undefined;
  const column = (ref: Node, names: string[]) => {
    const fields = strings(ref?.ColumnRef?.fields);
    if (!fields.length || fields.length > 2 || (fields.length === 2 && !names.includes(fields[0]!))) return undefined;
    return fields[fields.length - 1];
  };
  const outer = column(link.testexpr, [target.relname, target.alias?.aliasname].filter(Boolean));
  const inner = column(sel.targetList[0]?.ResTarget?.val, [from.relname, from.alias?.aliasname].filter(Boolean));
  return outer !== undefined && outer === inner ? true : undefined;
}

/** Comparisons of constants (`2 > 1`, `'a' = 'b'`, `1 IN (1, 2)`), of a value with itself (`x = x`), patterns matching anything. */
function comparisonTruth(expr: Node): boolean | undefined {
  const op = strings(expr.name).join();
  if (expr.kind === 'AEXPR_IN') {
    const l = constValue(expr.lexpr?.A_Const);
    const items: Node[] = expr.rexpr?.List?.items ?? [];
    // `x IN (x, 1)`: every row whose x is not NULL (NOT IN: none)
    if (items.some((item) => sameValue(expr.lexpr, item))) return op === '=';
    const values = items.map((item) => constValue(item?.A_Const));
    if (l === undefined || !values.length || values.some((v) => v === undefined || v[0] !== l[0])) return undefined;
    return values.includes(l) === (op === '=');
  }
  if (expr.kind === 'AEXPR_NOT_DISTINCT' || expr.kind === 'AEXPR_DISTINCT') {
    return sameValue(expr.lexpr, expr.rexpr) ? expr.kind === 'AEXPR_NOT_DISTINCT' : undefined;
  }
  // `x BETWEEN x AND x` (and SYMMETRIC): every row whose x is not NULL (NOT BETWEEN: none)
  const bounds: Node[] = expr.rexpr?.List?.items ?? [];
  if (String(expr.kind).startsWith('AEXPR_') && String(expr.kind).includes('BETWEEN') && bounds.length === 2 && bounds.every((b) => sameValue(expr.lexpr, b))) {
    return !String(expr.kind).includes('NOT');
  }
  // `x SIMILAR TO '%'`: a pattern of % alone matches every value
  if (expr.kind === 'AEXPR_SIMILAR') {
    const args: Node[] = expr.rexpr?.FuncCall?.args ?? [];
    const similar = constValue(args[0]?.A_Const);
    if (args.length === 1 && similar !== undefined && /^s:%+$/.test(similar)) return op === '~';
  }
  // `name LIKE '%'`, `name ~ ''`: a pattern that matches every value (NULL LIKE '%' matches nothing)
  const pattern = constValue(expr.rexpr?.A_Const);
  if (pattern?.startsWith('s:') && !expr.lexpr?.A_Const?.isnull && ['AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_OP'].includes(expr.kind)) {
    const matches = patternTruth(op, pattern.slice(2));
    if (matches !== undefined) return matches;
  }
  if (expr.kind !== 'AEXPR_OP') return undefined;
  const l = constOperand(expr.lexpr);
  const r = constOperand(expr.rexpr);
  // '1' = 1 is true in PostgreSQL (the string is read as the other side's type): compareConstants wants one kind
  if (l !== undefined && r !== undefined) return compareConstants(op, asConstant(l), asConstant(r));
  return sameValue(expr.lexpr, expr.rexpr) ? selfComparison(op) : undefined;
}

/** constValue's `n:1` as a Constant. */
const asConstant = (v: string): Constant => ({ kind: v[0] as Constant['kind'], value: v.slice(2) });

/** A constant operand: a literal, or a number literal cast to a number type (`1::int`). */
function constOperand(node: Node): string | undefined {
  if (node?.A_Const) return constValue(node.A_Const);
  const v = constValue(node?.TypeCast?.arg?.A_Const);
  return v?.startsWith('n:') && NUMBER_TYPES.has(strings(node.TypeCast.typeName?.names).pop() ?? '') ? v : undefined;
}

/** `x > 0 OR x <= 0`, `x = 'a' OR x <> 'a'`, `x < 1 OR x = 1 OR x > 1`: every row whose value is not NULL is on one side. */
function complementaryComparisons(args: Node[]): boolean {
  const cmps = args.flatMap((a) => (a?.A_Expr?.kind === 'AEXPR_OP' ? [{ op: strings(a.A_Expr.name).join(), l: a.A_Expr.lexpr, r: constOperand(a.A_Expr.rexpr) }] : []));
  return cmps.some((c) => c.r !== undefined && coverEveryValue(cmps.filter((d) => d.r === c.r && sameValue(c.l, d.l)).map((d) => d.op)));
}

/** Nodes of a plain value (sameValue): columns, constants, casts and operators. */
const PLAIN_VALUE_NODES = new Set(['ColumnRef', 'String', 'A_Const', 'TypeCast', 'TypeName', 'A_Expr', 'Integer', 'RowExpr']);
/** The negations of IN, LIKE, ILIKE, BETWEEN as the parser writes them (`x NOT IN (…)`: kind AEXPR_IN, name `<>`). */
const NEGATED_NAME: Record<string, string> = { '=': '<>', '~~': '!~~', '~~*': '!~~*' };
const NEGATED_KIND: Record<string, string> = { AEXPR_BETWEEN: 'AEXPR_NOT_BETWEEN', AEXPR_BETWEEN_SYM: 'AEXPR_NOT_BETWEEN_SYM' };
/** Nodes a predicate may hold and still be one fixed test of the row (no call, no subquery: `random() > 0.5`). */
const PLAIN_PREDICATE_NODES = new Set([...PLAIN_VALUE_NODES, 'BoolExpr', 'List', 'NullTest', 'BooleanTest', 'Float', 'Boolean']);

/**
 * `p OR NOT p`, `x IN (…) OR x NOT IN (…)`, `x LIKE 'a%' OR x NOT LIKE 'a%'`, `x BETWEEN 1 AND 2 OR x NOT BETWEEN 1
 * AND 2`: one or the other holds for every row whose values are not NULL (as complementaryComparisons).
 */
function negatedPredicates(args: Node[]): boolean {
  const plain = (n: Node) => onlyNodes(treeText(n), PLAIN_PREDICATE_NODES);
  const negation = (a: Node, b: Node): boolean => {
    if (b?.BoolExpr?.boolop === 'NOT_EXPR' && b.BoolExpr.args?.length === 1) return treeText(b.BoolExpr.args[0]) === treeText(a);
    const [x, y] = [a?.A_Expr, b?.A_Expr];
    if (!x || !y || treeText(x.lexpr) !== treeText(y.lexpr) || treeText(x.rexpr) !== treeText(y.rexpr)) return false;
    const [nx, ny] = [strings(x.name).join(), strings(y.name).join()];
    if (x.kind === y.kind && ['AEXPR_IN', 'AEXPR_LIKE', 'AEXPR_ILIKE'].includes(String(x.kind))) return NEGATED_NAME[nx] === ny;
    return NEGATED_KIND[String(x.kind)] === String(y.kind);
  };
  return args.some((a) => plain(a) && args.some((b) => a !== b && plain(b) && negation(a, b)));
}

/** `x IS NULL OR x IS NOT NULL`, `b IS TRUE OR b IS NOT TRUE` (and FALSE, UNKNOWN): every row is one or the other. */
function complementaryTests(args: Node[]): boolean {
  const tests = args.flatMap((a) =>
    a?.NullTest ? [{ arg: a.NullTest.arg, test: String(a.NullTest.nulltesttype) }] : a?.BooleanTest ? [{ arg: a.BooleanTest.arg, test: String(a.BooleanTest.booltesttype) }] : [],
  );
  return tests.some((t) => !t.test.includes('_NOT_') && tests.some((u) => u.test === t.test.replace('IS_', 'IS_NOT_') && sameValue(t.arg, u.arg)));
}

/**
 * The same value on both sides: columns, constants, casts and operators only (`random() = random()` is not
 * one; calls are left out whatever they are, like recognize.ts and mysql.ts do without a parser tree).
 */
function sameValue(a: Node, b: Node): boolean {
  if (!a || !b) return false;
  const left = treeText(a);
  const plain = onlyNodes(left, PLAIN_VALUE_NODES) && !/"AEXPR_(?!OP")/.test(left);
  return plain && left === treeText(b);
}

/** Whether a tree's text (treeText) holds only nodes of these types. */
function onlyNodes(text: string, types: Set<string>): boolean {
  return [...text.matchAll(/"([A-Z][A-Za-z_]*)":/g)].every((m) => types.has(m[1]!));
}

/** A parse tree as text without where it was written: two trees of the same expression read the same. */
function treeText(n: Node): string {
  return JSON.stringify(n, (key, value) => (key === 'location' || key === 'rexpr_list_start' || key === 'rexpr_list_end' ? undefined : value));
}

function typeNameText(tn: Node): string {
  const names = strings(tn?.names).filter((n) => n !== 'pg_catalog');
  const mods = (tn?.typmods ?? []).map((m: Node) => m?.A_Const?.ival?.ival ?? m?.A_Const?.sval?.sval ?? '').join(',');
  return names.join('.') + (mods ? `(${mods})` : '') + (tn?.arrayBounds ? '[]' : '');
}

/** Skip leading whitespace and comments: libpg-query may place a statement start before them. */
function codeStart(text: string): number {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text.startsWith('--', i)) {
      i = endOfLineComment(text, i, 'postgres');
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      if (close === -1) return i;
      i = close + 2;
    } else {
      return i;
    }
  }
}

/** `text` with the given regions turned into spaces (line breaks kept): same length, same lines. */
function blank(text: string, regions: SkippedRegion[]): string {
  let out = '';
  let at = 0;
  for (const r of regions) {
    out += text.slice(at, r.start) + text.slice(r.start, r.end).replace(/[^\n]/g, ' ');
    at = r.end;
  }
  return out + text.slice(at);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function columnType(tn: Node): ColumnType | undefined {
  const names = strings(tn?.names).filter((n) => n !== 'pg_catalog');
  if (names.length === 0) return undefined;
  const mods: number[] = (tn.typmods ?? []).map((m: Node) => m?.A_Const?.ival?.ival ?? 0);
  return { name: names.join('.'), mods, array: Array.isArray(tn.arrayBounds) };
}

function typeText(t: ColumnType): string {
  return t.name + (t.mods.length ? `(${t.mods.join(',')})` : '') + (t.array ? '[]' : '');
}

export class PostgresReader implements PlpgsqlHost {
  private readonly columnTypes = new ColumnTypes();
  /** CREATE TABLE statements not yet read for column types (in text order). */
  private readonly createdTables: Node[] = [];
  /** Procedures created earlier in this text (lower case): their bodies were read, so a CALL of them is not opaque. */
  private readonly procedures = new Set<string>();

  constructor(
    readonly lib: PgLib,
    readonly sink: OpSink,
  ) {}

  /** Read `text`, located at string offset `base` of the sink's text. */
  readText(text: string, base: number, embedded: boolean): void {
    if (!/\S/.test(text)) return;
    // a big text is parsed in runs of statements: one parse tree of a 10 MB file (JSON text + objects)
    // peaked at ~800 MB; runs keep memory bounded per file (bench/RESULTS.md, "check on real files")
    if (text.length > WHOLE_PARSE_MAX_CHARS) {
      this.readStatements(text, base, embedded);
      return;
    }
    let stmts: Node[];
    try {
      stmts = this.lib.parseSync(text).stmts ?? [];
    } catch {
      this.readStatements(text, base, embedded);
      return;
    }
    this.readParsed(stmts, text, base, embedded);
  }

  private readParsed(stmts: Node[], text: string, base: number, embedded: boolean): void {
    let cursor: ByteCursor | undefined;
    // once per text, not per statement: a test of the whole text per statement made big files quadratic
    const mentionsActingCall = ACTING_CALL.test(text);
    for (const raw of stmts) {
      const node = raw.stmt;
      const key = firstKey(node);
      if (key === 'CreateStmt') {
        // read only if a type change in this text asks for it
        this.createdTables.push(node.CreateStmt);
        continue;
      }
      if (!INTERESTING.has(key)) continue;
      const inner = node[key];
      if (key === 'CreateFunctionStmt' && inner.is_procedure && routineIsRead(inner)) {
        this.procedures.add((inner.funcname ?? []).map((n: Node) => String(n?.String?.sval ?? n?.String?.str ?? '')).join('.'));
      }
      // decide from the AST first: most statements report nothing and need no position at all
      let ops: AstOp[] | undefined;
      let failure: unknown;
      try {
        if (key === 'DoStmt' || key === 'CreateFunctionStmt') {
          if (!routineNeedsReading(key === 'DoStmt' ? 'do' : 'function', inner)) continue;
        } else if (key !== 'ExplainStmt' && key !== 'PrepareStmt') {
          ops = [...this.astOps(key, inner), ...(mentionsActingCall ? this.actingCalls(key, inner) : [])];
          if (ops.length === 0) continue;
        }
      } catch (e) {
        failure = e;
      }
      cursor ??= new ByteCursor(text);
      const loc: number = raw.stmt_location ?? 0;
      const len: number = raw.stmt_len ?? 0;
      let start = cursor.toChar(loc);
      const end = len > 0 ? cursor.toChar(loc + len) : text.length;
      start += codeStart(text.slice(start, end));
      const stmtText = text.slice(start, end);
      try {
        if (failure) throw failure;
        if (ops) this.emitLocated(ops, stmtText, base + start, embedded);
        else this.statement(key, inner, stmtText, base + start, embedded);
      } catch (e) {
        // a failure on one statement must not hide the others: this one blocks, the rest is read
        this.sink.add({ kind: 'unparseable', at: base + start, statementStart: base + start, statementText: stmtText, detail: `the SQL reader failed on this statement: ${errorMessage(e)}` });
      }
    }
  }

  /**
   * The whole text did not parse (or is too big to parse at once: runs then stay under RUN_MAX_CHARS):
   * split it, then parse runs of statements, halving a run that fails
   * until the bad statements stand alone (a few parses per bad statement, not one per statement).
   * Client-side regions the splitter skipped (COPY … FROM stdin data, psql meta-commands) are blanked
   * to spaces, so offsets inside each run still match the file.
   */
  private readStatements(text: string, base: number, embedded: boolean): void {
    const { statements, skipped } = splitSql(text, 'postgres');
    const clean = skipped.length > 0 ? blank(text, skipped) : text;
    let run: SqlStatement[] = [];
    const flush = () => {
      if (run.length > 0) this.readRun(run, clean, base, embedded);
      run = [];
    };
    for (const st of statements) {
      if (!st.error) {
        if (run.length > 0 && st.end - run[0].start > RUN_MAX_CHARS) flush();
        run.push(st);
        continue;
      }
      flush();
      if (!embedded) {
        this.sink.add({ kind: 'unparseable', at: base + st.error.offset, statementStart: base + st.start, statementText: st.text, detail: st.error.message });
      }
    }
    flush();
  }

  private readRun(run: SqlStatement[], clean: string, base: number, embedded: boolean): void {
    // ranges [lo, hi) of `run`, left to right
    const stack: Array<[number, number]> = [[0, run.length]];
    while (stack.length > 0) {
      const [lo, hi] = stack.pop()!;
      const from = run[lo].start;
      const slice = clean.slice(from, run[hi - 1].end);
      try {
        const stmts = this.lib.parseSync(slice).stmts ?? [];
        this.readParsed(stmts, slice, base + from, embedded);
      } catch (e) {
        if (hi - lo === 1) {
          this.unparsed(run[lo].text, base + from, embedded, e);
        } else {
          const mid = (lo + hi) >> 1;
          stack.push([mid, hi], [lo, mid]);
        }
      }
    }
  }

  /** A statement libpg-query rejects: our recognizer may still find its operations; else unparseable. */
  private unparsed(text: string, abs: number, embedded: boolean, e: unknown): void {
    const message = errorMessage(e);
    let rec = new Recognizer(text, 'postgres').recognize(tokenize(text, 'postgres'));
    if (rec.ops.length === 0 && /[`#]/.test(text)) {
      // MySQL-style text read as PostgreSQL (backticks, # comments): still name what it destroys
      rec = new Recognizer(text, 'mysql').recognize(tokenize(text, 'mysql'));
    }
    if (rec.ops.length > 0) {
      for (const op of rec.ops) {
        this.sink.add({
          kind: op.kind, target: op.target, flags: embedded ? { ...op.flags, embedded: true } : op.flags,
          at: abs + op.at, statementStart: abs, statementText: text,
          detail: op.detail ?? `PostgreSQL parser: ${message}; read by the fallback recognizer`,
        });
      }
      return;
    }
    if (embedded) return;
    const cursorPos = (e as { sqlDetails?: { cursorPosition?: number } })?.sqlDetails?.cursorPosition;
    const at = typeof cursorPos === 'number' && cursorPos >= 0 ? abs + Math.min(cursorPos, text.length) : abs;
    this.sink.add({ kind: 'unparseable', at, statementStart: abs, statementText: text, detail: `PostgreSQL parser: ${message}` });
  }

  private statement(key: string, node: Node, text: string, abs: number, embedded: boolean): void {
    switch (key) {
      case 'DoStmt':
        readPlpgsql(this, { kind: 'do', node, text, abs });
        return;
      case 'CreateFunctionStmt':
        readPlpgsql(this, { kind: 'function', node, text, abs });
        return;
      case 'ExplainStmt':
      case 'PrepareStmt': {
        // EXPLAIN ANALYZE runs the statement; a prepared statement runs at each EXECUTE
        const analyze = key === 'PrepareStmt' || (node.options ?? []).some((o: Node) => o?.DefElem?.defname === 'analyze' && optionOn(o.DefElem.arg));
        const inner = node.query ? firstKey(node.query) : '';
        if (analyze && INTERESTING.has(inner)) this.statement(inner, node.query[inner], text, abs, embedded);
        return;
      }
    }
    const ops = [...this.astOps(key, node), ...(ACTING_CALL.test(text) ? this.actingCalls(key, node) : [])];
    if (ops.length === 0) return;
    this.emitLocated(ops, text, abs, embedded);
  }

  /** Attach each AST operation to the place it is written (the recognizer's token positions). */
  emitLocated(ops: AstOp[], text: string, abs: number, embedded: boolean): void {
    for (const op of locateOps(ops, text, embedded)) {
      this.sink.add({
        kind: op.kind, target: op.target, flags: op.flags, at: abs + op.at, statementStart: abs, statementText: text,
        ...(op.detail ? { detail: op.detail } : {}),
      });
    }
  }

  private astOps(key: string, node: Node): AstOp[] {
    switch (key) {
      case 'DropStmt': {
        const dependents = CASCADE_DEPENDENTS[node.removeType];
        if (dependents) {
          if (node.behavior !== 'DROP_CASCADE') return [];
          return (node.objects ?? []).map((obj: Node) => {
            // a cast or transform is named by types, not by a name of its own; an operator class or family by
            // its index method first (`USING btree`), then its name
            const parts = dropObjectParts(obj).slice(node.removeType === 'OBJECT_OPCLASS' || node.removeType === 'OBJECT_OPFAMILY' ? 1 : 0);
            return {
              kind: 'drop-dependents' as const,
              target: refFromParts('type', parts.length ? parts : [dependents]),
              flags: { cascade: true, ...(node.missing_ok ? { ifExists: true } : {}) },
              detail: `DROP ${dependents.toUpperCase()} … CASCADE also drops every object that depends on it (columns, tables, views, functions${dependents.startsWith('operator ') ? ', indexes' : ''})`,
            };
          });
        }
        const kt = DROP_KINDS[node.removeType];
        if (!kt) return [];
        const flags: OperationFlags = {};
        if (node.behavior === 'DROP_CASCADE') flags.cascade = true;
        if (node.missing_ok) flags.ifExists = true;
        if (node.concurrent) flags.concurrently = true;
        return (node.objects ?? []).map((obj: Node) => {
          const parts = dropObjectParts(obj);
          let target: ObjectRef;
          if (kt[1] === 'trigger') {
            target = refFromParts('trigger', parts.slice(-1));
            target.table = parts[parts.length - 2];
            if (parts.length > 2) target.schema = parts[parts.length - 3];
          } else {
            target = refFromParts(kt[1], parts);
          }
          return { kind: kt[0], target, flags: { ...flags } };
        });
      }
      case 'DropdbStmt':
        return [{ kind: 'drop-database', target: refFromParts('database', [node.dbname]), flags: node.missing_ok ? { ifExists: true } : {} }];
      case 'TruncateStmt': {
        const flags: OperationFlags = node.behavior === 'DROP_CASCADE' ? { cascade: true } : {};
        return (node.relations ?? []).map((rv: Node) => ({ kind: 'truncate' as const, target: rangeVarRef(rv), flags: { ...flags } }));
      }
      case 'InsertStmt':
      case 'SelectStmt':
        return cteStatements(node).flatMap(([k, n]) => this.astOps(k, n));
      case 'DeleteStmt':
      case 'UpdateStmt': {
        const kind: OperationKind = key === 'DeleteStmt' ? 'delete-all' : 'update-all';
        const inCtes = cteStatements(node).flatMap(([k, n]) => this.astOps(k, n));
        if (!node.whereClause) return [...inCtes, { kind, target: rangeVarRef(node.relation), flags: {} }];
        if (whereAlwaysTrue(node.whereClause, node.relation)) return [...inCtes, { kind, target: rangeVarRef(node.relation), flags: { whereAlwaysTrue: true } }];
        return inCtes;
      }
      case 'AlterTableStmt':
        return this.alterTable(node);
      case 'RenameStmt':
        return this.rename(node);
      case 'DropOwnedStmt':
        return (node.roles ?? []).map((role: Node) => {
          const name = String(role?.RoleSpec?.rolename ?? role?.RoleSpec?.roletype ?? 'role');
          return { kind: 'drop-dependents' as const, target: refFromParts('role', [name]), flags: node.behavior === 'DROP_CASCADE' ? { cascade: true } : {}, detail: 'DROP OWNED drops every table, view and other object the role owns, in this database' };
        });
      case 'AlterObjectSchemaStmt': {
        // the table (or view) moves to another schema: its old name no longer exists, as after a rename
        const view = node.objectType === 'OBJECT_VIEW' || node.objectType === 'OBJECT_MATVIEW';
        if (!view && node.objectType !== 'OBJECT_TABLE' && node.objectType !== 'OBJECT_FOREIGN_TABLE') return [];
        const target = view ? { ...rangeVarRef(node.relation), type: 'view' as const } : rangeVarRef(node.relation);
        return [{ kind: 'rename-table', target, flags: { newName: `${node.newschema}.${node.relation?.relname ?? ''}` }, detail: `SET SCHEMA moves the ${view ? 'view' : 'table'} to ${node.newschema}` }];
      }
      case 'RuleStmt': {
        const writes = (node.actions ?? []).some((a: Node) => ['DeleteStmt', 'UpdateStmt'].includes(firstKey(a)));
        if (!writes) return [];
        return [{ kind: 'opaque', target: rangeVarRef(node.relation), flags: {}, detail: 'a rule that deletes or updates rows each time the table is written: which rows cannot be known statically' }];
      }
      case 'MergeStmt': {
        const inCtes = cteStatements(node).flatMap(([k, n]) => this.astOps(k, n));
        const commands = new Set((node.mergeWhenClauses ?? []).map((c: Node) => c?.MergeWhenClause?.commandType));
        const writes = ['CMD_DELETE', 'CMD_UPDATE'].filter((c) => commands.has(c)).map((c) => (c === 'CMD_DELETE' ? 'THEN DELETE deletes' : 'THEN UPDATE overwrites'));
        if (!writes.length) return inCtes;
        return [...inCtes, { kind: 'opaque', target: rangeVarRef(node.relation), flags: {}, detail: `MERGE … ${writes.join(' and … ')} the rows the join matches: which rows cannot be known statically` }];
      }
      case 'CallStmt': {
        // a procedure this text creates in a language we read was read where it is created (named as it was
        // created: `p` may be another schema's); any other one is unseen code
        const parts = (node.funccall?.FuncCall?.funcname ?? node.funccall?.funcname ?? []).map((n: Node) => String(n?.String?.sval ?? n?.String?.str ?? ''));
        if (!parts.length || this.procedures.has(parts.join('.'))) return [];
        return [{ kind: 'opaque', target: refFromParts('function', parts), flags: {}, detail: `CALL ${parts.join('.')} runs a procedure whose body is not in this file: what it does cannot be known statically` }];
      }
      case 'CopyStmt': {
        // COPY (DELETE … RETURNING …) TO: the query runs
        const query = node.query ? firstKey(node.query) : '';
        if (query) return this.astOps(query, node.query[query]);
        if (!node.is_program) return [];
        return [{ kind: 'opaque', target: rangeVarRef(node.relation), flags: {}, detail: 'COPY … PROGRAM runs a shell command on the database server: its effect cannot be known statically' }];
      }
    }
    return [];
  }

  /**
   * Calls that act when the statement runs, anywhere in it: DELETING_FUNCTIONS are opaque on the table they
   * name (which rows go depends on the arguments and the data), REMOTE_FUNCTIONS on themselves (they run
   * SQL on another database). A query that does not run now (WITH NO DATA) calls nothing.
   */
  private actingCalls(key: string, node: Node): AstOp[] {
    if (key === 'CreateTableAsStmt' && node.into?.skipData) return [];
    const ops: AstOp[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (!value || typeof value !== 'object') return;
      const call = (value as Node).FuncCall;
      if (call) {
        const parts: string[] = (call.funcname ?? []).map((n: Node) => String(n?.String?.sval ?? ''));
        const name = (parts[parts.length - 1] ?? '').toLowerCase();
        const what = Object.hasOwn(DELETING_FUNCTIONS, name) ? DELETING_FUNCTIONS[name] : undefined;
        if (what) {
          // the table: a literal first argument (`'metrics'`, `'metrics'::regclass`, `relation => 'metrics'`)
          const first = (call.args ?? [])[0];
          const literal = first?.NamedArgExpr?.arg ?? first;
          const text: unknown = (literal?.TypeCast?.arg ?? literal)?.A_Const?.sval?.sval;
          const target = typeof text === 'string' && TABLE_FIRST_ARGUMENT.has(name) ? refFromParts('table', text.split('.')) : refFromParts('function', parts);
          ops.push({ kind: 'opaque', target, flags: {}, detail: `${what}: which rows cannot be known statically` });
        } else if (REMOTE_FUNCTIONS.includes(name)) {
          ops.push({ kind: 'opaque', target: refFromParts('function', [name]), flags: {}, detail: `${name} runs SQL on another database: its effect cannot be known statically` });
        }
      }
      for (const inner of Object.values(value)) visit(inner);
    };
    visit(node);
    return ops;
  }

  /** Column types of CREATE TABLE, for deciding whether a later type change in this text narrows. */
  private knownType(schema: string | undefined, table: string, column: string): ColumnType | undefined {
    this.rememberCreatedTables();
    return this.columnTypes.get(schema, table, column);
  }

  /** CREATE TABLEs are read for column types only once a later statement needs them. */
  private rememberCreatedTables(): void {
    for (const created of this.createdTables.splice(0)) this.rememberTypes(created);
  }

  /** A rename or drop makes what we knew of the table's column types unreliable: forget it (type changes then have no verdict). */
  private forgetTypes(table: ObjectRef): void {
    this.rememberCreatedTables();
    this.columnTypes.forgetTable(table.schema, table.name);
  }

  private rememberTypes(node: Node): void {
    const rel = node.relation ?? {};
    for (const element of node.tableElts ?? []) {
      const def = element?.ColumnDef;
      const type = def ? columnType(def.typeName) : undefined;
      if (type) this.columnTypes.set(rel.schemaname, rel.relname, def.colname, type);
    }
  }

  private alterTable(node: Node): AstOp[] {
    if (node.objtype === 'OBJECT_TYPE') return typeAttributesDropped(node);
    if (node.objtype !== 'OBJECT_TABLE' && node.objtype !== 'OBJECT_FOREIGN_TABLE') return [];
    const table = rangeVarRef(node.relation);
    const sub = (type: ObjectType, name: string): ObjectRef => memberOf(table, type, name);
    const ops: AstOp[] = [];
    for (const c of node.cmds ?? []) {
      const cmd = c.AlterTableCmd;
      if (!cmd) continue;
      const flags: OperationFlags = {};
      if (cmd.behavior === 'DROP_CASCADE') flags.cascade = true;
      if (cmd.missing_ok) flags.ifExists = true;
      if (cmd.subtype === 'AT_DropColumn') {
        this.forgetTypes(table);
        ops.push({ kind: 'drop-column', target: sub('column', cmd.name), flags });
      } else if (cmd.subtype === 'AT_DropConstraint') ops.push({ kind: 'drop-constraint', target: sub('constraint', cmd.name), flags });
      else if (cmd.subtype === 'AT_AlterColumnType') {
        const typeName = cmd.def?.ColumnDef?.typeName;
        const typeFlags: OperationFlags = { newType: typeNameText(typeName) };
        const before = this.knownType(table.schema, table.name, cmd.name);
        const after = columnType(typeName);
        if (before && after) {
          typeFlags.oldType = typeText(before);
          const narrowing = isParsedNarrowing(before, after);
          if (narrowing !== undefined) typeFlags.narrowing = narrowing;
          this.columnTypes.set(table.schema, table.name, cmd.name, after);
        }
        // `USING NULL`, `USING 0`, `USING now()`, `USING other_column`: an expression that does not read the
        // column replaces every value
        const using = cmd.def?.ColumnDef?.raw_default;
        if (using && !readsColumn(using, cmd.name)) typeFlags.valuesReplaced = true;
        ops.push({ kind: 'alter-column-type', target: sub('column', cmd.name), flags: typeFlags });
      } else if (cmd.subtype === 'AT_AddColumn') {
        const def = cmd.def?.ColumnDef;
        const type = def ? columnType(def.typeName) : undefined;
        if (type) {
          this.rememberCreatedTables();
          this.columnTypes.set(table.schema, table.name, def.colname, type);
        }
      }
    }
    return ops;
  }

  private rename(node: Node): AstOp[] {
    const rel = rangeVarRef(node.relation);
    if (node.renameType === 'OBJECT_TABLE' || node.renameType === 'OBJECT_FOREIGN_TABLE' || node.renameType === 'OBJECT_COLUMN') this.forgetTypes(rel);
    switch (node.renameType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_FOREIGN_TABLE':
        return [{ kind: 'rename-table', target: rel, flags: { newName: node.newname } }];
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
        return [{ kind: 'rename-table', target: { ...rel, type: 'view' }, flags: { newName: node.newname } }];
      case 'OBJECT_COLUMN':
        return [{
          kind: 'rename-column',
          target: memberOf(rel, 'column', node.subname),
          flags: { newName: node.newname },
        }];
    }
    // every table of the schema is renamed with it
    if (node.renameType === 'OBJECT_SCHEMA') return [{ kind: 'rename-schema', target: refFromParts('schema', [node.subname]), flags: { newName: node.newname } }];
    // ALTER INDEX renames any relation (a table too): reported where protected, followed as a rename (policy/renames.ts)
    if (node.renameType === 'OBJECT_INDEX') return [{ kind: 'rename-index', target: { ...rel, type: 'index' }, flags: { newName: node.newname } }];
    if (node.renameType === 'OBJECT_TABCONSTRAINT') return [{ kind: 'rename-constraint', target: memberOf(rel, 'constraint', node.subname), flags: { newName: node.newname } }];
    return [];
  }
}

/** A boolean option's value (`ANALYZE`, `ANALYZE on`, `ANALYZE 1` are on; `off`, `false`, `no`, `0` are not). */
function optionOn(arg: Node): boolean {
  if (arg === undefined) return true;
  if (arg?.Integer) return Boolean(arg.Integer.ival);
  if (arg?.Boolean) return Boolean(arg.Boolean.boolval);
  return !['off', 'false', 'no', 'f', 'n', '0'].includes(String(arg?.String?.sval ?? '').toLowerCase());
}

/** `ALTER TYPE t DROP ATTRIBUTE a CASCADE`: the attribute's column goes from every table of that type (without CASCADE it fails). */
function typeAttributesDropped(node: Node): AstOp[] {
  const type = { ...rangeVarRef(node.relation), type: 'type' as const };
  return (node.cmds ?? []).flatMap((c: Node) => {
    const cmd = c.AlterTableCmd;
    if (cmd?.subtype !== 'AT_DropColumn' || cmd.behavior !== 'DROP_CASCADE') return [];
    return [{ kind: 'drop-dependents' as const, target: type, flags: { cascade: true, ...(cmd.missing_ok ? { ifExists: true } : {}) }, detail: `ALTER TYPE … DROP ATTRIBUTE ${cmd.name} CASCADE also drops that column from every table of this type` }];
  });
}

/** Read PostgreSQL text into the sink's operations. */
export async function readPostgres(sink: OpSink): Promise<void> {
  const lib = await loadPostgresParser();
  new PostgresReader(lib, sink).readText(sink.text, 0, false);
}
