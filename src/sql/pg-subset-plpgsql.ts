/**
 * DO blocks whose body may destroy, without the parser: a small subset of PL/pgSQL around statements of the
 * subset. `[DECLARE name type [:= expr]; …] BEGIN … [EXCEPTION WHEN condition [OR …] THEN …] END`, with
 * IF / ELSIF / ELSE, nested blocks, `NULL;` and `RAISE level 'plain message';`. Anything else (EXECUTE,
 * PERFORM, loops, assignments, labels, cursors, RETURN…) throws DOUBT and the parser decides.
 *
 * The full reader (plpgsql.ts) reads each SQL statement of such a body that may destroy as the statement it
 * is (the text PL/pgSQL records for it), placed where `find` puts that text: this file does the same, so both
 * report the same operations at the same places. What the PL/pgSQL parser would reject (an unknown exception
 * condition, a RAISE whose `%` has no argument, an INTO without a variable) is declined: the full reader
 * reads a rejected body differently.
 */
import { DOUBT, PgCursor } from './pg-grammar.js';
import { MAY_DESTROY } from './pg-ops.js';
import { StatementReader, type SubsetStatement } from './pg-subset-statements.js';
import { LineIndex } from './text-index.js';
import type { Token } from './tokens.js';

/** What a DO body holds: its statements that report (embedded), and what the word screen needs. */
export interface BodyReading {
  statements: SubsetStatement[];
  /** [start, end) offsets in the body of the tokens a statement reader exempts from the word screen. */
  exempted: number[];
  declaresColumnTypes: boolean;
}

/** The first words of the SQL statements a body may hold here (PL/pgSQL reads any other word as its own). */
const SQL_STARTS = new Set(['ALTER', 'CREATE', 'DROP', 'DELETE', 'UPDATE', 'INSERT', 'TRUNCATE', 'COMMENT', 'GRANT', 'REVOKE']);
/** Words that end a list of statements. */
const LIST_ENDS = new Set(['END', 'ELSIF', 'ELSEIF', 'ELSE', 'EXCEPTION', 'WHEN']);
const RAISE_LEVELS = new Set(['DEBUG', 'LOG', 'INFO', 'NOTICE', 'WARNING', 'EXCEPTION']);
/** Exception conditions PL/pgSQL knows (it rejects a body naming another); the ones migrations use. */
const CONDITIONS = new Set(
  ('others duplicate_object duplicate_table duplicate_column duplicate_schema duplicate_function undefined_object undefined_table ' +
    'undefined_column undefined_function invalid_schema_name invalid_parameter_value unique_violation foreign_key_violation ' +
    'check_violation not_null_violation feature_not_supported object_in_use dependent_objects_still_exist insufficient_privilege ' +
    'wrong_object_type invalid_text_representation').split(' '),
);
/**
 * PL/pgSQL's keywords (pl_reserved_kwlist.h and pl_unreserved_kwlist.h, PostgreSQL 15-17): never a variable
 * name here, so a declaration or a statement is never read as something else.
 */
const PLPGSQL_KEYWORDS = new Set(
  ('ALL BEGIN BY CASE DECLARE ELSE END EXECUTE FOR FOREACH FROM IF IN INTO LOOP NOT NULL OR STRICT THEN TO USING WHEN WHILE ' +
    'ABSOLUTE ALIAS AND ARRAY ASSERT BACKWARD CALL CHAIN CLOSE COLLATE COLUMN COLUMN_NAME COMMIT CONSTANT CONSTRAINT ' +
    'CONSTRAINT_NAME CONTINUE CURRENT CURSOR DATATYPE DEBUG DEFAULT DETAIL DIAGNOSTICS DO DUMP ELSIF ELSEIF ERRCODE ERROR ' +
    'EXCEPTION EXIT FETCH FIRST FORWARD GET HINT IMPORT INFO INSERT IS LAST LOG MERGE MESSAGE MESSAGE_TEXT MOVE NEXT NO ' +
    'NOTICE OPEN OPTION PERFORM PG_CONTEXT PG_DATATYPE_NAME PG_EXCEPTION_CONTEXT PG_EXCEPTION_DETAIL PG_EXCEPTION_HINT ' +
    'PG_ROUTINE_OID PRINT_STRICT_PARAMS PRIOR QUERY RAISE RELATIVE RETURN RETURNED_SQLSTATE RETURN_NEXT RETURN_QUERY ' +
    'REVERSE ROLLBACK ROW_COUNT ROWTYPE SCHEMA SCHEMA_NAME SCROLL SLICE SQLSTATE STACKED TABLE TABLE_NAME TYPE ' +
    'USE_COLUMN USE_VARIABLE VARIABLE_CONFLICT WARNING').split(' '),
);
/** A variable's name: plain lower-case letters (a quoted or folded name is the parser's to judge). */
const VARIABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** PostgreSQL's scanner_isspace: PL/pgSQL trims these from the end of a statement's text. */
const TRAILING_SPACE = /[ \t\n\r\f\v]+$/;

/**
 * Read a dollar-quoted DO body (`body`, found at file offset `at`) whose words the full reader reads.
 * Keywords are recorded in `keywordsAt` (file offsets) for the word screen.
 */
export function readDoBody(body: string, tokens: Token[], at: number, keywordsAt: Set<number>): BodyReading {
  const reader = new BodyReader(body, tokens, at, keywordsAt);
  reader.block(true);
  if (!reader.done()) throw DOUBT;
  return { statements: reader.statements, exempted: reader.exempted, declaresColumnTypes: reader.declaresColumnTypes };
}

class BodyReader extends PgCursor {
  readonly statements: SubsetStatement[] = [];
  readonly exempted: number[] = [];
  declaresColumnTypes = false;
  private lines?: LineIndex;

  constructor(
    private readonly body: string,
    tokens: Token[],
    private readonly at: number,
    private readonly keywords: Set<number>,
  ) {
    super(tokens, at, keywords);
  }

  /** `[DECLARE …] BEGIN statements [EXCEPTION handlers] END`, then `;` (optional for the whole body). */
  block(outermost: boolean): void {
    if (this.optional('DECLARE')) this.declarations();
    this.expect('BEGIN');
    this.statementList();
    if (this.optional('EXCEPTION')) {
      do {
        this.expect('WHEN');
        do {
          const condition = this.next();
          if (condition.type !== 'word' || !CONDITIONS.has(condition.value.toLowerCase())) throw DOUBT;
        } while (this.optional('OR'));
        this.expect('THEN');
        this.statementList();
      } while (this.peek('WHEN'));
    }
    this.expect('END');
    if (!outermost) this.expect(';');
    else this.optional(';');
  }

  /** `name type [:= | = | DEFAULT expression];`… up to BEGIN (distinct names: PL/pgSQL rejects a duplicate). */
  private declarations(): void {
    const names = new Set<string>();
    while (!this.peek('BEGIN')) {
      const token = this.next();
      if (token.type !== 'word' || !VARIABLE_NAME.test(token.value) || PLPGSQL_KEYWORDS.has(token.upper) || SQL_STARTS.has(token.upper)) throw DOUBT;
      if (names.has(token.value)) throw DOUBT;
      names.add(token.value);
      this.typeName();
      if (this.optional(':=') || this.optional('=') || this.optional('DEFAULT')) this.expression();
      this.expect(';');
    }
  }

  private statementList(): void {
    while (!LIST_ENDS.has(this.tokens[this.i]?.upper ?? 'END')) this.statement();
  }

  private statement(): void {
    const token = this.tokens[this.i]!;
    if (token.type !== 'word') throw DOUBT;
    if (token.upper === 'BEGIN' || token.upper === 'DECLARE') return this.block(false);
    if (token.upper === 'NULL') return (this.next(), void this.expect(';'));
    if (token.upper === 'IF') return this.ifStatement();
    if (token.upper === 'RAISE') return this.raise();
    if (SQL_STARTS.has(token.upper)) return this.sqlStatement();
    throw DOUBT;
  }

  /** `IF cond THEN … [ELSIF cond THEN …]… [ELSE …] END IF;` */
  private ifStatement(): void {
    this.expect('IF');
    do {
      this.condition();
      this.statementList();
    } while (this.optional('ELSIF') || this.optional('ELSEIF'));
    if (this.optional('ELSE')) this.statementList();
    this.expect('END');
    this.expect('IF');
    this.expect(';');
  }

  /** A condition up to its THEN: PL/pgSQL ends it at the first THEN outside parentheses (a CASE's THEN too). */
  private condition(): void {
    let depth = 0;
    let then = this.i;
    for (; then < this.tokens.length; then++) {
      const value = this.tokens[then]!.upper;
      if (value === '(') depth++;
      else if (value === ')') depth--;
      else if (depth === 0 && value === 'THEN') break;
    }
    this.expression();
    if (this.i !== then) throw DOUBT;
    this.expect('THEN');
  }

  /** `RAISE level 'message';`: a plain string without `%` (each `%` needs an argument) and without USING. */
  private raise(): void {
    this.expect('RAISE');
    if (!RAISE_LEVELS.has(this.word())) throw DOUBT;
    const message = this.next();
    if (message.type !== 'string' || this.body[message.start] !== "'" || /[%\\]/.test(message.value)) throw DOUBT;
    this.expect(';');
  }

  /**
   * A SQL statement up to its `;` (PL/pgSQL's end of it, inside parentheses too), read by the subset's statement
   * reader. PL/pgSQL records its text from its first word to the `;`, trailing blanks trimmed: when that text
   * may destroy, the full reader reads it where the text first appears from the statement's line on.
   */
  private sqlStatement(): void {
    let end = this.i;
    while (end < this.tokens.length && this.tokens[end]!.value !== ';') end++;
    if (end === this.tokens.length) throw DOUBT;
    const tokens = this.tokens.slice(this.i, end);
    // INTO (but INSERT's) names PL/pgSQL variables that receive the result
    if (tokens.some((t, k) => t.upper === 'INTO' && t.type === 'word' && !(k === 1 && tokens[0]!.upper === 'INSERT'))) throw DOUBT;
    const reader = new StatementReader(tokens, this.at, this.keywords);
    const ops = reader.statement();
    if (!reader.done() || reader.routineBodies.length > 0) throw DOUBT;
    this.exempted.push(...reader.exempted);
    this.declaresColumnTypes ||= reader.declaresColumnTypes;
    const first = tokens[0]!.start;
    const text = this.body.slice(first, this.tokens[end]!.start).replace(TRAILING_SPACE, '');
    this.i = end + 1;
    if (!MAY_DESTROY.test(text)) return;
    const start = this.at + this.find(text, first);
    this.statements.push({ start, end: start + text.length, ops, embedded: true });
  }

  /** plpgsql.ts's `find`: the first appearance of `text` from the start of the line PL/pgSQL gives (it counts LFs). */
  private find(text: string, offset: number): number {
    this.lines ??= new LineIndex(this.body);
    let lineno = 1;
    for (let k = this.body.indexOf('\n'); k !== -1 && k < offset; k = this.body.indexOf('\n', k + 1)) lineno++;
    const from = this.lines.lineStart(lineno);
    let idx = this.body.indexOf(text, from);
    if (idx === -1) idx = this.body.indexOf(text);
    return idx === -1 ? from : idx;
  }
}
