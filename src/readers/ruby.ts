/**
 * A light Ruby tokenizer for Rails migrations: strings ('…', "…" with #{} holes, %q/%Q/%() with any
 * delimiter, %w/%i word arrays), symbols, labels (`key:`), heredocs (<<~ID, <<-ID, <<ID, quoted
 * IDs; squiggly indentation removed with positions kept), comments (# and =begin/=end), newlines.
 */
import { SourceTextBuilder, type SourceText, type StringPart, SourceSyntaxError } from './common.js';

export type RbTokType = 'name' | 'const' | 'sym' | 'label' | 'str' | 'words' | 'num' | 'punct' | 'newline';
export type RbPart = StringPart;

export interface RbTok {
  type: RbTokType;
  value: string;
  start: number;
  end: number;
  /** Whitespace before the token (distinguishes `f (x)` from `f(x)`). */
  spaceBefore: boolean;
  /** str: literal parts and `#{}` holes; sym/label: the name in `value`. */
  parts?: RbPart[];
  words?: SourceText[];
}

const PAIRS: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };
const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', s: ' ', '0': '\0', e: '\x1b' };

interface PendingHeredoc {
  tok: RbTok;
  id: string;
  squiggly: boolean;
  indented: boolean;
  raw: boolean;
}

const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0xc0;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);

