/**
 * Column types seen earlier in the same SQL text (CREATE TABLE, ADD COLUMN), so that a later
 * ALTER COLUMN … TYPE can say whether it narrows. A migration alone does not say what the old type
 * was; only when the same text defined the column is the answer decidable, and only then is
 * `narrowing` set.
 */

/** A PostgreSQL type as libpg-query gives it: base name (pg_catalog stripped) and integer modifiers. */
export interface ColumnType {
  name: string;
  mods: number[];
  array: boolean;
}

const INTEGER_RANK: Record<string, number> = { int2: 1, int4: 2, int8: 3, numeric: 4 };
const FLOAT_RANK: Record<string, number> = { float4: 1, float8: 2 };
const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'citext']);

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

/** Length limit of a text type (undefined: unbounded). */
function textLimit(t: ColumnType): number | undefined {
  if (t.name === 'text' || t.name === 'citext') return undefined;
  // varchar without (n) is unbounded; char without (n) is char(1)
  return t.mods[0] ?? (t.name === 'bpchar' ? 1 : undefined);
}

/**
 * true: the new type can hold less than the old one (values may be cut or fail to convert);
 * false: it holds at least as much; undefined: cannot tell.
 */
export function isNarrowing(from: ColumnType, to: ColumnType): boolean | undefined {
  if (from.array !== to.array) return true;
  if (from.name === to.name && from.mods.join() === to.mods.join()) return false;
  if (TEXT_TYPES.has(from.name) && TEXT_TYPES.has(to.name)) {
    const a = textLimit(from);
    const b = textLimit(to);
    if (b === undefined) return false;
    return a === undefined || b < a;
  }
  if (from.name in INTEGER_RANK && to.name in INTEGER_RANK) {
    if (to.name === 'numeric') {
      // numeric(p, s) holds int2/int4/int8 when p - s is large enough
      if (from.name !== 'numeric') return to.mods.length > 0 && (to.mods[0] - (to.mods[1] ?? 0)) < [0, 5, 10, 19][INTEGER_RANK[from.name]];
      if (to.mods.length === 0) return false;
      if (from.mods.length === 0) return true;
      const [p1, s1 = 0] = from.mods;
      const [p2, s2 = 0] = to.mods;
      return p2 - s2 < p1 - s1 || s2 < s1;
    }
    if (from.name === 'numeric') return true;
    return INTEGER_RANK[to.name] < INTEGER_RANK[from.name];
  }
  if (from.name in FLOAT_RANK && to.name in FLOAT_RANK) return FLOAT_RANK[to.name] < FLOAT_RANK[from.name];
  if (TEXT_TYPES.has(to.name) && textLimit(to) === undefined) return false; // anything fits in text
  if ((from.name === 'timestamptz' || from.name === 'timestamp') && to.name === 'date') return true;
  if (TEXT_TYPES.has(from.name) && !TEXT_TYPES.has(to.name)) return true; // parsing text may fail
  return undefined;
}
