/**
 * Whether a marker's comment opener really starts a comment, read with the tokenizer the reader uses
 * for that language. A marker written inside a string, a docstring, a heredoc, a template literal or a
 * dollar-quoted string is text, not a comment, and must approve nothing. SQL embedded in a string
 * (`op.execute("…")`, `knex.raw(`…`)`, a heredoc, a DO body) carries its own comments: an opener there
 * counts when the string's text, lexed as SQL, puts it in a comment and holds some SQL code. A string
 * that is a statement by itself (a Python docstring) is never SQL.
 */
import type { Dialect } from '../model/operation.js';
import { tokenizeJs } from '../readers/js.js';
import { tokenizePython } from '../readers/python.js';
import { tokenizeRuby } from '../readers/ruby.js';
import { tokenize, type Token } from '../sql/tokens.js';

/** Answers for one file: does the opener at this offset start a real comment? */
export type CommentTest = (offset: number) => boolean;

/** A string of the host language: where its text is in the file, and whether it may be SQL. */
interface StringSpan {
  start: number;
  end: number;
  maySql: boolean;
}

/** How deep dollar-quoted bodies inside SQL strings are followed (a DO body inside a string…). */
const MAX_DEPTH = 4;

/** The file is tokenized on the first question only (most files hold no marker). */
export function realCommentTest(text: string, path: string, dialect: Dialect): CommentTest {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  // a file with many markers asks many times: each range of SQL is tokenized once
  const lexed = new Map<string, Token[]>();
  if (ext === 'sql') return (offset) => sqlComment(text, 0, text.length, offset, dialect, 0, lexed);
  let host: NonNullable<ReturnType<typeof hostSpans>> | 'text' | 'unreadable' | null = null;
  return (offset) => {
    if (host === null) {
      try {
        host = hostSpans(text, ext) ?? 'text';
      } catch {
        // the host syntax cannot be read (the reader reports it as unparseable): no opener is known to be a comment
        host = 'unreadable';
      }
    }
    if (host === 'text') return true;
    if (host === 'unreadable') return false;
    const string = host.strings.find((s) => s.start <= offset && offset < s.end);
    if (string) return string.maySql && hasSqlCode(text, string, dialect) && sqlComment(text, string.start, string.end, offset, dialect, 0, lexed);
    return !insideAny(host.code, offset);
  };
}

