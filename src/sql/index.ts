import type { Dialect, Direction, Operation } from '../model/operation.js';

/** How to read a piece of SQL: where it sits in its file, and in which direction it runs. */
export interface SqlReadOptions {
  /** Repository-relative path of the file the SQL comes from. */
  path: string;
  dialect: Dialect;
  /** Default 'up'. */
  direction?: Direction;
  /** 1-based line in the file where `text` starts (SQL embedded in Python/Ruby/JS/XML). Default 1. */
  startLine?: number;
  /** 1-based column where `text` starts on its first line. Default 1. */
  startColumn?: number;
}

/**
 * Read SQL text into operations: every destructive statement found with its object, line and
 * column; statements that cannot be understood become `unparseable`, dynamic SQL `opaque`.
 * Implemented by the SQL readers (splitter + libpg-query / node-sql-parser + recognizer).
 */
export async function readSql(_text: string, _options: SqlReadOptions): Promise<Operation[]> {
  throw new Error('readSql is not implemented yet');
}
