import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { PROJECT_ROOT } from '../helpers/repo.js';

/**
 * `.dbsaferc.example` documents every configuration key: it must be a valid configuration, and a
 * key added to the schema without being documented there fails this test.
 */
const examplePath = path.join(PROJECT_ROOT, '.dbsaferc.example');
const text = readFileSync(examplePath, 'utf8');
const example = parse(text) as Record<string, unknown>;

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

/** Every key path of the schema: `gate.maxAge`, `migrations[].glob`, `databases.*.url`. */
function schemaPaths(schema: JsonSchema, prefix = ''): string[] {
  const out: string[] = [];
  for (const variant of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) out.push(...schemaPaths(variant, prefix));
  if (schema.items) out.push(...schemaPaths(schema.items, `${prefix}[]`));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    out.push(...schemaPaths(schema.additionalProperties, `${prefix}.*`));
  }
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const here = prefix ? `${prefix}.${key}` : key;
    out.push(here, ...schemaPaths(sub, here));
  }
  return [...new Set(out)];
}

/** Does the parsed example contain this key path somewhere (any array element / record value)? */
function hasPath(value: unknown, parts: string[]): boolean {
  if (!parts.length) return true;
  const [head, ...rest] = parts;
  if (head!.endsWith('[]')) {
    const inner = head!.slice(0, -2);
    const list = inner ? (value as Record<string, unknown>)?.[inner] : value;
    return Array.isArray(list) && list.some((item) => hasPath(item, rest));
  }
  if (head === '*') return value !== null && typeof value === 'object' && Object.values(value).some((v) => hasPath(v, rest));
  return value !== null && typeof value === 'object' && head! in (value as object) && hasPath((value as Record<string, unknown>)[head!], rest);
}

/** `migrations[].glob` → ['migrations[]', 'glob']; `databases.*.url` → ['databases', '*', 'url']. */
const splitPath = (p: string) => p.split('.');

describe('.dbsaferc.example', () => {
  it('is a valid configuration', () => {
    expect(() => parseConfig(example, examplePath)).not.toThrow();
  });

  it('documents every key of the schema', () => {
    const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const paths = schemaPaths(json);
    expect(paths).toEqual(expect.arrayContaining(['migrations[].glob', 'protected.tables', 'databases.*.url', 'gate.maxAge', 'overrides.minReasonLength']));
    const missing = paths.filter((p) => !hasPath(example, splitPath(p)));
    expect(missing).toEqual([]);
  });

  it('explains each top-level key in a comment right above it', () => {
    const lines = text.split('\n');
    for (const key of Object.keys(example)) {
      const at = lines.findIndex((line) => line.startsWith(`${key}:`));
      expect(lines[at - 1], `comment above ${key}`).toMatch(/^#/);
    }
  });
});
