/**
 * Column types seen earlier in the same SQL text (CREATE TABLE, ADD COLUMN), so that a later
 * ALTER COLUMN … TYPE can say whether it narrows (decided in sql/type-narrowing.ts). A migration alone
 * does not say what the old type was; only when the same text defined the column is the answer
 * decidable, and only then is `narrowing` set.
 */

import type { ParsedType } from './type-narrowing.js';

/** A PostgreSQL type as libpg-query gives it: base name (pg_catalog stripped) and integer modifiers. */
export type ColumnType = ParsedType;

export class ColumnTypes {
  private readonly types = new Map<string, ColumnType>();

  private key(schema: string | undefined, table: string, column: string): string {
    return `${schema ?? ''}\u0000${table}\u0000${column}`;
  }

  set(schema: string | undefined, table: string, column: string, type: ColumnType): void {
    this.types.set(this.key(schema, table, column), type);
  }

  get(schema: string | undefined, table: string, column: string): ColumnType | undefined {
    return this.types.get(this.key(schema, table, column));
  }

  /** Everything known about a table's columns (after it or one of its columns was renamed or dropped). */
  forgetTable(schema: string | undefined, table: string): void {
    const prefix = this.key(schema, table, '');
    for (const key of [...this.types.keys()]) if (key.startsWith(prefix)) this.types.delete(key);
  }
}
