/**
 * Calls that reach a destructive method indirectly, in JS/TS migrations: a method destructured or aliased
 * from the migration's handle (`const { dropTable } = queryInterface`, `const s = knex.schema`), a method
 * chosen at run time (`queryInterface[name](…)`), code run from a string (`eval`, `new Function`), a helper
 * from another module given the handle (`purge(knex)`), and calls through `call` / `apply` / `bind`. Aliases
 * and `call` / `apply` / `bind` are read as the call they make; the rest are opaque (docs/check.md, "What
 * cannot be read").
 */
import type { JsParser, JsTok, JsValue } from './js.js';

/** Names a migration's database handle goes by (the parameters of up/down, and what hangs off them). */
export const HANDLE_NAMES = /^(queryInterface|queryRunner|knex|trx|qi|sequelize|manager|connection|dataSource|db|schema|transaction|migration|this)$/;

export interface JsIndirection {
  /** A local name standing for a member of another value: `dropTable` → `queryInterface.dropTable`. */
  aliases: Map<string, JsValue>;
  /** Names bound to another module of the repository (relative import or require), with the module. */
  imported: Map<string, string>;
  /** Places whose effect cannot be known statically: token offset and why. */
  opaque: Array<{ start: number; end: number; detail: string }>;
}

const isLocalModule = (spec: string) => /^(\.|\/|~\/|@\/|src\/)/.test(spec);

function stringValue(t: JsTok | undefined): string | undefined {
  return t && t.type === 'str' ? t.str?.text : undefined;
}

/** `require('./m')` / `await import('./m')` as a value: the module, when it is local. */
function localModuleOf(v: JsValue): string | undefined {
  if (v.kind === 'call' && v.func.kind === 'name' && (v.func.name === 'require' || v.func.name === 'import')) {
    const arg = v.args[0];
    if (arg?.kind === 'str' && isLocalModule(arg.source.text)) return arg.source.text;
  }
  if (v.kind === 'member') return localModuleOf(v.obj);
  return undefined;
}

