/** SQLite reader: the MySQL-family pipeline (splitter + recognizer + node-sql-parser) with SQLite rules. */
import { readMysqlLike } from './mysql.js';
import type { OpSink } from './sink.js';

export function readSqlite(sink: OpSink): Promise<void> {
  return readMysqlLike(sink, 'sqlite', 'sqlite');
}
