/**
 * What a migration blob tells (the names it defines, the model events it holds), cached by blob id in
 * one JSON file: a blob never changes, so its facts are right for any commit and for the index. A cache
 * of another version or a damaged one is rebuilt; one that cannot be written costs time, not correctness.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { readText, writeAtomic } from '../util/files.js';

interface CacheFile<T> {
  version: number;
  blobs: Record<string, T>;
}

/** The cached facts by blob id (empty when there is no usable cache). */
export function readBlobCache<T>(file: string, version: number): Record<string, T> {
  const text = readText(file);
  if (text) {
    try {
      const parsed = JSON.parse(text) as CacheFile<T>;
      if (parsed.version === version && parsed.blobs && typeof parsed.blobs === 'object') return parsed.blobs;
    } catch {
      /* a damaged cache is rebuilt */
    }
  }
  return {};
}

/** Writes the facts of `keep` only: the cache never outgrows the migrations it serves. */
export function writeBlobCache<T>(file: string, version: number, blobs: Record<string, T>, keep: string[]): void {
  const kept: Record<string, T> = {};
  for (const oid of keep) if (oid in blobs) kept[oid] = blobs[oid]!;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeAtomic(file, JSON.stringify({ version, blobs: kept }));
  } catch {
    /* a cache that cannot be written costs time, not correctness */
  }
}
