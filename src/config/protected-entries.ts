import { splitName } from '../model/names.js';

/** The forms `protected` and `external` entries may take, checked when the config is read. */

/** Config `protected` and `external` as written (a plain list means tables). */
export interface ProtectedEntries {
  protected?: string[] | { tables?: string[]; columns?: string[]; indexes?: string[]; schemas?: string[] };
  external?: string[];
}

/** Number of dotted parts each kind of entry may have. */
const SHAPES = {
  tables: { min: 1, max: 2, hint: '"table", "schema.table" or a glob such as "auth.*"' },
  columns: { min: 1, max: 3, hint: '"table.column" or "schema.table.column"' },
  indexes: { min: 1, max: 2, hint: '"index" or "schema.index"' },
  schemas: { min: 1, max: 1, hint: '"schema"' },
} as const;

export type Shape = keyof typeof SHAPES;

/** Problems with protected/external entries, as `[key, message]` (the config schema reports them; policy/protected.ts refuses them). */
export function protectedEntryProblems(config: ProtectedEntries): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  for (const { key, shape, entries } of protectedLists(config)) {
    entries.forEach((entry, index) => {
      const parts = splitName(entry);
      const { min, max, hint } = SHAPES[shape];
      if (!parts || parts.length < min || parts.length > max) {
        problems.push([`${key}.${index}`, `"${entry}" is not a valid name here: expected ${hint}`]);
      }
    });
  }
  return problems;
}

export function protectedLists(config: ProtectedEntries) {
  const p = config.protected ?? [];
  const lists: Array<{ key: string; shape: Shape; entries: string[]; external: boolean }> = [];
  if (Array.isArray(p)) {
    lists.push({ key: 'protected', shape: 'tables', entries: p, external: false });
  } else {
    lists.push({ key: 'protected.tables', shape: 'tables', entries: p.tables ?? [], external: false });
    lists.push({ key: 'protected.columns', shape: 'columns', entries: p.columns ?? [], external: false });
    lists.push({ key: 'protected.indexes', shape: 'indexes', entries: p.indexes ?? [], external: false });
    lists.push({ key: 'protected.schemas', shape: 'schemas', entries: p.schemas ?? [], external: false });
  }
  lists.push({ key: 'external', shape: 'tables', entries: config.external ?? [], external: true });
  return lists;
}

