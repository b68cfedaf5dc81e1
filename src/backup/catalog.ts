import { createHash } from 'node:crypto';

/**
 * Evidence beyond objects and row counts that a restore must reproduce (PostgreSQL today), read in
 * the dump's own snapshot and again in the scratch copy, compared by verify (docs/backup.md,
 * "Verification levels"). Everything is optional in a manifest: a backup taken by an older version
 * is compared on what it recorded, never failed for what it did not.
 */

export interface CatalogEvidence {
  /**
   * One line per object whose definition a restore recreates: kind, name and the md5 of its
   * definition as the server prints it (columns, constraints, index/view/function/trigger/policy
   * definitions, sequence parameters, comments, whether a materialized view is populated).
   */
  definitions: Array<{ kind: string; name: string; md5: string }>;
  /** sha256 over `definitions`: one value to show and log. */
  digest: string;
  /** Large objects: count, and total bytes when the role may read pg_largeobject. */
  largeObjects?: { count: number; bytes?: number };
  /**
   * Sequence last values. Sequences are not transactional: pg_dump reads each one while it runs, so
   * the backup records the value seen before the dump started (min) and after it ended (max);
   * null when the sequence was never used.
   */
  sequences?: Array<{ name: string; min: string | null; max: string | null }>;
}

export function catalogDigest(definitions: CatalogEvidence['definitions']): string {
  const hash = createHash('sha256');
  for (const line of definitions) hash.update(`${line.kind}\t${line.name}\t${line.md5}\n`);
  return hash.digest('hex');
}

/** The checks a catalog comparison covers, for the verify output and the log. */
export function catalogChecks(expected: CatalogEvidence): string[] {
  const checks = [`definitions (${expected.definitions.length}, digest ${expected.digest.slice(0, 12)})`];
  if (expected.sequences) checks.push(`sequence values (${expected.sequences.length})`);
  if (expected.largeObjects) {
    checks.push(`large objects (${expected.largeObjects.count}${expected.largeObjects.bytes !== undefined ? `, ${expected.largeObjects.bytes} bytes` : ''})`);
  }
  return checks;
}

function withinBounds(value: string | null, min: string | null, max: string | null): boolean {
  if (value === null) return min === null;
  const v = BigInt(value);
  if (min !== null && v < BigInt(min)) return false;
  if (max !== null && v > BigInt(max)) return false;
  return true;
}

/** Differences between what the backup recorded and what the restored copy shows, named object by object. */
export function compareCatalog(expected: CatalogEvidence, restored: CatalogEvidence | undefined): string[] {
  if (!restored) return ['the restored copy reported no catalog evidence to compare'];
  const differences: string[] = [];
  const key = (line: { kind: string; name: string }) => `${line.kind} ${line.name}`;
  const got = new Map(restored.definitions.map((line) => [key(line), line.md5]));
  const wanted = new Map(expected.definitions.map((line) => [key(line), line.md5]));
  for (const [name, md5] of wanted) {
    const actual = got.get(name);
    if (actual === undefined) differences.push(`${name}: missing after restore`);
    else if (actual !== md5) differences.push(`${name}: definition differs after restore`);
  }
  for (const name of got.keys()) if (!wanted.has(name)) differences.push(`${name}: not in the backup's source`);
  if (expected.largeObjects) {
    const lo = restored.largeObjects;
    if (!lo || lo.count !== expected.largeObjects.count) {
      differences.push(`large objects: expected ${expected.largeObjects.count}, restored ${lo?.count ?? 'none'}`);
    } else if (expected.largeObjects.bytes !== undefined && lo.bytes !== undefined && lo.bytes !== expected.largeObjects.bytes) {
      differences.push(`large objects: expected ${expected.largeObjects.bytes} bytes, restored ${lo.bytes}`);
    }
  }
  if (expected.sequences) {
    const values = new Map((restored.sequences ?? []).map((sequence) => [sequence.name, sequence.max]));
    for (const sequence of expected.sequences) {
      if (!values.has(sequence.name)) {
        differences.push(`sequence ${sequence.name}: missing after restore`);
        continue;
      }
      const value = values.get(sequence.name) ?? null;
      if (!withinBounds(value, sequence.min, sequence.max)) {
        const range = sequence.min === sequence.max ? String(sequence.min ?? 'unused') : `${sequence.min ?? 'unused'}..${sequence.max ?? 'unused'}`;
        differences.push(`sequence ${sequence.name}: last value ${value ?? 'unused'} after restore, expected ${range}`);
      }
    }
  }
  return differences;
}
