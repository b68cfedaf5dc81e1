/**
 * PostgreSQL without the parser, for the common small migration: when every statement of a file
 * matches a strict subset of PostgreSQL's grammar, we know both that the file parses and exactly what
 * it does, so the pre-commit hook need not load libpg-query (WASM), which is most of its cost.
 *
 * The subset: CREATE TABLE / INDEX / SEQUENCE / SCHEMA / EXTENSION / TYPE … AS ENUM / [MATERIALIZED]
 * VIEW … AS [WITH …] SELECT / POLICY, ALTER TABLE … ADD / DROP [COLUMN | CONSTRAINT] / ALTER COLUMN … [USING …] / RENAME /
 * … ROW LEVEL SECURITY, ALTER TYPE … ADD / RENAME VALUE and RENAME TO, ALTER INDEX … RENAME TO, DROP TABLE /
 * VIEW / INDEX / SEQUENCE / SCHEMA / TYPE / DOMAIN / TRIGGER / EXTENSION / POLICY / FUNCTION (argument types
 * only), TRUNCATE, DELETE / UPDATE (a WHERE whose predicates start with a column or are EXISTS of a table's
 * rows, or `WHERE TRUE`), INSERT … VALUES | SELECT [ON CONFLICT …], DO blocks and CREATE FUNCTION whose body
 * the full reader would not read, CREATE TRIGGER, GRANT / REVOKE, COMMENT ON, SET, BEGIN / COMMIT; in
 * expressions, subqueries, EXISTS, CAST, EXTRACT, ARRAY[…], CASE and the JSON operators.
 *
 * Fail closed: any doubt returns `undefined` and the real reader decides, so text the parser would
 * reject is still `unparseable`. On top of the grammar, every word a destructive or dynamic statement
 * needs (`drop`, `delete`, `execute`, `pg_…`…) must be a keyword this grammar read, never part of a
 * name or a string; comments may hold them (Prisma's warnings, override markers), since nested
 * comments, the one place our tokenizer and PostgreSQL's lexer disagree about, are refused.
 * Tests compare the result with the full reader on every fixture, on mutants and on random statements.
 */
import { DOUBT } from './pg-grammar.js';
import { DELETING_NAMES } from './pg-ops.js';
import { readDoBody, type BodyReading } from './pg-subset-plpgsql.js';
import { StatementReader, type SubsetStatement } from './pg-subset-statements.js';
import { splitSql } from './split.js';
import { tokenize, type Token } from './tokens.js';

/** Bigger files are rare in a hook and go to the parser (bounded work here, no surprises). */
const MAX_CHARS = 256 * 1024;
/** Deep nesting is the parser's to judge (it has a stack limit and reports it as unparseable). */
const MAX_DEPTH = 32;

/** Words of dynamic or destructive statements that no statement of the subset uses as a keyword. */
const NEVER_KEYWORDS = `exec|call|prepare|merge|perform|copy|rule|dblink\\w*|lo_\\w*|pg_\\w*|set_config|${DELETING_NAMES}`;
/** Each of these words (case-insensitive, whole word) must be a keyword the grammar read, or be in a comment. */
const GUARDED_WORDS = new RegExp(`(?<![\\w$])(?:drop|truncate|delete|update|rename|alter\\s+column|type\\s+using|replace|trigger|function|procedure|execute|do|${NEVER_KEYWORDS})(?![\\w$])`, 'gi');
/** The cheap first look: one of these outside an override marker's line means the parser decides. */
const NEVER_KEYWORD = new RegExp(`(?<![\\w$])(?:${NEVER_KEYWORDS})(?![\\w$])`, 'gi');
/**
 * A line that starts a statement whose text the word screen may leave alone: a DO block, CREATE FUNCTION, COMMENT ON
 * (a hint only: the statement reader and the word screen decide).
 */
const EXEMPT_TEXT_STATEMENT = /^[ \t]*(?:do\s+(?:\$|'|e'|language\b)|create\s+(?:or\s+replace\s+)?function\b|comment\s+on\b)/im;
/** Characters PostgreSQL's lexer reads differently from our tokenizer (NBSP and BOM are name characters there). */
const LEXER_DOUBT = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u00a0\ufeff]/;
/** Backticks (MySQL text read as PostgreSQL): allowed in comments only. */
const BACKTICK = /`/g;
/**
 * Backslashes: in comments, and in strings and quoted names whose text they cannot change (PostgreSQL reads
 * them as themselves there: standard_conforming_strings, on since 9.1 and in the parser). An E'…' string decodes
 * them (`E'\x44ROP'` is DROP), and outside a string or name they are the parser's to judge.
 */
const BACKSLASH = /\\/g;
/** A `/*` inside a block comment: PostgreSQL nests block comments, our tokenizer does not. */
const NESTED_COMMENT = /\/\*(?:(?!\*\/)[^])*?\/\*/;

