/**
 * One statement splitter for PostgreSQL, MySQL/MariaDB and SQLite.
 *
 * It knows just enough lexical structure to find statement boundaries: comments (`--`, `#` in MySQL,
 * `/* *\/` nested in PostgreSQL), quotes with doubled-quote escapes, backticks, SQLite `[names]`,
 * `$tag$` dollar quotes and E'' strings (PostgreSQL), MySQL `DELIMITER` directives, MySQL versioned
 * comments `/*!50001 … *\/` (executed by MySQL, so their content is code; `skipped` is the statement as a
 * server that skips them reads it), and `BEGIN … END` bodies of
 * triggers/procedures/functions. One forward pass, every closing search is an indexOf: linear time,
 * no recursion.
 */

import { dashCommentAt, endOfLineComment, isWordChar, isWordStart, lexingOfSqlMode, versionedOpenerLength, type MysqlLexing } from './tokens.js';
import type { Dialect } from '../model/operation.js';

export interface SqlStatement {
  /** Raw text of the statement from its first code character up to (not including) its terminator. */
  text: string;
  /**
   * Same length as `text`, with MySQL versioned-comment markers (`/*!50001` and the matching `*\/`)
   * blanked out so that what MySQL executes reads as plain code. Equal to `text` otherwise.
   */
  code: string;
  /**
   * MySQL: `code` with each versioned comment blanked whole, as a server that skips it reads the statement
   * (`/*M!…` on MySQL, `/*!99999 …` on an older server); undefined when the statement has none.
   */
  skipped?: string;
  /** String offset of the first character in the source. */
  start: number;
  /** String offset just past the last character (before the terminator). */
  end: number;
  /** MySQL: the lexing a `SET sql_mode` earlier in the text put in force, when not the default. */
  lexing?: MysqlLexing;
  /** The statement runs into an unterminated string, quoted name, dollar quote or comment. */
  error?: { message: string; offset: number };
}

export interface SkippedRegion {
  start: number;
  end: number;
  reason: string;
}

export interface SplitResult {
  statements: SqlStatement[];
  /** Client-side text that is not SQL: psql meta-commands, COPY … FROM stdin data, DELIMITER lines, sqlite3 dot-commands. */
  skipped: SkippedRegion[];
}

const CH_NL = 10;
const CH_SPACE = 32;
const CH_TAB = 9;
const CH_CR = 13;

function isSpace(c: number): boolean {
  return c === CH_SPACE || c === CH_NL || c === CH_TAB || c === CH_CR || c === 12 || c === 11 || c === 0xfeff || c === 0xa0;
}

function endOfLine(src: string, i: number): number {
  const nl = src.indexOf('\n', i);
  return nl === -1 ? src.length : nl;
}

/** Words whose `END` partner does not close a BEGIN/CASE block (`END IF`, `END LOOP`, …). */
const END_SUFFIX_NOT_BLOCK = new Set(['IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR']);
const COMPOUND_OBJECTS = new Set(['TRIGGER', 'PROCEDURE', 'FUNCTION', 'EVENT']);

