/**
 * JavaScript's character classes as ECMAScript defines them (§12 "ECMAScript Language: Lexical Grammar"),
 * for the tokenizer in js.ts: which characters end a line, which are white space, and identifier names
 * with their Unicode escapes (`\u0064ropTable` is `dropTable`). Reading these differently from node lets
 * code hide from the reader: a lone CR ends a `//` comment.
 */
import { SourceSyntaxError } from './common.js';

/** LF, CR, LINE SEPARATOR, PARAGRAPH SEPARATOR: each ends a line (and a `//` comment). */
export const isLineTerminator = (c: string | undefined): boolean => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';

/** TAB, VT, FF, ZWNBSP and every Unicode space separator (Zs). */
export const isWhiteSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\ufeff' || (c !== undefined && c > '\x7f' && /^\p{Zs}$/u.test(c));

const ID_START = /^[\p{ID_Start}$_]$/u;
const ID_CONTINUE = /^[\p{ID_Continue}$\u200c\u200d]$/u;

function isIdentifierChar(ch: string, first: boolean): boolean {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || (!first && c >= 48 && c <= 57);
  return (first ? ID_START : ID_CONTINUE).test(ch);
}

/**
 * The identifier name at `start` (its characters, escapes decoded) and where it ends, or undefined when no
 * identifier starts there. An escape that is malformed or stands for a character an identifier cannot hold
 * is a syntax error, as in node.
 */
export function readIdentifier(text: string, start: number): { name: string; end: number } | undefined {
  let name = '';
  let i = start;
  for (;;) {
    let ch: string;
    let next: number;
    if (text[i] === '\\') {
      const escaped = unicodeEscape(text, i);
      if (!escaped) throw new SourceSyntaxError('invalid escape in an identifier', i);
      [ch, next] = escaped;
    } else {
      const cp = text.codePointAt(i);
      if (cp === undefined) break;
      ch = String.fromCodePoint(cp);
      next = i + ch.length;
    }
    if (!isIdentifierChar(ch, name === '')) {
      if (text[i] === '\\') throw new SourceSyntaxError('an escape that is not an identifier character', i);
      break;
    }
    name += ch;
    i = next;
  }
  return name === '' ? undefined : { name, end: i };
}

/** `\uXXXX` or `\u{X…}` at i → the character and the offset after the escape. */
function unicodeEscape(text: string, i: number): [string, number] | undefined {
  if (text[i + 1] !== 'u') return undefined;
  const fixed = /^[0-9a-fA-F]{4}/.exec(text.slice(i + 2, i + 6));
  if (fixed) return [String.fromCharCode(parseInt(fixed[0], 16)), i + 6];
  const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(text.slice(i + 2, i + 11));
  if (!braced) return undefined;
  const cp = parseInt(braced[1]!, 16);
  return cp > 0x10ffff ? undefined : [String.fromCodePoint(cp), i + 2 + braced[0].length];
}

/**
 * The escape sequence at i (a backslash) inside a string or template literal: the text it stands for and the
 * offset after it. A line continuation stands for nothing. Legacy octal escapes (`\101`) are read as a
 * CommonJS script reads them; a template literal refuses them, as node does.
 */
export function readEscape(text: string, i: number, inTemplate: boolean): { text: string; end: number } {
  const next = text[i + 1];
  if (next === undefined) throw new SourceSyntaxError('unterminated string literal', i);
  if (next === '\r' && text[i + 2] === '\n') return { text: '', end: i + 3 };
  if (isLineTerminator(next)) return { text: '', end: i + 2 };
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { text: simple, end: i + 2 };
  if (next === 'x') {
    const hex = /^[0-9a-fA-F]{2}/.exec(text.slice(i + 2, i + 4));
    if (!hex) throw new SourceSyntaxError('invalid \\x escape', i);
    return { text: String.fromCharCode(parseInt(hex[0], 16)), end: i + 4 };
  }
  if (next === 'u') {
    const escaped = unicodeEscape(text, i);
    if (!escaped) throw new SourceSyntaxError('invalid \\u escape', i);
    return { text: escaped[0], end: escaped[1] };
  }
  if (/[0-7]/.test(next)) {
    if (next === '0' && !/[0-9]/.test(text[i + 2] ?? '')) return { text: '\0', end: i + 2 };
    if (inTemplate) throw new SourceSyntaxError('an octal escape in a template literal', i);
    const octal = /^[0-3][0-7]{0,2}|^[4-7][0-7]?/.exec(text.slice(i + 1, i + 4))![0];
    return { text: String.fromCharCode(parseInt(octal, 8)), end: i + 1 + octal.length };
  }
  if (inTemplate && /[89]/.test(next)) throw new SourceSyntaxError(`\\${next} in a template literal`, i);
  const cp = text.codePointAt(i + 1)!;
  const ch = String.fromCodePoint(cp);
  return { text: ch, end: i + 1 + ch.length };
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };
