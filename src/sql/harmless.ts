/**
 * A proof, without the parser, that a PostgreSQL file cannot destroy anything AND parses: every
 * statement matches a small grammar of constructive forms (CREATE TABLE / INDEX / TYPE … AS ENUM /
 * SEQUENCE / SCHEMA / EXTENSION, ALTER TABLE … ADD, INSERT … VALUES, COMMENT ON, SET, BEGIN/COMMIT),
 * and the whole text, comments and strings included, contains none of the words a destructive or
 * dynamic statement needs.
 *
 * Why: loading libpg-query (WASM) is most of what the pre-commit hook costs for one small, harmless
 * migration. When this says `true`, readSql returns no operations without loading the parser.
 * When in any doubt it says `false` and the real reader decides, so text the parser would reject is
 * still `unparseable` (fail closed): it must never say `true` where a reader finds an operation.
 * The grammar is a strict subset of PostgreSQL's: anything it does not know is "doubt".
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
 * `ON UPDATE` clause are allowed.
 */
const DESTRUCTIVE_WORDS =
  /(?<![\w$])(?:drop|truncate|delete|update|rename|alter\s+column|type\s+using|execute|exec|do|call|prepare|replace|merge|perform|copy|function|procedure|trigger|rule|dblink\w*|lo_\w*|pg_\w*|set_config)(?![\w$])/gi;
