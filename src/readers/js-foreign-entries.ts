/**
 * A JS/TS migration whose `up` or `down` is code from another module: `module.exports = require('./shared')`,
 * `export { up, down } from './x'`, `exports.up = shared.up`, `module.exports = require('./factory')('users')`,
 * a TypeORM class that inherits `up` (`extends Base` without its own) or calls `super.up()`. What that code does
 * is not in the file, so the migration is `opaque`, never read as empty (docs/check.md, "What cannot be read").
 */
import type { JsParser, JsTok, JsValue } from './js.js';

export interface ForeignEntry {
  start: number;
  end: number;
  /** The entry point it supplies; undefined where it is called (`super.down()`): the direction of that code. */
  direction?: 'up' | 'down';
  detail: string;
}

const ENTRY = /^(up|down)$/;

/** `require('m')`, `import('m')` anywhere in a value: the module. */
function requiredModule(v: JsValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'call') {
    if (v.func.kind === 'name' && (v.func.name === 'require' || v.func.name === 'import') && v.args[0]?.kind === 'str') return v.args[0].source.text;
    return requiredModule(v.func) ?? v.args.map(requiredModule).find(Boolean);
  }
  if (v.kind === 'member') return requiredModule(v.obj);
  return undefined;
}

function rootName(v: JsValue): string | undefined {
  let cur = v;
  while (cur.kind === 'member' || cur.kind === 'call') cur = cur.kind === 'member' ? cur.obj : cur.func;
  return cur.kind === 'name' ? cur.name : undefined;
}

export function foreignEntries(parser: JsParser): ForeignEntry[] {
  const toks = parser.toks;
  const modules = moduleBindings(parser);
  const found: ForeignEntry[] = [];
  // the module a value is taken from: `require('m')…`, a name bound to a module, or one given to a call (`Object.assign({}, shared)`)
  const from = (v: JsValue): string | undefined =>
    requiredModule(v) ?? modules.get(rootName(v) ?? '') ?? (v.kind === 'call' ? v.args.map((a) => (a.kind === 'name' ? modules.get(a.name) : undefined)).find(Boolean) : undefined);
  const report = (at: JsTok, end: number, direction: 'up' | 'down' | undefined, what: string, module: string) =>
    found.push({ start: at.start, end, direction, detail: `${what} comes from ${module}: what it runs is not in this file` });
  const exported = (k: number) => /^(export|default)$/.test(toks[k - 1]?.value ?? '') || (toks[k - 1]?.value === '=' && toks[k - 2]?.value === 'exports');

  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const prev = toks[i - 1]?.value;
    if (/^(const|let|var|import)$/.test(t.value) && toks[i + 1]?.value === '{') {
      i = parser.matching(i + 1); // `const { up } = require(…)` binds, it does not export
      continue;
    }
    // module.exports = require('./shared') / export default require(…) / export = …
    const wholeExport =
      (t.value === 'exports' && prev === '.' && toks[i - 2]?.value === 'module' && toks[i + 1]?.value === '=') ||
      (t.value === 'default' && prev === 'export') ||
      (t.value === 'export' && toks[i + 1]?.value === '=');
    if (wholeExport) {
      const at = t.value === 'export' ? i + 2 : i + (t.value === 'default' ? 1 : 2);
      const { value, next } = parser.parsePostfix(at);
      const module = value.kind === 'object' ? spreadModule(parser, at, from) : from(value);
      if (module) report(toks[at] ?? t, toks[next - 1]?.end ?? t.end, 'up', 'the whole migration', module);
      continue;
    }
    // export { up, down } from './x' / export * from './x'
    if (t.value === 'export' && (toks[i + 1]?.value === '{' || toks[i + 1]?.value === '*')) {
      const close = toks[i + 1].value === '{' ? parser.matching(i + 1) : i + 1;
      const spec = toks[close + 1]?.value === 'from' ? toks[close + 2] : undefined;
      if (spec?.type !== 'str') continue;
      const names = toks.slice(i + 2, close).filter((k) => k.type === 'name').map((k) => k.value);
      const direction = names.includes('up') || names.includes('default') || toks[i + 1].value === '*' ? 'up' : names.includes('down') ? 'down' : undefined;
      if (direction) report(t, spec.end, direction, direction === 'up' ? 'up' : 'down', spec.str!.text);
      continue;
    }
    // exports.up = shared.up / exports['up'] = … / { up: shared.up } / { up } with up imported / export const up = shared.up
    const bracketed = t.type === 'str' && prev === '[' && toks[i + 1]?.value === ']' && toks[i + 2]?.value === '=' && ENTRY.test(t.str?.text ?? '');
    if (bracketed) {
      const { value, next } = parser.parsePostfix(i + 3);
      const module = parser.func(i + 3) ? undefined : from(value);
      const direction = t.str!.text as 'up' | 'down';
      if (module) report(t, toks[next - 1]?.end ?? t.end, direction, direction, module);
      continue;
    }
    if (t.type === 'name' && ENTRY.test(t.value)) {
      const direction = t.value as 'up' | 'down';
      let valueAt: number | undefined;
      if (toks[i + 1]?.value === '=' && (prev === '.' || prev === 'const' || prev === 'let' || prev === 'var')) valueAt = i + 2;
      else if (toks[i + 1]?.value === ':' && (prev === '{' || prev === ',')) valueAt = i + 2;
      else if ((prev === '{' || prev === ',') && (toks[i + 1]?.value === ',' || toks[i + 1]?.value === '}') && modules.has(t.value)) {
        report(t, t.end, direction, direction, modules.get(t.value)!);
        continue;
      }
      if (valueAt === undefined || parser.func(valueAt)) continue;
      const { value, next } = parser.parsePostfix(valueAt);
      const module = from(value);
      if (module) report(t, toks[next - 1]?.end ?? t.end, direction, direction, module);
      continue;
    }
    // an exported or MigrationInterface class X extends Base { … } without its own up; super.up() / super.down()
    if (t.value === 'class') {
      const ext = toks.slice(i + 1, i + 6).findIndex((k) => k.value === 'extends');
      let open = i + 1;
      while (open < toks.length && toks[open].value !== '{') open++;
      const migration = toks.slice(i + 1, open).some((k) => k.value === 'MigrationInterface');
      if (ext < 0 || open >= toks.length || !(migration || exported(i))) continue;
      const close = parser.matching(open);
      const own = new Set<string>();
      for (let k = open + 1; k < close; k++) {
        if (toks[k].value === '{' || toks[k].value === '(' || toks[k].value === '[') k = parser.matching(k);
        else if (toks[k].type === 'name' && ENTRY.test(toks[k].value) && /^[(=<]$/.test(toks[k + 1]?.value ?? '')) own.add(toks[k].value);
      }
      const base = toks[i + 2 + ext]?.value ?? 'its base class';
      if (!own.has('up')) report(t, toks[open - 1].end, 'up', 'up (inherited)', `the base class ${base}`);
      continue;
    }
    if (t.value === 'super' && toks[i + 1]?.value === '.' && ENTRY.test(toks[i + 2]?.value ?? '')) {
      report(t, toks[i + 2].end, undefined, `super.${toks[i + 2].value}()`, 'the base class');
    }
  }
  return found;
}