export function collectIndirection(parser: JsParser, text: string): JsIndirection {
  const toks = parser.toks;
  const aliases = new Map<string, JsValue>();
  const imported = new Map<string, string>();
  const opaque: JsIndirection['opaque'] = [];
  const builders = tableCallbackParams(parser);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    // import x from './m' / import { a, b as c } from './m' / import * as h from './m'
    if (t.type === 'name' && t.value === 'import' && toks[i + 1]?.value !== '(' && toks[i + 1]?.value !== '.') {
      let j = i + 1;
      const names: string[] = [];
      while (j < toks.length && toks[j].value !== 'from' && toks[j].type !== 'str' && toks[j].value !== ';') {
        const cur = toks[j];
        if (cur.type === 'name' && !['type', 'as', '*'].includes(cur.value) && toks[j + 1]?.value !== 'as') names.push(cur.value);
        j++;
      }
      const spec = toks[j]?.value === 'from' ? stringValue(toks[j + 1]) : undefined;
      if (spec && isLocalModule(spec)) for (const n of names) imported.set(n, spec);
      continue;
    }
    // const { a, b: c } = EXPR  /  const x = require('./m')
    if (t.type === 'name' && (t.value === 'const' || t.value === 'let' || t.value === 'var')) {
      if (toks[i + 1]?.value === '{') {
        const close = parser.matching(i + 1);
        if (toks[close + 1]?.value !== '=') continue;
        const source = parser.parseExpr(close + 2).value;
        const module = localModuleOf(source);
        for (let k = i + 2; k < close; k++) {
          const key = toks[k];
          if (key.type !== 'name') continue;
          const renamed = toks[k + 1]?.value === ':' && toks[k + 2]?.type === 'name' ? toks[k + 2].value : undefined;
          const local = renamed ?? key.value;
          if (module) imported.set(local, module);
          else aliases.set(local, { kind: 'member', obj: source, name: key.value, start: key.start, end: key.end, nameStart: key.start });
          if (renamed) k += 2;
          // skip a default value (`a = 1`) up to the next comma
          if (toks[k + 1]?.value === '=') while (k < close && toks[k + 1]?.value !== ',') k++;
        }
      } else if (toks[i + 1]?.type === 'name' && toks[i + 2]?.value === '=') {
        const source = parser.parseExpr(i + 3).value;
        const module = localModuleOf(source);
        if (module) imported.set(toks[i + 1].value, module);
      }
      continue;
    }
    // require('child_process') / import … from 'node:child_process': the migration runs commands
    if (t.type === 'str' && /^(node:)?child_process$/.test(stringValue(t) ?? '') && (toks[i - 1]?.value === 'from' || (toks[i - 1]?.value === '(' && /^(require|import)$/.test(toks[i - 2]?.value ?? '')))) {
      opaque.push({ start: t.start, end: t.end, detail: 'the migration loads child_process: the commands it runs cannot be known statically' });
    }
    // other migrations or seeds run from inside this one: knex.migrate.rollback() / .down(), knex.seed.run(),
    // TypeORM undoLastMigration() / runMigrations()
    if (t.type === 'name' && toks[i - 1]?.value === '.' && toks[i + 1]?.value === '(') {
      const owner = toks[i - 2]?.value;
      if ((owner === 'migrate' && /^(rollback|down|up|latest)$/.test(t.value)) || (owner === 'seed' && t.value === 'run') || /^(undoLastMigration|runMigrations)$/.test(t.value)) {
        opaque.push({ start: t.start, end: toks[parser.matching(i + 1)]?.end ?? t.end, detail: `${owner}.${t.value}() runs other migrations or seeds from inside this one: what they do cannot be known statically` });
      }
    }
    // eval('…') / new Function('…') / Function('…') / import('./m') run code chosen at run time
    if (t.type === 'name' && toks[i + 1]?.value === '(' && toks[i - 1]?.value !== '.' && toks[i - 1]?.value !== '?.') {
      if (t.value === 'eval' || t.value === 'Function') {
        opaque.push({ start: t.start, end: toks[parser.matching(i + 1)]?.end ?? t.end, detail: `${t.value}() runs code from a string: its effect cannot be known statically` });
      } else if (t.value === 'import' && stringValue(toks[i + 2]) !== undefined && isLocalModule(stringValue(toks[i + 2])!)) {
        opaque.push({ start: t.start, end: toks[parser.matching(i + 1)]?.end ?? t.end, detail: `import('${stringValue(toks[i + 2])}') runs code from another module: its effect cannot be known statically` });
      }
    }
    // handle[expr](…) / (handle as any)[expr](…) / knex['schema'][expr](…): a method chosen at run time
    if (t.type === 'punct' && t.value === '[' && i > 0) {
      const root = chainRoot(toks, i - 1);
      const close = parser.matching(i);
      const literalKey = parser.literalKey(i) !== undefined;
      if (root && (HANDLE_NAMES.test(root.value) || builders.has(root.value)) && toks[close + 1]?.value === '(' && !literalKey) {
        opaque.push({ start: t.start, end: toks[parser.matching(close + 1)]?.end ?? toks[close].end, detail: `${text.slice(root.start, toks[close].end)} calls a method chosen at run time: its effect cannot be known statically` });
      }
    }
  }
  return { aliases, imported, opaque };
}

/** The table builders Knex hands to callbacks: `knex.schema.table('t', (t) => …)` → t. */
function tableCallbackParams(parser: JsParser): Set<string> {
  const toks = parser.toks;
  const params = new Set<string>();
  for (let i = 1; i < toks.length - 1; i++) {
    if (toks[i - 1].value !== '.' || !/^(table|alterTable|createTable|createTableIfNotExists)$/.test(toks[i].value) || toks[i + 1].value !== '(') continue;
    const close = parser.matching(i + 1);
    for (let k = i + 2; k < close; k++) {
      const fn = toks[k - 1].value === ',' ? parser.func(k)?.value : undefined;
      if (fn?.kind === 'func' && fn.params[0]) params.add(fn.params[0]);
    }
  }
  return params;
}

/** Words after which `(` groups an expression rather than calling. */
const OPERATOR_WORDS = /^(await|return|typeof|void|yield|new|in|of|case|delete|throw|else|do|instanceof)$/;

/**
 * The root name of the member chain that ends at token k, walking back over `.name`, `[…]` and a
 * call's arguments and a parenthesized start: `knex.schema[fn]` → knex, `knex['schema'][fn]` → knex, `(queryRunner as any)[fn]` → queryRunner.
 */
function chainRoot(toks: JsTok[], k: number): JsTok | undefined {
  for (let steps = 0; k >= 0 && steps < 50; steps++) {
    const t = toks[k];
    if (t.value === ']' || t.value === ')') {
      let depth = 0;
      let o = k;
      for (; o >= 0; o--) {
        if (toks[o].value === ']' || toks[o].value === ')') depth++;
        else if ((toks[o].value === '[' || toks[o].value === '(') && --depth === 0) break;
      }
      if (o < 0) return undefined;
      // a grouping `(queryRunner as any)` holds the root; a call's arguments `withSchema('s')` do not
      const before = toks[o - 1];
      const call = (before?.type === 'name' && !OPERATOR_WORDS.test(before.value)) || before?.value === ')' || before?.value === ']';
      if (t.value === ')' && !call) return toks[o + 1]?.type === 'name' ? toks[o + 1] : undefined;
      k = o - 1;
    } else if (t.type === 'name') {
      if (toks[k - 1]?.value !== '.' && toks[k - 1]?.value !== '?.') return t;
      k -= 2;
    } else return undefined;
  }
  return undefined;
}

