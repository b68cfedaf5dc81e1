/**
 * Rails (ActiveRecord) migrations. `def up` / `def change` run forward, `def down` on rollback;
 * `reversible do |dir| dir.up {…}; dir.down {…} end` and `up_only {…}` set the direction of their
 * blocks. Schema statements become operations; `execute` strings and heredocs go to the SQL reader;
 * `#{}` interpolation in SQL is opaque unless it only sits inside a quoted SQL value.
 * Not modelled: the automatic inverse of `change` (e.g. `create_table` in `change` drops the table
 * on rollback) — Rails derives it at run time; only what is written is reported.
 */
import type { Direction, Operation, OperationFlags, OperationKind, ObjectRef } from '../model/operation.js';
import { SourceSyntaxError, substituteKnownHoles, syntaxErrorOp, childRef, joinSource, makeContext, makeOp, opaqueOp, readEmbeddedSql, sortOperations, sqlWithValueInterpolations, tableRef, unparseableOp, type SourceText } from './common.js';
import { downOnlyFunctions } from './reachability.js';
import { tokenizeRuby, type RbTok } from './ruby.js';
import type { FormatInput } from './types.js';
import { markClaimedScratchTables, type TableCreation } from './scratch-claims.js';
import { isAlwaysTrue } from '../sql/recognize.js';
import { tokenize } from '../sql/tokens.js';
import { usingReplacesValues } from '../sql/using-expression.js';

type RbValue =
  | { kind: 'str'; tok: RbTok; start: number; end: number }
  | { kind: 'sym'; name: string; dynamic: boolean; start: number; end: number }
  | { kind: 'array'; items: RbValue[]; start: number; end: number }
  | { kind: 'hash'; entries: Map<string, RbValue>; start: number; end: number }
  | { kind: 'const'; value: string; start: number; end: number }
  | { kind: 'ref'; name: string; start: number; end: number }
  | { kind: 'unknown'; start: number; end: number };

interface Args {
  positional: RbValue[];
  options: Map<string, RbValue>;
  end: number;
  next: number;
}

interface Frame {
  kind: 'block' | 'brace' | 'hash';
  direction?: Direction;
  /** change_table :t do |t| → the block parameter and its table. */
  table?: { param: string; name: string };
  /** reversible do |dir| → the parameter whose .up/.down set directions. */
  dirParam?: string;
  /** %i[a b].each do |c| → one run of the block per literal value. */
  loop?: { param: string; values: RbValue[] };
  /** Set on the pending block by `<literal array>.each`. */
  loopValues?: RbValue[];
  /** `revert do … end`: what the block creates is dropped. */
  revert?: boolean;
  /** A `def`: where its `end` is, once read (a drop after it is in other code). */
  def?: { end?: number };
  /** `def up = drop_table(:users)`: an endless method, whose body ends with its line. */
  endless?: boolean;
}

/**
 * Calls that run code or commands this file does not show: a shell (`system`, `exec`, `spawn`, `IO.popen`,
 * `Open3`), another Ruby file (`load`: `load 'db/schema.rb'` re-creates every table), a Rake task
 * (`Rake::Task['db:schema:load'].invoke`), the database tasks (`ActiveRecord::Tasks::DatabaseTasks.purge`).
 * Why, when the call is one; else undefined.
 */
function unseenCode(receiver: string | undefined, method: string, argCount: number): string | undefined {
  if (!receiver && /^(system|exec|spawn|load)$/.test(method) && argCount > 0) {
    return method === 'load' ? 'load runs another Ruby file: what it does cannot be known statically' : `${method} runs a shell command: what it does cannot be known statically`;
  }
  if (receiver && /^(Kernel|Process|IO|Open3|PTY)$/.test(receiver) && /^(system|exec|spawn|popen\w*|capture\w*|pipeline\w*|load)$/.test(method)) return `${receiver}.${method} runs a command: what it does cannot be known statically`;
  if (receiver === 'Rake' || receiver?.startsWith('Rake.')) return 'a Rake task runs here: what it does cannot be known statically (db:schema:load, db:reset and db:purge drop every table)';
  if (receiver && /(^|\.)DatabaseTasks$/.test(receiver)) return `DatabaseTasks.${method} runs a database task: what it does cannot be known statically`;
  return undefined;
}

/** Values bound to `.each` block parameters while a call inside the loop is handled. */
const bound = new Map<string, RbValue>();
/** `TABLE = :users` / `COLUMNS = %i[a b]` constants of the file being read. */
const constants = new Map<string, RbValue>();

const OPENERS = new Set(['def', 'class', 'module', 'begin', 'case', 'for']);
/** Scope links that do not restrict which rows a following delete_all / update_all touches (`where` only when empty). */
const UNRESTRICTING_SCOPES = new Set(['all', 'unscoped', 'in_batches', 'where', 'unscope', 'order', 'reorder', 'readonly', 'lock', 'includes', 'preload', 'eager_load', 'select']);
const CONDITIONAL_OPENERS = new Set(['if', 'unless', 'while', 'until']);

function text(v: RbValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'ref') return bound.has(v.name) ? text(bound.get(v.name)) : constants.has(v.name) ? text(constants.get(v.name)) : undefined;
  if (v.kind === 'sym') return v.dynamic ? undefined : v.name;
  if (v.kind === 'str') return v.tok.parts?.every((p) => 'literal' in p) ? v.tok.parts.map((p) => (p as { literal: SourceText }).literal.text).join('') : undefined;
  return undefined;
}

/** Rails' join table name: sorted, with a common prefix merged (`catalog_categories` + `catalog_products`). */
export function joinTableName(a: string, b: string): string {
  const [x, y] = [a, b].sort();
  const joined = `${x}\0${y}`.replace(/^(.*_)(.+)\0\1(.+)/, '$1$2_$3');
  return joined.replace('\0', '_');
}

