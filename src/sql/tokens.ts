/**
 * A small SQL tokenizer for one statement: words, quoted names, strings, numbers and punctuation,
 * with string offsets. Comments are dropped. Used by the recognizer (statements the parsers cannot
 * read) and to locate sub-commands inside a statement the parser did read.
 */
import type { Dialect } from '../model/operation.js';

/**
 * Where a `--` (or MySQL `#`) comment starting at i ends. PostgreSQL's lexer ends it at LF or CR
 * (`non_newline [^\n\r]` in scan.l), so a statement after a lone CR is code; MySQL and SQLite end it
 * at LF only.
 */
export function endOfLineComment(src: string, i: number, dialect: Dialect): number {
  const lf = src.indexOf('\n', i);
  const nl = lf === -1 ? src.length : lf;
  if (dialect !== 'postgres') return nl;
  for (let j = i; j < nl; j++) if (src.charCodeAt(j) === 13) return j;
  return nl;
}

/**
 * Whether `--` at i starts a comment. MySQL needs whitespace, a control character or the end of input
 * after it: `0--1` is `0 - (-1)` there. PostgreSQL and SQLite always start a comment.
 */
export function dashCommentAt(src: string, i: number, dialect: Dialect): boolean {
  if (src.charCodeAt(i) !== 45 || src.charCodeAt(i + 1) !== 45) return false;
  if (dialect !== 'mysql') return true;
  const c = src.charCodeAt(i + 2);
  return Number.isNaN(c) || c <= 32 || c === 127;
}

/** How MySQL's sql_mode changes lexing: NO_BACKSLASH_ESCAPES, and ANSI_QUOTES (`"x"` is a name, not a string). */
export interface MysqlLexing {
  noBackslashEscapes: boolean;
  ansiQuotes: boolean;
}

/** The lexing after `SET sql_mode = <value>`: the flags its text names (a computed value is judged by what it mentions). */
export function lexingOfSqlMode(value: string): MysqlLexing {
  return { noBackslashEscapes: /NO_BACKSLASH_ESCAPES/i.test(value), ansiQuotes: /\bANSI(?:_QUOTES)?\b/i.test(value) };
}

/** MySQL `/*!50001` / MariaDB `/*M!100100` versioned-comment opener length at `i`, or 0. */
export function versionedOpenerLength(src: string, i: number): number {
  let j = i + 2;
  if (src.charCodeAt(j) === 77 /* M */) j++;
  if (src.charCodeAt(j) !== 33 /* ! */) return 0;
  j++;
  while (j < src.length && src.charCodeAt(j) >= 48 && src.charCodeAt(j) <= 57) j++;
  // `/*M!999999\- enable the sandbox mode */` (mariadb-dump): a client command, not SQL
  if (src.charCodeAt(j) === 92) return 0;
  return j - i;
}

export type TokenType = 'word' | 'ident' | 'string' | 'number' | 'punct';

export interface Token {
  type: TokenType;
  /** word: as written; ident: the name without quotes; string: the decoded literal; punct: the symbol. */
  value: string;
  /** word: upper-cased (for keyword comparisons); otherwise same as value. */
  upper: string;
  start: number;
  end: number;
}

/** Identifier characters: ASCII letters, `_`, anything non-ASCII; then digits and `$` too. */
export function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
}

export function isWordChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Read a quoted run; returns [decoded, end] (end = text length when unterminated). */
function readQuoted(text: string, i: number, quote: number, backslash: boolean): [string, number] {
  let out = '';
  let j = i + 1;
  const n = text.length;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (backslash && c === 92 && j + 1 < n) {
      const e = text[j + 1];
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '0' ? '\0' : e;
      j += 2;
      continue;
    }
    if (c === quote) {
      if (text.charCodeAt(j + 1) === quote) {
        out += text[j];
        j += 2;
        continue;
      }
      return [out, j + 1];
    }
    out += text[j];
    j++;
  }
  return [out, n];
}

