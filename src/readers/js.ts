/**
 * A small JavaScript/TypeScript tokenizer and expression reader for migration files (Knex,
 * TypeORM, Sequelize): strings, template literals with nested `${}`, regex literals (heuristic),
 * comments, brackets; up/down function regions; call chains with their arguments.
 * Static only: user code is never imported or run.
 */
import { joinSource, SourceTextBuilder, type SourceText, type StringPart, SourceSyntaxError } from './common.js';
import { downOnlyFunctions } from './reachability.js';
import { isLineTerminator, isWhiteSpace, readEscape, readIdentifier } from './js-chars.js';

export type JsTokType = 'name' | 'num' | 'str' | 'template' | 'punct' | 'regex';

export type TemplatePart = StringPart;

export interface JsTok {
  type: JsTokType;
  value: string;
  start: number;
  end: number;
  str?: SourceText;
  parts?: TemplatePart[];
}

const PUNCT = ['>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=', '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>'];
const PUNCT_START = new Set(PUNCT.map((q) => q[0]));
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await', 'default', 'extends']);
/** Words before `(…)` that make the parenthesis a statement's head: `if (x) /re/.test(s)` starts a regex. */
const STATEMENT_HEADS = new Set(['if', 'while', 'for', 'with']);
/** Words before `{` that open a block statement (`else {}`); a `/` after its `}` starts a regex. */
const BLOCK_WORDS = new Set(['else', 'try', 'finally', 'do']);

export function tokenizeJs(text: string): JsTok[] {
  return scanJs(text, 0, false).toks;
}

/**
 * Tokens from `start`; with `inHole`, up to the `}` that closes a template literal's `${` (the code of
 * a hole is tokenized like any other: its strings, regexes and comments may hold quotes and braces).
 */
function scanJs(text: string, start: number, inHole: boolean): { toks: JsTok[]; end: number } {
  const toks: JsTok[] = [];
  /** Open brackets: file offset and token index. */
  const open: Array<{ at: number; tok: number }> = [];
  /** Token index of each closing bracket → token index of the bracket it closes. */
  const opener = new Map<number, number>();
  const n = text.length;
  let i = start;
  /** No token yet on this line (an HTML-like `-->` here would be a comment in a CommonJS script). */
  let lineStart = true;
  while (i < n) {
    const c = text[i];
    if (isLineTerminator(c)) {
      lineStart = true;
      i++;
      continue;
    }
    if (isWhiteSpace(c)) {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && !isLineTerminator(text[i])) i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new SourceSyntaxError('unterminated comment', i);
      if (/[\n\r\u2028\u2029]/.test(text.slice(i, end))) lineStart = true;
      i = end + 2;
      continue;
    }
    if (c === '#' && i === 0 && text[1] === '!') {
      while (i < n && !isLineTerminator(text[i])) i++;
      continue;
    }
    // `<!--` (anywhere) and `-->` (first on a line) are comments in a CommonJS script and operators in an ES
    // module: which one node loads is not in the file, so the reader refuses to guess
    if (text.startsWith('<!--', i) || (lineStart && text.startsWith('-->', i))) {
      throw new SourceSyntaxError(`an HTML-like comment (${text.startsWith('<!--', i) ? '<!--' : '-->'}) is a comment in a CommonJS script and code in an ES module`, i);
    }
    lineStart = false;
    if (c === "'" || c === '"') {
      const { str, end } = readQuoted(text, i + 1, c);
      toks.push({ type: 'str', value: text.slice(i, end), start: i, end, str });
      i = end;
      continue;
    }
    if (c === '`') {
      const { parts, end } = readTemplate(text, i + 1);
      toks.push({ type: 'template', value: text.slice(i, end), start: i, end, parts });
      i = end;
      continue;
    }
    const identifier = readIdentifier(text, i);
    if (identifier) {
      // the name as node reads it: `\u0064ropTable` is dropTable
      toks.push({ type: 'name', value: identifier.name, start: i, end: identifier.end });
      i = identifier.end;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(text[j])) j++;
      toks.push({ type: 'num', value: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c === '/') {
      const allowed = regexAllowed(toks, opener);
      const end = allowed === 'no' ? undefined : regexEnd(text, i);
      if (end !== undefined && allowed === 'unknown') {
        throw new SourceSyntaxError('a / after } may divide or start a regular expression: which one depends on what the braces are', i);
      }
      if (end !== undefined) {
        toks.push({ type: 'regex', value: text.slice(i, end), start: i, end });
        i = end;
        continue;
      }
    }
    if (c === '\\') throw new SourceSyntaxError('a backslash outside a string', i);
    const p = PUNCT_START.has(c) ? (PUNCT.find((q) => text.startsWith(q, i)) ?? c) : c;
    if (inHole && p === '}' && !open.length) return { toks, end: i };
    if (p === '(' || p === '[' || p === '{') open.push({ at: i, tok: toks.length });
    else if (p === ')' || p === ']' || p === '}') {
      const o = open.pop();
      if (o === undefined || CLOSE[text[o.at]] !== p) throw new SourceSyntaxError(`unbalanced ${p}`, i);
      opener.set(toks.length, o.tok);
    }
    toks.push({ type: 'punct', value: p, start: i, end: i + p.length });
    i += p.length;
  }
  if (inHole) throw new SourceSyntaxError('unterminated template literal', start - 2);
  if (open.length) throw new SourceSyntaxError(`${text[open[open.length - 1].at]} is never closed`, open[open.length - 1].at);
  return { toks, end: i };
}

/**
 * Whether a `/` after these tokens starts a regular expression: after an operator or a keyword yes, after a
 * value no; after `)` only when it closes `if (…)`, `while (…)`, `for (…)`; after `}` when it closes a block
 * statement, not an object literal, and `unknown` when the braces could be either (`function f() {}`,
 * `class A {}`, a label's block).
 */
function regexAllowed(toks: JsTok[], opener: Map<number, number>): 'yes' | 'no' | 'unknown' {
  const prev = toks[toks.length - 1];
  if (!prev) return 'yes';
  if (prev.type === 'name') return REGEX_AFTER_WORDS.has(prev.value) ? 'yes' : 'no';
  if (prev.type !== 'punct') return 'no';
  if (prev.value === ']' || prev.value === '++' || prev.value === '--') return 'no';
  if (prev.value === ')') {
    const before = toks[(opener.get(toks.length - 1) ?? 0) - 1];
    return before?.type === 'name' && STATEMENT_HEADS.has(before.value) ? 'yes' : 'no';
  }
  if (prev.value !== '}') return 'yes';
  const open = opener.get(toks.length - 1) ?? 0;
  const before = toks[open - 1];
  if (!before || (before.type === 'punct' && /^(;|\{|\}|=>)$/.test(before.value)) || (before.type === 'name' && BLOCK_WORDS.has(before.value))) return 'yes';
  if (before.type === 'punct' && before.value === ')') {
    const head = toks[(opener.get(open - 1) ?? 0) - 1];
    if (head?.type === 'name' && (STATEMENT_HEADS.has(head.value) || head.value === 'switch' || head.value === 'catch')) return 'yes';
    return 'unknown';
  }
  // an object literal where an expression starts (`= {}`, `({})`, `return {}`); else a class or function body,
  // a label's block or a TypeScript return type's braces (`(): void {}`) could be either
  if ((before.type === 'name' && REGEX_AFTER_WORDS.has(before.value) && before.value !== 'void') || (before.type === 'punct' && EXPRESSION_BEFORE.has(before.value))) return 'no';
  return 'unknown';
}

/** Punctuators after which `{` can only open an object literal (not `>`, `|`, `&`, `:`: TypeScript types end so). */
const EXPRESSION_BEFORE = new Set(['=', '(', '[', ',', '?', '...', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '&&=', '||=', '??=', '&&', '||', '??', '!', '~', '+', '-', '*', '/', '%', '**', '==', '===', '!=', '!==', '<', '<=', '>=', '<<', '>>', '>>>', '^']);

