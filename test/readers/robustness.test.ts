import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMigration } from '../../src/readers/index.js';
import { FIXTURES } from './helpers.js';

/** Every fixture, mangled in many ways: each reader must finish and return well-formed operations. */
function fixtures(dir = FIXTURES): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? fixtures(full) : [full];
  });
}

/** Deterministic pseudo-random numbers (no flaky seeds). */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

const INSERTS = ['"', "'", '`', '(', ')', '[', ']', '{', '}', '"""', '<<~SQL\n', '${', '#{', '<!--', '<![CDATA[', '\\', '/*', '\n', 'end\n', 'do\n', ':'];

describe('readers on mangled input', () => {
  for (const file of fixtures()) {
    const rel = path.relative(FIXTURES, file).split(path.sep).join('/');
    it(`never hang or crash: ${rel}`, async () => {
      const text = readFileSync(file, 'utf8');
      const random = rng(rel.length * 7919);
      for (let n = 0; n < 25; n++) {
        const at = Math.floor(random() * text.length);
        const variants = [text.slice(0, at), text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 20)), text.slice(0, at) + INSERTS[Math.floor(random() * INSERTS.length)] + text.slice(at)];
        for (const variant of variants) {
          const ops = await readMigration({ path: rel, text: variant, dialect: 'postgres' });
          for (const op of ops) {
            expect(op.line).toBeGreaterThanOrEqual(1);
            expect(op.column).toBeGreaterThanOrEqual(1);
            expect(op.detail ?? '').not.toMatch(/reader failed/);
          }
        }
      }
    });
  }
});
