/**
 * MySQL / MariaDB (and, through sqlite.ts, SQLite) reader: our splitter, then per statement our
 * recognizer for the destructive forms (exact positions, and the many forms node-sql-parser rejects),
 * with node-sql-parser as the second opinion where structure matters: it confirms the WHERE of
 * DELETE/UPDATE, and classifies statements our recognizer does not know. A statement neither can
 * classify is `unparseable`.
 */
import { compareConstants, coverEveryValue, patternTruth, selfComparison, type Constant } from './constant-conditions.js';
import type { OperationFlags } from '../model/operation.js';
import type { OpInput, OpSink } from './sink.js';
import { isNarrowing } from './type-narrowing.js';
import { parseWith, type ParserFlavor } from './node-sql-parser.js';
import { HEAD_TOKENS, needsAllTokens, Recognizer, type FoundOp } from './recognize.js';
import { splitSql, type SqlStatement } from './split.js';
import { tokenize, type Token } from './tokens.js';

/** An operation, located in another statement than the one being read (PREPARE … FROM @v → its SET). */
type Located = FoundOp & { source?: { start: number; text: string } };

/** A user variable's value as an assignment wrote it, or `unknown` once something else may have changed it. */
type Assigned = { toks: Token[]; code: string; text: string; start: number } | 'unknown';

/**
 * `PREPARE s FROM @v`: when @v was set to a choice between literal SQL strings, those statements are
 * what may run (the common "drop the index if it exists" idiom); otherwise the SQL is opaque.
 */
function resolvePrepared(op: FoundOp, variables: Map<string, Assigned>, dialect: 'mysql' | 'sqlite'): Located[] {
  const assigned = variables.get(op.variable!);
  if (!assigned || assigned === 'unknown') return [op];
  const recognizer = new Recognizer(assigned.code, dialect);
  const values = recognizer.knownValues(assigned.toks);
  const rec = values ? recognizer.embeddedValues(values) : undefined;
  if (!rec || rec.status === 'unknown') return [op];
  return rec.ops.map((inner) => ({ ...inner, source: { start: assigned.start, text: assigned.text } }));
}

/**
 * What a statement does to user variables: `SET @a = x, @b := y` assigns (name → the value's tokens); any other
 * `@v := …`, `@v = …` (inside a routine body, a SELECT) or `INTO @v` makes @v unknown.
 */
function assignments(toks: Token[]): Map<string, Token[] | 'unknown'> {
  const found = new Map<string, Token[] | 'unknown'>();
  const nameAt = (k: number) => (toks[k]?.value === '@' && toks[k + 1] && toks[k + 1].type !== 'punct' ? toks[k + 1].value.toLowerCase() : undefined);
  for (let k = 0; k < toks.length; k++) {
    const name = nameAt(k);
    if (name && (toks[k + 2]?.value === ':=' || toks[k + 2]?.value === '=')) found.set(name, 'unknown');
    if (toks[k].type === 'word' && toks[k].upper === 'INTO') {
      for (let j = k + 1; nameAt(j); j += 3) {
        found.set(nameAt(j)!, 'unknown');
        if (toks[j + 2]?.value !== ',') break;
      }
    }
  }
  if (toks[0]?.upper !== 'SET') return found;
  // the SET's own assignments, separated by depth-0 commas
  let start = 1;
  for (let k = 1, depth = 0; k <= toks.length; k++) {
    const t = toks[k];
    if (t?.value === '(') depth++;
    else if (t?.value === ')') depth--;
    else if (!t || (depth === 0 && t.value === ',')) {
      const name = nameAt(start);
      if (name && (toks[start + 2]?.value === '=' || toks[start + 2]?.value === ':=')) found.set(name, toks.slice(start + 3, k));
      start = k + 1;
    }
  }
  return found;
}

const DESTRUCTIVE_AST_TYPES = new Set(['drop', 'truncate', 'delete', 'update', 'alter', 'rename']);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AstNode = any;

/**
 * node-sql-parser WHERE that restricts nothing: `1=1`, `true`, `'a'='a'`, `1`, `2 > 1`, `NOT false`, `1 IN (1, 2)`,
 * a column compared with itself (`id = id`), `x IS NULL OR x IS NOT NULL` (the twin of postgres.ts whereAlwaysTrue).
 */
function astAlwaysTrue(node: AstNode, table?: AstNode): boolean {
  return astTruth(node, 0, table) === true;
}