/** Characters PostgreSQL's lexer reads differently from our tokenizer (NBSP and BOM are name characters there), and backticks. */
const LEXER_DOUBT = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u00a0\ufeff`\\]/;

/** PostgreSQL's reserved and type/function-name keywords: never a plain column or table name. */
const RESERVED = new Set(
  (
    'ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC BOTH CASE CAST CHECK COLLATE COLUMN CONSTRAINT CREATE ' +
    'CURRENT_CATALOG CURRENT_DATE CURRENT_ROLE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEFAULT DEFERRABLE DESC ' +
    'DISTINCT DO ELSE END EXCEPT FALSE FETCH FOR FOREIGN FROM GRANT GROUP HAVING IN INITIALLY INTERSECT INTO LATERAL ' +
    'LEADING LIMIT LOCALTIME LOCALTIMESTAMP NOT NULL OFFSET ON ONLY OR ORDER PLACING PRIMARY REFERENCES RETURNING ' +
    'SELECT SESSION_USER SOME SYMMETRIC SYSTEM_USER TABLE THEN TO TRAILING TRUE UNION UNIQUE USER USING VARIADIC WHEN ' +
    'WHERE WINDOW WITH AUTHORIZATION BINARY COLLATION CONCURRENTLY CROSS CURRENT_SCHEMA FREEZE FULL ILIKE INNER IS ' +
    'ISNULL JOIN LEFT LIKE NATURAL NOTNULL OUTER OVERLAPS RIGHT SIMILAR TABLESAMPLE VERBOSE'
  ).split(' '),
);
/** Column-name keywords: allowed as column names, but they have their own grammar in expressions and types. */
const COL_NAME_KEYWORDS = new Set(
  (
    'BETWEEN BIGINT BIT BOOLEAN CHAR CHARACTER COALESCE DEC DECIMAL EXISTS EXTRACT FLOAT GREATEST GROUPING INOUT INT ' +
    'INTEGER INTERVAL JSON JSON_ARRAY JSON_ARRAYAGG JSON_EXISTS JSON_OBJECT JSON_OBJECTAGG JSON_QUERY JSON_SCALAR ' +
    'JSON_SERIALIZE JSON_TABLE JSON_VALUE LEAST MERGE_ACTION NATIONAL NCHAR NONE NORMALIZE NULLIF NUMERIC OUT OVERLAY ' +
    'POSITION PRECISION REAL ROW SETOF SMALLINT SUBSTRING TIME TIMESTAMP TREAT TRIM VALUES VARCHAR XMLATTRIBUTES ' +
    'XMLCONCAT XMLELEMENT XMLEXISTS XMLFOREST XMLNAMESPACES XMLPARSE XMLPI XMLROOT XMLSERIALIZE XMLTABLE'
  ).split(' '),
);
/** Column-name keywords that are types on their own (with an optional length/precision). */
const KEYWORD_TYPES = new Set(['BIGINT', 'BOOLEAN', 'DEC', 'DECIMAL', 'FLOAT', 'INT', 'INTEGER', 'JSON', 'NUMERIC', 'REAL', 'SMALLINT', 'VARCHAR', 'NCHAR', 'CHAR']);
const UNMODIFIED_TYPES = new Set(['INT', 'INTEGER', 'SMALLINT', 'BIGINT', 'REAL', 'BOOLEAN', 'JSON', 'DOUBLE']);
const VALUE_WORDS = new Set(['TRUE', 'FALSE', 'NULL', 'CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIMESTAMP', 'LOCALTIME', 'CURRENT_USER', 'SESSION_USER']);
const FUNCTION_KEYWORDS = new Set(['COALESCE', 'NULLIF', 'GREATEST', 'LEAST']);
const TYPED_LITERALS = new Set(['INTERVAL', 'DATE', 'TIMESTAMP', 'TIMESTAMPTZ', 'TIME', 'UUID', 'JSON', 'JSONB']);
const BINARY_OPERATORS = new Set(['+', '-', '*', '/', '%', '||', '=', '<>', '!=', '<', '>', '<=', '>=', 'AND', 'OR']);
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** True only when the text parses as PostgreSQL and no reader could find an operation in it. */
export function isHarmlessPostgres(text: string): boolean {
  // cheapest first: most files that are not harmless say so in their first statements
  if (text.length > MAX_CHARS || hasDestructiveWord(text) || LEXER_DOUBT.test(text)) return false;
  const { statements, skipped } = splitSql(text, 'postgres');
  // psql meta-commands, COPY data...: the reader's business
  if (skipped.length) return false;
  for (const statement of statements) {
    if (statement.error) return false;
    const tokens = tokenize(statement.code, 'postgres');
    if (!tokens.length) continue;
    if (!balanced(tokens)) return false;
    const parser = new Cursor(tokens);
    try {
      parser.statement();
      if (!parser.done()) return false;
    } catch (e) {
      if (e === DOUBT) return false;
      throw e;
    }
  }
  return true;
}

function hasDestructiveWord(text: string): boolean {
  DESTRUCTIVE_WORDS.lastIndex = 0;
  for (let m = DESTRUCTIVE_WORDS.exec(text); m; m = DESTRUCTIVE_WORDS.exec(text)) {
    const word = m[0].toLowerCase();
    // a foreign key's `ON DELETE` / `ON UPDATE` (no statement starts after ON)
    if ((word === 'delete' || word === 'update') && afterOn(text, m.index)) continue;
    return true;
  }
  return false;
}

/** `on` + whitespace right before `at`, `on` a whole word. */
function afterOn(text: string, at: number): boolean {
  let i = at;
  while (i > 0 && /[ \t\n\r\f]/.test(text[i - 1]!)) i--;
  if (i === at || i < 2 || text.slice(i - 2, i).toLowerCase() !== 'on') return false;
  return i === 2 || !/[\w$]/.test(text[i - 3]!);
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

/** Thrown (and caught above) as soon as the text leaves the known grammar. */
const DOUBT = Symbol('doubt');

class Cursor {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.i === this.tokens.length;
  }

  statement(): void {
    const first = this.word();
    if (first === 'CREATE') return this.create();
    if (first === 'ALTER') return this.alterTableAdd();
    if (first === 'INSERT') return this.insert();
    if (first === 'COMMENT') return this.comment();
    if (first === 'SET') return this.set();
    if (first === 'BEGIN' || first === 'COMMIT' || first === 'END') {
      this.optional('WORK') || this.optional('TRANSACTION');
      return;
    }
    if (first !== 'START') throw DOUBT;
    this.expect('TRANSACTION');
  }

  // ---- statements -------------------------------------------------------------------------

  private create(): void {
    const unique = this.optional('UNIQUE');
    if (this.optional('INDEX')) return this.createIndex();
    if (unique) throw DOUBT;
    const what = this.word();
    if (what === 'TABLE') return this.createTable();
    if (what === 'SEQUENCE') return this.createSequence();
    if (what === 'TYPE') return this.createEnum();
    if (what === 'SCHEMA' || what === 'EXTENSION') {
      this.ifNotExists();
      this.name();
      if (what === 'EXTENSION') {
        this.optional('WITH');
        if (this.optional('SCHEMA')) this.name();
        if (this.optional('VERSION')) this.stringOrName();
      }
      return;
    }
    throw DOUBT;
  }

  private createTable(): void {
    this.ifNotExists();
    this.qualifiedName();
    this.expect('(');
    do {
      if (this.peekTableConstraint()) this.tableConstraint();
      else this.columnDefinition();
    } while (this.optional(','));
    this.expect(')');
  }

  private createIndex(): void {
    this.optional('CONCURRENTLY');
    if (this.ifNotExists()) this.name();
    else if (!this.peek('ON')) this.name();
    this.expect('ON');
    this.optional('ONLY');
    this.qualifiedName();
    if (this.optional('USING')) this.name();
    this.expect('(');
    do {
      // index_elem: a column, a function call, or a parenthesized expression
      if (this.peek('(')) {
        this.parenthesized();
      } else {
        this.name();
        if (this.peek('.')) (this.next(), this.name(), this.callArguments(true));
        else this.callArguments(false);
      }
      if (this.optional('COLLATE')) this.qualifiedName();
      if (this.peekPlainName()) this.name(); // operator class
      this.optional('ASC') || this.optional('DESC');
      if (this.optional('NULLS')) this.optional('FIRST') || this.expect('LAST');
    } while (this.optional(','));
    this.expect(')');
    if (this.optional('INCLUDE')) this.nameList();
    if (this.optional('WHERE')) this.expression();
  }

  private createSequence(): void {
    this.ifNotExists();
    this.qualifiedName();
    for (;;) {
      if (this.optional('AS')) this.typeName();
      else if (this.optional('INCREMENT')) (this.optional('BY'), this.signedNumber());
      else if (this.optional('START')) (this.optional('WITH'), this.signedNumber());
      else if (this.optional('MINVALUE') || this.optional('MAXVALUE') || this.optional('CACHE')) this.signedNumber();
      else if (this.optional('NO')) this.optional('MINVALUE') || this.optional('MAXVALUE') || this.expect('CYCLE');
      else if (this.optional('CYCLE')) continue;
      else if (this.optional('OWNED')) (this.expect('BY'), this.qualifiedName());
      else return;
    }
  }

  private createEnum(): void {
    this.qualifiedName();
    this.expect('AS');
    this.expect('ENUM');
    this.expect('(');
    if (!this.optional(')')) {
      do this.string();
      while (this.optional(','));
      this.expect(')');
    }
  }

  /** `ALTER TABLE [IF EXISTS] [ONLY] t ADD [COLUMN] [IF NOT EXISTS] col … | ADD constraint [NOT VALID], …` */
  private alterTableAdd(): void {
    this.expect('TABLE');
    if (this.optional('IF')) this.expect('EXISTS');
    this.optional('ONLY');
    this.qualifiedName();
    do {
      this.expect('ADD');
      if (this.peekTableConstraint()) {
        this.tableConstraint();
        if (this.optional('NOT')) this.expect('VALID');
      } else {
        this.optional('COLUMN');
        this.ifNotExists();
        this.columnDefinition();
      }
    } while (this.optional(','));
  }

  private insert(): void {
    this.expect('INTO');
    this.qualifiedName();
    if (this.peek('(')) this.nameList();
    this.expect('VALUES');
    do {
      this.expect('(');
      do {
        if (!this.optional('DEFAULT')) this.expression();
      } while (this.optional(','));
      this.expect(')');
    } while (this.optional(','));
  }

  private comment(): void {
    this.expect('ON');
    const what = this.word();
    if (!['TABLE', 'COLUMN', 'INDEX', 'SCHEMA', 'TYPE', 'SEQUENCE', 'VIEW', 'EXTENSION'].includes(what)) throw DOUBT;
    this.qualifiedName();
    this.expect('IS');
    if (!this.optional('NULL')) this.string();
  }

  private set(): void {
    this.optional('SESSION') || this.optional('LOCAL');
    this.name();
    if (!this.optional('TO')) this.expect('=');
    do {
      const token = this.next();
      if (token.type === 'string' || (token.type === 'number' && NUMBER.test(token.value))) continue;
      if (token.type === 'word' && (!RESERVED.has(token.upper) || ['ON', 'TRUE', 'FALSE', 'DEFAULT'].includes(token.upper))) continue;
      throw DOUBT;
    } while (this.optional(','));
  }

  // ---- table pieces -------------------------------------------------------------------------

  private peekTableConstraint(): boolean {
    return this.peek('CONSTRAINT') || this.peek('PRIMARY') || this.peek('UNIQUE') || this.peek('FOREIGN') || this.peek('CHECK');
  }

  private tableConstraint(): void {
    if (this.optional('CONSTRAINT')) this.name();
    const kind = this.word();
    if (kind === 'PRIMARY') (this.expect('KEY'), this.nameList());
    else if (kind === 'UNIQUE') this.nameList();
    else if (kind === 'CHECK') this.parenthesized();
    else if (kind === 'FOREIGN') (this.expect('KEY'), this.nameList(), this.expect('REFERENCES'), this.references());
    else throw DOUBT;
    this.deferrable();
  }

  private columnDefinition(): void {
    this.name();
    this.typeName();
    for (;;) {
      // `CONSTRAINT name` must name a constraint
      const named = this.optional('CONSTRAINT') && (this.name(), true);
      if (this.optional('NOT')) this.expect('NULL');
      else if (this.optional('NULL') || this.optional('UNIQUE')) continue;
      else if (this.optional('PRIMARY')) this.expect('KEY');
      else if (this.optional('DEFAULT')) this.unary();
      else if (this.optional('CHECK')) this.parenthesized();
      else if (this.optional('REFERENCES')) this.references();
      else if (named) throw DOUBT;
      else if (this.optional('COLLATE')) this.qualifiedName();
      else if (this.optional('GENERATED')) this.generated();
      else if (!this.deferrable()) return;
    }
  }

  private generated(): void {
    if (this.optional('BY')) this.expect('DEFAULT');
    else this.expect('ALWAYS');
    this.expect('AS');
    if (this.optional('IDENTITY')) return;
    this.parenthesized();
    this.expect('STORED');
  }

  private references(): void {
    this.qualifiedName();
    if (this.peek('(')) this.nameList();
    if (this.optional('MATCH')) this.optional('FULL') || this.expect('SIMPLE');
    while (this.optional('ON')) {
      const event = this.word();
      if (event !== 'DELETE' && event !== 'UPDATE') throw DOUBT;
      if (this.optional('NO')) this.expect('ACTION');
      else if (this.optional('SET')) this.optional('NULL') || this.expect('DEFAULT');
      else this.optional('CASCADE') || this.expect('RESTRICT');
    }
  }

  private deferrable(): boolean {
    if (this.optional('DEFERRABLE')) return true;
    if (this.peek('NOT') && this.tokens[this.i + 1]?.upper === 'DEFERRABLE') return (this.i += 2), true;
    if (this.optional('INITIALLY')) return this.optional('DEFERRED') || this.expect('IMMEDIATE'), true;
    return false;
  }

  private typeName(): void {
    const token = this.next();
    const upper = token.type === 'word' ? token.upper : '';
    if (upper === 'DOUBLE') this.expect('PRECISION');
    else if (upper === 'CHARACTER' || upper === 'BIT') this.optional('VARYING');
    else if (upper === 'TIMESTAMP' || upper === 'TIME') {
      this.typeModifiers();
      if (this.optional('WITH') || this.optional('WITHOUT')) (this.expect('TIME'), this.expect('ZONE'));
    } else if (!KEYWORD_TYPES.has(upper) && upper !== 'INTERVAL') {
      this.i--;
      this.qualifiedName();
    }
    // INT, BOOLEAN…: PostgreSQL's grammar takes no length there (`int(11)` is MySQL)
    if (!UNMODIFIED_TYPES.has(upper) && upper !== 'TIMESTAMP' && upper !== 'TIME') this.typeModifiers();
    while (this.peek('[')) {
      this.next();
      if (this.peekType('number')) this.number();
      this.expect(']');
    }
  }

  private typeModifiers(): void {
    if (!this.peek('(')) return;
    this.next();
    do this.number();
    while (this.optional(','));
    this.expect(')');
  }

  // ---- expressions (a small subset of a_expr) ------------------------------------------------

  private parenthesized(): void {
    this.expect('(');
    this.expression();
    this.expect(')');
  }

  private expression(): void {
    this.unary();
    for (;;) {
      const token = this.tokens[this.i];
      if (!token) return;
      const op = token.type === 'punct' || token.type === 'word' ? token.upper : '';
      if (BINARY_OPERATORS.has(op)) {
        this.i++;
        this.unary();
      } else if (op === 'IS') {
        this.i++;
        this.optional('NOT');
        this.optional('NULL') || this.optional('TRUE') || this.expect('FALSE');
      } else if (op === 'IN' || (op === 'NOT' && this.tokens[this.i + 1]?.upper === 'IN')) {
        this.i += op === 'NOT' ? 2 : 1;
        this.expect('(');
        do this.expression();
        while (this.optional(','));
        this.expect(')');
      } else {
        return;
      }
    }
  }

  private unary(): void {
    if (this.optional('NOT') || this.optional('-') || this.optional('+')) return this.unary();
    this.primary();
    while (this.optional('::')) this.typeName();
  }

  private primary(): void {
    const token = this.next();
    if (token.type === 'string') return;
    if (token.type === 'number') {
      if (!NUMBER.test(token.value)) throw DOUBT;
      return;
    }
    if (token.value === '(') {
      this.expression();
      this.expect(')');
      return;
    }
    if (token.type === 'word' && VALUE_WORDS.has(token.upper)) return;
    if (token.type === 'word' && TYPED_LITERALS.has(token.upper) && this.peekType('string')) return void this.next();
    if (token.type === 'word' && FUNCTION_KEYWORDS.has(token.upper)) return this.callArguments(true);
    this.i--;
    this.qualifiedName();
    if (this.peek('(')) this.callArguments(false);
  }

  private callArguments(required: boolean): void {
    if (!this.peek('(')) {
      if (required) throw DOUBT;
      return;
    }
    this.next();
    if (this.optional(')')) return;
    do this.expression();
    while (this.optional(','));
    this.expect(')');
  }

  // ---- names and tokens ----------------------------------------------------------------------

  private ifNotExists(): boolean {
    if (!this.optional('IF')) return false;
    this.expect('NOT');
    this.expect('EXISTS');
    return true;
  }

  private nameList(): void {
    this.expect('(');
    do this.name();
    while (this.optional(','));
    this.expect(')');
  }

  private qualifiedName(): void {
    this.name();
    while (this.peek('.')) {
      this.next();
      this.name();
    }
  }

  private peekPlainName(): boolean {
    const token = this.tokens[this.i];
    return token?.type === 'word' && !RESERVED.has(token.upper) && !COL_NAME_KEYWORDS.has(token.upper) && !['ASC', 'DESC', 'NULLS'].includes(token.upper);
  }

  /** A plain name: a quoted identifier, or a word that is not a reserved or column-name keyword. */
  private name(): void {
    const token = this.next();
    if (token.type === 'ident' && token.value !== '') return;
    if (token.type === 'word' && !RESERVED.has(token.upper) && !COL_NAME_KEYWORDS.has(token.upper)) return;
    throw DOUBT;
  }

  private stringOrName(): void {
    if (this.peekType('string')) this.next();
    else this.name();
  }

  private string(): void {
    if (this.next().type !== 'string') throw DOUBT;
  }

  private number(): void {
    const token = this.next();
    if (token.type !== 'number' || !NUMBER.test(token.value)) throw DOUBT;
  }

  private signedNumber(): void {
    this.optional('-') || this.optional('+');
    this.number();
  }

  private word(): string {
    const token = this.next();
    if (token.type !== 'word') throw DOUBT;
    return token.upper;
  }

  private next(): Token {
    const token = this.tokens[this.i++];
    if (!token) throw DOUBT;
    return token;
  }

  private peek(value: string): boolean {
    const token = this.tokens[this.i];
    return token !== undefined && (token.type === 'word' || token.type === 'punct') && token.upper === value;
  }

  private peekType(type: Token['type']): boolean {
    return this.tokens[this.i]?.type === type;
  }

  private optional(value: string): boolean {
    if (!this.peek(value)) return false;
    this.i++;
    return true;
  }

  private expect(value: string): true {
    if (!this.optional(value)) throw DOUBT;
    return true;
  }
}
