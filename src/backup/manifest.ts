import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from './canonical-json.js';
import { writeFileAtomic } from './files.js';
import type { Engine } from './instances.js';
import type { CatalogEvidence } from './catalog.js';

/**
 * `manifest.json`: what a backup contains and what a restore must reproduce. Written LAST
 * (temp + fsync + rename + dir fsync); a directory without it is not a backup. It carries a
 * self-checksum so an edited manifest (an expected count changed by hand) is told apart from a
 * damaged artifact.
 */

export const MANIFEST_FILE = 'manifest.json';

export interface ExpectedObject {
  kind: string;
  name: string;
}

export interface ExpectedTable {
  name: string;
  rows: number;
  /** MySQL: the count could not share the dump's snapshot (it changed while the dump ran, or the table is not transactional). */
  approximate?: boolean;
  /** Why the count is approximate, in words. */
  approximateWhy?: string;
  /** Bounds for an approximate count (counts seen before and after the dump). */
  min?: number;
  max?: number;
  /** Order-independent row hash: sum of hashtextextended(row::text, 0) under pinned session settings (PostgreSQL, `rowHashes`). */
  hash?: string;
}

export interface Manifest {
  formatVersion: 1;
  id: string;
  instance: string;
  engine: Engine;
  status: 'complete';
  tool: { name: 'dbsafe-hooks'; version: string };
  client: { binary: string; version: string };
  server: { version: string; flavor?: string };
  database: { url: string; fingerprint: string; name?: string };
  snapshot: { id?: string; takenAt: string; startedAt: string; finishedAt: string; method: string };
  options: { format: string; compression: string; rowHash?: string };
  annotations: {
    git: { commit: string | null; branch: string | null; dirty: boolean | null };
    creator: string;
    host: string;
    reason: string;
    pinned: boolean;
  };
  artifact: { file: string; bytes: number; sha256: string };
  expected: { objects: ExpectedObject[]; tables: ExpectedTable[]; approximateCounts: boolean; catalog?: CatalogEvidence };
  warnings: string[];
  /** sha256 of the canonical JSON of the manifest without this field. */
  checksum: string;
}

export type ManifestProblem = 'missing-manifest' | 'manifest-unreadable' | 'manifest-tampered';

export function manifestChecksum(manifest: Omit<Manifest, 'checksum'> | Manifest): string {
  const { checksum: _c, ...rest } = manifest as Manifest;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

export function writeManifest(dir: string, manifest: Omit<Manifest, 'checksum'>): Manifest {
  const full = { ...manifest, checksum: manifestChecksum(manifest) } as Manifest;
  writeFileAtomic(path.join(dir, MANIFEST_FILE), `${JSON.stringify(full, null, 2)}\n`, dir);
  return full;
}

export type ReadManifestResult = { ok: true; manifest: Manifest; raw: string } | { ok: false; problem: ManifestProblem; message: string };

export function readManifest(dir: string): ReadManifestResult {
  const file = path.join(dir, MANIFEST_FILE);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return { ok: false, problem: 'missing-manifest', message: `${file} is missing: this directory is not a complete backup` };
  }
  let parsed: Manifest;
  try {
    parsed = JSON.parse(raw) as Manifest;
  } catch (error) {
    return { ok: false, problem: 'manifest-unreadable', message: `${file} is not valid JSON: ${(error as Error).message}` };
  }
  if (!parsed || parsed.formatVersion !== 1 || !parsed.artifact || !parsed.expected || typeof parsed.checksum !== 'string') {
    return { ok: false, problem: 'manifest-unreadable', message: `${file} is not a dbsafe-hooks manifest (formatVersion 1)` };
  }
  if (manifestChecksum(parsed) !== parsed.checksum) {
    return { ok: false, problem: 'manifest-tampered', message: `${file} was edited after the backup was taken (its checksum does not match its content)` };
  }
  return { ok: true, manifest: parsed, raw };
}