/**
 * The file's statements and their operations when the whole file is inside the subset; `undefined`
 * when in any doubt (the real reader must decide). `bodyMayAct` (plpgsql-scan.ts, passed by the caller so that a
 * file without a DO block does not load it): without it, a DO body that may destroy is the parser's.
 */
export function readPostgresSubset(text: string, bodyMayAct?: (body: string) => boolean): SubsetStatement[] | undefined {
  if (text.length > MAX_CHARS || LEXER_DOUBT.test(text) || (text.includes('/*') && NESTED_COMMENT.test(text))) return undefined;
  // most files outside the subset say so in one scan (MERGE, COPY, PERFORM…): no splitting, no tokens. A
  // routine body that cannot destroy, or a comment's text, may hold any word (PERFORM, pg_…, rule): there the
  // word screen below decides.
  if (!EXEMPT_TEXT_STATEMENT.test(text) && neverKeywordOutsideMarkers(text)) return undefined;
  const { statements, skipped } = splitSql(text, 'postgres');
  // psql meta-commands, COPY data...: the reader's business
  if (skipped.length) return undefined;
  const keywordsAt = new Set<number>();
  /** File offsets [start, end) of every token, in order: what our tokenizer reads as code. */
  const tokenSpans: number[] = [];
  /** File offsets [start, end) of the strings and quoted names where a backslash is itself, in order. */
  const literalSpans: number[] = [];
  /** File offsets [start, end) of the DO bodies the word screen leaves alone, in order. */
  const exemptSpans: number[] = [];
  const out: SubsetStatement[] = [];
  let typeChanges = false;
  let typesDeclared = false;
  /** Record the spans of `tokens`, whose offsets count from `base` in the file. */
  const addSpans = (tokens: Token[], base: number) => {
    for (const token of tokens) {
      tokenSpans.push(base + token.start, base + token.end);
      if ((token.type === 'string' || token.type === 'ident') && LITERAL_START.has(text[base + token.start]!)) literalSpans.push(base + token.start, base + token.end);
    }
  };
  for (const statement of statements) {
    if (statement.error) return undefined;
    const tokens = tokenize(statement.code, 'postgres');
    if (!tokens.length) continue;
    if (!balanced(tokens)) return undefined;
    const reader = new StatementReader(tokens, statement.start, keywordsAt);
    const found: SubsetStatement[] = [];
    /** DO bodies read as PL/pgSQL: their own tokens stand for them (their comments are comments). */
    const bodies = new Map<Token, BodyTokens>();
    try {
      found.push({ start: statement.start, end: terminatorAt(text, statement.end), ops: reader.statement() });
      if (!reader.done()) return undefined;
      for (const body of reader.routineBodies) {
        const read = bodyMayAct && readBody(text, statement.start, body, keywordsAt, bodyMayAct);
        if (!read) return undefined;
        if (!('reading' in read)) {
          exemptSpans.push(statement.start + body.start, statement.start + body.end);
          continue;
        }
        bodies.set(body, read);
        for (const offset of read.reading.exempted) exemptSpans.push(read.at + offset);
        typesDeclared ||= read.reading.declaresColumnTypes;
        found.push(...read.reading.statements);
      }
    } catch (e) {
      if (e === DOUBT) return undefined;
      throw e;
    }
    for (const token of tokens) {
      const body = bodies.get(token);
      if (body) addSpans(body.tokens, body.at);
      else addSpans([token], statement.start);
    }
    for (const offset of reader.exempted) exemptSpans.push(statement.start + offset);
    typeChanges ||= found.some((s) => s.ops.some((op) => op.kind === 'alter-column-type'));
    typesDeclared ||= reader.declaresColumnTypes;
    out.push(...found);
  }
  sortSpans(exemptSpans);
  // the full reader judges a type change against the column's type declared earlier in the file
  if (typeChanges && typesDeclared) return undefined;
  const inComment = (at: number) => !insideToken(at, tokenSpans);
  const literalOrComment = (at: number) => inComment(at) || insideToken(at, literalSpans);
  return guardedWordsAreKeywords(text, keywordsAt, inComment, exemptSpans) && onlyWhere(text, BACKTICK, inComment) && onlyWhere(text, BACKSLASH, literalOrComment) ? out : undefined;
}

