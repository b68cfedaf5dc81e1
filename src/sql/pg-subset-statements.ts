/**
 * The statements of the parser-free PostgreSQL subset (pg-subset.ts): each is read by a strict grammar
 * (anything else throws DOUBT) and returns the operations the full reader (postgres.ts) would find in
 * it, built with the same helpers (pg-ops.ts). Guarded words must be read with `optional` / `expect`
 * / `word`, which record them as keywords for the word screen; `name()` does not.
 */
import type { ObjectRef, ObjectType, OperationFlags, OperationKind } from '../model/operation.js';
import { DOUBT, PgCursor } from './pg-grammar.js';
import { MAY_DESTROY, memberOf, refFromParts, type AstOp } from './pg-ops.js';
import type { Token } from './tokens.js';

/** One statement of the file, with what it does (no operations: harmless). */
export interface SubsetStatement {
  /** Offsets of the statement in the file, from its first code character up to its `;` (or the end of the file). */
  start: number;
  end: number;
  ops: AstOp[];
  /** A statement of a DO body (its operations are flagged embedded, as the full reader flags them). */
  embedded?: boolean;
}

/** Privileges GRANT / REVOKE may name in the subset (EXECUTE is the parser's: it is a guarded word). */
const PRIVILEGES = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'USAGE', 'CREATE', 'CONNECT', 'TEMPORARY', 'TEMP', 'MAINTAIN']);

const DROP_KINDS: Record<string, [OperationKind, ObjectType]> = {
  TABLE: ['drop-table', 'table'],
  VIEW: ['drop-view', 'view'],
  INDEX: ['drop-index', 'index'],
  SEQUENCE: ['drop-sequence', 'sequence'],
  TYPE: ['drop-type', 'type'],
  DOMAIN: ['drop-type', 'type'],
};

export class StatementReader extends PgCursor {
  /** CREATE TABLE or ADD COLUMN: the full reader remembers these types to judge a later type change. */
  declaresColumnTypes = false;
  /** [start, end) of tokens (in the statement) the word screen leaves alone: a DO body no reader reads. */
  readonly exempted: number[] = [];
  /** DO bodies that may destroy (plpgsql): pg-subset.ts reads them, or exempts them when they cannot act. */
  readonly routineBodies: Token[] = [];

  private exempt(token: Token): void {
    this.exempted.push(token.start, token.end);
  }

  statement(): AstOp[] {
    const first = this.word();
    switch (first) {
      case 'CREATE':
        this.create();
        return [];
      case 'ALTER':
        if (this.optional('TYPE')) return (this.alterType(), []);
        if (this.optional('INDEX')) return this.alterIndex();
        return this.alterTable();
      case 'DROP':
        return this.drop();
      case 'TRUNCATE':
        return this.truncate();
      case 'DELETE':
        return this.deleteRows();
      case 'UPDATE':
        return this.updateRows();
      case 'INSERT':
        this.insert();
        return [];
      case 'DO':
        this.doBlock();
        return [];
      case 'COMMENT':
        this.comment();
        return [];
      case 'SET':
        this.set();
        return [];
      case 'GRANT':
      case 'REVOKE':
        this.privileges(first);
        return [];
      case 'BEGIN':
      case 'COMMIT':
      case 'END':
        this.optional('WORK') || this.optional('TRANSACTION');
        return [];
      case 'START':
        this.expect('TRANSACTION');
        return [];
    }
    throw DOUBT;
  }

  // ---- CREATE -------------------------------------------------------------------------------

  private create(): void {
    if (this.optional('OR')) {
      this.expect('REPLACE');
      const what = this.word();
      if (what === 'VIEW') return this.createView();
      if (what === 'FUNCTION') return this.createFunction();
      if (what === 'TRIGGER') return this.createTrigger();
      throw DOUBT;
    }
    const unique = this.optional('UNIQUE');
    if (this.optional('INDEX')) return this.createIndex();
    if (unique) throw DOUBT;
    const what = this.word();
    if (what === 'TABLE') return this.createTable();
    if (what === 'VIEW') return this.createView();
    if (what === 'MATERIALIZED') return (this.expect('VIEW'), this.createMaterializedView());
    if (what === 'SEQUENCE') return this.createSequence();
    if (what === 'POLICY') return this.createPolicy();
    if (what === 'FUNCTION') return this.createFunction();
    if (what === 'TRIGGER') return this.createTrigger();
    if (what === 'TYPE') return this.createEnum();
    if (what === 'SCHEMA' || what === 'EXTENSION') {
      this.ifNotExists();
      const name = this.tokens[this.i];
      this.name();
      if (what === 'EXTENSION') {
        // an extension's name is no call: `pg_trgm` may stand there
        if (name) this.exempt(name);
        this.optional('WITH');
        if (this.optional('SCHEMA')) this.name();
        if (this.optional('VERSION')) this.stringOrName();
      }
      return;
    }
    throw DOUBT;
  }

