import { createHash } from 'node:crypto';
import { canonicalJson } from '../backup/canonical-json.js';
import type { ColumnState, DbState } from './database.js';

/**
 * The loss ledger (pure): what a migration destroyed, measured on a restored copy before and after
 * it ran. A table or column that reappears under another name with the same rows and the same
 * value hashes was renamed, not lost. Inserts into a table hide as many deletes (counts only).
 */

export type Loss =
  | { kind: 'table-dropped'; object: string; rows: number }
  | { kind: 'column-dropped'; object: string; values: number }
  | { kind: 'rows-deleted'; object: string; rows: number; before: number; after: number }
  | { kind: 'type-changed'; object: string; from: string; to: string; nulled: number; changed: boolean }
  | { kind: 'view-dropped' | 'sequence-dropped' | 'schema-dropped'; object: string };

export interface Rename {
  kind: 'table' | 'column';
  from: string;
  to: string;
}

export interface Ledger {
  /** Every entry; `destroysData` tells the ones that need acceptance. */
  entries: Array<Loss & { destroysData: boolean }>;
  renames: Rename[];
  /** sha256 of the canonical JSON of the entries (logged with what was accepted). */
  hash: string;
}

export function destroysData(loss: Loss): boolean {
  switch (loss.kind) {
    case 'table-dropped':
      return loss.rows > 0;
    case 'column-dropped':
      return loss.values > 0;
    case 'rows-deleted':
      return loss.rows > 0;
    case 'type-changed':
      return loss.nulled > 0 || loss.changed;
    default:
      return true;
  }
}

/** What identifies a column's values: their count and hash, and the function that made the hash. */
const valuesKey = (c: ColumnState) => `${c.nonNull}:${c.hashBy ?? 'text'}:${c.hash}`;

function sameColumns(a: DbState['tables'][string], b: DbState['tables'][string]): boolean {
  const keys = (t: DbState['tables'][string]) => Object.values(t.columns).map(valuesKey).sort().join(',');
  return a.rows === b.rows && keys(a) === keys(b);
}

export function buildLedger(before: DbState, after: DbState): Ledger {
  const losses: Loss[] = [];
  const renames: Rename[] = [];
  const added = Object.keys(after.tables).filter((t) => !(t in before.tables));
  for (const [name, table] of Object.entries(before.tables)) {
    const now = after.tables[name];
    if (!now) {
      const target = table.rows > 0 ? added.find((t) => sameColumns(table, after.tables[t]!)) : undefined;
      if (target) {
        renames.push({ kind: 'table', from: name, to: target });
        added.splice(added.indexOf(target), 1);
      } else losses.push({ kind: 'table-dropped', object: name, rows: table.rows });
      continue;
    }
    if (now.rows < table.rows) losses.push({ kind: 'rows-deleted', object: name, rows: table.rows - now.rows, before: table.rows, after: now.rows });
    const newColumns = Object.keys(now.columns).filter((c) => !(c in table.columns));
    for (const [column, was] of Object.entries(table.columns)) {
      const is = now.columns[column];
      if (!is) {
        const target = was.nonNull > 0 ? newColumns.find((c) => valuesKey(now.columns[c]!) === valuesKey(was)) : undefined;
        if (target) {
          renames.push({ kind: 'column', from: `${name}.${column}`, to: `${name}.${target}` });
          newColumns.splice(newColumns.indexOf(target), 1);
        } else losses.push({ kind: 'column-dropped', object: `${name}.${column}`, values: was.nonNull });
        continue;
      }
      if (is.type !== was.type) {
        // values nulled by the cast; with rows deleted too, only what the count cannot explain
        const nulled = Math.max(0, was.nonNull - is.nonNull - Math.max(0, table.rows - now.rows));
        // the values as they would read in the old type (PostgreSQL), else the new values' text against the old text
        const hashNow = is.hashAsBefore !== undefined ? is.hashAsBefore : is.hash;
        losses.push({ kind: 'type-changed', object: `${name}.${column}`, from: was.type, to: is.type, nulled, changed: now.rows === table.rows && hashNow !== was.hash && nulled === 0 });
      }
    }
  }
  const dropped = (kind: 'view-dropped' | 'sequence-dropped' | 'schema-dropped', a: string[], b: string[]) => {
    for (const name of a) if (!b.includes(name)) losses.push({ kind, object: name });
  };
  dropped('view-dropped', before.views, after.views);
  dropped('sequence-dropped', before.sequences, after.sequences);
  dropped('schema-dropped', before.schemas, after.schemas);
  const entries = losses
    .map((loss) => ({ ...loss, destroysData: destroysData(loss) }))
    .sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : a.kind < b.kind ? -1 : 1));
  return { entries, renames, hash: createHash('sha256').update(canonicalJson({ entries, renames })).digest('hex') };
}