const LITERAL_TYPES = ['number', 'single_quote_string', 'string', 'double_quote_string', 'bool'];
const isLiteral = (n: AstNode) => n && LITERAL_TYPES.includes(n.type);
const literalKind = (n: AstNode): Constant['kind'] => (n.type === 'number' ? 'n' : n.type === 'bool' ? 'b' : 's');

/** `NOT x`, and `NOT (x)`, which node-sql-parser reads as a call of NOT: x. */
function notOf(node: AstNode): AstNode | undefined {
  if (node?.type === 'unary_expr' && String(node.operator).toUpperCase() === 'NOT') return node.expr;
  return node?.type === 'function' && node.name?.name?.[0]?.value?.toUpperCase?.() === 'NOT' && node.args?.value?.length === 1 ? node.args.value[0] : undefined;
}

/**
 * true / false when the condition has that value for every row; else undefined. `table`: the statement's own
 * (node-sql-parser's `{ db, table, as }`), for a subquery that reads it back.
 */
function astTruth(node: AstNode, depth: number, table?: AstNode): boolean | undefined {
  if (!node || typeof node !== 'object' || depth > 16) return undefined;
  if (node.type === 'bool') return node.value === true;
  if (node.type === 'number') return Number(node.value) !== 0;
  const negated = notOf(node);
  if (negated) {
    const inner = astTruth(negated, depth + 1, table);
    return inner === undefined ? undefined : !inner;
  }
  if (node.type !== 'binary_expr') return undefined;
  const op = String(node.operator).toUpperCase();
  if (op === 'AND') {
    const [l, r] = [astTruth(node.left, depth + 1, table), astTruth(node.right, depth + 1, table)];
    return l === false || r === false ? false : l === true && r === true ? true : undefined;
  }
  if (op === 'OR') {
    const parts = orParts(node);
    const truths = parts.map((p) => astTruth(p, depth + 1, table));
    if (truths.includes(true) || complementaryComparisons(parts) || parts.some((a) => parts.some((b) => complementaryIs(a, b) || negatedPredicate(a, b)))) return true;
    return truths.every((t) => t === false) ? false : undefined;
  }
  if ((op === 'IN' || op === 'NOT IN') && selfSubquery(node, table)) return op === 'IN';
  if ((op === 'IN' || op === 'NOT IN') && isLiteral(node.left) && node.right?.type === 'expr_list') {
    const items: AstNode[] = node.right.value ?? [];
    if (!items.length || !items.every((i) => isLiteral(i) && literalKind(i) === literalKind(node.left))) return undefined;
    return items.some((i) => String(i.value) === String(node.left.value)) === (op === 'IN');
  }
  // `name LIKE '%'`, `name REGEXP ''`: a pattern that matches every value (NULL LIKE '%' matches nothing)
  if (isLiteral(node.right) && literalKind(node.right) === 's' && node.left?.type !== 'null') {
    const matches = patternTruth(op, String(node.right.value));
    if (matches !== undefined) return matches;
  }
  if (!['=', '==', '<>', '!=', '<', '<=', '>', '>='].includes(op)) return undefined;
  if (isLiteral(node.left) && isLiteral(node.right)) return compareConstants(op, asConstant(node.left), asConstant(node.right));
  // a column compared with itself
  const column = columnKey(node.left);
  return column !== undefined && column === columnKey(node.right) ? selfComparison(op) : undefined;
}

/** MySQL reads `"x"` as a string (without ANSI_QUOTES), where SQLite reads the column: the tree as MySQL reads it. */
const quotedAsStrings = (node: AstNode): AstNode =>
  JSON.parse(JSON.stringify(node, (_k, v) => (v?.type === 'double_quote_string' ? { ...v, type: 'single_quote_string' } : v)));

/** A column whatever its case or quotes (`X`, `` `x` ``; `"x"`, which SQLite reads as the column when there is one: counted so, failing closed). */
function columnKey(n: AstNode): string | undefined {
  if (n?.type === 'column_ref') {
    const column = typeof n.column === 'string' ? n.column : n.column?.expr?.value;
    return typeof column === 'string' ? `${String(n.table ?? '').toLowerCase()}.${column.toLowerCase()}` : undefined;
  }
  return n?.type === 'double_quote_string' ? `.${String(n.value).toLowerCase()}` : undefined;
}