  private createTable(): void {
    this.declaresColumnTypes = true;
    this.ifNotExists();
    this.qualifiedName();
    this.expect('(');
    do {
      if (this.peekTableConstraint()) this.tableConstraint();
      else this.columnDefinition();
    } while (this.optional(','));
    this.expect(')');
  }

  /** `VIEW name [(columns)] AS SELECT … [WITH [CASCADED | LOCAL] CHECK OPTION]` */
  private createView(): void {
    this.qualifiedName();
    if (this.peek('(')) this.nameList();
    this.expect('AS');
    this.select();
    if (this.optional('WITH')) {
      this.optional('CASCADED') || this.optional('LOCAL');
      this.expect('CHECK');
      this.expect('OPTION');
    }
  }

  /** `MATERIALIZED VIEW [IF NOT EXISTS] name [(columns)] AS SELECT … [WITH [NO] DATA]` */
  private createMaterializedView(): void {
    this.ifNotExists();
    this.qualifiedName();
    if (this.peek('(')) this.nameList();
    this.expect('AS');
    this.select();
    if (this.optional('WITH')) {
      this.optional('NO');
      this.expect('DATA');
    }
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
      } else if (!this.peek('(', 1) && !this.peek('.', 1)) {
        this.columnName();
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

  /** `ALTER TYPE t ADD VALUE [IF NOT EXISTS] 'v' [BEFORE | AFTER 'w']`, `… RENAME VALUE 'v' TO 'w'`, `… RENAME TO n`: nothing lost. */
  private alterType(): void {
    this.qualifiedName();
    if (this.optional('ADD')) {
      this.expect('VALUE');
      this.ifNotExists();
      this.string();
      if (this.optional('BEFORE') || this.optional('AFTER')) this.string();
      return;
    }
    this.expect('RENAME');
    if (this.optional('VALUE')) (this.string(), this.expect('TO'), this.string());
    else (this.expect('TO'), this.name());
  }

  /** `ALTER INDEX [IF EXISTS] i RENAME TO n`: nothing lost, but it renames any relation (a table too). */
  private alterIndex(): AstOp[] {
    this.ifExists();
    const index = refFromParts('table', this.qualifiedName());
    this.expect('RENAME');
    this.expect('TO');
    return [{ kind: 'rename-index', target: { ...index, type: 'index' }, flags: { newName: this.name() } }];
  }

  private createEnum(): void {
    this.qualifiedName();
    this.expect('AS');
    this.expect('ENUM');
    this.parenthesizedList(() => this.string(), true);
  }

  // ---- functions and triggers: nothing to report while the body cannot destroy anything --------

  /**
   * `FUNCTION name(args) [RETURNS …] options… AS 'body'`. The full reader reads a sql / plpgsql body
   * only when it holds a word that may destroy (plpgsql.ts); such a body is the parser's here. Any other
   * body is text to the statement (creating a function runs none of it): the word screen leaves it alone.
   */
  private createFunction(): void {
    this.tableName();
    this.parenthesizedList(() => this.functionArgument(), true);
    if (this.optional('RETURNS')) this.returnType();
    let language: string | undefined;
    const bodies: Array<Token | undefined> = [];
    for (;;) {
      if (this.optional('LANGUAGE')) language = this.stringOrName().toLowerCase();
      else if (this.optional('AS')) bodies.push(this.functionBody());
      else if (!this.functionOption()) break;
    }
    if (language === undefined || bodies.length !== 1) throw DOUBT;
    const body = bodies[0];
    if ((language === 'sql' || language === 'plpgsql') && body !== undefined && MAY_DESTROY.test(body.value)) throw DOUBT;
    if (body) this.exempt(body);
  }

  /** `[IN|OUT|INOUT|VARIADIC] [name] type [DEFAULT expr | = expr]` (a mode may also follow the name). */
  private functionArgument(): void {
    this.argumentMode();
    const next = this.tokens[this.i + 1];
    const named = this.peekPlainName() && next !== undefined && !['(', ')', ',', '.', '[', '='].includes(next.value) && next.upper !== 'DEFAULT';
    if (named) {
      this.name();
      this.argumentMode();
    }
    this.typeName();
    if (this.optional('DEFAULT') || this.optional('=')) this.expression();
  }

  private argumentMode(): void {
    this.optional('IN') || this.optional('OUT') || this.optional('INOUT') || this.optional('VARIADIC');
  }

  /** `RETURNS type | SETOF type | TRIGGER | TABLE (name type, …)` */
  private returnType(): void {
    if (this.optional('TRIGGER')) return;
    if (this.optional('TABLE')) return this.parenthesizedList(() => (this.name(), this.typeName()));
    this.optional('SETOF');
    this.typeName();
  }

  /** `AS 'body'` (its token), or `AS 'object file', 'symbol'` (a C function: no body to read). */
  private functionBody(): Token | undefined {
    const token = this.next();
    if (token.type !== 'string') throw DOUBT;
    if (!this.optional(',')) return token;
    this.string();
    return undefined;
  }

  /** One of CREATE FUNCTION's options other than LANGUAGE and AS; false when none is next. */
  private functionOption(): boolean {
    if (this.optional('IMMUTABLE') || this.optional('STABLE') || this.optional('VOLATILE') || this.optional('STRICT') || this.optional('LEAKPROOF') || this.optional('WINDOW')) return true;
    if (this.optional('NOT')) return this.expect('LEAKPROOF');
    if (this.optional('CALLED')) return this.expect('ON') && this.expect('NULL') && this.expect('INPUT');
    if (this.optional('RETURNS')) return this.expect('NULL') && this.expect('ON') && this.expect('NULL') && this.expect('INPUT');
    if (this.optional('SECURITY')) return this.optional('DEFINER') || this.expect('INVOKER');
    if (this.optional('PARALLEL')) return this.optional('SAFE') || this.optional('UNSAFE') || this.expect('RESTRICTED');
    if (this.optional('COST') || this.optional('ROWS')) return this.number(), true;
    if (this.optional('SET')) {
      this.name();
      if (this.optional('FROM')) return this.expect('CURRENT');
      if (!this.optional('TO')) this.expect('=');
      do this.settingValue();
      while (this.optional(','));
      return true;
    }
    return false;
  }

  /**
   * `TRIGGER name BEFORE|AFTER|INSTEAD OF event [OR event…] ON t [FOR [EACH] ROW|STATEMENT]
   * [WHEN (condition)] EXECUTE FUNCTION|PROCEDURE f(args)`: the full reader reports nothing for it.
   */
  private createTrigger(): void {
    this.name();
    if (this.optional('INSTEAD')) this.expect('OF');
    else if (!this.optional('BEFORE')) this.expect('AFTER');
    do {
      const event = this.word();
      if (event === 'UPDATE' && this.optional('OF')) this.names();
      else if (!['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'].includes(event)) throw DOUBT;
    } while (this.optional('OR'));
    this.expect('ON');
    this.tableName();
    if (this.optional('FOR')) {
      this.optional('EACH');
      this.optional('ROW') || this.expect('STATEMENT');
    }
    if (this.optional('WHEN')) this.parenthesized();
    this.expect('EXECUTE');
    this.optional('FUNCTION') || this.expect('PROCEDURE');
    this.tableName();
    this.parenthesizedList(() => this.triggerArgument(), true);
  }

  /** A constant handed to the trigger function: a string, a number or a name. */
  private triggerArgument(): void {
    if (this.peekType('string')) this.next();
    else if (this.peekType('number')) this.number();
    else this.name();
  }

  // ---- ALTER TABLE ----------------------------------------------------------------------------

  /** `ALTER TABLE [IF EXISTS] [ONLY] t` then sub-commands, or one RENAME. */
  private alterTable(): AstOp[] {
    this.expect('TABLE');
    this.ifExists();
    this.optional('ONLY');
    const table = refFromParts('table', this.tableName());
    this.optional('*');
    if (this.optional('RENAME')) return this.rename(table);
    const ops: AstOp[] = [];
    do {
      if (this.optional('ADD')) this.addSubcommand();
      else if (this.optional('DROP')) ops.push(this.dropSubcommand(table));
      else if (this.optional('ALTER')) ops.push(...this.alterColumn(table));
      else if (this.optional('ENABLE') || this.optional('DISABLE') || this.optional('FORCE') || (this.optional('NO') && this.expect('FORCE'))) this.rowLevelSecurity();
      else throw DOUBT;
    } while (this.optional(','));
    return ops;
  }

  /** `ADD [COLUMN] [IF NOT EXISTS] col …` or `ADD constraint [NOT VALID]` */
  private addSubcommand(): void {
    if (this.peekTableConstraint()) {
      this.tableConstraint();
      if (this.optional('NOT')) this.expect('VALID');
      return;
    }
    this.declaresColumnTypes = true;
    this.optional('COLUMN');
    this.ifNotExists();
    this.columnDefinition();
  }

  /** `DROP CONSTRAINT [IF EXISTS] c` or `DROP [COLUMN] [IF EXISTS] col`, then `[CASCADE | RESTRICT]` */
  private dropSubcommand(table: ObjectRef): AstOp {
    const constraint = this.optional('CONSTRAINT');
    if (!constraint) this.optional('COLUMN');
    const flags: OperationFlags = {};
    const ifExists = this.ifExists();
    const name = this.name();
    if (this.dropBehavior()) flags.cascade = true;
    if (ifExists) flags.ifExists = true;
    return constraint
      ? { kind: 'drop-constraint', target: memberOf(table, 'constraint', name), flags }
      : { kind: 'drop-column', target: memberOf(table, 'column', name), flags };
  }

  /** `ALTER [COLUMN] col` SET/DROP DEFAULT, SET/DROP NOT NULL, or `[SET DATA] TYPE t [COLLATE c]` */
  private alterColumn(table: ObjectRef): AstOp[] {
    this.optional('COLUMN');
    const column = this.name();
    if (this.optional('DROP')) {
      if (!this.optional('DEFAULT')) (this.expect('NOT'), this.expect('NULL'));
      return [];
    }
    if (this.optional('SET')) {
      if (this.optional('DEFAULT')) return this.unary(), [];
      if (this.optional('NOT')) return this.expect('NULL'), [];
      this.expect('DATA');
    }
    this.expect('TYPE');
    this.typeName();
    if (this.optional('COLLATE')) this.qualifiedName();
    // the new type as written is taken from the text when the operation is located (first, as the full reader has it)
    const flags: OperationFlags = {};
    if (this.optional('USING')) {
      // an expression that does not read the column (`USING NULL`, `USING other_column`) replaces every value:
      // a column reference anywhere in it ending in the column's name reads it, as postgres.ts readsColumn
      const refs: string[] = [];
      this.columnRefs = refs;
      this.expression();
      this.columnRefs = undefined;
      if (!refs.includes(column)) Object.assign(flags, { newType: undefined, valuesReplaced: true });
    }
    return [{ kind: 'alter-column-type', target: memberOf(table, 'column', column), flags }];
  }

  /** `RENAME TO t2`, `RENAME [COLUMN] a TO b`, `RENAME CONSTRAINT a TO b` */
  private rename(table: ObjectRef): AstOp[] {
    if (this.optional('TO')) return [{ kind: 'rename-table', target: table, flags: { newName: this.name() } }];
    const constraint = this.optional('CONSTRAINT');
    if (!constraint) this.optional('COLUMN');
    const from = this.name();
    this.expect('TO');
    const to = this.name();
    return [{ kind: constraint ? 'rename-constraint' : 'rename-column', target: memberOf(table, constraint ? 'constraint' : 'column', from), flags: { newName: to } }];
  }

  /** `… ROW LEVEL SECURITY` after ENABLE / DISABLE / [NO] FORCE */
  private rowLevelSecurity(): void {
    this.expect('ROW');
    this.expect('LEVEL');
    this.expect('SECURITY');
  }

  // ---- row security and privileges (Supabase-style migrations): nothing to report ---------------

  /** `POLICY name ON t [AS PERMISSIVE|RESTRICTIVE] [FOR cmd] [TO roles] [USING (expr)] [WITH CHECK (expr)]` */
  private createPolicy(): void {
    this.name();
    this.expect('ON');
    this.tableName();
    if (this.optional('AS')) this.optional('PERMISSIVE') || this.expect('RESTRICTIVE');
    if (this.optional('FOR')) {
      const command = this.word();
      if (!['ALL', 'SELECT', 'INSERT', 'UPDATE', 'DELETE'].includes(command)) throw DOUBT;
    }
    if (this.optional('TO')) this.roles();
    if (this.optional('USING')) this.parenthesized();
    if (this.optional('WITH')) (this.expect('CHECK'), this.parenthesized());
  }

  /** `DROP POLICY [IF EXISTS] name ON t [CASCADE | RESTRICT]`: the full reader reports nothing either. */
  private dropPolicy(): AstOp[] {
    this.ifExists();
    this.name();
    this.expect('ON');
    this.tableName();
    this.dropBehavior();
    return [];
  }

  /**
   * `GRANT privileges ON target TO roles [WITH GRANT OPTION]`,
   * `REVOKE [GRANT OPTION FOR] privileges ON target FROM roles [CASCADE | RESTRICT]`
   */
  private privileges(verb: 'GRANT' | 'REVOKE'): void {
    if (verb === 'REVOKE' && this.optional('GRANT')) (this.expect('OPTION'), this.expect('FOR'));
    if (this.optional('ALL')) {
      this.optional('PRIVILEGES');
      if (this.peek('(')) this.nameList();
    } else {
      do {
        if (!PRIVILEGES.has(this.word())) throw DOUBT;
        if (this.peek('(')) this.nameList();
      } while (this.optional(','));
    }
    this.expect('ON');
    if (this.optional('ALL')) {
      if (!this.optional('TABLES')) this.expect('SEQUENCES');
      this.expect('IN');
      this.expect('SCHEMA');
      this.names();
    } else if (this.optional('SCHEMA')) {
      this.names();
    } else {
      if (!this.optional('TABLE')) this.optional('SEQUENCE');
      do this.tableName();
      while (this.optional(','));
    }
    this.expect(verb === 'GRANT' ? 'TO' : 'FROM');
    this.roles();
    if (verb === 'GRANT' && this.optional('WITH')) (this.expect('GRANT'), this.expect('OPTION'));
    if (verb === 'REVOKE') this.dropBehavior();
  }

  /** Role names, `CURRENT_USER`, `SESSION_USER`, `CURRENT_ROLE` (`public` is a plain name). */
  private roles(): void {
    do if (!(this.optional('CURRENT_USER') || this.optional('SESSION_USER') || this.optional('CURRENT_ROLE'))) this.name();
    while (this.optional(','));
  }

  private names(): void {
    this.commaList(() => this.name());
  }

  // ---- DROP / TRUNCATE --------------------------------------------------------------------------

  private drop(): AstOp[] {
    let what = this.word();
    if (what === 'MATERIALIZED' || what === 'FOREIGN') {
      this.expect(what === 'MATERIALIZED' ? 'VIEW' : 'TABLE');
      what = what === 'MATERIALIZED' ? 'VIEW' : 'TABLE';
    }
    if (what === 'TRIGGER') return this.dropTrigger();
    if (what === 'FUNCTION' || what === 'PROCEDURE' || what === 'ROUTINE') return this.dropRoutines();
    if (what === 'POLICY') return this.dropPolicy();
    if (what === 'SCHEMA' || what === 'EXTENSION') return this.dropNamed(what);
    const kind = DROP_KINDS[what];
    if (!kind) throw DOUBT;
    const concurrently = what === 'INDEX' && this.optional('CONCURRENTLY');
    const ifExists = this.ifExists();
    const objects: string[][] = [];
    do objects.push(this.tableName());
    while (this.optional(','));
    // `DROP TYPE double` and the like name built-in types through their own grammar
    if ((what === 'TYPE' || what === 'DOMAIN') && objects.some((parts) => parts.length === 1 && parts[0] === 'double')) throw DOUBT;
    const flags = this.dropFlags(ifExists, concurrently);
    return objects.map((parts) => ({ kind: kind[0], target: refFromParts(kind[1], parts), flags: { ...flags } }));
  }

  /** `DROP FUNCTION|PROCEDURE|ROUTINE [IF EXISTS] name[(type, …)], … [CASCADE | RESTRICT]` (argument types only) */
  private dropRoutines(): AstOp[] {
    const ifExists = this.ifExists();
    const routines: string[][] = [];
    do {
      routines.push(this.tableName());
      if (this.peek('(')) this.parenthesizedList(() => this.typeName(), true);
    } while (this.optional(','));
    const flags = this.dropFlags(ifExists, false);
    return routines.map((parts) => ({ kind: 'drop-function', target: refFromParts('function', parts), flags: { ...flags } }));
  }

  /** `DROP SCHEMA|EXTENSION [IF EXISTS] a, b [CASCADE | RESTRICT]`: unqualified names; extensions without CASCADE are not reported. */
  private dropNamed(what: 'SCHEMA' | 'EXTENSION'): AstOp[] {
    const ifExists = this.ifExists();
    const names: string[] = [];
    do names.push(this.name());
    while (this.optional(','));
    const flags = this.dropFlags(ifExists, false);
    // CASCADE drops what depends on the extension (drop-dependents): the parser reads that
    if (what === 'EXTENSION' && flags.cascade) throw DOUBT;
    if (what === 'EXTENSION') return [];
    return names.map((name) => ({ kind: 'drop-schema', target: refFromParts('schema', [name]), flags: { ...flags } }));
  }

  /** `DROP TRIGGER [IF EXISTS] name ON [schema.]table [CASCADE | RESTRICT]` */
  private dropTrigger(): AstOp[] {
    const ifExists = this.ifExists();
    const name = this.name();
    this.expect('ON');
    const table = this.tableName();
    const flags = this.dropFlags(ifExists, false);
    const target = refFromParts('trigger', [name]);
    target.table = table[table.length - 1];
    if (table.length > 1) target.schema = table[0];
    return [{ kind: 'drop-trigger', target, flags }];
  }

  /** `TRUNCATE [TABLE] [ONLY] t [*], … [RESTART | CONTINUE IDENTITY] [CASCADE | RESTRICT]` */
  private truncate(): AstOp[] {
    this.optional('TABLE');
    const tables: string[][] = [];
    do {
      this.optional('ONLY');
      tables.push(this.tableName());
      this.optional('*');
    } while (this.optional(','));
    if (this.optional('RESTART') || this.optional('CONTINUE')) this.expect('IDENTITY');
    const flags: OperationFlags = this.dropBehavior() ? { cascade: true } : {};
    return tables.map((parts) => ({ kind: 'truncate', target: refFromParts('table', parts), flags: { ...flags } }));
  }

  // ---- DELETE / UPDATE --------------------------------------------------------------------------

  /** `DELETE FROM [ONLY] t [[AS] alias] [WHERE condition]`: without a WHERE, every row goes. */
  private deleteRows(): AstOp[] {
    this.expect('FROM');
    return this.everyRow('delete-all', this.dmlTarget());
  }

  /** `UPDATE [ONLY] t [[AS] alias] SET col = expr, … [FROM …] [WHERE condition]`: without a WHERE, every row changes. */
  private updateRows(): AstOp[] {
    const table = this.dmlTarget();
    this.setClause();
    // UPDATE … FROM other tables: the WHERE decides, as without FROM
    if (this.optional('FROM')) this.commaList(() => this.fromItem());
    return this.everyRow('update-all', table);
  }

  private dmlTarget(): ObjectRef {
    this.optional('ONLY');
    const table = refFromParts('table', this.tableName());
    this.ownNames.add(table.name);
    // `t AS o` or `t o` (never `t set`: UPDATE's SET follows)
    if (this.optional('AS') || (this.peekPlainName() && !this.peek('SET'))) this.ownNames.add(this.name());
    return table;
  }

  /**
   * The operation on every row when there is no `WHERE` (or `WHERE TRUE` alone); none for a `WHERE` where every
   * predicate starts with a column or is an EXISTS of a table's rows: such a condition restricts rows. What the
   * full reader could call always true (`1 = 1` starts with a constant; `x = "x"`, `x > 0 OR x <= 0.0`) is declined
   * by columnCondition.
   */
  private everyRow(kind: 'delete-all' | 'update-all', table: ObjectRef): AstOp[] {
    if (!this.optional('WHERE')) return [{ kind, target: table, flags: {} }];
    if (this.i === this.tokens.length - 1 && this.optional('TRUE')) return [{ kind, target: table, flags: { whereAlwaysTrue: true } }];
    this.columnCondition();
    return [];
  }

  /** The trailing `[CASCADE | RESTRICT]`, with IF EXISTS / CONCURRENTLY, in the full reader's order. */
  private dropFlags(ifExists: boolean, concurrently: boolean): OperationFlags {
    const flags: OperationFlags = {};
    if (this.dropBehavior()) flags.cascade = true;
    if (ifExists) flags.ifExists = true;
    if (concurrently) flags.concurrently = true;
    return flags;
  }

  /** `CASCADE` (true) or `RESTRICT` / nothing (false). */
  private dropBehavior(): boolean {
    if (this.optional('CASCADE')) return true;
    this.optional('RESTRICT');
    return false;
  }

  /** `[schema.]name`: a longer name (a catalog) is the parser's to judge. */
  private tableName(): string[] {
    const parts = this.qualifiedName();
    if (parts.length > 2) throw DOUBT;
    return parts;
  }

  // ---- INSERT, COMMENT, SET -------------------------------------------------------------------

  private insert(): void {
    this.expect('INTO');
    this.qualifiedName();
    if (this.peek('(')) this.nameList();
    if (this.peek('SELECT')) this.select();
    else (this.expect('VALUES'), this.commaList(() => this.parenthesizedList(() => this.valueOrDefault())));
    if (this.optional('ON')) this.onConflict();
  }

  /** `ON CONFLICT [(columns) | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET col = expr, … [WHERE condition]` */
  private onConflict(): void {
    this.expect('CONFLICT');
    if (this.peek('(')) this.nameList();
    else if (this.optional('ON')) (this.expect('CONSTRAINT'), this.name());
    this.expect('DO');
    if (this.optional('NOTHING')) return;
    this.expect('UPDATE');
    this.setClause();
    if (this.optional('WHERE')) this.expression();
  }

  /** `SET col = expr | DEFAULT, …` of an UPDATE (or an upsert's DO UPDATE). */
  private setClause(): void {
    this.expect('SET');
    do {
      this.name();
      this.expect('=');
      this.valueOrDefault();
    } while (this.optional(','));
  }

  /**
   * `DO [LANGUAGE l] 'body' [LANGUAGE l]`: the full reader reads a plpgsql / sql body only when it
   * holds a word that may destroy (plpgsql.ts). Such a plpgsql body is left to pg-subset.ts; any other
   * body is text to the statement, so the word screen leaves it alone (the cheap first look still applies).
   */
  private doBlock(): void {
    let language = this.optional('LANGUAGE') ? this.stringOrName().toLowerCase() : undefined;
    const body = this.next();
    if (body.type !== 'string') throw DOUBT;
    if (language === undefined && this.optional('LANGUAGE')) language = this.stringOrName().toLowerCase();
    if ((language ?? 'plpgsql') !== 'plpgsql' && language !== 'sql') throw DOUBT;
    if (!MAY_DESTROY.test(body.value)) this.exempt(body);
    else if (language === 'sql') throw DOUBT;
    else this.routineBodies.push(body);
  }

  private valueOrDefault(): void {
    if (!this.optional('DEFAULT')) this.expression();
  }

  private comment(): void {
    this.expect('ON');
    const what = this.word();
    if (!['TABLE', 'COLUMN', 'INDEX', 'SCHEMA', 'TYPE', 'SEQUENCE', 'VIEW', 'EXTENSION'].includes(what)) throw DOUBT;
    this.qualifiedName();
    this.expect('IS');
    if (this.optional('NULL')) return;
    // a comment's text is never run: the word screen leaves it alone ('Soft-delete flag')
    const text = this.tokens[this.i];
    this.string();
    this.exempt(text!);
  }

  private set(): void {
    this.optional('SESSION') || this.optional('LOCAL');
    // off, later strings decode backslashes as E'…' does: the parser's (and the server's) to judge
    if (this.name() === 'standard_conforming_strings') throw DOUBT;
    if (!this.optional('TO')) this.expect('=');
    do this.settingValue();
    while (this.optional(','));
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
    this.columnName();
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
    if (this.peek('NOT') && this.peek('DEFERRABLE', 1)) return this.expect('NOT') && this.expect('DEFERRABLE');
    if (this.optional('INITIALLY')) return this.optional('DEFERRED') || this.expect('IMMEDIATE'), true;
    return false;
  }
}
