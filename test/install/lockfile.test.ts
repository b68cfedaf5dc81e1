import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/repo.js';

/**
 * `npm install` in a fresh clone must leave package-lock.json as committed. npm rewrites it when an
 * optional dependency of a locked package (rollup's and esbuild's per-platform binaries) has no entry:
 * a lockfile regenerated over an existing node_modules can keep only this machine's platform.
 */

interface LockPackage {
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/** Where npm would find `name` for the package at `from`: its own node_modules, then each parent's. */
function resolves(packages: Record<string, LockPackage>, from: string, name: string): boolean {
  let dir = from;
  for (;;) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

function unlockedDependencies(lock: { packages: Record<string, LockPackage> }, field: 'optionalDependencies' | 'dependencies'): string[] {
  const missing: string[] = [];
  for (const [key, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys(entry[field] ?? {})) {
      if (!resolves(lock.packages, key, name)) missing.push(`${key || '(root)'} → ${name}`);
    }
  }
  return missing;
}

describe('package-lock.json', () => {
  const lock = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package-lock.json'), 'utf8'));

  it('locks every optional dependency of every platform, so a fresh install does not add them', () => {
    expect(unlockedDependencies(lock, 'optionalDependencies')).toEqual([]);
  });

  it('locks every dependency', () => {
    expect(unlockedDependencies(lock, 'dependencies')).toEqual([]);
  });

  it('the check sees a missing platform package (rollup without its darwin binary)', () => {
    const broken = structuredClone(lock);
    const key = Object.keys(broken.packages).find((k) => k.endsWith('node_modules/@rollup/rollup-darwin-arm64'))!;
    expect(key).toBeDefined();
    delete broken.packages[key];
    expect(unlockedDependencies(broken, 'optionalDependencies')).toEqual([expect.stringContaining('@rollup/rollup-darwin-arm64')]);
  });
});
