/**
 * The one model every reader produces: a migration file becomes a list of operations,
 * whatever its format (SQL, Alembic, Rails, Liquibase...). Rules and policy only see this.
 */

export const OPERATION_KINDS = [
  'drop-table',
  'drop-column',
  'drop-index',
  'drop-constraint',
  'drop-view',
  'drop-schema',
  'drop-database',
  'drop-function',
  'drop-type',
  'drop-sequence',
  'drop-trigger',
  'truncate',
  'delete-all',
  'update-all',
  'rename-table',
  'rename-column',
  'rename-schema',
  'rename-index',
  'rename-constraint',
  'drop-dependents',
  'alter-column-type',
  'unparseable',
  'opaque',
] as const;

export type OperationKind = (typeof OPERATION_KINDS)[number];

export type Dialect = 'postgres' | 'mysql' | 'sqlite';

export type Direction = 'up' | 'down';

export type ObjectType =
  | 'table'
  | 'column'
  | 'index'
  | 'constraint'
  | 'view'
  | 'schema'
  | 'database'
  | 'function'
  | 'type'
  | 'sequence'
  | 'trigger'
  | 'role';

/**
 * The object an operation acts on. Names are normalized by the dialect's rules
 * (PostgreSQL folds unquoted identifiers to lower case; MySQL/SQLite keep them and
 * compare case-insensitively); `written` keeps the text as it appeared.
 */
export interface ObjectRef {
  type: ObjectType;
  /** Schema (or MySQL database) qualifier, when written. */
  schema?: string;
  /** For columns, indexes, constraints and triggers: the table they belong to, when known. */
  table?: string;
  /** The object's own name (for a table: the table name; for a column: the column name). */
  name: string;
  /** As written in the source, e.g. `"Public"."Users"` or `orders.legacy_total`. */
  written: string;
  /**
   * For an index, constraint or trigger whose statement does not name its table (`DROP INDEX x`): the
   * table found where the repository's migrations created it (check/resolve-names.ts). Protection uses
   * it; names, markers and display keep what the statement wrote.
   */
  resolvedTable?: { schema?: string; name: string };
}

export interface OperationFlags {
  cascade?: boolean;
  ifExists?: boolean;
  concurrently?: boolean;
  /** rename-table / rename-column: the new name. */
  newName?: string;
  /** alter-column-type: the new type as written. */
  newType?: string;
  /** alter-column-type: the old type when the reader knows it. */
  oldType?: string;
  /** alter-column-type: true when the change can lose data (both types known and new is narrower). */
  narrowing?: boolean;
  /** alter-column-type: `USING <expression>` that does not read the column (`USING NULL`, `USING 0`): every value is replaced. */
  valuesReplaced?: boolean;
  /** delete-all / update-all: the WHERE clause exists but is always true (`1=1`). */
  whereAlwaysTrue?: boolean;
  /** drop-table of a table the same migration created (sql/scratch-tables.ts): only what it put there is lost. */
  scratch?: boolean;
  /** SQLite table-rebuild pattern: the dropped table's rows were copied into the new table first. */
  dataCopied?: boolean;
  /** The operation was found inside a DO block / function body / EXECUTE string. */
  embedded?: boolean;
  /**
   * An unqualified name read after `SET search_path` / `USE`: the schemas it may be in, in order;
   * `['*']` when the change could not be read (protection matches it in every schema).
   */
  searchPath?: string[];
  /**
   * Django: a table or column name taken from Django's defaults because the file alone does not say
   * (the model or field is declared in an earlier migration). check re-reads the file with the app's
   * history (check/django-history.ts); the flag is never set on a read that had it.
   */
  assumedName?: boolean;
}

export interface Operation {
  kind: OperationKind;
  /** Absent only for unparseable/opaque findings that concern a whole file or statement. */
  target?: ObjectRef;
  /** Repository-relative path with forward slashes. */
  file: string;
  /** 1-based line and column of the operation itself (for ALTER TABLE: the sub-command). */
  line: number;
  column: number;
  direction: Direction;
  flags: OperationFlags;
  /** The statement text (trimmed), for display with a caret. */
  statement: string;
  /** Line of the statement's first character; `line`/`column` point inside it. */
  statementLine: number;
  /** For unparseable/opaque: why the reader could not follow it. For others: an extra note. */
  detail?: string;
  dialect?: Dialect;
}

/** Dialects a config may name; MariaDB is read with MySQL's naming rules. */
export type ConfigDialect = Dialect | 'mariadb';

/** The dialect readers and rules work in (the one home of this mapping; unset means PostgreSQL). */
export function readerDialect(dialect: ConfigDialect | undefined): Dialect {
  if (dialect === 'mariadb') return 'mysql';
  return dialect ?? 'postgres';
}