/** A node as text in which the same value written two ways reads the same: columns as columnKey reads them, parentheses left out. */
const valueText = (n: AstNode) => JSON.stringify(n, (k, v) => (k === 'parentheses' ? undefined : (columnKey(v) ?? v)));
const sameValue = (a: AstNode, b: AstNode) => valueText(a) === valueText(b);

/**
 * `id IN (SELECT id FROM users)` in a statement on users (SQLite; MySQL refuses to read the table it changes):
 * every row whose value is not NULL. Only the plain form: one column of the same table, nothing that filters.
 */
function selfSubquery(node: AstNode, table: AstNode | undefined): boolean {
  const items: AstNode[] = node.right?.type === 'expr_list' ? (node.right.value ?? []) : [];
  const sel = items.length === 1 ? items[0]?.ast : undefined;
  if (!table || sel?.type !== 'select' || sel.from?.length !== 1 || sel.columns?.length !== 1) return false;
  if (sel.where || sel.groupby || sel.having || sel.with || sel._next || (sel.limit && sel.limit.value?.length)) return false;
  const from = sel.from[0];
  if (String(from.table).toLowerCase() !== String(table.table).toLowerCase() || (from.db && table.db && from.db !== table.db)) return false;
  const column = (ref: AstNode, names: unknown[]) => (ref?.type === 'column_ref' && (ref.table === null || names.includes(ref.table)) ? String(ref.column).toLowerCase() : undefined);
  const outer = column(node.left, [table.table, table.as].filter(Boolean));
  return outer !== undefined && outer === column(sel.columns[0]?.expr, [from.table, from.as].filter(Boolean));
}

const asConstant = (n: AstNode): Constant => ({ kind: literalKind(n), value: literalKind(n) === 'n' ? String(Number(n.value)) : String(n.value) });

/** The operands of a chain of ORs (`a OR b OR c` is `(a OR b) OR c` in the tree). */
function orParts(node: AstNode): AstNode[] {
  return node?.type === 'binary_expr' && String(node.operator).toUpperCase() === 'OR' ? [...orParts(node.left), ...orParts(node.right)] : [node];
}

/** `x > 0 OR x <= 0`, `x = 'a' OR x <> 'a'`, `x < 1 OR x = 1 OR x > 1`: every row whose column is not NULL is on one side. */
function complementaryComparisons(parts: AstNode[]): boolean {
  const cmps = parts.flatMap((n) => (n?.type === 'binary_expr' && n.left?.type === 'column_ref' && isLiteral(n.right) ? [{ op: String(n.operator), left: n.left, right: asConstant(n.right) }] : []));
  return cmps.some((c) => coverEveryValue(cmps.filter((d) => d.right.kind === c.right.kind && d.right.value === c.right.value && sameValue(c.left, d.left)).map((d) => d.op)));
}

/**
 * `p` and `NOT p`, `x IN (…)` and `x NOT IN (…)`, LIKE, REGEXP, BETWEEN and their NOT: one or the other holds for every
 * row whose values are not NULL (postgres.ts negatedPredicates). No call (`random() > 0.5`).
 */
function negatedPredicate(a: AstNode, b: AstNode): boolean {
  const plain = (n: AstNode) => !/"function"|"select"/.test(JSON.stringify(n));
  const inner = notOf(b);
  if (inner !== undefined) return plain(a) && plain(inner) && sameValue(inner, a);
  if (a?.type !== 'binary_expr' || b?.type !== 'binary_expr' || !plain(a) || !plain(b)) return false;
  const [oa, ob] = [String(a.operator).toUpperCase(), String(b.operator).toUpperCase()];
  return ob === `NOT ${oa}` && sameValue(a.left, b.left) && sameValue(a.right, b.right);
}

/** `x IS NULL` and `x IS NOT NULL`, in either order. */
function complementaryIs(a: AstNode, b: AstNode): boolean {
  const test = (n: AstNode) => (n?.type === 'binary_expr' && n.right?.type === 'null' ? String(n.operator).toUpperCase() : undefined);
  const [ta, tb] = [test(a), test(b)];
  return ((ta === 'IS' && tb === 'IS NOT') || (ta === 'IS NOT' && tb === 'IS')) && sameValue(a.left, b.left) && !/"function"/.test(JSON.stringify(a.left));
}

