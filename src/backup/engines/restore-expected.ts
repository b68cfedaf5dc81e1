import type { Manifest } from '../manifest.js';

/** What a restore must reproduce: the manifest's objects and counts, or every table empty for --schema-only. */
export function expectedFor(manifest: Manifest, schemaOnly: boolean): Manifest['expected'] {
  if (!schemaOnly) return manifest.expected;
  return { ...manifest.expected, approximateCounts: false, tables: manifest.expected.tables.map((t) => ({ name: t.name, rows: 0 })) };
}
