/**
 * The building blocks of pg-subset.ts: a cursor over one statement's tokens that reads names, types,
 * expressions and SELECT queries by a small, strict subset of PostgreSQL's grammar. Anything outside
 * the subset throws DOUBT, and the caller hands the text to the real parser: accepting text that
 * PostgreSQL would reject is the one mistake this file must never make.
 */
import { isNameToken, type Token } from './tokens.js';

/** Thrown as soon as the text leaves the known grammar. */
export const DOUBT = Symbol('doubt');

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
/** Comparisons do not chain in PostgreSQL (`a = b = c` is a syntax error): at most one per operand. */
const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
/** Left-associative operators that bind tighter than comparisons. */
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '||']);
/** PostgreSQL's JSON operators the subset reads (see jsonOperator), and the characters of an operator. */
const JSON_OPERATORS = new Set(['->', '->>', '#>', '#>>']);
const OPERATOR_RUN = /^[~!@#^&|`?+\-*/%<>=]+$/;
/** EXTRACT's fields written as words (YEAR … SECOND are keywords EXTRACT takes; the others are plain names to the lexer). */
const EXTRACT_FIELDS = new Set(
  'CENTURY DAY DECADE DOW DOY EPOCH HOUR ISODOW ISOYEAR JULIAN MICROSECONDS MILLENNIUM MILLISECONDS MINUTE MONTH QUARTER SECOND TIMEZONE TIMEZONE_HOUR TIMEZONE_MINUTE WEEK YEAR'.split(' '),
);
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
/** PostgreSQL truncates longer names (NAMEDATALEN 64): the parser's name would differ from the text. */
const MAX_NAME_BYTES = 63;

/** An operand's value as operandKey reads it: a key, or one never the same as another. */
type OperandKey = string | typeof NEVER;
const NEVER = Symbol('never the same');

/** Whether the full reader could find the two operands the same value. */
function mightBeSame(a: OperandKey, b: OperandKey): boolean {
  return a !== NEVER && b !== NEVER && a === b;
}

export class PgCursor {
  protected i = 0;
  /** While set, the last name of every column reference read is added (what an ALTER COLUMN's USING reads). */
  protected columnRefs: string[] | undefined;
  /** The statement's own table and its alias (DELETE / UPDATE): a column qualified by one is the row's. */
  protected readonly ownNames = new Set<string>();
  /** How deep in subqueries the cursor reads, and how many columns it read outside them (the statement's row). */
  private subqueries = 0;
  private rowColumns = 0;
  /** Tokens that only say a cast's type (`::int`, `CAST … AS int`, the `DATE` of `DATE '…'`): no part of a value. */
  private readonly castTokens = new Set<number>();

  constructor(
    protected readonly tokens: Token[],
    /** Where the statement's text starts in the file: keyword offsets are reported in file offsets. */
    private readonly base: number,
    /** File offsets of every token read as a keyword (the caller's word screen allows no other). */
    private readonly keywordsAt: Set<number>,
  ) {}

  done(): boolean {
    return this.i === this.tokens.length;
  }

  // ---- queries -----------------------------------------------------------------------------

  /**
   * `SELECT … [UNION|INTERSECT|EXCEPT [ALL|DISTINCT] SELECT …]… [ORDER BY …] [LIMIT …] [OFFSET …]`; true when
   * its first SELECT reads a FROM (then it is no constant row: the full reader cannot call `EXISTS` of it always true).
   */
  protected select(): boolean {
    if (this.optional('WITH')) this.withQueries();
    const reads = this.simpleSelect();
    while (this.optional('UNION') || this.optional('INTERSECT') || this.optional('EXCEPT')) {
      if (!this.optional('ALL')) this.optional('DISTINCT');
      this.simpleSelect();
    }
    if (this.optional('ORDER')) this.orderBy();
    if (this.optional('LIMIT') && !this.optional('ALL')) this.number();
    if (this.optional('OFFSET')) this.number();
    return reads;
  }

  /** `BY expression [ASC | DESC] [NULLS FIRST | LAST], …`, ORDER already read. */
  private orderBy(): void {
    this.expect('BY');
    do {
      this.expression();
      this.optional('ASC') || this.optional('DESC');
      if (this.optional('NULLS')) this.optional('FIRST') || this.expect('LAST');
    } while (this.optional(','));
  }

  /** A window function's `OVER ([PARTITION BY …] [ORDER BY …])` (a frame or a named window is the parser's). */
  private over(): void {
    this.expect('(');
    if (this.optional('PARTITION')) {
      this.expect('BY');
      this.commaList(() => this.expression());
    }
    if (this.optional('ORDER')) this.orderBy();
    this.expect(')');
  }

  /** `[RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (SELECT …), …`: read-only queries (a DELETE there is the parser's). */
  private withQueries(): void {
    this.optional('RECURSIVE');
    do {
      this.name();
      if (this.peek('(')) this.nameList();
      this.expect('AS');
      if (this.optional('NOT')) this.expect('MATERIALIZED');
      else this.optional('MATERIALIZED');
      this.expect('(');
      this.subquery();
    } while (this.optional(','));
  }

  /** `( SELECT … )`, the `(` already read: a subquery (scalar, or of EXISTS). */
  protected subquery(): boolean {
    this.subqueries++;
    const reads = this.select();
    this.subqueries--;
    this.expect(')');
    return reads;
  }

  private simpleSelect(): boolean {
    this.expect('SELECT');
    if (!this.optional('DISTINCT')) this.optional('ALL');
    do this.selectTarget();
    while (this.optional(','));
    const reads = this.optional('FROM');
    if (reads) {
      do this.fromItem();
      while (this.optional(','));
    }
    if (this.optional('WHERE')) this.expression();
    if (this.optional('GROUP')) {
      this.expect('BY');
      do this.expression();
      while (this.optional(','));
    }
    if (this.optional('HAVING')) this.expression();
    return reads;
  }

  /** `*`, `t.*`, or an expression with an optional `AS label` (a bare label is not in the subset). */
  private selectTarget(): void {
    if (this.optional('*')) return;
    if (this.isName(this.tokens[this.i]) && this.peek('.', 1) && this.peek('*', 2)) {
      this.i += 3;
      return;
    }
    this.expression();
    if (this.optional('AS')) this.name();
  }

  /** A table (with an optional alias) and the tables joined to it. */
  protected fromItem(): void {
    this.tableReference();
    for (;;) {
      // no join condition after CROSS JOIN and NATURAL … JOIN; one is required after the others
      if (this.optional('CROSS')) {
        this.expect('JOIN');
        this.tableReference();
        continue;
      }
      if (this.optional('NATURAL')) {
        if (!this.joinKind()) throw DOUBT;
        this.tableReference();
        continue;
      }
      if (!this.joinKind()) return;
      this.tableReference();
      if (this.optional('ON')) this.expression();
      else (this.expect('USING'), this.nameList());
    }
  }

  /** `[INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER]] JOIN`; false when no join follows. */
  private joinKind(): boolean {
    if (this.optional('LEFT') || this.optional('RIGHT') || this.optional('FULL')) {
      this.optional('OUTER');
      return this.expect('JOIN');
    }
    if (this.optional('INNER')) return this.expect('JOIN');
    return this.optional('JOIN');
  }

  private tableReference(): void {
    // a subquery (a parenthesized join is the parser's)
    if (this.optional('(')) {
      if (!this.peek('SELECT')) throw DOUBT;
      this.subquery();
    } else {
      this.qualifiedName();
    }
    if (this.optional('AS')) this.name();
    else if (this.peekPlainName()) this.name();
  }

  // ---- types -------------------------------------------------------------------------------

  protected typeName(): void {
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
    if (this.peek('(')) this.parenthesizedList(() => this.number());
  }

  // ---- expressions (a small subset of a_expr) ------------------------------------------------

  protected parenthesized(): void {
    this.expect('(');
    this.expression();
    this.expect(')');
  }

  /** Predicates joined by AND / OR, each optionally negated. */
  protected expression(): void {
    do {
      while (this.optional('NOT'));
      this.predicate();
    } while (this.optional('AND') || this.optional('OR'));
  }

  /** Predicates joined by AND / OR, each starting with a name (a column or a function: never a constant). */
  protected columnCondition(): void {
    let or = false;
    let exists = false;
    let columns = false;
    const tested: OperandKey[] = [];
    const comparisons: Array<{ left: OperandKey; right: OperandKey }> = [];
    do {
      if (this.peek('EXISTS') || (this.peek('NOT') && this.peek('EXISTS', 1))) {
        // `[NOT] EXISTS (SELECT … FROM …)`: rows of a table, never a constant (the full reader calls EXISTS of a
        // row without FROM always true)
        this.optional('NOT');
        this.expect('EXISTS');
        this.expect('(');
        if (!this.subquery()) throw DOUBT;
        exists = true;
        continue;
      }
      if (!this.isName(this.tokens[this.i])) throw DOUBT;
      // a predicate that reads no column of the row (`DATE 'x'`, `d = (SELECT max(u.d) FROM u)` is all rows or none:
      // the parser's to judge
      const before = this.rowColumns;
      const found = this.predicate();
      if (this.rowColumns === before) throw DOUBT;
      columns = true;
      if (found && 'tested' in found) tested.push(found.tested);
      else if (found) comparisons.push(found);
    } while (this.optional('AND') || (this.optional('OR') && (or = true)));
    // ORs that may hold for every row are the full reader's to judge (postgres.ts whereAlwaysTrue): `x IS NULL OR
    // x IS NOT NULL`, and the same value compared with the same operand (`x > 0 OR x <= 0.0`): whenever two tests, or
    // two comparisons on both sides, could be of the same value
    if (or && exists) throw DOUBT;
    // only EXISTS tests: whether they read the row (a correlated subquery) or not (all rows or none, which the
    // full reader judges as every row) is the parser's to judge
    if (exists && !columns) throw DOUBT;
    if (or && tested.some((a, x) => tested.some((b, y) => x !== y && mightBeSame(a, b)))) throw DOUBT;
    if (or && comparisons.some((c) => comparisons.some((d) => c !== d && mightBeSame(c.left, d.left) && mightBeSame(c.right, d.right)))) throw DOUBT;
  }

  /**
   * `arith [cmp arith] [IS [NOT] NULL|TRUE|FALSE]` or `arith [NOT] IN (…)`: the value an IS or IN test tests, the two
   * values of a comparison, else undefined. A value compared with itself (`id = id`, `a = "a"`) holds for every
   * row: the full reader's to judge.
   */
  private predicate(): { tested: OperandKey } | { left: OperandKey; right: OperandKey } | undefined {
    const left = this.i;
    this.arithmetic();
    const op = this.tokens[this.i];
    let comparison: { left: OperandKey; right: OperandKey } | undefined;
    if (op && (op.type === 'punct' || op.type === 'word') && COMPARISONS.has(op.upper)) {
      const leftEnd = this.i++;
      const right = this.i;
      this.arithmetic();
      comparison = { left: this.operandKey(left, leftEnd), right: this.operandKey(right, this.i) };
      if (mightBeSame(comparison.left, comparison.right)) throw DOUBT;
    } else if (this.peek('IN') || (this.peek('NOT') && this.tokens[this.i + 1]?.upper === 'IN')) {
      const testedEnd = this.i;
      this.optional('NOT');
      this.expect('IN');
      // `IN ((SELECT …))` is a subquery to PostgreSQL, not a list of one value: the full reader's to judge
      if (this.peek('(') && this.peek('(', 1)) throw DOUBT;
      const tested = this.operandKey(left, testedEnd);
      // `x IN (x, 1)` holds for every row whose x is not NULL: the full reader's to judge
      this.parenthesizedList(() => {
        const item = this.i;
        this.expression();
        if (mightBeSame(this.operandKey(item, this.i), tested)) throw DOUBT;
      });
      // `x IN (…) OR x NOT IN (…)` holds for every row: a test of the value, as IS is
      return { tested };
    }
    const testedEnd = this.i;
    if (!this.optional('IS')) return comparison;
    this.optional('NOT');
    this.optional('NULL') || this.optional('TRUE') || this.expect('FALSE');
    return { tested: this.operandKey(left, testedEnd) };
  }

  /**
   * What decides whether two operands are the same value to the full reader (postgres.ts sameValue: equal parse
   * trees of columns, constants, casts and operators; constOperand: constants by value, numeric casts of them),
   * read from the tokens and erring towards "the same": names as PostgreSQL stores them, numbers by value (a unary
   * minus folded in), strings by text; parentheses, unary plus and casts' types left out. NEVER: a call, CASE,
   * ARRAY, a subquery (never the same value there).
   */
  private operandKey(start: number, end: number): OperandKey {
    const parts: string[] = [];
    let unary = true;
    for (let k = start; k < end; k++) {
      const token = this.tokens[k]!;
      const next = this.tokens[k + 1];
      if (this.castTokens.has(k)) continue;
      if (token.type === 'word' && (token.upper === 'CASE' || token.upper === 'ARRAY')) return NEVER;
      if ((token.type === 'word' || token.type === 'ident') && next?.type === 'punct' && next.value === '(' && k + 1 < end) return NEVER;
      if (token.type === 'punct' && token.value === '(' && next?.upper === 'SELECT') return NEVER;
      if (token.type === 'punct' && (token.value === '(' || token.value === ')')) continue;
      if (unary && token.type === 'punct' && token.value === '+') continue;
      if (unary && token.type === 'punct' && token.value === '-' && next?.type === 'number' && k + 1 < end) {
        parts.push(`n:${String(-Number(next.value))}`);
        k++;
        unary = false;
        continue;
      }
      // `t.x` where t is the statement's own table (or alias) is the row's x, as `x` is
      if (isNameToken(token) && next?.value === '.') {
        let last = k;
        while (this.tokens[last + 1]?.value === '.' && isNameToken(this.tokens[last + 2]) && last + 2 < end) last += 2;
        if (last > k && this.ownNames.has(this.nameOf(this.tokens[last - 2]!))) {
          k = last;
          parts.push(`w:${this.nameOf(this.tokens[last]!)}`);
          unary = false;
          continue;
        }
      }
      if (token.type === 'number') parts.push(`n:${String(Number(token.value))}`);
      else if (token.type === 'string') parts.push(`s:${token.value}`);
      else if (token.type === 'word') parts.push(`w:${token.value.toLowerCase()}`);
      else if (token.type === 'ident') parts.push(`w:${token.value}`);
      else parts.push(token.value);
      unary = token.type === 'punct' && token.value !== ')';
    }
    return parts.join(' ');
  }

  private arithmetic(): void {
    this.unary();
    for (;;) {
      const token = this.tokens[this.i];
      if (!token || token.type !== 'punct') return;
      if (ARITHMETIC.has(token.value)) this.i++;
      else if (!this.jsonOperator()) return;
      this.unary();
    }
  }

  /**
   * `->`, `->>`, `#>`, `#>>`: our tokenizer splits them, PostgreSQL's lexer reads the whole run of operator
   * characters as one operator, so the run (tokens written without a space between) must be one of these.
   */
  private jsonOperator(): boolean {
    let end = this.i;
    let run = '';
    while (end < this.tokens.length) {
      const token = this.tokens[end]!;
      if (token.type !== 'punct' || !OPERATOR_RUN.test(token.value) || (end > this.i && this.tokens[end - 1]!.end !== token.start)) break;
      run += token.value;
      end++;
    }
    if (!JSON_OPERATORS.has(run)) return false;
    this.i = end;
    return true;
  }

  protected unary(): void {
    if (this.optional('-') || this.optional('+')) return this.unary();
    this.primary();
    while (this.optional('::')) this.castType(this.i - 1);
  }

  /** A cast's type, read; its tokens from `from` on (`::`, `CAST … AS`) marked as no part of the value (operandKey). */
  private castType(from: number): void {
    this.typeName();
    for (let k = from; k < this.i; k++) this.castTokens.add(k);
  }

  private primary(): void {
    const token = this.next();
    if (token.type === 'string') return;
    if (token.type === 'number') {
      if (!NUMBER.test(token.value)) throw DOUBT;
      return;
    }
    if (token.value === '(') {
      if (this.peek('SELECT')) return void this.subquery();
      this.expression();
      this.expect(')');
      return;
    }
    if (token.type === 'word' && VALUE_WORDS.has(token.upper)) return;
    if (token.type === 'word' && token.upper === 'EXISTS' && this.peek('(') && this.peek('SELECT', 1)) return void (this.next(), this.subquery());
    if (token.type === 'word' && token.upper === 'CAST') return this.cast();
    if (token.type === 'word' && token.upper === 'EXTRACT') return this.extract();
    if (token.type === 'word' && token.upper === 'ARRAY' && this.peek('[')) return this.arrayConstructor();
    // LEFT and RIGHT are keywords that may name functions
    if (token.type === 'word' && (token.upper === 'LEFT' || token.upper === 'RIGHT') && this.peek('(')) return this.callArguments(true);
    if (token.type === 'word' && TYPED_LITERALS.has(token.upper) && this.peekType('string')) return void (this.castTokens.add(this.i - 1), this.next());
    if (token.type === 'word' && FUNCTION_KEYWORDS.has(token.upper)) return this.callArguments(true);
    if (token.type === 'word' && token.upper === 'CASE') return this.caseExpression();
    this.i--;
    // replace() is a function too (the word is guarded for CREATE OR REPLACE)
    const parts = token.type === 'word' && token.upper === 'REPLACE' && this.peek('(', 1) ? (this.optional('REPLACE'), undefined) : this.qualifiedName();
    if (!this.peek('(')) {
      if (parts && this.subqueries === 0) this.rowColumns++;
      return void (parts && this.columnRefs?.push(parts[parts.length - 1]!));
    }
    this.callArguments(false);
    if (this.optional('OVER')) this.over();
  }

  /** `CAST ( expression AS type )` */
  private cast(): void {
    this.castTokens.add(this.i - 1);
    this.expect('(');
    this.expression();
    this.expect('AS');
    this.castType(this.i - 1);
    this.expect(')');
  }

  /** `EXTRACT(field FROM expression)`: a field PostgreSQL knows by name (`epoch`, `year`…) or a string. */
  private extract(): void {
    this.expect('(');
    const field = this.next();
    if (field.type !== 'string' && !(field.type === 'word' && EXTRACT_FIELDS.has(field.upper))) throw DOUBT;
    this.expect('FROM');
    this.expression();
    this.expect(')');
  }

  /** `ARRAY[a, b, …]` or `ARRAY[]` (nested brackets and `ARRAY(SELECT …)` are the parser's). */
  private arrayConstructor(): void {
    this.expect('[');
    if (this.optional(']')) return;
    this.commaList(() => this.expression());
    this.expect(']');
  }

  /** `CASE [operand] WHEN … THEN … [WHEN …]… [ELSE …] END` */
  private caseExpression(): void {
    if (!this.peek('WHEN')) this.expression();
    this.expect('WHEN');
    do {
      this.expression();
      this.expect('THEN');
      this.expression();
    } while (this.optional('WHEN'));
    if (this.optional('ELSE')) this.expression();
    this.expect('END');
  }

  protected callArguments(required: boolean): void {
    if (!this.peek('(')) {
      if (required) throw DOUBT;
      return;
    }
    this.next();
    if (this.optional(')')) return;
    // count(*)
    if (this.optional('*')) return void this.expect(')');
    if (!this.optional('DISTINCT')) this.optional('ALL');
    do this.expression();
    while (this.optional(','));
    this.expect(')');
  }

  // ---- names and tokens ----------------------------------------------------------------------

  protected ifNotExists(): boolean {
    if (!this.optional('IF')) return false;
    this.expect('NOT');
    this.expect('EXISTS');
    return true;
  }

  protected ifExists(): boolean {
    if (!this.optional('IF')) return false;
    return this.expect('EXISTS');
  }

  protected nameList(): void {
    this.parenthesizedList(() => this.name());
  }

  /** `item, item, …` */
  protected commaList(item: () => void): void {
    do item();
    while (this.optional(','));
  }

  /** `(item, item, …)`, or also `()` when `empty` is allowed. */
  protected parenthesizedList(item: () => void, empty = false): void {
    this.expect('(');
    if (empty && this.optional(')')) return;
    this.commaList(item);
    this.expect(')');
  }

  /** `name[.name…]`: the names as PostgreSQL stores them. */
  protected qualifiedName(): string[] {
    const parts = [this.name()];
    while (this.peek('.')) {
      this.next();
      parts.push(this.attributeName());
    }
    return parts;
  }

  /** A name after a `.`: any keyword may be one there (`upchieve.references`), as in PostgreSQL's grammar. */
  private attributeName(): string {
    const token = this.tokens[this.i];
    return token?.type === 'word' ? this.nameOf(this.next()) : this.name();
  }

  /** A column's name in its definition: column-name keywords (`time`, `position`) may name a column there. */
  protected columnName(): string {
    const token = this.tokens[this.i];
    return token?.type === 'word' && COL_NAME_KEYWORDS.has(token.upper) ? this.nameOf(this.next()) : this.name();
  }

  protected peekPlainName(): boolean {
    const token = this.tokens[this.i];
    return token?.type === 'word' && !RESERVED.has(token.upper) && !COL_NAME_KEYWORDS.has(token.upper) && !['ASC', 'DESC', 'NULLS'].includes(token.upper);
  }

  private isName(token: Token | undefined): boolean {
    if (!token) return false;
    if (token.type === 'ident') return token.value !== '';
    return token.type === 'word' && !RESERVED.has(token.upper) && !COL_NAME_KEYWORDS.has(token.upper);
  }

  /**
   * A plain name (a quoted identifier, or a word that is not a reserved or column-name keyword), as
   * PostgreSQL stores it: unquoted names fold ASCII letters to lower case, quoted ones stay as written.
   */
  protected name(): string {
    const token = this.next();
    if (!this.isName(token)) throw DOUBT;
    return this.nameOf(token);
  }

  /** The name as PostgreSQL stores it (a longer one would be truncated: the parser's to judge). */
  private nameOf(token: Token): string {
    const name = token.type === 'ident' ? token.value : token.value.replace(/[A-Z]+/g, (s) => s.toLowerCase());
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw DOUBT;
    return name;
  }

  /** A value of `SET name = …`: a string, a number, or a word (ON, TRUE, DEFAULT and non-reserved words). */
  protected settingValue(): void {
    const token = this.next();
    if (token.type === 'string' || (token.type === 'number' && NUMBER.test(token.value))) return;
    if (token.type === 'word' && (!RESERVED.has(token.upper) || ['ON', 'TRUE', 'FALSE', 'DEFAULT'].includes(token.upper))) return;
    throw DOUBT;
  }

  /** A string's text or a name (`LANGUAGE plpgsql` / `LANGUAGE 'plpgsql'`, `VERSION '1.2'`). */
  protected stringOrName(): string {
    if (this.peekType('string')) return this.next().value;
    return this.name();
  }

  protected string(): void {
    if (this.next().type !== 'string') throw DOUBT;
  }

  protected number(): void {
    const token = this.next();
    if (token.type !== 'number' || !NUMBER.test(token.value)) throw DOUBT;
  }

  protected signedNumber(): void {
    this.optional('-') || this.optional('+');
    this.number();
  }

  /** The next token as a keyword (upper-cased). */
  protected word(): string {
    const token = this.next();
    if (token.type !== 'word') throw DOUBT;
    this.keywordsAt.add(this.base + token.start);
    return token.upper;
  }

  protected next(): Token {
    const token = this.tokens[this.i++];
    if (!token) throw DOUBT;
    return token;
  }

  protected peek(value: string, ahead = 0): boolean {
    const token = this.tokens[this.i + ahead];
    return token !== undefined && (token.type === 'word' || token.type === 'punct') && token.upper === value;
  }

  protected peekType(type: Token['type']): boolean {
    return this.tokens[this.i]?.type === type;
  }

  /** Read `value` as a keyword (or symbol) if it comes next. */
  protected optional(value: string): boolean {
    if (!this.peek(value)) return false;
    this.keywordsAt.add(this.base + this.tokens[this.i]!.start);
    this.i++;
    return true;
  }

  protected expect(value: string): true {
    if (!this.optional(value)) throw DOUBT;
    return true;
  }
}