/** Words allowed between CREATE and TRIGGER/PROCEDURE/FUNCTION/EVENT. */
const CREATE_PREFIX_WORDS = new Set(['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'CONSTRAINT', 'AGGREGATE', 'DEFINER', 'CURRENT_USER', 'NONEDITIONABLE', 'EDITIONABLE']);

/** `CREATE [OR REPLACE] [DEFINER=user] TRIGGER|PROCEDURE|FUNCTION|EVENT`: a body with BEGIN … END may follow. */
function isCompoundHead(head: string[]): boolean {
  const last = head.length - 1;
  if (head[0] !== 'CREATE' || last < 1 || !COMPOUND_OBJECTS.has(head[last])) return false;
  let afterDefiner = -1;
  for (let k = 1; k < last; k++) {
    if (head[k] === 'DEFINER') afterDefiner = 0;
    else if (afterDefiner >= 0 && afterDefiner < 2) afterDefiner++;
    else if (!CREATE_PREFIX_WORDS.has(head[k])) return false;
  }
  return true;
}

interface Unterminated {
  message: string;
  offset: number;
}

/**
 * Skip a quoted run starting at `i` (the opening quote). Returns the index after the closing quote,
 * or -1 when the quote never closes.
 */
function skipQuoted(src: string, i: number, quote: string, backslash: boolean): number {
  let j = i + 1;
  for (;;) {
    const close = src.indexOf(quote, j);
    if (close === -1) return -1;
    if (backslash) {
      // count the backslashes right before the quote: an odd number escapes it
      let k = close - 1;
      let n = 0;
      while (k >= j && src.charCodeAt(k) === 92) {
        n++;
        k--;
      }
      if (n % 2 === 1) {
        j = close + 1;
        continue;
      }
    }
    if (src.startsWith(quote, close + 1)) {
      j = close + 2; // doubled quote escapes itself
      continue;
    }
    return close + 1;
  }
}

/** Skip a PostgreSQL block comment, which nests. Returns -1 when it never closes. */
function skipNestedComment(src: string, i: number): number {
  let depth = 1;
  let j = i + 2;
  const n = src.length;
  while (j < n) {
    const open = src.indexOf('/*', j);
    const close = src.indexOf('*/', j);
    if (close === -1) return -1;
    if (open !== -1 && open < close) {
      depth++;
      j = open + 2;
    } else {
      depth--;
      j = close + 2;
      if (depth === 0) return j;
    }
  }
  return -1;
}

const DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/** If a dollar-quote opens at `i`, its tag (`$$` or `$name$`), else undefined. */
function dollarTagAt(src: string, i: number): string | undefined {
  DOLLAR_TAG.lastIndex = i;
  const m = DOLLAR_TAG.exec(src);
  return m ? m[0] : undefined;
}

/** `text` (at `start` in the source) with the source ranges [from, to) of `ranges` as spaces, the rest as written. */
function blanked(text: string, start: number, ranges: number[]): string {
  if (ranges.length === 0) return text;
  // slices: an array of characters per statement was a tenth of check's garbage on real files
  let code = '';
  let at = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    const from = Math.min(Math.max(ranges[k]! - start, at), text.length);
    const to = Math.min(ranges[k + 1]! - start, text.length);
    if (to <= from) continue;
    code += text.slice(at, from) + ' '.repeat(to - from);
    at = to;
  }
  return code + text.slice(at);
}

class Splitter {
  private readonly statements: SqlStatement[] = [];
  private readonly skipped: SkippedRegion[] = [];
  private delimiter = ';';
  /** MySQL lexing from the last `SET sql_mode` read (undefined: the default) */
  private lexing: MysqlLexing | undefined;

  constructor(
    private readonly src: string,
    private readonly dialect: Dialect,
  ) {}

  run(): SplitResult {
    const src = this.src;
    const n = src.length;
    let i = 0;
    while (i < n) {
      const trivia = this.skipTrivia(i);
      if (trivia.error) {
        this.push(trivia.error.offset, n, trivia.error, []);
        break;
      }
      i = trivia.next;
      if (i >= n) break;
      if (src.startsWith(this.delimiter, i)) {
        i += this.delimiter.length; // empty statement
        continue;
      }
      if (this.delimiter !== ';' && src.charCodeAt(i) === 59) {
        i++; // stray `;` right after a custom-delimited statement
        continue;
      }
      if (this.dialect === 'mysql' && /^delimiter[ \t]/iy.test(src.slice(i, i + 10))) {
        const eol = endOfLine(src, i);
        const value = src.slice(i + 9, eol).trim().split(/\s+/)[0];
        if (value) this.delimiter = value;
        this.skipped.push({ start: i, end: eol, reason: 'DELIMITER directive (mysql client)' });
        i = eol;
        continue;
      }
      if (this.dialect === 'sqlite' && src.charCodeAt(i) === 46 /* . */ && /[a-z]/i.test(src[i + 1] ?? '')) {
        // sqlite3 shell dot-command (.mode, .headers, .read …): client-side, not SQL
        const eol = endOfLine(src, i);
        this.skipped.push({ start: i, end: eol, reason: 'sqlite3 dot-command' });
        i = eol;
        continue;
      }
      if (this.dialect === 'postgres' && src.charCodeAt(i) === 92 /* \ */) {
        // psql meta-command (\connect, \i, \set …): client-side, not SQL, never destructive by itself
        const eol = endOfLine(src, i);
        this.skipped.push({ start: i, end: eol, reason: 'psql meta-command' });
        i = eol;
        continue;
      }
      i = this.statement(i);
    }
    return { statements: this.statements, skipped: this.skipped };
  }

  /** Skip whitespace and comments between statements. Versioned MySQL comments are code. */
  private skipTrivia(i: number): { next: number; error?: Unterminated } {
    const src = this.src;
    const n = src.length;
    while (i < n) {
      const c = src.charCodeAt(i);
      if (isSpace(c)) {
        i++;
      } else if (c === 45 && src.charCodeAt(i + 1) === 45) {
        // no statement starts with `-`: between statements `--x` is a comment even in MySQL
        i = endOfLineComment(src, i, this.dialect);
      } else if (c === 35 && this.dialect === 'mysql') {
        i = endOfLine(src, i);
      } else if (c === 47 && src.charCodeAt(i + 1) === 42) {
        if (this.dialect === 'mysql' && versionedOpenerLength(src, i) > 0) return { next: i };
        const end = this.skipBlockComment(i);
        if (end === -1) return { next: n, error: { message: 'unterminated /* comment', offset: i } };
        i = end;
      } else {
        return { next: i };
      }
    }
    return { next: i };
  }

  private skipBlockComment(i: number): number {
    if (this.dialect === 'postgres') return skipNestedComment(this.src, i);
    const close = this.src.indexOf('*/', i + 2);
    return close === -1 ? -1 : close + 2;
  }

  private push(start: number, end: number, error: Unterminated | undefined, blanks: number[], versioned: number[] = []): void {
    let text = this.src.slice(start, end);
    // trim trailing whitespace (the start is already at code)
    let e = text.length;
    while (e > 0 && isSpace(text.charCodeAt(e - 1))) e--;
    if (e < text.length) text = text.slice(0, e);
    const code = blanked(text, start, blanks);
    const skipped = versioned.length > 0 ? blanked(text, start, versioned) : undefined;
    const lexing = this.lexing;
    this.statements.push({ text, code, start, end: start + text.length, ...(skipped !== undefined ? { skipped } : {}), ...(lexing ? { lexing } : {}), ...(error ? { error } : {}) });
  }

  /** Scan one statement starting at code position `start`; returns where scanning continues. */
  private statement(start: number): number {
    const src = this.src;
    const n = src.length;
    const dialect = this.dialect;
    const delimiter = this.delimiter;
    const semicolon = delimiter === ';';
    const delimCode = delimiter.charCodeAt(0);
    const head: string[] = [];
    let compound = false;
    let blockDepth = 0;
    let versionedDepth = 0;
    const blanks: number[] = [];
    /** whole versioned comments [start, end) pairs, outermost only; and where the open one starts */
    const versioned: number[] = [];
    let versionedStart = -1;
    let lastWord = '';
    let lastWordEnd = -1;
    let j = start;

    while (j < n) {
      const c = src.charCodeAt(j);
      if (c === delimCode && blockDepth === 0 && (semicolon || src.startsWith(delimiter, j))) {
        this.push(start, j, undefined, blanks, versioned);
        const next = j + delimiter.length;
        return this.afterStatement(head, start, j, next);
      }
      if (c === 92 /* \ */ && dialect === 'postgres' && blockDepth === 0) {
        // psql: a backslash outside quotes starts a meta-command (`\g`, `\gexec`…) that ends the query
        this.push(start, j, undefined, blanks);
        return j;
      }
      let fail: string | undefined;
      let next = j + 1;
      if (c === 39 /* ' */) {
        const escapes = (dialect === 'mysql' && !this.lexing?.noBackslashEscapes) || (dialect === 'postgres' && lastWordEnd === j && (lastWord === 'E' || lastWord === 'e'));
        next = skipQuoted(src, j, "'", escapes);
        if (next === -1) fail = 'unterminated string literal';
      } else if (c === 34 /* " */) {
        next = skipQuoted(src, j, '"', dialect === 'mysql' && !this.lexing?.noBackslashEscapes && !this.lexing?.ansiQuotes);
        if (next === -1) fail = dialect === 'mysql' ? 'unterminated string literal' : 'unterminated quoted identifier';
      } else if (c === 96 /* ` */ && dialect !== 'postgres') {
        next = skipQuoted(src, j, '`', false);
        if (next === -1) fail = 'unterminated backtick-quoted identifier';
      } else if (c === 91 /* [ */ && dialect === 'sqlite') {
        const close = src.indexOf(']', j + 1);
        next = close === -1 ? -1 : close + 1;
        if (next === -1) fail = 'unterminated [bracketed] identifier';
      } else if (c === 45 && dashCommentAt(src, j, dialect)) {
        next = endOfLineComment(src, j, dialect);
      } else if (c === 35 && dialect === 'mysql') {
        next = endOfLine(src, j);
      } else if (c === 47 && src.charCodeAt(j + 1) === 42) {
        const vlen = dialect === 'mysql' ? versionedOpenerLength(src, j) : 0;
        if (vlen > 0) {
          blanks.push(j, j + vlen);
          if (versionedDepth === 0) versionedStart = j;
          versionedDepth++;
          next = j + vlen;
        } else {
          next = this.skipBlockComment(j);
          if (next === -1) fail = 'unterminated /* comment';
        }
      } else if (c === 42 && versionedDepth > 0 && src.charCodeAt(j + 1) === 47) {
        blanks.push(j, j + 2);
        versionedDepth--;
        if (versionedDepth === 0) versioned.push(versionedStart, j + 2);
        next = j + 2;
      } else if (c === 36 /* $ */ && dialect === 'postgres') {
        const tag = dollarTagAt(src, j);
        if (tag) {
          const close = src.indexOf(tag, j + tag.length);
          next = close === -1 ? -1 : close + tag.length;
          if (next === -1) fail = `unterminated dollar-quoted string ${tag}`;
        }
      } else if (isWordStart(c)) {
        let k = j + 1;
        while (k < n && isWordChar(src.charCodeAt(k)) && (semicolon || src.charCodeAt(k) !== delimCode || !src.startsWith(delimiter, k))) k++;
        next = k;
        const word = src.slice(j, k);
        lastWord = word;
        lastWordEnd = k;
        if (head.length < 10) {
          head.push(word.toUpperCase());
          if (semicolon && !compound && isCompoundHead(head)) {
            compound = dialect !== 'sqlite' || head[head.length - 1] === 'TRIGGER';
          }
        }
        if (compound && k - j <= 5) {
          const upper = word.toUpperCase();
          if (upper === 'BEGIN') {
            if (dialect !== 'postgres' || /^\s+atomic\b/iy.test(src.slice(k, k + 12))) blockDepth++;
          } else if (upper === 'CASE' && blockDepth > 0) {
            blockDepth++;
          } else if (upper === 'END' && blockDepth > 0) {
            const m = /\s*([A-Za-z]+)/y;
            m.lastIndex = k;
            const after = m.exec(src);
            const suffix = after ? after[1].toUpperCase() : '';
            if (END_SUFFIX_NOT_BLOCK.has(suffix)) {
              next = m.lastIndex;
            } else {
              if (suffix === 'CASE') next = m.lastIndex;
              blockDepth--;
            }
          }
        }
      }
      if (fail) {
        this.push(start, n, { message: fail, offset: j }, blanks);
        return n;
      }
      j = next;
    }
    if (versionedDepth > 0) {
      // `/*!40101 …` that never closes: MySQL rejects it as well
      this.push(start, n, { message: 'unterminated /*! versioned comment', offset: blanks[blanks.length - 2] }, blanks);
      return n;
    }
    this.push(start, n, undefined, blanks, versioned);
    return n;
  }

  /** After a statement: MySQL `SET … sql_mode = …` changes how the rest is lexed; skip COPY … FROM stdin data. */
  private afterStatement(head: string[], start: number, end: number, next: number): number {
    if (this.dialect === 'mysql' && head[0] === 'SET') {
      const code = this.statements[this.statements.length - 1]!.code;
      // the statement's last assignment of sql_mode (`SET @OLD=@@SQL_MODE, SQL_MODE='…'`): a literal, or the rest of
      // the statement (a computed value is judged by the modes it mentions)
      const value = [...code.matchAll(/(?<![\w$@])(?:@@)?(?:(?:session|local|global)\s*\.\s*)?sql_mode\s*:?=\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[\s\S]*)/gi)].pop()?.[1];
      if (value !== undefined) {
        const lexing = lexingOfSqlMode(value);
        this.lexing = lexing.noBackslashEscapes || lexing.ansiQuotes ? lexing : undefined;
      }
    }
    if (this.dialect !== 'postgres' || head[0] !== 'COPY') return next;
    if (!/\bfrom\s+stdin\b/i.test(this.src.slice(start, end))) return next;
    const src = this.src;
    const dataStart = endOfLine(src, next) + 1;
    if (dataStart > src.length) return next;
    const terminator = /^\\\.\r?$/gm;
    terminator.lastIndex = dataStart;
    const m = terminator.exec(src);
    const dataEnd = m ? m.index + m[0].length : src.length;
    // COPY data rows are psql input, not SQL; they cannot drop anything
    this.skipped.push({ start: dataStart, end: dataEnd, reason: 'COPY … FROM stdin data' });
    return dataEnd;
  }
}

/** Split SQL text into statements (never throws; unterminated constructs are reported on the statement). */
export function splitSql(text: string, dialect: Dialect): SplitResult {
  return new Splitter(text, dialect).run();
}