/**
 * A DO body that may destroy (the statement reader left it here): nothing to read when the full reader would
 * not read it either (`bodyMayAct`), else its statements, read by the PL/pgSQL subset. Undefined (the parser
 * decides) unless it is dollar-quoted (only then is its text the file's, offset for offset).
 */
function readBody(text: string, statementAt: number, body: Token, keywordsAt: Set<number>, bodyMayAct: (body: string) => boolean): { exempt: true } | BodyTokens | undefined {
  if (!bodyMayAct(body.value)) return { exempt: true };
  const tokenAt = statementAt + body.start;
  const opener = /^\$[^$]*\$/.exec(text.slice(tokenAt, tokenAt + 70))?.[0];
  const at = tokenAt + (opener?.length ?? 0);
  // plpgsql.ts locates the body at its first appearance in the statement
  if (!opener || text.indexOf(body.value, statementAt) !== at) return undefined;
  const tokens = tokenize(body.value, 'postgres');
  if (!balanced(tokens)) return undefined;
  return { tokens, at, reading: readDoBody(body.value, tokens, at, keywordsAt) };
}

/** A DO body read as PL/pgSQL: its tokens (offsets in the body), where it starts in the file, what it holds. */
interface BodyTokens {
  tokens: Token[];
  at: number;
  reading: BodyReading;
}

/** Sort [start, end) pairs by start. */
function sortSpans(spans: number[]): void {
  const pairs: Array<[number, number]> = [];
  for (let k = 0; k < spans.length; k += 2) pairs.push([spans[k]!, spans[k + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  pairs.forEach(([start, end], k) => ((spans[2 * k] = start), (spans[2 * k + 1] = end)));
}

/** A word no subset statement reads as a keyword, on a line that is not an override marker's (cheap: no tokens). */
function neverKeywordOutsideMarkers(text: string): boolean {
  NEVER_KEYWORD.lastIndex = 0;
  for (let m = NEVER_KEYWORD.exec(text); m; m = NEVER_KEYWORD.exec(text)) {
    const lineStart = Math.max(text.lastIndexOf('\n', m.index - 1), text.lastIndexOf('\r', m.index - 1)) + 1;
    const before = text.slice(lineStart, m.index);
    if (!MARKER_COMMENT.test(before) && !EXTENSION_NAME_BEFORE.test(before)) return true;
  }
  return false;
}

/**
 * Every guarded word is a keyword the grammar read, in an exempt body, or in a comment (outside every
 * token: our tokenizer and PostgreSQL's lexer agree on comments once nested ones are refused, so a
 * comment, such as Prisma's "You are about to drop…" warnings or an override marker, is never code).
 */
function guardedWordsAreKeywords(text: string, keywordsAt: Set<number>, inComment: (at: number) => boolean, exemptSpans: number[]): boolean {
  GUARDED_WORDS.lastIndex = 0;
  for (let m = GUARDED_WORDS.exec(text); m; m = GUARDED_WORDS.exec(text)) {
    if (!keywordsAt.has(m.index) && !insideToken(m.index, exemptSpans) && !inComment(m.index)) return false;
  }
  return true;
}

/** Every match of `pattern` is at an offset where `allowed` holds. */
function onlyWhere(text: string, pattern: RegExp, allowed: (at: number) => boolean): boolean {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) if (!allowed(m.index)) return false;
  return true;
}

/** How a plain string ('…'), a dollar-quoted string or a quoted name starts (an E'…' string starts with E). */
const LITERAL_START = new Set(["'", '$', '"']);

/** `CREATE EXTENSION [IF NOT EXISTS] pg_trgm`: a name, not a call (the statement reader exempts it). */
const EXTENSION_NAME_BEFORE = /\bextension\s+(?:if\s+not\s+exists\s+)?"?$/i;

/** `-- dbsafe:allow …` (or `dbsafe:allow-file`): an override marker's comment, which names what it allows. */
const MARKER_COMMENT = /--[ \t]*dbsafe:allow(?:-file)?[ \t]/;

/** Binary search over the [start, end) pairs. */
function insideToken(at: number, spans: number[]): boolean {
  let lo = 0;
  let hi = spans.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[2 * mid + 1]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo < spans.length / 2 && spans[2 * lo]! <= at;
}

/** Where the statement ending at `end` (trailing blanks excluded) is terminated: its `;`, else the end of the file. */
function terminatorAt(text: string, end: number): number {
  let i = end;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return text[i] === ';' ? i : text.length;
}

function balanced(tokens: Token[]): boolean {
  let depth = 0;
  for (const token of tokens) {
    if (token.type !== 'punct') continue;
    if (token.value === '(' && ++depth > MAX_DEPTH) return false;
    if (token.value === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