/** The end of a regular expression literal starting at i, or undefined when none closes on its line. */
function regexEnd(text: string, i: number): number | undefined {
  let j = i + 1;
  let inClass = false;
  while (j < text.length && !isLineTerminator(text[j])) {
    if (text[j] === '\\') j += 2;
    else if (text[j] === '[') (inClass = true), j++;
    else if (text[j] === ']') (inClass = false), j++;
    else if (text[j] === '/' && !inClass) break;
    else j++;
  }
  if (text[j] !== '/' || j === i + 1) return undefined;
  j++;
  while (j < text.length && /[a-z]/.test(text[j])) j++;
  return j;
}

const CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function readQuoted(text: string, start: number, quote: string): { str: SourceText; end: number } {
  const literal = new SourceTextBuilder();
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === quote) return { str: literal.take(i), end: i + 1 };
    if (c === '\n' || c === '\r') throw new SourceSyntaxError('unterminated string literal', start - 1);
    if (c === '\\') {
      i = appendEscape(literal, text, i, false);
      continue;
    }
    literal.append(c, i);
    i++;
  }
  throw new SourceSyntaxError('unterminated string literal', start - 1);
}

function readTemplate(text: string, start: number): { parts: TemplatePart[]; end: number } {
  const parts: TemplatePart[] = [];
  const literal = new SourceTextBuilder();
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '`') {
      parts.push({ literal: literal.take(i) });
      return { parts, end: i + 1 };
    }
    if (c === '\\') {
      i = appendEscape(literal, text, i, true);
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      parts.push({ literal: literal.take(i) }, { hole: i });
      // skip the expression, read by the tokenizer itself up to its closing brace
      i = scanJs(text, i + 2, true).end + 1;
      continue;
    }
    literal.append(c, i);
    i++;
  }
  throw new SourceSyntaxError('unterminated template literal', start - 1);
}

/** The escape at i decoded into the literal (each code unit at the backslash's offset); the offset after it. */
function appendEscape(literal: SourceTextBuilder, text: string, i: number, inTemplate: boolean): number {
  const escape = readEscape(text, i, inTemplate);
  for (const unit of escape.text.split('')) literal.append(unit, i);
  return escape.end;
}

// ---------------------------------------------------------------------------------------------
// Values

export type JsValue =
  | { kind: 'str'; source: SourceText; start: number; end: number }
  | { kind: 'template'; parts: TemplatePart[]; start: number; end: number }
  | { kind: 'array'; items: JsValue[]; start: number; end: number }
  | { kind: 'object'; entries: Map<string, JsValue>; start: number; end: number }
  | { kind: 'call'; func: JsValue; args: JsValue[]; isNew: boolean; start: number; end: number; nameStart: number }
  | { kind: 'member'; obj: JsValue; name: string; start: number; end: number; nameStart: number }
  | { kind: 'name'; name: string; start: number; end: number }
  | { kind: 'func'; params: string[]; bodyStart: number; bodyEnd: number; start: number; end: number }
  | { kind: 'const'; value: string; start: number; end: number }
  | { kind: 'unknown'; start: number; end: number };

export class JsParser {
  constructor(readonly toks: JsTok[]) {}

  /** Index of the bracket closing the one at i. */
  matching(i: number): number {
    if (!this.toks[i]) return this.toks.length - 1;
    const open = this.toks[i].value;
    const close = open === '(' ? ')' : open === '[' ? ']' : '}';
    let depth = 0;
    for (let j = i; j < this.toks.length; j++) {
      const t = this.toks[j];
      if (t.type !== 'punct') continue;
      if (t.value === open) depth++;
      else if (t.value === close && --depth === 0) return j;
    }
    return this.toks.length - 1;
  }

  private isEnd(i: number): boolean {
    const t = this.toks[i];
    return !t || (t.type === 'punct' && (t.value === ',' || t.value === ')' || t.value === ']' || t.value === '}' || t.value === ';' || t.value === ':'));
  }

