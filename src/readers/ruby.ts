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
      const m = /^%([qQwWiIx]?)([^A-Za-z0-9\s])/.exec(text.slice(i, i + 3));
      const prev = prevSignificant();
      const valuePosition = !prev || prev.type === 'punct' || prev.type === 'newline' || (prev.type === 'name' && space && text[i + (m?.[0].length ?? 1)] !== ' ');
      if (m && valuePosition) {
        const open = m[2];
        const close = PAIRS[open] ?? open;
        const interpolate = m[1] === 'Q' || m[1] === '' || m[1] === 'W' || m[1] === 'I' || m[1] === 'x';
        const { parts, end } = readDelimited(text, i + m[0].length, close, PAIRS[open] ? open : undefined, interpolate);
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
    push({ type: 'punct', value: two, start: i, end: i + two.length });
    i += two.length;
  }
  if (pending.length) throw new SourceSyntaxError(`heredoc ${pending[0].id} is never terminated`, pending[0].tok.start);
  return toks;
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