/** Tokens of code and the strings of a host-language file; undefined for files read as text. */
function hostSpans(text: string, ext: string): { code: Array<[number, number]>; strings: StringSpan[] } | undefined {
  const code: Array<[number, number]> = [];
  const strings: StringSpan[] = [];
  if (ext === 'py') {
    const toks = tokenizePython(text);
    toks.forEach((t, k) => {
      if (t.type !== 'string') return code.push([t.start, t.end]);
      // a string that is a whole statement (a docstring) is never run as SQL
      const alone = t.lineStart && (toks[k + 1] === undefined || toks[k + 1]!.type === 'newline');
      const opener = /^[rRbBuUfF]{0,2}('''|"""|'|")/.exec(t.value);
      const openerLength = opener?.[0].length ?? 0;
      const quoteLength = opener?.[1]?.length ?? 0;
      strings.push({ start: t.start + openerLength, end: Math.max(t.start + openerLength, t.end - quoteLength), maySql: !alone });
      code.push([t.start, t.end]);
    });
    return { code, strings };
  }
  if (ext === 'rb') {
    for (const t of tokenizeRuby(text)) {
      code.push([t.start, t.end]);
      if (t.type !== 'str') continue;
      // the text of the string, quotes excluded; a heredoc's body is on the lines after its opener (`<<~SQL`)
      const offsets = (t.parts ?? []).flatMap((p) => ('literal' in p ? p.literal.map.slice(0, -1) : [p.hole]));
      if (offsets.length) strings.push({ start: Math.min(...offsets), end: Math.max(...offsets) + 1, maySql: true });
    }
    return { code, strings };
  }
  if (['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'].includes(ext)) {
    for (const t of tokenizeJs(text)) {
      // the text between the quotes (or backticks)
      if (t.type === 'str' || t.type === 'template') strings.push({ start: t.start + 1, end: Math.max(t.start + 1, t.end - 1), maySql: true });
      code.push([t.start, t.end]);
    }
    return { code, strings };
  }
  if (ext === 'xml') return xmlSpans(text);
  return undefined;
}

/** Elements whose text the Liquibase reader reads as SQL. */
const XML_SQL_ELEMENTS = new Set(['sql', 'rollback', 'createProcedure']);

/** XML: a comment is `<!-- … -->`; a tag (its attributes) is code; the text of `<sql>`-like elements may be SQL. */
function xmlSpans(text: string): { code: Array<[number, number]>; strings: StringSpan[] } {
  const code: Array<[number, number]> = [];
  const strings: StringSpan[] = [];
  const open: string[] = [];
  const maySql = () => XML_SQL_ELEMENTS.has((open[open.length - 1] ?? '').replace(/^.*:/, ''));
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const textEnd = lt === -1 ? text.length : lt;
    if (textEnd > i) strings.push({ start: i, end: textEnd, maySql: maySql() });
    if (lt === -1) break;
    if (text.startsWith('<!--', lt)) {
      const close = text.indexOf('-->', lt + 4);
      i = close === -1 ? text.length : close + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const close = text.indexOf(']]>', lt);
      code.push([lt, lt + 9]);
      strings.push({ start: lt + 9, end: close === -1 ? text.length : close, maySql: maySql() });
      i = close === -1 ? text.length : close + 3;
    } else {
      const gt = text.indexOf('>', lt);
      const end = gt === -1 ? text.length : gt + 1;
      code.push([lt, end]);
      const name = /^<(\/?)([\w:.-]+)/.exec(text.slice(lt, lt + 200));
      if (name?.[1]) open.pop();
      else if (name && text[end - 2] !== '/') open.push(name[2]!);
      i = end;
    }
  }
  return { code, strings };
}

/** Whether `offset` is in a comment of the SQL text [start, end) (dollar-quoted bodies are code). */
function sqlComment(text: string, start: number, end: number, offset: number, dialect: Dialect, depth: number, lexed: Map<string, Token[]>): boolean {
  const key = `${start}:${end}`;
  let tokens = lexed.get(key);
  if (!tokens) {
    tokens = tokenize(text.slice(start, end), dialect);
    lexed.set(key, tokens);
  }
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const from = start + t.start;
    const to = start + t.end;
    if (offset < from) return true;
    if (offset >= to) continue;
    // inside a token: only the body of a dollar quote after DO / AS / LANGUAGE x is code again
    const dollar = /^\$[A-Za-z_\u0080-\uffff\d]*\$/.exec(text.slice(from, to));
    if (t.type !== 'string' || !dollar || depth >= MAX_DEPTH || !isBody(tokens, k)) return false;
    const bodyEnd = text.endsWith(dollar[0], to) && to - dollar[0].length > from + dollar[0].length ? to - dollar[0].length : to;
    return sqlComment(text, from + dollar[0].length, bodyEnd, offset, dialect, depth + 1, lexed);
  }
  return true;
}

/** A string that holds nothing but a comment is a message, not SQL (`log('-- …')`). */
function hasSqlCode(text: string, string: StringSpan, dialect: Dialect): boolean {
  return tokenize(text.slice(string.start, string.end), dialect, 1).length > 0;
}

/** A dollar-quoted string that PostgreSQL runs as code: `DO $$`, `AS $$` (a function), `DO LANGUAGE x $$`. */
function isBody(tokens: Token[], k: number): boolean {
  const previous = tokens[k - 1]?.upper;
  return previous === 'DO' || previous === 'AS' || tokens[k - 2]?.upper === 'LANGUAGE';
}

function insideAny(spans: Array<[number, number]>, offset: number): boolean {
  return spans.some(([from, to]) => from <= offset && offset < to);
}