/** The migration's own handles, as up/down receive them (not a model registry such as `db` from `../models`). */
export const MIGRATION_HANDLES = /^(queryInterface|queryRunner|knex|trx|qi|transaction|this)$/;

/** Whether a value mentions a handle (`knex`, `queryRunner`, `this`…) anywhere. */
export function mentionsHandle(v: JsValue | undefined, names: RegExp = HANDLE_NAMES): boolean {
  if (!v) return false;
  const walk = (x: JsValue | undefined): boolean => mentionsHandle(x, names);
  switch (v.kind) {
    case 'name':
      return names.test(v.name);
    case 'member':
      return walk(v.obj);
    case 'call':
      return walk(v.func) || v.args.some(walk);
    case 'array':
      return v.items.some(walk);
    case 'object':
      return [...v.entries.values()].some(walk);
    default:
      return false;
  }
}

/** The chain's root name. */
export function rootOf(v: JsValue): string | undefined {
  let cur = v;
  for (;;) {
    if (cur.kind === 'call') cur = cur.func;
    else if (cur.kind === 'member') cur = cur.obj;
    else return cur.kind === 'name' ? cur.name : undefined;
  }
}

/**
 * The same chain with its root name replaced by what it stands for (`dropTable(…)` → `queryInterface.dropTable(…)`,
 * `s.dropTable(…)` with `const s = knex.schema` → `knex.schema.dropTable(…)`); the chain itself when nothing applies.
 */
export function substituteRoot(v: JsValue, lookup: (name: string) => JsValue | undefined, depth = 0): JsValue {
  if (depth > 6) return v;
  if (v.kind === 'name') {
    const to = lookup(v.name);
    return to ? substituteRoot(to, lookup, depth + 1) : v;
  }
  if (v.kind === 'member') {
    const obj = substituteRoot(v.obj, lookup, depth);
    return obj === v.obj ? v : { ...v, obj };
  }
  if (v.kind === 'call') {
    const func = substituteRoot(v.func, lookup, depth);
    return func === v.func ? v : { ...v, func };
  }
  return v;
}

/**
 * A call through `Function.prototype` read as the call it makes: `f.call(self, a)` and `f.bind(self, a)()` →
 * `f(a)`, `f.apply(self, [a])` and `Reflect.apply(f, self, [a])` → `f(a)`. Arguments given as an array the file
 * does not spell out become one unknown argument, so the call is read as taking run-time values (opaque).
 */
export function directCall(v: JsValue, depth = 0): JsValue {
  if (depth > 6) return v;
  if (v.kind === 'member') {
    const obj = directCall(v.obj, depth + 1);
    return obj === v.obj ? v : { ...v, obj };
  }
  if (v.kind !== 'call') return v;
  const func = directCall(v.func, depth + 1);
  const spread = (list: JsValue | undefined, at: JsValue): JsValue[] =>
    list === undefined ? [] : list.kind === 'array' ? list.items : [{ kind: 'unknown', start: at.start, end: at.end }];
  const call = (target: JsValue, args: JsValue[]): JsValue => ({ ...v, func: target, args, nameStart: target.kind === 'member' ? target.nameStart : target.start });
  const isRef = (f: JsValue) => f.kind === 'member' || f.kind === 'name';
  if (func.kind === 'member' && func.name === 'call' && isRef(func.obj)) return directCall(call(func.obj, v.args.slice(1)), depth + 1);
  if (func.kind === 'member' && func.name === 'apply' && func.obj.kind === 'name' && func.obj.name === 'Reflect' && v.args[0]) return directCall(call(v.args[0], spread(v.args[2], v)), depth + 1);
  if (func.kind === 'member' && func.name === 'apply' && isRef(func.obj)) return directCall(call(func.obj, spread(v.args[1], v)), depth + 1);
  if (func.kind === 'call' && func.func.kind === 'member' && func.func.name === 'bind' && isRef(func.func.obj)) {
    return directCall(call(func.func.obj, [...func.args.slice(1), ...v.args]), depth + 1);
  }
  return func === v.func ? v : { ...v, func };
}
