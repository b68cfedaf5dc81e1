import type { Manifest } from '../manifest.js';

/**
 * What a restore must reproduce: the manifest's objects and counts, or for --schema-only every table
 * empty (a materialized view is left out: it is computed from the empty tables, `count(*)` gives a row).
 * The catalog digest is verify's to compare (the backup was verified before any restore); a restore into a
 * new database checks objects and exact counts.
 */
export function expectedFor(manifest: Manifest, schemaOnly: boolean): Manifest['expected'] {
  if (!schemaOnly) return { ...manifest.expected, catalog: undefined };
  const computed = new Set(manifest.expected.objects.filter((o) => o.kind === 'materialized view').map((o) => o.name));
  return {
    ...manifest.expected,
    catalog: undefined,
    approximateCounts: false,
    tables: manifest.expected.tables.filter((t) => !computed.has(t.name)).map((t) => ({ name: t.name, rows: 0 })),
  };
}