/** Model class → table (ActiveRecord's default: underscore + a simple plural). */
function tableForModel(model: string): string {
  const snake = model.replace(/::/g, '_').replace(/([a-z\d])([A-Z])/g, '$1_$2').toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(snake)) return `${snake}es`;
  if (/[^aeiou]y$/.test(snake)) return `${snake.slice(0, -1)}ies`;
  return `${snake}s`;
}

/**
 * Methods that run only on rollback (see reachability.ts): reached from `down` and not from `up` /
 * `change`. Any mention counts (`drop_legacy`, `self.drop_legacy`, `send(:drop_legacy)`, a string).
 * A method's body runs from its `def` to the `end` at the same indentation (Ruby style; good enough here).
 */
function downOnlyMethods(toks: RbTok[], text: string): Set<string> {
  const indentOf = (offset: number) => {
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    return offset - lineStart;
  };
  const defs: Array<{ name: string; from: number; to: number }> = [];
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].value !== 'def' || toks[i].type !== 'name') continue;
    let j = i + 1;
    if (toks[j]?.value === 'self' && toks[j + 1]?.value === '.') j += 2;
    const name = toks[j]?.value;
    if (!name) continue;
    const indent = indentOf(toks[i].start);
    let k = j + 1;
    if (endlessDefAt(toks, j) !== undefined) while (k < toks.length && toks[k].type !== 'newline') k++;
    else while (k < toks.length && !(toks[k].type === 'name' && toks[k].value === 'end' && toks[k - 1]?.type === 'newline' && indentOf(toks[k].start) === indent)) k++;
    defs.push({ name, from: j + 1, to: k });
  }
  // `alias_method :up, :down` / `alias up down`: the new name runs the old one's body
  const aliases = methodAliases(toks);
  const defined = new Set([...defs.map((d) => d.name), ...aliases.map((a) => a.name)]);
  const declared = (k: number) => toks[k - 1]?.value === 'def' || (toks[k - 1]?.value === '.' && toks[k - 2]?.value === 'self' && toks[k - 3]?.value === 'def');
  const bodies = defs.map(({ name, from, to }) => {
    const mentions: string[] = [];
    for (let k = from; k < to; k++) {
      const t = toks[k];
      if ((t.type === 'name' || t.type === 'sym' || t.type === 'str') && defined.has(t.value) && !declared(k)) mentions.push(t.value);
    }
    return { name, mentions };
  });
  for (const a of aliases) bodies.push({ name: a.name, mentions: [a.target] });
  return downOnlyFunctions(bodies, { up: ['up', 'change'], down: ['down'] });
}

/**
 * `class DropUsers < DropUsersMigration; end`: a migration built on a class of the project runs code this file does
 * not show (docs/rules/opaque.md). The migration is the class named after the file, else the first top-level class.
 */
function inheritedMigration(ctx: ReturnType<typeof makeContext>, toks: RbTok[], path: string): Operation[] {
  const fileName = /(?:^|\/)\d*_?([A-Za-z0-9_]+)\.rb$/.exec(path)?.[1]?.replace(/_/g, '').toLowerCase();
  const classes: Array<{ name: string; base: string; at: number; top: boolean }> = [];
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].type !== 'name' || toks[i].value !== 'class' || toks[i + 2]?.value !== '<') continue;
    let base = '';
    for (let k = i + 3; k < toks.length && (toks[k].type === 'const' || toks[k].value === '::'); k++) base += toks[k].value;
    const top = i === 0 || toks[i - 1].type === 'newline' && (ctx.text.lastIndexOf('\n', toks[i].start - 1) + 1 === toks[i].start);
    classes.push({ name: toks[i + 1].value, base, at: toks[i].start, top });
  }
  const migration = classes.find((c) => c.name.replace(/::/g, '').toLowerCase() === fileName) ?? classes.find((c) => c.top);
  if (!migration || /^(::)?ActiveRecord::Migration$/.test(migration.base)) return [];
  return [opaqueOp(ctx, migration.at, 'up', ctx.lines.lineText(ctx.lines.lineOf(migration.at)), `${migration.name} is built on ${migration.base || 'a class'} rather than ActiveRecord::Migration: what it inherits is not in this file`)];
}

/** The `=` of an endless method (`def up = …`, `def up() = …`) whose name is at j; not a setter (`def name=(v)`). */
function endlessDefAt(toks: RbTok[], j: number): number | undefined {
  let k = j + 1;
  if (toks[k]?.value === '(' && !toks[k].spaceBefore) {
    for (let depth = 0; k < toks.length; k++) {
      if (toks[k].value === '(') depth++;
      else if (toks[k].value === ')' && --depth === 0) break;
    }
    k++;
  }
  return toks[k]?.type === 'punct' && toks[k].value === '=' && (toks[k].spaceBefore || k > j + 1) ? k : undefined;
}

