/**
 * What each `const` / `let` / `var` of a JS/TS migration can hold: the value it is declared with and every value
 * a later `name = …` gives it. A name changed in a way the reader does not follow (`+=`, `++`, `names[0] = …`,
 * `names.push(…)`, a destructuring or `for (name of …)` assignment) holds an unknown value: a reassigned `sql`
 * must never be read as its first value.
 */
import type { JsParser, JsTok, JsValue } from './js.js';

export interface JsBinding {
  name: string;
  /** Offset of the declared name. */
  offset: number;
  /** The declared value, then each assigned one, in file order. */
  values: JsValue[];
  /** Changed in place or by an assignment the reader does not follow: its value is unknown. */
  mutated: boolean;
}

const DECLARE = /^(const|let|var)$/;
const COMPOUND = /^(\+=|-=|\*=|\/=|%=|\*\*=|<<=|>>=|>>>=|&=|\|=|\^=|&&=|\|\|=|\?\?=)$/;
const MUTATORS = /^(push|unshift|splice|pop|shift|reverse|sort|fill|copyWithin|set|delete|clear|add)$/;

export function collectBindings(parser: JsParser): JsBinding[] {
  const toks = parser.toks;
  const bindings: JsBinding[] = [];
  const declaredAt = new Set<number>();
  for (let i = 0; i < toks.length - 2; i++) {
    if (DECLARE.test(toks[i].value) && toks[i + 1].type === 'name') {
      let j = i + 2;
      if (toks[j]?.value === ':') while (j < toks.length && toks[j].value !== '=' && toks[j].value !== ';') j++;
      if (toks[j]?.value === '=') {
        bindings.push({ name: toks[i + 1].value, offset: toks[i + 1].start, values: [parser.parseExpr(j + 1).value], mutated: false });
        declaredAt.add(j);
      }
    }
  }
  // a change belongs to the closest declaration of its name before it (else the first one)
  const bindingOf = (name: JsTok): JsBinding | undefined => {
    let found: JsBinding | undefined;
    for (const b of bindings) if (b.name === name.value && (b.offset < name.start || !found)) found = b;
    return found;
  };
  const mutate = (name: JsTok | undefined) => {
    const b = name && name.type === 'name' ? bindingOf(name) : undefined;
    if (b) b.mutated = true;
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const prev = toks[i - 1];
    if (t.type === 'punct' && (t.value === '=' || COMPOUND.test(t.value)) && !declaredAt.has(i) && prev) {
      const root = lhsRoot(parser, i - 1);
      if (root === 'pattern') markPattern(parser, i - 1, mutate);
      else if (root && root.index === i - 1 && t.value === '=') {
        const b = bindingOf(root.tok);
        if (b) b.values.push(parser.parseExpr(i + 1).value);
      } else if (root) mutate(root.tok); // `sql += …`, `names[0] = …`, `opts.where = …`
    } else if (t.type === 'punct' && (t.value === '++' || t.value === '--')) {
      mutate(prev?.type === 'name' ? prev : toks[i + 1]);
    } else if (t.type === 'name' && toks[i + 1]?.value === '.' && MUTATORS.test(toks[i + 2]?.value ?? '') && toks[i + 3]?.value === '(' && prev?.value !== '.') {
      mutate(t); // names.push('users')
    } else if (t.type === 'name' && t.value === 'assign' && prev?.value === '.' && toks[i - 2]?.value === 'Object' && toks[i + 1]?.value === '(') {
      mutate(toks[i + 2]); // Object.assign(opts, …)
    } else if (t.type === 'name' && t.value === 'for' && toks[i + 1]?.value === '(' && toks[i + 2]?.type === 'name' && /^(of|in)$/.test(toks[i + 3]?.value ?? '')) {
      mutate(toks[i + 2]); // for (name of …) without a declaration
    }
  }
  return bindings;
}

/**
 * The root of an assignment's left-hand side ending at token k: the name and its token index (`sql`,
 * `names[0]` → names, `opts.where` → opts), `pattern` for a destructuring `[a, b]` / `{ a }`, else undefined.
 */
function lhsRoot(parser: JsParser, k: number): { tok: JsTok; index: number } | 'pattern' | undefined {
  const toks = parser.toks;
  for (let steps = 0; k >= 0 && steps < 50; steps++) {
    const t = toks[k];
    if (t.type === 'name') {
      if (toks[k - 1]?.value === '.' || toks[k - 1]?.value === '?.') {
        k -= 2;
        continue;
      }
      return { tok: t, index: k };
    }
    if (t.value !== ']' && t.value !== '}' && t.value !== '!') return undefined;
    if (t.value === '!') {
      k--;
      continue;
    }
    const open = openerOf(parser, k);
    if (open === undefined) return undefined;
    const before = toks[open - 1];
    // `[a, b] = …` / `({ a } = …)`: a pattern where a statement or expression starts; `x[0] = …`: a member
    if (!before || !(before.type === 'name' || before.value === ')' || before.value === ']')) return DECLARE.test(before?.value ?? '') ? undefined : 'pattern';
    k = open - 1;
  }
  return undefined;
}

/** The bracket that the one at `close` closes (the tokenizer checked they balance). */
function openerOf(parser: JsParser, close: number): number | undefined {
  let depth = 0;
  for (let o = close; o >= 0; o--) {
    const t = parser.toks[o];
    if (t.type !== 'punct') continue;
    if (t.value === ')' || t.value === ']' || t.value === '}') depth++;
    else if ((t.value === '(' || t.value === '[' || t.value === '{') && --depth === 0) return o;
  }
  return undefined;
}

/** Every name a destructuring pattern ending at token k assigns. */
function markPattern(parser: JsParser, k: number, mutate: (t: JsTok) => void): void {
  const open = openerOf(parser, k);
  if (open === undefined) return;
  for (let j = open + 1; j < k; j++) if (parser.toks[j].type === 'name') mutate(parser.toks[j]);
}
