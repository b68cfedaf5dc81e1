/**
 * A proof, without the parser, that a PostgreSQL file cannot destroy anything: every statement is
 * one of a few constructive forms (CREATE TABLE, INSERT, COMMENT ON...) and the whole text, comments
 * and strings included, contains none of the words a destructive or dynamic statement needs.
 *
 * Why: loading libpg-query (WASM) is most of what the pre-commit hook costs for one small, harmless
 * migration. When this says `true`, readSql returns no operations without loading the parser.
 * When in any doubt it says `false` and the real reader decides (so unknown or broken text is still
 * `unparseable`): it must never say `true` for text in which a reader would find an operation.
 */

import { splitSql } from './split.js';
import { tokenize, type Token } from './tokens.js';

/** Bigger files are rare in a hook and go to the parser (bounded work here, no surprises). */
const MAX_CHARS = 256 * 1024;
/** Deep nesting is the parser's to judge (it has a stack limit and reports it as unparseable). */
const MAX_DEPTH = 32;

/**
 * Any of these words anywhere (case-insensitive, as a whole word, also in comments and strings)
 * sends the file to the parser. `delete` / `update` only in a foreign key's `ON DELETE` /
 * `ON UPDATE` clause are allowed: no statement starts after `ON`.
 */
const DESTRUCTIVE_WORDS =
  /(?<![\w$])(?:drop|truncate|delete|update|rename|execute|exec|do|call|prepare|replace|merge|perform|copy|load|import|vacuum|cluster|reindex|discard|reset|revoke|lock|rule|policy|function|procedure|trigger|begin\s+atomic|dblink\w*|lo_\w*|pg_\w*|set_config)(?![\w$])/gi;

/** `ON DELETE` / `ON UPDATE` of a foreign key (plain whitespace between, nothing else). */
const FOREIGN_KEY_ACTION = /(?<![\w$])on\s+(?:delete|update)(?![\w$])/gi;

/** Statement starts proven constructive (the first one or two words). */
const HARMLESS_CREATE = new Set(['TABLE', 'INDEX', 'VIEW', 'SEQUENCE', 'TYPE', 'EXTENSION', 'SCHEMA', 'DOMAIN']);
/** Words that may stand between CREATE and the object word. */
const CREATE_MODIFIERS = new Set(['UNIQUE', 'UNLOGGED', 'TEMP', 'TEMPORARY', 'LOCAL', 'GLOBAL']);
const TRANSACTION = new Set(['BEGIN', 'COMMIT', 'START', 'END']);

/** True only when no reader could find an operation in `text` (PostgreSQL). */
export function isHarmlessPostgres(text: string): boolean {
  if (text.length > MAX_CHARS) return false;
  const withoutForeignKeys = text.replace(FOREIGN_KEY_ACTION, ' ');
  DESTRUCTIVE_WORDS.lastIndex = 0;
  if (DESTRUCTIVE_WORDS.test(withoutForeignKeys)) return false;
  const { statements, skipped } = splitSql(text, 'postgres');
  // psql meta-commands, COPY data...: the reader's business
  if (skipped.length) return false;
  for (const statement of statements) {
    if (statement.error) return false;
    const tokens = tokenize(statement.code, 'postgres');
    if (!tokens.length) continue;
    if (!wellFormed(tokens) || !harmlessStatement(tokens)) return false;
  }
  return true;
}

/** Balanced, shallow parentheses and no stray statement terminators. */
function wellFormed(tokens: Token[]): boolean {
  let depth = 0;
  for (const token of tokens) {
    if (token.type !== 'punct') continue;
    if (token.value === '(') {
      if (++depth > MAX_DEPTH) return false;
    } else if (token.value === ')') {
      if (--depth < 0) return false;
    } else if (token.value === ';' || token.value === '\\') {
      return false;
    }
  }
  return depth === 0;
}

function harmlessStatement(tokens: Token[]): boolean {
  const word = (i: number) => (tokens[i]?.type === 'word' ? tokens[i]!.upper : '');
  switch (word(0)) {
    case 'CREATE': {
      let i = 1;
      while (CREATE_MODIFIERS.has(word(i))) i++;
      // CREATE TABLE … AS / SELECT INTO can run a query: only the plain definitions here
      if (word(i) === 'TABLE' && tokens.some((t) => t.type === 'word' && (t.upper === 'AS' || t.upper === 'SELECT'))) return false;
      return HARMLESS_CREATE.has(word(i));
    }
    case 'INSERT':
      return word(1) === 'INTO' && !tokens.some((t) => t.type === 'word' && (t.upper === 'WITH' || t.upper === 'SELECT'));
    case 'COMMENT':
      return word(1) === 'ON';
    case 'GRANT':
    case 'SET':
      return true;
    case 'ALTER':
      return alterTableAddOnly(tokens);
    default:
      return TRANSACTION.has(word(0)) && tokens.length <= 3 && tokens.every((t) => t.type === 'word');
  }
}

/**
 * `ALTER TABLE [IF EXISTS] [ONLY] name ADD …[, ADD …]`: every action (split at top-level commas)
 * begins with ADD, and no other ALTER appears (so no `ALTER COLUMN … TYPE`).
 */
function alterTableAddOnly(tokens: Token[]): boolean {
  if (tokens[1]?.upper !== 'TABLE') return false;
  let i = 2;
  if (tokens[i]?.upper === 'IF' && tokens[i + 1]?.upper === 'EXISTS') i += 2;
  if (tokens[i]?.upper === 'ONLY') i++;
  // name, schema-qualified: name (. name)*
  if (!isName(tokens[i])) return false;
  i++;
  while (tokens[i]?.value === '.' && isName(tokens[i + 1])) i += 2;
  let depth = 0;
  let actionStart = true;
  for (; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (actionStart) {
      if (token.type !== 'word' || token.upper !== 'ADD') return false;
      actionStart = false;
    }
    if (token.type === 'word' && token.upper === 'ALTER') return false;
    if (token.value === '(') depth++;
    else if (token.value === ')') depth--;
    else if (token.value === ',' && depth === 0) actionStart = true;
  }
  return !actionStart;
}

function isName(token: Token | undefined): boolean {
  return token !== undefined && (token.type === 'word' || token.type === 'ident');
}