const TWO_CHAR_PUNCT = new Set(['::', '<>', '!=', '<=', '>=', '||', ':=', '=>', '->']);

/** Tokens of `text`; with `limit`, only the first `limit` tokens (enough to classify most statements). */
export function tokenize(text: string, dialect: Dialect, limit = Infinity, lexing?: MysqlLexing): Token[] {
  const backslash = dialect === 'mysql' && !lexing?.noBackslashEscapes;
  const doubleIsName = dialect !== 'mysql' || lexing?.ansiQuotes === true;
  let versionedDepth = 0;
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  const push = (type: TokenType, value: string, start: number, end: number, upper = value) =>
    tokens.push({ type, value, upper, start, end });
  while (i < n && tokens.length < limit) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 0xfeff || c === 0xa0) {
      i++;
    } else if (c === 45 && dashCommentAt(text, i, dialect)) {
      i = endOfLineComment(text, i, dialect);
    } else if (c === 35 && dialect === 'mysql') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? n : nl;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      // MySQL runs what a versioned comment `/*!50001 … */` holds: its text is code, its `*/` is skipped
      const versioned = dialect === 'mysql' ? versionedOpenerLength(text, i) : 0;
      if (versioned > 0) versionedDepth++;
      const close = versioned > 0 ? -2 : text.indexOf('*/', i + 2);
      i = close === -2 ? i + versioned : close === -1 ? n : close + 2;
    } else if (c === 42 && versionedDepth > 0 && text.charCodeAt(i + 1) === 47) {
      versionedDepth--;
      i += 2;
    } else if (c === 39) {
      const prev = tokens[tokens.length - 1];
      const eString = dialect === 'postgres' && prev?.end === i && prev.type === 'word' && prev.upper === 'E';
      if (eString) tokens.pop();
      const [value, end] = readQuoted(text, i, 39, backslash || eString);
      push('string', value, eString ? prev.start : i, end);
      i = end;
    } else if (c === 34) {
      const [value, end] = readQuoted(text, i, 34, backslash && !doubleIsName);
      push(doubleIsName ? 'ident' : 'string', value, i, end);
      i = end;
    } else if (c === 96) {
      const [value, end] = readQuoted(text, i, 96, false);
      push('ident', value, i, end);
      i = end;
    } else if (c === 91 && dialect === 'sqlite') {
      const close = text.indexOf(']', i + 1);
      const end = close === -1 ? n : close + 1;
      push('ident', text.slice(i + 1, close === -1 ? n : close), i, end);
      i = end;
    } else if (c === 36 && dialect === 'postgres') {
      const m = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
      m.lastIndex = i;
      const tag = m.exec(text);
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        const end = close === -1 ? n : close + tag[0].length;
        push('string', text.slice(i + tag[0].length, close === -1 ? n : close), i, end);
        i = end;
      } else {
        let j = i + 1;
        while (j < n && isDigit(text.charCodeAt(j))) j++;
        push('punct', text.slice(i, Math.max(j, i + 1)), i, Math.max(j, i + 1));
        i = Math.max(j, i + 1);
      }
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordChar(text.charCodeAt(j))) j++;
      const value = text.slice(i, j);
      push('word', value, i, j, value.toUpperCase());
      i = j;
    } else if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < n && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === 46)) j++;
      push('number', text.slice(i, j), i, j);
      i = j;
    } else {
      const two = text.slice(i, i + 2);
      if (TWO_CHAR_PUNCT.has(two)) {
        push('punct', two, i, i + 2);
        i += 2;
      } else {
        push('punct', text[i], i, i + 1);
        i++;
      }
    }
  }
  return tokens;
}

/** Normalize an identifier token by the dialect's rules: PostgreSQL folds unquoted names to lower case. */
export function identName(token: Token, dialect: Dialect): string {
  if (token.type === 'word' && dialect === 'postgres') return token.value.toLowerCase();
  return token.value;
}

export function isNameToken(token: Token | undefined): boolean {
  return token !== undefined && (token.type === 'word' || token.type === 'ident');
}