  /** Skip to the end of the current expression (a comma, `;` or closing bracket at depth 0). */
  skipExpr(i: number): number {
    while (i < this.toks.length && !this.isEnd(i)) {
      const t = this.toks[i];
      if (t.type === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{')) i = this.matching(i) + 1;
      else i++;
    }
    return i;
  }

  /** A function expression starting at i (arrow or `function`), or undefined. */
  func(i: number): { value: JsValue; next: number } | undefined {
    let j = i;
    if (this.toks[j]?.value === 'async') j++;
    let params: string[] = [];
    const t = this.toks[j];
    if (!t) return undefined;
    if (t.value === 'function') {
      j++;
      if (this.toks[j]?.value === '*') j++;
      if (this.toks[j]?.type === 'name' && this.toks[j].value !== '(') j++;
      if (this.toks[j]?.value !== '(') return undefined;
      const close = this.matching(j);
      params = this.paramNames(j + 1, close);
      j = close + 1;
      while (j < this.toks.length && this.toks[j].value !== '{') j++; // return type annotation
      if (j >= this.toks.length) return undefined;
      const end = this.matching(j);
      return { value: { kind: 'func', params, bodyStart: j, bodyEnd: end, start: this.toks[i].start, end: this.toks[end].end }, next: end + 1 };
    }
    if (t.type === 'name' && this.toks[j + 1]?.value === '=>') {
      params = [t.value];
      j += 2;
    } else if (t.value === '(') {
      const close = this.matching(j);
      let k = close + 1;
      if (this.toks[k]?.value === ':') {
        // return type annotation: skip to =>
        while (k < this.toks.length && this.toks[k].value !== '=>' && !this.isEnd(k + 1)) k++;
        if (this.toks[k]?.value !== '=>') k++;
      }
      if (this.toks[k]?.value !== '=>') return undefined;
      params = this.paramNames(j + 1, close);
      j = k + 1;
    } else return undefined;
    if (this.toks[j]?.value === '{') {
      const end = this.matching(j);
      return { value: { kind: 'func', params, bodyStart: j, bodyEnd: end, start: this.toks[i].start, end: this.toks[end].end }, next: end + 1 };
    }
    const end = this.skipExpr(j);
    return { value: { kind: 'func', params, bodyStart: j, bodyEnd: end, start: this.toks[i].start, end: this.toks[end - 1]?.end ?? this.toks[j].end }, next: end };
  }

  /** First name of each comma-separated parameter (types and defaults ignored; destructuring kept as '{'). */
  paramNames(from: number, to: number): string[] {
    const names: string[] = [];
    let expectName = true;
    for (let k = from; k < to; k++) {
      const t = this.toks[k];
      if (t.type === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{')) {
        if (expectName) names.push(t.value);
        expectName = false;
        k = this.matching(k);
        continue;
      }
      if (t.type === 'punct' && t.value === ',') expectName = true;
      else if (expectName && t.type === 'name' && t.value !== 'public' && t.value !== 'private' && t.value !== 'readonly') {
        names.push(t.value);
        expectName = false;
      }
    }
    return names;
  }

  parseExpr(i: number): { value: JsValue; next: number } {
    const fn = this.func(i);
    if (fn) return fn;
    let { value, next } = this.parsePostfix(i);
    while (!this.isEnd(next)) {
      const t = this.toks[next];
      if (t.type === 'punct' && t.value === '+' && (value.kind === 'str' || value.kind === 'template')) {
        const right = this.parsePostfix(next + 1);
        if (right.value.kind === 'str' || right.value.kind === 'template') {
          value = { kind: 'template', parts: [...partsOf(value), ...partsOf(right.value)], start: value.start, end: right.value.end };
          next = right.next;
          continue;
        }
      }
      if (t.type === 'name' && (t.value === 'as' || t.value === 'satisfies')) {
        next = this.skipExpr(next + 1); // TypeScript cast: the value is unchanged
        break;
      }
      if (t.type === 'punct' && t.value === '!') {
        next++;
        continue;
      }
      const end = this.skipExpr(next);
      value = { kind: 'unknown', start: value.start, end: this.toks[end - 1]?.end ?? value.end };
      next = end;
      break;
    }
    return { value, next };
  }

  parsePostfix(i: number): { value: JsValue; next: number } {
    const t = this.toks[i];
    if (!t) return { value: { kind: 'unknown', start: 0, end: 0 }, next: i };
    let value: JsValue;
    let next = i + 1;
    if (t.type === 'name' && t.value === 'await') return this.parsePostfix(i + 1);
    if (t.type === 'name' && t.value === 'new') {
      const inner = this.parsePostfix(i + 1);
      if (inner.value.kind === 'call') return { value: { ...inner.value, isNew: true, start: t.start }, next: inner.next };
      return inner;
    }
    if (t.type === 'str') value = { kind: 'str', source: t.str!, start: t.start, end: t.end };
    else if (t.type === 'template') value = { kind: 'template', parts: t.parts!, start: t.start, end: t.end };
    else if (t.type === 'num') value = { kind: 'const', value: t.value, start: t.start, end: t.end };
    else if (t.type === 'name') {
      value = ['null', 'undefined', 'true', 'false'].includes(t.value) ? { kind: 'const', value: t.value, start: t.start, end: t.end } : { kind: 'name', name: t.value, start: t.start, end: t.end };
    } else if (t.type === 'punct' && t.value === '[') {
      const close = this.matching(i);
      const items: JsValue[] = [];
      let j = i + 1;
      while (j < close) {
        if (this.toks[j].value === ',') {
          j++;
          continue;
        }
        const item = this.parseExpr(j);
        items.push(item.value);
        j = Math.max(item.next, j + 1);
        if (this.toks[j]?.value === ',') j++;
        else if (j < close) j = this.skipExpr(j);
      }
      value = { kind: 'array', items, start: t.start, end: this.toks[close].end };
      next = close + 1;
    } else if (t.type === 'punct' && t.value === '{') {
      const close = this.matching(i);
      const entries = new Map<string, JsValue>();
      let j = i + 1;
      while (j < close) {
        const key = this.toks[j];
        let name: string | undefined;
        if (key.type === 'name' || key.type === 'num') name = key.value;
        else if (key.type === 'str') name = key.str!.text;
        if (name !== undefined && this.toks[j + 1]?.value === ':') {
          const v = this.parseExpr(j + 2);
          entries.set(name, v.value);
          j = v.next;
        } else if (name !== undefined && (this.toks[j + 1]?.value === ',' || j + 1 === close)) {
          entries.set(name, { kind: 'name', name, start: key.start, end: key.end }); // shorthand
          j++;
        } else j = this.skipExpr(j + 1);
        if (this.toks[j]?.value === ',' || (j < close && this.isEnd(j))) j++;
      }
      value = { kind: 'object', entries, start: t.start, end: this.toks[close].end };
      next = close + 1;
    } else if (t.type === 'punct' && t.value === '(') {
      // a parenthesized expression; of a sequence `(0, knex.raw)` the last one is the value
      const close = this.matching(i);
      let inner = this.parseExpr(i + 1);
      while (inner.next < close && this.toks[inner.next]?.value === ',') inner = this.parseExpr(inner.next + 1);
      value = inner.next === close ? inner.value : { kind: 'unknown', start: t.start, end: this.toks[close].end };
      next = close + 1;
    } else {
      const end = this.skipExpr(i + 1);
      return { value: { kind: 'unknown', start: t.start, end: this.toks[end - 1]?.end ?? t.end }, next: Math.max(end, i + 1) };
    }
    for (;;) {
      const u = this.toks[next];
      if (u?.type === 'punct' && (u.value === '.' || u.value === '?.') && this.toks[next + 1]?.type === 'name') {
        const nameTok = this.toks[next + 1];
        value = { kind: 'member', obj: value, name: nameTok.value, start: value.start, end: nameTok.end, nameStart: nameTok.start };
        next += 2;
      } else if (u?.type === 'punct' && u.value === '!') {
        next++; // TypeScript non-null assertion
      } else if (u?.type === 'punct' && u.value === '<' && value.kind !== 'const' && this.typeArgsThenCall(next)) {
        next = this.typeArgsThenCall(next)!; // f<Type>(...)
      } else if (u?.type === 'punct' && u.value === '(') {
        const close = this.matching(next);
        const args: JsValue[] = [];
        let j = next + 1;
        while (j < close) {
          if (this.toks[j].value === '...') j++;
          const a = this.parseExpr(j);
          args.push(a.value);
          j = Math.max(a.next, j + 1);
          if (this.toks[j]?.value === ',') j++;
          else if (j < close) j = this.skipExpr(j);
        }
        const nameStart = value.kind === 'member' ? value.nameStart : value.start;
        value = { kind: 'call', func: value, args, isNew: false, start: value.start, end: this.toks[close].end, nameStart };
        next = close + 1;
      } else if (u?.type === 'punct' && u.value === '[') {
        // obj['name'], obj[`name`], obj['drop' + 'Table']: a member named by literal text
        const close = this.matching(next);
        const name = this.literalKey(next);
        if (name !== undefined) value = { kind: 'member', obj: value, name, start: value.start, end: this.toks[close].end, nameStart: this.toks[next + 1]!.start };
        else value = { kind: 'unknown', start: value.start, end: this.toks[close].end };
        next = close + 1;
      } else if (u?.type === 'template') {
        value = { kind: 'unknown', start: value.start, end: u.end }; // tagged template
        next++;
      } else break;
    }
    return { value, next };
  }

  /** The text of a computed key `[…]` at i (the `[`) when it is literal text, else undefined. */
  literalKey(i: number): string | undefined {
    const close = this.matching(i);
    if (close === i + 1) return undefined;
    const key = this.parseExpr(i + 1);
    return key.next === close ? literalText(key.value)?.text : undefined;
  }

  private typeArgsThenCall(i: number): number | undefined {
    let depth = 0;
    for (let j = i; j < Math.min(this.toks.length, i + 40); j++) {
      const v = this.toks[j].value;
      if (v === '<') depth++;
      else if (v === '>') {
        if (--depth === 0) return this.toks[j + 1]?.value === '(' ? j + 1 : undefined;
      } else if (v === '>>') {
        depth -= 2;
        if (depth <= 0) return this.toks[j + 1]?.value === '(' ? j + 1 : undefined;
      } else if (v === ';' || v === '{' || v === '}' || v === ')') return undefined;
    }
    return undefined;
  }
}

export function partsOf(v: JsValue): TemplatePart[] {
  if (v.kind === 'str') return [{ literal: v.source }];
  if (v.kind === 'template') return v.parts;
  return [];
}

/** A string or template literal without interpolation → its text. */
export function literalText(v: JsValue | undefined): SourceText | undefined {
  if (!v) return undefined;
  if (v.kind === 'str') return v.source;
  if (v.kind === 'template' && v.parts.every((p) => 'literal' in p)) return joinSource(v.parts.map((p) => (p as { literal: SourceText }).literal));
  return undefined;
}

export function ident(v: JsValue | undefined): string | undefined {
  return literalText(v)?.text;
}

/** Calls along a chain, innermost first: `a.b('x').c('y')` → [b('x'), c('y')]. */
export function chainCalls(v: JsValue): Array<Extract<JsValue, { kind: 'call' }>> {
  const calls: Array<Extract<JsValue, { kind: 'call' }>> = [];
  let cur: JsValue | undefined = v;
  while (cur) {
    if (cur.kind === 'call') {
      calls.push(cur);
      cur = cur.func;
    } else if (cur.kind === 'member') cur = cur.obj;
    else break;
  }
  return calls.reverse();
}

/** The method name of a call (`x.y.dropTable(...)` → dropTable; `knex(...)` → knex). */
export function methodOf(call: Extract<JsValue, { kind: 'call' }>): string | undefined {
  if (call.func.kind === 'member') return call.func.name;
  if (call.func.kind === 'name') return call.func.name;
  return undefined;
}

/** Names along a chain: `this.queryRunner.query(...)` → ['this', 'queryRunner', 'query()']. */
export function chainNames(v: JsValue): string[] {
  const names: string[] = [];
  let cur: JsValue | undefined = v;
  while (cur) {
    if (cur.kind === 'call') {
      cur = cur.func;
      if (cur.kind === 'member') names.push(`${cur.name}()`), (cur = cur.obj);
      else if (cur.kind === 'name') names.push(`${cur.name}()`), (cur = undefined);
    } else if (cur.kind === 'member') names.push(cur.name), (cur = cur.obj);
    else if (cur.kind === 'name') names.push(cur.name), (cur = undefined);
    else break;
  }
  return names.reverse();
}

export interface Region {
  direction: 'up' | 'down';
  from: number;
  to: number;
}

/** The function defined by the name token at i (`function f(`, `f = …`, `f: …`, `f(…) {`), if any. */
function definitionAt(p: JsParser, i: number): Extract<JsValue, { kind: 'func' }> | undefined {
  const toks = p.toks;
  const t = toks[i];
  const prev = toks[i - 1];
  const next = toks[i + 1];
  let fn: JsValue | undefined;
  if (prev?.value === 'function' && next?.value === '(') {
    fn = p.func(i - 1)?.value;
  } else if (next?.value === ':' && (prev?.value === 'const' || prev?.value === 'let' || prev?.value === 'var')) {
    // export const up: MigrationFn<QueryInterface> = async (...) => { … }
    let k = i + 2;
    while (k < toks.length && k < i + 60 && toks[k].value !== '=' && toks[k].value !== ';') k++;
    if (toks[k]?.value === '=') fn = p.func(k + 1)?.value;
  } else if (next?.value === '=' || (next?.value === ':' && prev?.value !== '?')) {
    // exports.up = fn | const up = fn | { up: fn } (not `a ? up : b`)
    fn = p.func(i + 2)?.value;
  } else if (next?.value === '(' && prev?.value !== '.' && prev?.value !== '?.' && prev?.value !== 'new') {
    // method shorthand: up(knex) { … } / async up(…): Promise<void> { … }
    const close = p.matching(i + 1);
    let k = close + 1;
    if (toks[k]?.value === ':') while (k < toks.length && toks[k].value !== '{' && toks[k].value !== ';') k++;
    if (toks[k]?.value === '{') {
      const end = p.matching(k);
      fn = { kind: 'func', params: p.paramNames(i + 2, close), bodyStart: k, bodyEnd: end, start: t.start, end: toks[end].end };
    }
  }
  return fn?.kind === 'func' ? fn : undefined;
}

/**
 * The up/down function bodies (token ranges): `exports.up = …`, `export async function up`,
 * `export const up = …`, `module.exports = { up: …, async down() {} }`, class methods
 * `public async up(queryRunner: QueryRunner): Promise<void> { … }`. Helper functions and methods
 * that run only on rollback (reachability.ts) are down too; everything else is up.
 */
export function findRegions(p: JsParser): Region[] {
  const defs: Array<{ name: string; from: number; to: number }> = [];
  const toks = p.toks;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.type !== 'name' || ['if', 'for', 'while', 'switch', 'catch', 'function', 'return'].includes(t.value)) continue;
    const fn = definitionAt(p, i);
    if (fn) defs.push({ name: t.value, from: fn.bodyStart, to: fn.bodyEnd });
  }
  const defined = new Set(defs.map((d) => d.name));
  const bodies = defs.map(({ name, from, to }) => {
    const mentions: string[] = [];
    for (let k = from; k <= Math.min(to, toks.length - 1); k++) if (toks[k].type === 'name' && defined.has(toks[k].value)) mentions.push(toks[k].value);
    return { name, mentions };
  });
  const downOnly = downOnlyFunctions(bodies, exportedEntries(p));
  // `up` and `down` always get a region (their direction); a helper only when it runs on rollback alone,
  // so that a callback defined inside `down` keeps the direction of `down`.
  return defs
    .filter((d) => d.name === 'up' || d.name === 'down' || downOnly.has(d.name))
    .map((d) => ({ direction: downOnly.has(d.name) ? 'down' : 'up', from: d.from, to: d.to }));
}

/**
 * The entry points, by what is exported as `up` and `down` rather than by function names: `exports.up = down`,
 * `module.exports = { up: down }`, `migration.up = migration.down`, `export { down as up }`,
 * `export const up = down` make the function `down` run forward. Every name the exported value mentions is an
 * entry point (`exports.up = wrap(down)` too): a function wrongly taken as forward is only judged more strictly.
 */
function exportedEntries(p: JsParser): { up: string[]; down: string[] } {
  const toks = p.toks;
  const entries = { up: ['up'], down: ['down'] };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const key = t.type === 'name' ? t.value : t.type === 'str' && toks[i - 1]?.value === '[' && toks[i + 1]?.value === ']' ? t.str!.text : undefined;
    if (key !== 'up' && key !== 'down') continue;
    const prev = toks[i - 1]?.value;
    let from: number | undefined;
    if (t.type === 'str' && toks[i + 2]?.value === '=') from = i + 3; // exports['up'] = …
    else if (toks[i + 1]?.value === '=' && (prev === '.' || prev === '?.' || prev === 'const' || prev === 'let' || prev === 'var')) from = i + 2;
    else if (toks[i + 1]?.value === ':' && (prev === '{' || prev === ',')) from = i + 2; // { up: … }
    else if (prev === 'as' && toks[i - 2]?.type === 'name') {
      entries[key].push(toks[i - 2].value); // export { down as up }
      continue;
    }
    // a function written there is the entry point itself (definitionAt); else the one expression exported
    if (from === undefined || p.func(from)) continue;
    const end = p.parsePostfix(from).next;
    for (let k = from; k < end; k++) if (toks[k].type === 'name') entries[key].push(toks[k].value);
  }
  return entries;
}