/** `{ ...require('./shared'), … }` / `{ ...shared }`: the module an object literal at `open` spreads, if any. */
function spreadModule(parser: JsParser, open: number, from: (v: JsValue) => string | undefined): string | undefined {
  const toks = parser.toks;
  const close = parser.matching(open);
  for (let k = open + 1; k < close; k++) {
    if (toks[k].value === '(' || toks[k].value === '[' || toks[k].value === '{') k = parser.matching(k);
    else if (toks[k].value === '...' && (toks[k - 1]?.value === '{' || toks[k - 1]?.value === ',')) {
      const module = from(parser.parsePostfix(k + 1).value);
      if (module) return module;
    }
  }
  return undefined;
}

/** Names bound to another module: `import x from 'm'`, `import { a as b } from 'm'`, `const { a } = require('m')`. */
function moduleBindings(parser: JsParser): Map<string, string> {
  const toks = parser.toks;
  const bound = new Map<string, string>();
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.value === 'import' && toks[i + 1]?.value !== '(' && toks[i + 1]?.value !== '.') {
      let j = i + 1;
      while (j < toks.length && toks[j].value !== 'from' && toks[j].type !== 'str' && toks[j].value !== ';') j++;
      const spec = toks[j]?.value === 'from' ? toks[j + 1] : undefined;
      if (spec?.type !== 'str') continue;
      for (let k = i + 1; k < j; k++) if (toks[k].type === 'name' && !['type', 'as'].includes(toks[k].value) && toks[k + 1]?.value !== 'as') bound.set(toks[k].value, spec.str!.text);
    } else if (/^(const|let|var)$/.test(t.value)) {
      const pattern = toks[i + 1]?.value === '{' ? parser.matching(i + 1) : i + 1;
      if (toks[pattern + 1]?.value !== '=') continue;
      const module = requiredModule(parser.parsePostfix(pattern + 2).value);
      if (!module) continue;
      for (let k = i + 1; k <= pattern; k++) if (toks[k].type === 'name' && toks[k + 1]?.value !== ':') bound.set(toks[k].value, module);
    }
  }
  return bound;
}