/** Procedures the text creates (lower case): their bodies are read there, so calling them is not opaque. */
function proceduresCreatedIn(text: string): Set<string> {
  const name = '(?:`([^`]+)`|"([^"]+)"|(\\w+))';
  const created = new RegExp(`\\bCREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:DEFINER\\s*=\\s*\\S+\\s+)?PROCEDURE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:${name}\\s*\\.\\s*)?${name}`, 'gi');
  return new Set([...text.matchAll(created)].map((m) => (m[4] ?? m[5] ?? m[6])!.toLowerCase()));
}

export async function readMysqlLike(sink: OpSink, dialect: 'mysql' | 'sqlite', flavor: ParserFlavor): Promise<void> {
  const { statements } = splitSql(sink.text, dialect);
  const procedures = proceduresCreatedIn(sink.text);
  /** table (lower case) → the table its rows were copied into, for the SQLite rebuild pattern */
  const copiedInto = new Map<string, string>();
  /** MySQL column types declared by CREATE TABLE earlier in the text: table → column → type (lower-case names) */
  const declared = new Map<string, Map<string, string>>();
  const typeChanges = dialect === 'mysql' && /\b(?:MODIFY|CHANGE)\b/i.test(sink.text);
  /** MySQL user variables set by `SET @v = …`: their tokens and statement, for PREPARE … FROM @v */
  const variables = new Map<string, Assigned>();
  for (const st of statements) {
    const found = new Set<string>();
    const key = (op: OpInput) => `${op.kind} ${op.at} ${op.target ? [op.target.type, op.target.schema, op.target.table, op.target.name].join('.') : ''}`;
    await readSafely(st, (op) => {
      found.add(key(op));
      sink.add(op);
    });
    if (st.skipped === undefined) continue;
    // a server that skips the versioned comments (`/*M!` on MySQL, `/*!99999` on an older one) runs the rest: what
    // that reading destroys counts too; text it cannot read is a statement that server rejects
    await readSafely({ ...st, code: st.skipped }, (op) => {
      if (op.kind === 'unparseable' || found.has(key(op))) return;
      sink.add({ ...op, detail: [op.detail, 'as run by a server that skips its versioned comments /*!…*/'].filter(Boolean).join('; ') });
    });
  }

  /**
   * A MODIFY / CHANGE of a column whose type a CREATE TABLE above declared: its old type and whether the change
   * narrows it. What the operations do to the table and its columns is remembered (a drop or rename forgets).
   */
  function typeChange(op: FoundOp): OperationFlags {
    const t = op.target;
    const table = t?.type === 'column' ? t.table?.toLowerCase() : t?.type === 'table' ? t.name.toLowerCase() : undefined;
    if (!t || table === undefined || !declared.has(table)) return {};
    const columns = declared.get(table)!;
    if (t.type === 'table') {
      declared.delete(table);
      return {};
    }
    const column = t.name.toLowerCase();
    const old = columns.get(column);
    // CHANGE a b TYPE: the rename comes first, then the type change of a (a is still what it was)
    if (op.kind === 'rename-column' && old !== undefined && op.flags.newName) columns.set(op.flags.newName.toLowerCase(), old);
    else if (op.kind !== 'alter-column-type') columns.delete(column);
    if (op.kind !== 'alter-column-type' || op.flags.oldType || old === undefined || !op.flags.newType) return {};
    columns.set(column, op.flags.newType);
    const narrowing = isNarrowing(old, op.flags.newType);
    return { oldType: old, ...(narrowing !== undefined ? { narrowing } : {}) };
  }

  async function readSafely(st: SqlStatement, add: (op: OpInput) => void): Promise<void> {
    try {
      await readStatement(st, add);
    } catch (e) {
      // a failure on one statement must not hide the others: this one blocks, the rest is read
      const message = e instanceof Error ? e.message : String(e);
      add({ kind: 'unparseable', at: st.start, statementStart: st.start, statementText: st.text, detail: `the SQL reader failed on this statement: ${message}` });
    }
  }

  async function readStatement(st: SqlStatement, add: (op: OpInput) => void): Promise<void> {
    const abs = st.start;
    if (st.error) {
      add({ kind: 'unparseable', at: st.error.offset, statementStart: abs, statementText: st.text, detail: st.error.message });
      return;
    }
    const head = tokenize(st.code, dialect, HEAD_TOKENS, st.lexing);
    const createsTable = typeChanges && head[0]?.upper === 'CREATE';
    const toks = needsAllTokens(head, st.code) || createsTable || st.code.includes('@') ? tokenize(st.code, dialect, Infinity, st.lexing) : head;
    if (dialect === 'sqlite' && /sqlite_(?:master|schema|temp)/i.test(st.code) && writesSchemaTable(st.code)) {
      // possible only after PRAGMA writable_schema: a table can vanish or change shape under its data
      add({ kind: 'opaque', at: abs, statementStart: abs, statementText: st.text, detail: 'a write to sqlite_master (PRAGMA writable_schema) rewrites the schema directly: tables may vanish or become unreadable' });
      return;
    }
    const recognizer = new Recognizer(st.code, dialect, procedures);
    const rec = recognizer.recognize(toks);
    if (dialect === 'mysql') {
      for (const [name, value] of assignments(toks)) variables.set(name, value === 'unknown' ? value : { toks: value, code: st.code, text: st.text, start: st.start });
    }
    if (rec.copy) copiedInto.set(rec.copy.from, rec.copy.into);
    const created = createsTable ? recognizer.declaredColumns(toks) : undefined;
    if (created) declared.set(created.table.toLowerCase(), new Map(created.columns.map(([c, t]) => [c.toLowerCase(), t])));
    let ops: Located[] = rec.ops.flatMap((op) => (op.variable ? resolvePrepared(op, variables, dialect) : [op]));
    if (rec.dml || rec.status === 'unknown') {
      const parsed = await parseWith(flavor, st.code);
      if (parsed.ast) {
        const destructive = parsed.ast.some((n) => DESTRUCTIVE_AST_TYPES.has(String(n?.type)));
        if (rec.dml && parsed.ast.length === 1 && (parsed.ast[0].type === 'delete' || parsed.ast[0].type === 'update')) {
          // the parser knows the statement's own WHERE (not one inside a subquery or a join)
          const where = parsed.ast[0].where;
          const tables: AstNode[] = (parsed.ast[0] as AstNode).table ?? [];
          const own = tables.length === 1 ? tables[0] : undefined;
          // either reading that finds every row counts: the parser misreads some MySQL (`0--1` is no comment there)
          if (ops.length === 0 && (!where || astAlwaysTrue(dialect === 'mysql' ? quotedAsStrings(where) : where, own))) ops = rec.ifAlwaysTrue ?? [];
        } else if (rec.status === 'unknown' && destructive) {
          add({ kind: 'unparseable', at: abs, statementStart: abs, statementText: st.text, detail: 'statement parsed but its destructive form is not understood' });
          return;
        }
      } else if (rec.status === 'unknown' || (rec.dml && ops.length === 0 && rec.status !== 'safe')) {
        const at = abs + Math.min(parsed.error?.offset ?? 0, st.text.length);
        add({ kind: 'unparseable', at, statementStart: abs, statementText: st.text, detail: `${dialect === 'sqlite' ? 'SQLite' : 'MySQL'} parser: ${parsed.error?.message ?? 'syntax error'}` });
        return;
      }
    }
    for (const op of ops) {
      const flags = { ...op.flags, ...typeChange(op) };
      let detail = op.detail;
      if (op.kind === 'drop-table' && op.target) {
        const into = copiedInto.get(op.target.name.toLowerCase());
        if (into) {
          flags.dataCopied = true;
          detail = `rows copied into ${into} before the drop`;
        }
      }
      const where = op.source ?? { start: abs, text: st.text };
      add({ kind: op.kind, target: op.target, flags, at: where.start + op.at, statementStart: where.start, statementText: where.text, ...(detail ? { detail } : {}) });
    }
  }
}

/** DELETE / UPDATE / INSERT / REPLACE on SQLite's own schema table. */
function writesSchemaTable(code: string): boolean {
  const toks = tokenize(code, 'sqlite');
  const lead = toks.find((t) => t.type === 'word' && t.upper !== 'WITH')?.upper;
  if (!lead || !['DELETE', 'UPDATE', 'INSERT', 'REPLACE'].includes(lead)) return false;
  return toks.some((t) => (t.type === 'word' || t.type === 'ident') && /^(?:main\.|temp\.)?sqlite_(?:master|schema|temp_master|temp_schema)$/i.test(t.value));
}

export function readMysql(sink: OpSink, mariadb: boolean): Promise<void> {
  return readMysqlLike(sink, 'mysql', mariadb ? 'mariadb' : 'mysql');
}