export function tokenizeRuby(text: string): RbTok[] {
  const toks: RbTok[] = [];
  const n = text.length;
  let i = 0;
  let pending: PendingHeredoc[] = [];
  /** Offsets of the brackets still open: one never closed is a syntax error, as Ruby says. */
  const brackets: number[] = [];
  let space = true;
  const push = (t: Omit<RbTok, 'spaceBefore'>) => {
    toks.push({ type: t.type, value: t.value, start: t.start, end: t.end, spaceBefore: space, parts: t.parts, words: t.words });
    space = false;
  };
  const prevSignificant = () => toks[toks.length - 1];
  while (i < n) {
    const c = text[i];
    const atLineStart = i === 0 || text[i - 1] === '\n';
    if (atLineStart && text.startsWith('=begin', i)) {
      const end = text.indexOf('\n=end', i);
      i = end === -1 ? n : text.indexOf('\n', end + 1) === -1 ? n : text.indexOf('\n', end + 1);
      continue;
    }
    if (atLineStart && text.startsWith('__END__', i) && /^__END__\r?$/.test(text.slice(i, text.indexOf('\n', i) === -1 ? n : text.indexOf('\n', i)))) break;
    if (c === '\n') {
      push({ type: 'newline', value: '\n', start: i, end: i + 1 });
      space = true;
      i++;
      if (pending.length) {
        for (const h of pending) i = readHeredocBody(text, i, h);
        pending = [];
      }
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      space = true;
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      space = true;
      i += 2;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    // heredoc start: <<~ID, <<-ID, <<ID, with optional quotes
    const hd = c === '<' && text[i + 1] === '<' ? /^<<([~-]?)(["'`]?)([A-Za-z_][A-Za-z0-9_]*)\2/.exec(text.slice(i, i + 80)) : null;
    if (hd && (hd[1] || hd[2] || /[A-Z]/.test(hd[3][0]))) {
      const prev = prevSignificant();
      if (!prev || prev.type !== 'name' || space || prev.value === 'execute') {
        const tok: RbTok = { type: 'str', value: hd[0], start: i, end: i + hd[0].length, spaceBefore: space, parts: [] };
        toks.push(tok);
        space = false;
        pending.push({ tok, id: hd[3], squiggly: hd[1] === '~', indented: hd[1] !== '', raw: hd[2] === "'" });
        i += hd[0].length;
        continue;
      }
    }
    if (c === "'" || c === '"' || c === '`') {
      const { parts, end } = readDelimited(text, i + 1, c, undefined, c !== "'");
      push({ type: 'str', value: text.slice(i, end), start: i, end, parts });
      i = end;
      continue;
    }
    if (c === '%') {
      const m = /^%([qQwWiIxrs]?)([^A-Za-z0-9\s])/.exec(text.slice(i, i + 3));
      const prev = prevSignificant();
      const valuePosition = !prev || prev.type === 'punct' || prev.type === 'newline' || (prev.type === 'name' && space && text[i + (m?.[0].length ?? 1)] !== ' ');
      if (m && valuePosition) {
        const open = m[2];
        const close = PAIRS[open] ?? open;
        const interpolate = m[1] === 'Q' || m[1] === '' || m[1] === 'W' || m[1] === 'I' || m[1] === 'x' || m[1] === 'r';
        const read = readDelimited(text, i + m[0].length, close, PAIRS[open] ? open : undefined, interpolate);
        const parts = read.parts;
        let end = read.end;
        if (m[1] === 'r') while (end < n && /[imxounse]/.test(text[end])) end++; // %r{…}i: its flags
        if (m[1].toLowerCase() === 'w' || m[1].toLowerCase() === 'i') {
          const words: SourceText[] = [];
          for (const p of parts) {
            if (!('literal' in p)) continue;
            const re = /\S+/g;
            for (let w = re.exec(p.literal.text); w; w = re.exec(p.literal.text)) {
              words.push({ text: w[0], map: p.literal.map.slice(w.index, w.index + w[0].length + 1) });
            }
          }
          push({ type: 'words', value: text.slice(i, end), start: i, end, words });
        } else push({ type: 'str', value: text.slice(i, end), start: i, end, parts });
        i = end;
        continue;
      }
    }
    if (c === '?' && !valueEnds(prevSignificant(), space)) {
      // `?'` is a one-character string (Ruby's lexer: a `?` where a value may start); `? x : y` is a ternary
      const char = charLiteral(text, i, prevSignificant(), space);
      if (char) {
        push({ type: 'str', value: text.slice(i, char.end), start: i, end: char.end, parts: [{ literal: char.literal }] });
        i = char.end;
        continue;
      }
    }
    if (c === '$') {
      // globals: `$'`, `$"`, `$~`… are names (a quote after `$` opens no string), `$-w`, `$stdout`, `$1`
      const m = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|-[A-Za-z0-9_]|[0-9]+|[~*$?!@\/\\;,.=:<>"'`&+])/.exec(text.slice(i, i + 64));
      if (m) {
        push({ type: 'name', value: m[0], start: i, end: i + m[0].length });
        i += m[0].length;
        continue;
      }
    }
    if (c === '/' && !valueEnds(prevSignificant(), space)) {
      // a regular expression where a value may start (`/'/` holds no string); `a / b` and `a /= b` divide
      const prev = prevSignificant();
      const afterName = prev?.type === 'name' && !KEYWORDS_BEFORE_VALUE.has(prev.value);
      if (afterName && text[i + 1] !== ' ' && text[i + 1] !== '=') {
        throw new SourceSyntaxError(`\`${prev!.value} /\` is a division or a regular expression depending on whether ${prev!.value} is a variable`, i);
      }
      if (!afterName) {
        const { parts, end } = readDelimited(text, i + 1, '/', undefined, true);
        let e = end;
        while (e < n && /[imxounse]/.test(text[e])) e++;
        push({ type: 'str', value: text.slice(i, e), start: i, end: e, parts });
        i = e;
        continue;
      }
    }
    if (c === ':' && text[i + 1] === '"') {
      const { parts, end } = readDelimited(text, i + 2, '"', undefined, true);
      const lit = parts.every((p) => 'literal' in p) ? parts.map((p) => (p as { literal: SourceText }).literal.text).join('') : '';
      push({ type: 'sym', value: lit, start: i, end, parts });
      i = end;
      continue;
    }
    if (c === ':' && /[A-Za-z_]/.test(text[i + 1] ?? '') && text[i - 1] !== ':') {
      let j = i + 2;
      while (j < n && /[A-Za-z0-9_]/.test(text[j])) j++;
      if (text[j] === '?' || text[j] === '!' || text[j] === '=') j++;
      push({ type: 'sym', value: text.slice(i + 1, j), start: i, end: j });
      i = j;
      continue;
    }
    if (isIdentStart(text.charCodeAt(i))) {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      if ((text[j] === '?' || text[j] === '!') && text[j + 1] !== '=') j++;
      const word = text.slice(i, j);
      if (text[j] === ':' && text[j + 1] !== ':' && toks[toks.length - 1]?.value !== '?') {
        push({ type: 'label', value: word, start: i, end: j + 1 });
        i = j + 1;
        continue;
      }
      push({ type: /^[A-Z]/.test(word) ? 'const' : 'name', value: word, start: i, end: j });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(text[j]) && !(text[j] === '.' && !/[0-9]/.test(text[j + 1] ?? ''))) j++;
      push({ type: 'num', value: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    const two = text.slice(i, i + 3) === '<=>' ? '<=>' : ['::', '=>', '->', '==', '!=', '<=', '>=', '&&', '||', '<<', '**', '&.', '+=', '-=', '||='].find((p) => text.startsWith(p, i)) ?? c;
    if (two in PAIRS && two !== '<') brackets.push(i);
    else if (two === ')' || two === ']' || two === '}') {
      const at = brackets.pop();
      if (at === undefined || PAIRS[text[at]] !== two) throw new SourceSyntaxError(`unbalanced ${two}`, i);
    }
    push({ type: 'punct', value: two, start: i, end: i + two.length });
    i += two.length;
  }
  if (brackets.length) throw new SourceSyntaxError(`${text[brackets[brackets.length - 1]]} is never closed`, brackets[brackets.length - 1]);
  if (pending.length) throw new SourceSyntaxError(`heredoc ${pending[0].id} is never terminated`, pending[0].tok.start);
  return toks;
}

/** Words after which a value starts (`return /x/`, `if ?a`), although they are names. */
const KEYWORDS_BEFORE_VALUE = new Set(['if', 'unless', 'while', 'until', 'and', 'or', 'not', 'return', 'when', 'in', 'then', 'else', 'elsif', 'do', 'puts', 'print', 'p', 'raise', 'yield', 'case', 'begin']);

/** Whether the token before ends a value, so a `?` or `/` after it is an operator (ternary, division). */
function valueEnds(prev: RbTok | undefined, spaceBefore: boolean): boolean {
  if (!prev || prev.type === 'newline') return false;
  if (prev.type === 'punct') return prev.value === ')' || prev.value === ']' || prev.value === '}';
  if (prev.type === 'name') return !KEYWORDS_BEFORE_VALUE.has(prev.value) && !(spaceBefore && prev.value !== 'end' && prev.value !== 'self');
  return prev.type !== 'label';
}

/**
 * A character literal at a `?` (Ruby's parse.y): `?a`, `?'`, `?\n`, unless a space follows (a ternary) or an identifier
 * character follows the character (`?ab`: a ternary). After a name with a space before it Ruby decides by whether
 * the name is a variable, which a tokenizer cannot know: that is a syntax error here (fail closed).
 */
function charLiteral(text: string, i: number, prev: RbTok | undefined, spaceBefore: boolean): { literal: SourceText; end: number } | undefined {
  const next = text[i + 1];
  if (next === undefined || /\s/.test(next)) return undefined;
  let end: number;
  if (next === '\\') {
    const m = /^\\(?:u\{[0-9A-Fa-f ]*\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|[CM]-(?:\\.|.)|c.|.)/s.exec(text.slice(i + 1, i + 24));
    end = i + 1 + (m ? m[0].length : 1);
  } else end = i + 1 + (text.codePointAt(i + 1)! > 0xffff ? 2 : 1);
  if (isIdentPart(text.charCodeAt(i + 1)) && isIdentPart(text.charCodeAt(end))) return undefined;
  if (prev?.type === 'name' && spaceBefore && !KEYWORDS_BEFORE_VALUE.has(prev.value)) {
    throw new SourceSyntaxError(`\`${prev.value} ?${text.slice(i + 1, end)}\` is a ternary or a character depending on whether ${prev.value} is a variable`, i);
  }
  const builder = new SourceTextBuilder();
  builder.append(text.slice(i + 1, end), i + 1);
  return { literal: builder.take(end), end };
}

function readDelimited(text: string, start: number, close: string, open: string | undefined, interpolate: boolean): { parts: RbPart[]; end: number } {
  const parts: RbPart[] = [];
  const literal = new SourceTextBuilder();
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (open && c === open) depth++;
    else if (c === close) {
      if (depth === 0) {
        parts.push({ literal: literal.take(i) });
        return { parts, end: i + 1 };
      }
      depth--;
    }
    if (c === '\\') {
      const next = text[i + 1] ?? '';
      // a backslash-newline continues the line: it decodes to nothing, so it records no offset either
      if (interpolate && next === '\n') {
        i += 2;
        continue;
      }
      if (interpolate) literal.append(next in ESC ? ESC[next] : next, i);
      else if (next === close || next === '\\' || (open && next === open)) literal.append(next, i);
      else literal.appendVerbatim(c + next, i); // '…', %q, %w keep other escapes as written
      i += 2;
      continue;
    }
    if (interpolate && c === '#' && text[i + 1] === '{') {
      parts.push({ literal: literal.take(i) }, { hole: i });
      i = skipInterpolation(text, i + 2);
      continue;
    }
    literal.append(c, i);
    i++;
  }
  throw new SourceSyntaxError('unterminated string literal', start - 1);
}

function skipInterpolation(text: string, i: number): number {
  let depth = 1;
  while (i < text.length && depth > 0) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '"' || c === "'") {
      const q = c;
      i++;
      while (i < text.length && text[i] !== q) i += text[i] === '\\' ? 2 : 1;
    }
    i++;
  }
  return i;
}

function readHeredocBody(text: string, start: number, h: PendingHeredoc): number {
  // collect lines until the terminator
  const lines: Array<{ start: number; end: number }> = [];
  let i = start;
  for (;;) {
    if (i >= text.length) throw new SourceSyntaxError(`heredoc ${h.id} is never terminated`, h.tok.start);
    const nl = text.indexOf('\n', i);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(i, end).replace(/\r$/, '');
    if ((h.indented ? line.trim() : line) === h.id) {
      i = nl === -1 ? text.length : nl + 1;
      break;
    }
    lines.push({ start: i, end: nl === -1 ? end : end + 1 });
    i = nl === -1 ? text.length : nl + 1;
  }
  let strip = 0;
  if (h.squiggly) {
    strip = Infinity;
    for (const l of lines) {
      const body = text.slice(l.start, l.end);
      if (body.trim() === '') continue;
      strip = Math.min(strip, /^[ \t]*/.exec(body)![0].length);
    }
    if (strip === Infinity) strip = 0;
  }
  const parts: RbPart[] = [];
  const literal = new SourceTextBuilder();
  for (const l of lines) {
    let k = l.start;
    for (let s = 0; s < strip && (text[k] === ' ' || text[k] === '\t'); s++) k++;
    while (k < l.end) {
      const c = text[k];
      if (!h.raw && c === '#' && text[k + 1] === '{') {
        parts.push({ literal: literal.take(k) }, { hole: k });
        k = skipInterpolation(text, k + 2);
        continue;
      }
      if (!h.raw && c === '\\' && k + 1 < l.end) {
        const next = text[k + 1];
        literal.append(next in ESC ? ESC[next] : next, k);
        k += 2;
        continue;
      }
      literal.append(c, k);
      k++;
    }
  }
  parts.push({ literal: literal.take(lines.length ? lines[lines.length - 1].end : start) });
  h.tok.parts = parts;
  return i;
}
