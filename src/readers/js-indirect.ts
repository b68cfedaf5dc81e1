/**
 * Calls that reach a destructive method indirectly, in JS/TS migrations: a method destructured or aliased
 * from the migration's handle (`const { dropTable } = queryInterface`, `const s = knex.schema`), a method
 * chosen at run time (`queryInterface[name](…)`), code run from a string (`eval`, `new Function`), and a
 * helper from another module given the handle (`purge(knex)`). The first are read as the call they are;
 * the rest are opaque (docs/check.md, "What cannot be read").
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
    // handle[expr](…) / (handle as any)[expr](…): a method chosen at run time
    if (t.type === 'punct' && t.value === '[' && i > 0) {
      const prev = toks[i - 1];
      let root: JsTok | undefined;
      if (prev.type === 'name') root = prev;
      else if (prev.value === ')') {
        // walk back to the opening parenthesis: `(queryRunner as any)`
        let depth = 0;
        for (let k = i - 1; k >= 0; k--) {
          if (toks[k].value === ')') depth++;
          else if (toks[k].value === '(' && --depth === 0) {
            root = toks[k + 1]?.type === 'name' ? toks[k + 1] : undefined;
            break;
          }
        }
      }
      // the member chain's root: `knex.schema[fn]` → knex
      let r = prev.type === 'name' ? i - 1 : -1;
      while (r >= 2 && (toks[r - 1].value === '.' || toks[r - 1].value === '?.') && toks[r - 2].type === 'name') r -= 2;
      if (r >= 0) root = toks[r];
      const close = parser.matching(i);
      const literalKey = close === i + 2 && toks[i + 1].type === 'str';
      if (root && HANDLE_NAMES.test(root.value) && toks[close + 1]?.value === '(' && !literalKey) {
        opaque.push({ start: t.start, end: toks[parser.matching(close + 1)]?.end ?? toks[close].end, detail: `${text.slice(root.start, toks[close].end)} calls a method chosen at run time: its effect cannot be known statically` });
      }
    }
  }
  return { aliases, imported, opaque };
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