/** `alias_method :new, :old`, `alias new old`, `alias :new :old`. */
function methodAliases(toks: RbTok[]): Array<{ name: string; target: string; at: number }> {
  const out: Array<{ name: string; target: string; at: number }> = [];
  const nameOf = (t: RbTok | undefined) => (t && (t.type === 'sym' || t.type === 'name' || t.type === 'str') ? t.value.replace(/^['"]|['"]$/g, '') : undefined);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.type !== 'name' || (toks[i - 1] && toks[i - 1].type !== 'newline' && toks[i - 1].value !== ';')) continue;
    let args: RbTok[] = [];
    if (t.value === 'alias') args = [toks[i + 1], toks[i + 2]].filter(Boolean) as RbTok[];
    else if (t.value === 'alias_method') {
      const k = toks[i + 1]?.value === '(' ? i + 2 : i + 1;
      args = [toks[k], toks[k + 2]].filter(Boolean) as RbTok[];
    } else continue;
    const [name, target] = args.map(nameOf);
    if (name && target) out.push({ name, target, at: t.start });
  }
  return out;
}

export async function readRails(input: FormatInput): Promise<Operation[]> {
  const ctx = makeContext(input.path, input.text, input.dialect);
  let toks: RbTok[];
  try {
    toks = tokenizeRuby(input.text);
  } catch (error) {
    if (error instanceof SourceSyntaxError) return [syntaxErrorOp(ctx, error.offset, 'Ruby', error.message)];
    throw error;
  }
  const ops: Operation[] = [];
  const pending: Array<Promise<Operation[]>> = [];
  const frames: Frame[] = [];
  const creations: Array<Omit<TableCreation, 'scopeEnd'> & { def: { end?: number } }> = [];
  let bodyStatement: number | undefined; // token index of the call being handled when it is a statement of a def's body
  const direction = (): Direction => [...frames].reverse().find((f) => f.direction)?.direction ?? 'up';
  const tableParam = (name: string) => [...frames].reverse().find((f) => f.table?.param === name)?.table;
  const dirParam = (name: string) => frames.some((f) => f.dirParam === name);

  const isEndOfArgs = (t: RbTok | undefined) => !t || t.type === 'newline' || (t.type === 'punct' && (t.value === ';' || t.value === ')' || t.value === ']' || t.value === '}')) || (t.type === 'name' && (t.value === 'do' || t.value === 'if' || t.value === 'unless' || t.value === 'end' || t.value === 'then'));

  /** Skip a value we do not model, stopping at , or the end of the argument list. */
  const skipValue = (i: number, inParens: boolean): number => {
    let depth = 0;
    while (i < toks.length) {
      const t = toks[i];
      if (depth === 0 && t.type === 'punct' && t.value === ',') return i;
      if (depth === 0 && !inParens && isEndOfArgs(t)) return i;
      if (t.type === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{')) depth++;
      if (t.type === 'punct' && (t.value === ')' || t.value === ']' || t.value === '}')) {
        if (depth === 0) return i;
        depth--;
      }
      if (t.type === 'name' && (t.value === 'do' || OPENERS.has(t.value))) depth++;
      if (t.type === 'name' && t.value === 'end') {
        if (depth === 0) return i;
        depth--;
      }
      i++;
    }
    return i;
  };

  const parseValue = (i: number, inParens: boolean, allowTrailing = false): { value: RbValue; next: number } => {
    const t = toks[i];
    let value: RbValue;
    let next = i + 1;
    if (!t) return { value: { kind: 'unknown', start: 0, end: 0 }, next: i };
    if (t.type === 'str') value = { kind: 'str', tok: t, start: t.start, end: t.end };
    else if (t.type === 'sym') value = { kind: 'sym', name: t.value, dynamic: !!t.parts && t.parts.some((p) => 'hole' in p), start: t.start, end: t.end };
    else if (t.type === 'num' || (t.type === 'name' && ['true', 'false', 'nil'].includes(t.value))) value = { kind: 'const', value: t.value, start: t.start, end: t.end };
    else if ((t.type === 'name' && !['do', 'end', 'if', 'unless'].includes(t.value)) || (t.type === 'const' && toks[i + 1]?.value !== '.' && toks[i + 1]?.value !== '::')) value = { kind: 'ref', name: t.value, start: t.start, end: t.end };
    else if (t.type === 'words') value = { kind: 'array', items: (t.words ?? []).map((w) => ({ kind: 'sym', name: w.text, dynamic: false, start: t.start, end: t.end }) as RbValue), start: t.start, end: t.end };
    else if (t.type === 'punct' && t.value === '[') {
      const items: RbValue[] = [];
      let j = i + 1;
      while (j < toks.length && toks[j].value !== ']') {
        if (toks[j].type === 'newline' || toks[j].value === ',') {
          j++;
          continue;
        }
        const item = parseValue(j, true);
        items.push(item.value);
        j = Math.max(item.next, j + 1);
      }
      value = { kind: 'array', items, start: t.start, end: toks[j]?.end ?? t.end };
      next = j + 1;
    } else if (t.type === 'punct' && t.value === '{') {
      const entries = new Map<string, RbValue>();
      let j = i + 1;
      while (j < toks.length && toks[j].value !== '}') {
        if (toks[j].type === 'newline' || toks[j].value === ',') {
          j++;
          continue;
        }
        const pair = parsePair(j, true);
        if (pair.key !== undefined) entries.set(pair.key, pair.value);
        j = Math.max(pair.next, j + 1);
      }
      value = { kind: 'hash', entries, start: t.start, end: toks[j]?.end ?? t.end };
      next = j + 1;
    } else {
      const end = skipValue(i, inParens);
      return { value: { kind: 'unknown', start: t.start, end: toks[Math.max(i, end - 1)]?.end ?? t.end }, next: Math.max(end, i + 1) };
    }
    // "…".squish / <<~SQL.squish / .strip / .freeze keep the string
    while (toks[next]?.value === '.' && toks[next + 1]?.type === 'name' && ((value.kind === 'str' && /^(squish|strip|chomp|to_s|strip_heredoc|lstrip|rstrip)$/.test(toks[next + 1].value)) || /^(freeze|dup)$/.test(toks[next + 1].value))) next += 2;
    if (!allowTrailing && !(isEndOfArgs(toks[next]) || toks[next]?.value === ',' || toks[next]?.value === '=>' || (inParens && toks[next]?.type === 'newline'))) {
      const end = skipValue(next, inParens);
      return { value: { kind: 'unknown', start: t.start, end: toks[end - 1]?.end ?? t.end }, next: end };
    }
    return { value, next };
  };

  const parsePair = (i: number, inParens: boolean): { key?: string; value: RbValue; next: number } => {
    const t = toks[i];
    if (t.type === 'label') {
      const v = parseValue(i + 1, inParens);
      return { key: t.value, value: v.value, next: v.next };
    }
    const k = parseValue(i, inParens);
    if (toks[k.next]?.value === '=>') {
      const v = parseValue(k.next + 1, inParens);
      return { key: text(k.value), value: v.value, next: v.next };
    }
    return { value: k.value, next: k.next };
  };

  /** Arguments after a method name at i: `(a, b: 1)` or command style `a, b: 1`. */
  const parseArgs = (i: number): Args => {
    const args: Args = { positional: [], options: new Map(), end: toks[i - 1]?.end ?? 0, next: i };
    const first = toks[i];
    if (!first) return args;
    const paren = first.type === 'punct' && first.value === '(' && !first.spaceBefore;
    if (!paren && (isEndOfArgs(first) || (first.type === 'punct' && !['[', ':', '->', '{'].includes(first.value)) || (first.type === 'punct' && first.value === '{'))) return args;
    let j = paren ? i + 1 : i;
    for (;;) {
      while (toks[j]?.type === 'newline' && paren) j++;
      const t = toks[j];
      if (!t) break;
      if (paren && t.value === ')') {
        j++;
        break;
      }
      if (!paren && isEndOfArgs(t)) break;
      if (t.type === 'punct' && (t.value === '*' || t.value === '**' || t.value === '&')) {
        const v = parseValue(j + 1, paren);
        args.positional.push({ kind: 'unknown', start: t.start, end: v.value.end });
        j = v.next;
      } else {
        const pair = parsePair(j, paren);
        if (pair.key !== undefined) args.options.set(pair.key, pair.value);
        else args.positional.push(pair.value);
        j = Math.max(pair.next, j + 1);
      }
      if (toks[j]?.value === ',') {
        j++;
        if (!paren) while (toks[j]?.type === 'newline') j++; // a trailing comma continues the line
        continue;
      }
      if (paren) {
        if (toks[j]?.value === ')') {
          j++;
          break;
        }
        j = skipValue(j, true);
        if (toks[j]?.value === ',') j++;
        continue;
      }
      break;
    }
    args.end = toks[j - 1]?.end ?? args.end;
    args.next = j;
    return args;
  };

  const downOnly = downOnlyMethods(toks, input.text);
  constants.clear();
  bound.clear();
  for (let i = 0; i < toks.length - 2; i++) {
    const prev = toks[i - 1];
    if (toks[i].type === 'const' && toks[i + 1].value === '=' && (!prev || prev.type === 'newline' || prev.value === ';')) {
      const v = parseValue(i + 2, false);
      if (v.value.kind !== 'unknown') constants.set(toks[i].value, v.value);
    }
  }

  // Scan statements.
  let pendingBlock: Partial<Frame> | undefined;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.type === 'newline' || (t.type === 'punct' && t.value === ';')) {
      pendingBlock = undefined;
      const top = frames[frames.length - 1];
      if (t.type === 'newline' && top?.endless) frames.pop()!.def!.end = t.start;
      continue;
    }
    const prev = toks[i - 1];
    const atStatementStart = !prev || prev.type === 'newline' || prev.value === ';' || prev.value === '|' || prev.value === '{' || prev.value === 'do' || prev.value === '=' || prev.value === 'then' || prev.value === 'else';
    if (t.type === 'name' && t.value === 'end') {
      const closed = frames.pop();
      if (closed?.def) closed.def.end = t.start;
      continue;
    }
    if (t.type === 'punct' && t.value === '}') {
      frames.pop();
      continue;
    }
    if (t.type === 'name' && t.value === 'do') {
      frames.push({ kind: 'block', ...pendingBlock, ...blockParam(i, pendingBlock) });
      pendingBlock = undefined;
      continue;
    }
    if (t.type === 'punct' && t.value === '{') {
      const isBlock = prev && (prev.type === 'name' || prev.type === 'const' || prev.value === ')') && pendingBlock !== undefined;
      frames.push(isBlock ? { kind: 'brace', ...pendingBlock, ...blockParam(i, pendingBlock) } : { kind: 'hash' });
      pendingBlock = undefined;
      continue;
    }
    if (t.type === 'name' && t.value === 'def') {
      // def up / def self.down / def change
      let j = i + 1;
      if (toks[j]?.value === 'self' && toks[j + 1]?.value === '.') j += 2;
      const name = toks[j]?.value;
      const entry = name === 'up' || name === 'down' || name === 'change';
      const endless = endlessDefAt(toks, j);
      frames.push({ kind: 'block', direction: downOnly.has(name ?? '') ? 'down' : entry ? 'up' : undefined, def: {}, endless: endless !== undefined });
      if (endless !== undefined) i = endless; // its body follows the `=` on the same line
      else while (i + 1 < toks.length && toks[i + 1].type !== 'newline' && toks[i + 1].value !== ';') i++; // skip the signature
      continue;
    }
    if (t.type === 'name' && (OPENERS.has(t.value) || (CONDITIONAL_OPENERS.has(t.value) && atStatementStart))) {
      frames.push({ kind: 'block' });
      continue;
    }
    if (t.type === 'const' && constants.get(t.value)?.kind === 'array' && toks[i + 1]?.value === '.' && /^each(_with_index)?$/.test(toks[i + 2]?.value ?? '')) {
      pendingBlock = { loopValues: (constants.get(t.value) as { items: RbValue[] }).items };
      i += 2;
      continue;
    }
    if (t.type === 'words' || (t.type === 'punct' && t.value === '[' && atStatementStart)) {
      // %i[a b].each do |c| … end  /  [:a, :b].each { |c| … }
      const arr = parseValue(i, false, true);
      if (arr.value.kind === 'array' && toks[arr.next]?.value === '.' && /^each(_with_index)?$/.test(toks[arr.next + 1]?.value ?? '')) {
        pendingBlock = { loopValues: arr.value.items };
        i = arr.next + 1;
        continue;
      }
    }
    if (t.type === 'str' && (t.value.startsWith('`') || t.value.startsWith('%x'))) {
      ops.push(opaqueOp(ctx, t.start, direction(), t.value, 'a shell command (backticks or %x): what it runs cannot be known statically'));
      continue;
    }
    if (t.type === 'punct' && t.value === '.' ) continue;
    if (!(t.type === 'name' || t.type === 'const')) continue;
    if (prev && prev.type === 'punct' && (prev.value === '.' || prev.value === '&.' || prev.value === '::')) continue;

    // A call chain: [receiver .] method args
    const chain: RbTok[] = [t];
    let j = i + 1;
    while ((toks[j]?.value === '.' || toks[j]?.value === '&.' || toks[j]?.value === '::') && (toks[j + 1]?.type === 'name' || toks[j + 1]?.type === 'const')) {
      chain.push(toks[j + 1]);
      j += 2;
    }
    const methodTok = chain[chain.length - 1];
    if (t.type === 'const' && chain.length >= 2) {
      const scoped = modelScopeChain(i);
      if (scoped) {
        i = scoped - 1;
        continue;
      }
    }
    const args = parseArgs(j);
    // a statement of a method's own body (not in a block, a condition, a loop), for scratch-table claims
    bodyStatement = frames[frames.length - 1]?.def !== undefined && (!prev || prev.type === 'newline' || prev.value === ';') ? i : undefined;
    handle(chain, methodTok, args, t.start);
    i = Math.max(i, args.next - 1);
  }

  /**
   * `Model.unscoped.delete_all`, `Model.where(nil).in_batches.destroy_all`: a chain (with arguments) that ends
   * in delete_all / destroy_all / update_all runs on every row when no link restricts it. Returns the index
   * after the chain when it reported it, else undefined (the plain `Model.delete_all` is read below).
   */
  function modelScopeChain(i: number): number | undefined {
    const links: Array<{ name: string; args: string }> = [];
    let j = i + 1;
    while ((toks[j]?.value === '.' || toks[j]?.value === '&.') && toks[j + 1]?.type === 'name') {
      const name = toks[j + 1].value;
      j += 2;
      let args = '';
      if (toks[j]?.value === '(' && !toks[j].spaceBefore) {
        let depth = 0;
        const from = j;
        do {
          if (toks[j].value === '(') depth++;
          else if (toks[j].value === ')') depth--;
          j++;
        } while (j < toks.length && depth > 0);
        args = input.text.slice(toks[from].end, toks[j - 1].start).trim();
      }
      links.push({ name, args });
    }
    const last = links[links.length - 1];
    if (links.length < 2 || !last || !['delete_all', 'destroy_all', 'update_all'].includes(last.name)) return undefined;
    const scopes = links.slice(0, -1);
    const unrestricted = scopes.every(
      (l, k) =>
        (UNRESTRICTING_SCOPES.has(l.name) && (l.name !== 'where' || whereSelectsEveryRow(l.args))) ||
        // `where.not(id: nil)`: the primary key is never NULL
        (l.name === 'not' && scopes[k - 1]?.name === 'where' && scopes[k - 1]!.args === '' && PRIMARY_KEY_NOT_NIL.test(l.args)),
    );
    if (!unrestricted) return j;
    const model = toks[i].value;
    const statement = input.text.slice(toks[i].start, toks[j - 1].end);
    const kind: OperationKind = last.name === 'update_all' ? 'update-all' : 'delete-all';
    ops.push(makeOp(ctx, { kind, target: tableRef(tableForModel(model)), offset: toks[i].start, direction: direction(), statement, detail: `table inferred from the model name ${model}; ${links.slice(0, -1).map((l) => l.name).join('.')} does not restrict the rows` }));
    return j;
  }

  function blockParam(i: number, info: Partial<Frame> | undefined): Partial<Frame> {
    const bar = toks[i + 1];
    if (bar?.value !== '|' || !toks[i + 2] || toks[i + 2].type !== 'name') return {};
    const param = toks[i + 2].value;
    if (info?.table) return { table: { param, name: info.table.name } };
    if (info?.dirParam !== undefined) return { dirParam: param };
    if (info?.loopValues) return { loop: { param, values: info.loopValues } };
    return {};
  }

  /** A call inside `.each` over a literal array that uses the block parameter runs once per value. */
  function handle(chain: RbTok[], methodTok: RbTok, args: Args, start: number) {
    const loop = [...frames].reverse().find((f) => f.loop)?.loop;
    const usesLoop =
      loop &&
      [...args.positional, ...args.options.values()].some(
        (v) => (v.kind === 'ref' && v.name === loop.param) || (v.kind === 'str' && (v.tok.parts ?? []).some((p) => 'hole' in p && new RegExp(`^#\\{\\s*${loop.param}\\s*\\}`).test(input.text.slice(p.hole, p.hole + loop.param.length + 8)))),
      );
    if (!loop || !usesLoop) return handleOnce(chain, methodTok, args, start);
    try {
      for (const value of loop.values) {
        bound.set(loop.param, value);
        handleOnce(chain, methodTok, args, start);
      }
    } finally {
      bound.delete(loop.param);
    }
  }

  function handleOnce(chain: RbTok[], methodTok: RbTok, args: Args, start: number) {
    const method = methodTok.value;
    const receiver = chain.length > 1 ? chain.slice(0, -1).map((c) => c.value).join('.') : undefined;
    const statement = input.text.slice(start, Math.max(args.end, methodTok.end));
    const at = methodTok.start;
    const dir = direction();
    const push = (kind: OperationKind, target: ObjectRef | undefined, flags: OperationFlags = {}, detail?: string) =>
      ops.push(makeOp(ctx, { kind, target, offset: at, statementOffset: start, direction: dir, flags, statement, detail }));
    const dynamic = (what: string) => ops.push(opaqueOp(ctx, at, dir, statement, `${method} with ${what} computed at run time`));
    const pos = args.positional;
    const opt = (k: string) => args.options.get(k);
    const isTrue = (v: RbValue | undefined) => v?.kind === 'const' && v.value === 'true';
    const ifExists = isTrue(opt('if_exists')) ? { ifExists: true } : {};
    /** The join table of create_join_table / drop_join_table: `table_name:`, else Rails' name for the two tables. */
    const joinTableOf = (first: RbValue | undefined, second: RbValue | undefined) => {
      const [a, b] = [text(first), text(second)];
      return text(opt('table_name')) ?? (a !== undefined && b !== undefined ? joinTableName(a, b) : undefined);
    };
    // a call without a receiver reaches the connection, unless the file defines a method of that name
    const definedHere = () => !receiver && toks.some((d, k) => d.value === method && toks[k - 1]?.value === 'def');

    // Block-opening calls that set context.
    if (method === 'reversible' && !receiver) return void (pendingBlock = { dirParam: '' });
    if (method === 'up_only' && !receiver) return void (pendingBlock = { direction: 'up' });
    if ((method === 'up' || method === 'down') && receiver && dirParam(receiver)) return void (pendingBlock = { direction: method });
    if (method === 'revert' && !receiver) {
      // revert SomeMigration runs that migration backwards: what it creates is dropped
      if (args.positional.length) return void ops.push(opaqueOp(ctx, at, dir, statement, 'revert of another migration: what it undoes cannot be read here'));
      return void (pendingBlock = { revert: true });
    }
    pendingBlock = {};
    if (!receiver && ['eval', 'instance_eval', 'class_eval', 'send', 'public_send', '__send__', 'method'].includes(method) && args.positional.length) {
      // a method chosen or code built at run time: dbsafe cannot see what runs
      const first = args.positional[0]!;
      const named = first.kind === 'sym' && !first.dynamic ? first.name : undefined;
      // a helper of this file called by name is read where it is defined
      const helper = named !== undefined && toks.some((d, k) => d.value === named && toks[k - 1]?.value === 'def');
      if (method.endsWith('eval') || !named || (!helper && /^(drop_|remove_|rename_|change_|truncate|execute|exec_)/.test(named))) {
        return void ops.push(opaqueOp(ctx, at, dir, statement, `${method} runs ${named ? `${named} by name` : 'code chosen at run time'}: its effect cannot be known statically`));
      }
    }
    if (frames.some((f) => f.revert)) return reverted();
    const unseen = unseenCode(receiver?.replace(/::/g, '.'), method, args.positional.length);
    if (unseen) return void ops.push(opaqueOp(ctx, at, dir, statement, unseen));

    const table = tableParam(receiver ?? '');
    if (table && chain.length === 2) return tableMethod(table.name);
    if (receiver && !/^(connection|ActiveRecord\.Base\.connection|ActiveRecord::Base\.connection|self)$/.test(receiver.replace(/::/g, '.')) && !/^[A-Z]/.test(receiver)) return;

    if (/^[A-Z]/.test(receiver ?? '') && !/connection$/.test(receiver ?? '')) {
      // Model.delete_all / Model.update_all (data changes run in the migration)
      if (chain.length === 2 && (method === 'delete_all' || method === 'destroy_all')) return push('delete-all', tableRef(tableForModel(receiver!)), {}, `table inferred from the model name ${receiver}`);
      if (chain.length === 2 && method === 'update_all') return push('update-all', tableRef(tableForModel(receiver!)), {}, `table inferred from the model name ${receiver}`);
      return;
    }
    switch (method) {
      case 'truncate': {
        // delegated to the connection: empties the table
        const name = text(pos[0]);
        if (name === undefined) return dynamic('a table name');
        return push('truncate', tableRef(name));
      }
      case 'execute':
      case 'exec_query':
      case 'exec_update':
      case 'exec_delete':
        return sql(pos[0]);
      case 'drop_table': {
        if (!pos.length) return;
        for (const v of pos) {
          const name = text(v);
          if (name === undefined) return dynamic('a table name');
          push('drop-table', tableRef(name), { ...ifExists, ...(opt('force') && text(opt('force')) === 'cascade' ? { cascade: true } : {}) });
        }
        return;
      }
      case 'create_table':
      case 'create_join_table': {
        // create_join_table passes its options to create_table
        const name = method === 'create_table' ? text(pos[0]) : joinTableOf(pos[0], pos[1]);
        const force = opt('force');
        if (force && !(force.kind === 'const' && force.value === 'false')) {
          if (name === undefined) return dynamic('a table name');
          return push('drop-table', tableRef(name), { ifExists: true, ...(text(force) === 'cascade' ? { cascade: true } : {}) }, `${method} with force: drops the existing table first`);
        }
        const def = frames[frames.length - 1]?.def;
        if (name !== undefined && def && bodyStatement !== undefined && !isTrue(opt('if_not_exists')) && !endsInModifier(bodyStatement)) creations.push({ table: name, direction: dir, offset: at, def });
        return;
      }
      case 'truncate_tables': {
        if (definedHere()) return;
        for (const v of pos) {
          const name = text(v);
          if (name === undefined) return dynamic('a table name');
          push('truncate', tableRef(name));
        }
        return;
      }
      case 'purge':
      case 'recreate_database':
      case 'drop_database': {
        if (definedHere()) return;
        // purge / recreate_database: the current database, emptied; drop_database(name): that one
        const name = method === 'drop_database' ? text(pos[0]) : '*';
        if (name === undefined) return dynamic('a database name');
        return push('drop-database', { type: 'database', name, written: name }, {}, method === 'drop_database' ? undefined : `${method} drops and re-creates the database: every table and row is lost`);
      }
      case 'drop_join_table': {
        const name = joinTableOf(pos[0], pos[1]);
        if (name === undefined) return dynamic('a table name');
        return push('drop-table', tableRef(name));
      }
      case 'drop_view': {
        const name = text(pos[0]);
        if (name === undefined) return dynamic('a view name');
        return push('drop-view', { type: 'view', name, written: name }, isTrue(opt('materialized')) ? {} : {});
      }
      case 'rename_table': {
        const from = text(pos[0]);
        const to = text(pos[1]);
        if (from === undefined || to === undefined) return dynamic('a table name');
        return push('rename-table', tableRef(from), { newName: to });
      }
    }
    // Methods whose first argument is the table.
    const tableName = text(pos[0]);
    if (['remove_column', 'remove_columns', 'remove_timestamps', 'remove_reference', 'remove_belongs_to', 'remove_index', 'remove_foreign_key', 'remove_check_constraint', 'rename_column', 'change_column', 'change_table'].includes(method)) {
      if (tableName === undefined) return dynamic('a table name');
      if (method === 'change_table') return void (pendingBlock = { table: { param: '', name: tableName } });
      return tableMethod(tableName, 1);
    }

    function tableMethod(tbl: string, first = 0) {
      const a = pos.slice(first);
      const col = (name: string) => childRef('column', tbl, name);
      const m = first === 0 ? ({ remove: 'remove_columns', remove_references: 'remove_reference', remove_reference: 'remove_reference', remove_belongs_to: 'remove_reference', remove_index: 'remove_index', remove_timestamps: 'remove_timestamps', rename: 'rename_column', change: 'change_column', remove_foreign_key: 'remove_foreign_key', remove_check_constraint: 'remove_check_constraint' } as Record<string, string>)[method] : method === 'remove_belongs_to' ? 'remove_reference' : method;
      switch (m) {
        case 'remove_column':
        case 'remove_columns': {
          const names = m === 'remove_column' ? a.slice(0, 1) : a;
          for (const v of names) {
            const name = text(v);
            if (name === undefined) return dynamic('a column name');
            push('drop-column', col(name), ifExists);
          }
          return;
        }
        case 'remove_timestamps':
          push('drop-column', col('created_at'));
          return push('drop-column', col('updated_at'));
        case 'remove_reference': {
          for (const v of a) {
            const ref = text(v);
            if (ref === undefined) return dynamic('a reference name');
            push('drop-column', col(`${ref}_id`), {}, `remove_reference drops ${ref}_id`);
            if (isTrue(opt('polymorphic'))) push('drop-column', col(`${ref}_type`));
          }
          return;
        }
        case 'remove_index': {
          const explicit = text(opt('name'));
          const colsValue = opt('column') ?? a[0];
          const cols = colsValue?.kind === 'array' ? colsValue.items.map(text) : [text(colsValue)];
          if (explicit === undefined && (cols.length === 0 || cols.some((c) => c === undefined))) return dynamic('an index name');
          const name = explicit ?? `index_${tbl}_on_${cols.join('_and_')}`;
          const concurrently = text(opt('algorithm')) === 'concurrently' ? { concurrently: true } : {};
          return push('drop-index', childRef('index', tbl, name), { ...ifExists, ...concurrently }, explicit ? undefined : 'name derived from Rails defaults');
        }
        case 'remove_foreign_key': {
          const explicit = text(opt('name'));
          const to = text(a[0]) ?? text(opt('to_table'));
          const column = text(opt('column'));
          if (explicit === undefined && to === undefined && column === undefined) return dynamic('a foreign key');
          return push('drop-constraint', childRef('constraint', tbl, explicit ?? `fk_rails(${column ?? to})`), ifExists, explicit ? undefined : `foreign key ${column ? `on ${column}` : `to ${to}`} (Rails names it fk_rails_<hash>)`);
        }
        case 'remove_check_constraint': {
          const explicit = text(opt('name'));
          return push('drop-constraint', childRef('constraint', tbl, explicit ?? `chk_rails(${text(a[0]) ?? '?'})`), ifExists, explicit ? undefined : 'check constraint (Rails names it chk_rails_<hash>)');
        }
        case 'rename_column': {
          const from = text(a[0]);
          const to = text(a[1]);
          if (from === undefined || to === undefined) return dynamic('a column name');
          return push('rename-column', col(from), { newName: to });
        }
        case 'change_column': {
          const name = text(a[0]);
          if (name === undefined) return dynamic('a column name');
          const type = a[1];
          const using = text(opt('using'));
          return push('alter-column-type', col(name), {
            ...(type ? { newType: text(type) ?? input.text.slice(type.start, type.end) } : {}),
            ...(using !== undefined && usingReplacesValues(using, name) ? { valuesReplaced: true } : {}),
          });
        }
      }
    }

    /** Inside `revert do … end` every schema call runs backwards: creating becomes dropping. */
    function reverted() {
      const tbl = text(pos[0]);
      const needTable = ['create_table', 'create_join_table', 'add_column', 'add_reference', 'add_belongs_to', 'add_index', 'add_foreign_key', 'add_timestamps'];
      if (!needTable.includes(method)) return;
      if (tbl === undefined) return dynamic('a table name');
      const col = (name: string) => childRef('column', tbl, name);
      const note = 'inside revert: runs backwards';
      switch (method) {
        case 'create_table':
          return push('drop-table', tableRef(tbl), {}, note);
        case 'create_join_table': {
          const name = joinTableOf(pos[0], pos[1]);
          if (name === undefined) return dynamic('a table name');
          return push('drop-table', tableRef(name), {}, note);
        }
        case 'add_column': {
          const name = text(pos[1]);
          if (name === undefined) return dynamic('a column name');
          return push('drop-column', col(name), {}, note);
        }
        case 'add_reference':
        case 'add_belongs_to': {
          const ref = text(pos[1]);
          if (ref === undefined) return dynamic('a reference name');
          return push('drop-column', col(`${ref}_id`), {}, note);
        }
        case 'add_timestamps':
          push('drop-column', col('created_at'), {}, note);
          return push('drop-column', col('updated_at'), {}, note);
        case 'add_index': {
          const explicit = text(opt('name'));
          const colsValue = pos[1];
          const cols = colsValue?.kind === 'array' ? colsValue.items.map(text) : [text(colsValue)];
          if (explicit === undefined && cols.some((c) => c === undefined)) return dynamic('an index name');
          return push('drop-index', childRef('index', tbl, explicit ?? `index_${tbl}_on_${cols.join('_and_')}`), {}, note);
        }
        case 'add_foreign_key': {
          const to = text(pos[1]);
          return push('drop-constraint', childRef('constraint', tbl, text(opt('name')) ?? `fk_rails(${text(opt('column')) ?? to})`), {}, note);
        }
      }
    }

    function sql(v: RbValue | undefined) {
      if (!v) return;
      if (v.kind !== 'str' || !v.tok.parts) return void ops.push(opaqueOp(ctx, at, dir, statement, 'the SQL is built at run time (not a literal string)'));
      // #{c} where c is an .each block parameter over literal values: substitute the value
      const parts = substituteKnownHoles(v.tok.parts, input.text, (name) => (bound.has(name) ? text(bound.get(name)) : undefined));
      const source = parts.every((p) => 'literal' in p) ? joinSource(parts.map((p) => (p as { literal: SourceText }).literal)) : sqlWithValueInterpolations(parts);
      if (!source) return void ops.push(opaqueOp(ctx, at, dir, statement, 'the SQL interpolates identifiers or statement text (#{…})'));
      pending.push(readEmbeddedSql(ctx, source, dir));
    }
  }

  for (const more of await Promise.all(pending)) ops.push(...more);
  ops.push(...inheritedMigration(ctx, toks, input.path));
  markClaimedScratchTables(ctx, ops, creations.map(({ def, ...c }) => ({ ...c, scopeEnd: def.end ?? ctx.text.length })));
  return sortOperations(ops);

  /** `create_table :t … if cond` / `… end unless cond`: the statement starting at toks[from] runs only sometimes. */
  function endsInModifier(from: number): boolean {
    let depth = 0;
    for (let k = from; k < toks.length; k++) {
      const tok = toks[k];
      const statementStart = toks[k - 1]?.type === 'newline' || toks[k - 1]?.value === ';';
      if (tok.type === 'punct' && '({['.includes(tok.value)) depth++;
      else if (tok.type === 'punct' && ')}]'.includes(tok.value)) depth--;
      else if (tok.type === 'name' && (tok.value === 'do' || ((OPENERS.has(tok.value) || CONDITIONAL_OPENERS.has(tok.value)) && statementStart))) depth++;
      else if (tok.type === 'name' && tok.value === 'end') depth--;
      else if (depth === 0 && (tok.type === 'newline' || tok.value === ';')) return false;
      else if (depth === 0 && tok.type === 'name' && /^(if|unless|while|until|rescue)$/.test(tok.value)) return true;
    }
    return false;
  }
}

/**
 * `where()`, `where(nil)`, `where({})`, `where(true)`, or one SQL string that holds for every row (`"1 = 1"`,
 * `'id = id'`, `"id IS NULL OR id IS NOT NULL"`: the SQL readers' test, sql/recognize.ts): no row left out.
 */
function whereSelectsEveryRow(args: string): boolean {
  if (/^(nil|\{\s*\}|true)?$/.test(args)) return true;
  const sql = /^'([^'\\]*)'$/.exec(args)?.[1] ?? /^"([^"\\#]*)"$/.exec(args)?.[1];
  if (sql !== undefined) return isAlwaysTrue(tokenize(sql, 'postgres'));
  // one `?` and its literal value: `where("name LIKE ?", "%")`
  const bound = /^(['"])([^'"\\#?]*)\?([^'"\\#?]*)\1\s*,\s*(['"])([^'"\\#]*)\4$/.exec(args);
  return bound !== null && isAlwaysTrue(tokenize(`${bound[2]}'${bound[5]}'${bound[3]}`, 'postgres'));
}

/** `id: nil`, `:id => nil`, `"id" => nil`: the primary key (Rails' default `id`) is never NULL. */
const PRIMARY_KEY_NOT_NIL = /^(?:id:|:id\s*=>|["']id["']\s*=>)\s*nil$/;