export function directionAt(regions: Region[], tokIndex: number): 'up' | 'down' {
  let best: Region | undefined;
  for (const r of regions) if (r.from <= tokIndex && tokIndex <= r.to && (!best || r.to - r.from < best.to - best.from)) best = r;
  return best?.direction ?? 'up';
}

/**
 * Every call chain in the file, with the token index where it starts: each chain is visited once,
 * from its root (a name not preceded by `.`); arguments are reached when the scan gets to them.
 */
export function* chains(p: JsParser): Generator<{ value: JsValue; index: number }> {
  const toks = p.toks;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const prev = toks[i - 1];
    if (t.type === 'punct' && t.value === '[') {
      // ['a', 'b'].forEach(…) / .map(…): a loop over a literal array
      const close = p.matching(i);
      if (toks[close + 1]?.value === '.' && /^(forEach|map)$/.test(toks[close + 2]?.value ?? '')) {
        const { value } = p.parsePostfix(i);
        if (value.kind === 'call') yield { value, index: i };
      }
      continue;
    }
    if (t.type === 'punct' && t.value === '(' && !(prev && (prev.type === 'name' || prev.value === ')' || prev.value === ']'))) {
      // a parenthesized root: `(0, knex.raw)('…')`, `(queryInterface as any).dropTable('t')`
      if (!/^(\(|\.|\?\.|\[|!)$/.test(toks[p.matching(i) + 1]?.value ?? '')) continue;
      const { value } = p.parsePostfix(i);
      if (value.kind === 'call' || value.kind === 'member') yield { value, index: i };
      continue;
    }
    if (t.type !== 'name' || (prev && prev.type === 'punct' && (prev.value === '.' || prev.value === '?.'))) continue;
    if (!/^(\.|\(|\?\.|!|\[)$/.test(toks[i + 1]?.value ?? '')) continue;
    if (t.value === 'function') continue;
    const { value } = p.parsePostfix(i);
    if (value.kind === 'call' || value.kind === 'member') yield { value, index: i };
  }
}

/** Token index of a file offset (first token starting at or after it). */
export function tokenIndexAt(toks: JsTok[], offset: number): number {
  let lo = 0;
  let hi = toks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (toks[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
