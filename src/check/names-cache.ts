/**
 * The names every migration blob defines (schema-names.ts), cached for lookups by name in
 * `.git/dbsafe/schema-names.txt`: a blob's definitions never change, so they are right for any commit and
 * for the index. Made for the hook: a lookup reads the file and parses only the lines of the name it looks
 * for, never the whole history (a JSON cache of 3,000 migrations cost ~20 ms to parse and collect on every
 * commit that drops an index), and a new blob is appended, not merged.
 *
 * Format: a header line; a line with every blob id read (space-separated); then one JSON array per
 * definition, `[lowercased name, blob id, kind, name, table, schema or null, line]`. A damaged file or one
 * of another version is rebuilt; one that cannot be written costs time, not correctness.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readText, writeAtomic } from '../util/files.js';
import type { NameDefinition, NamedKind } from './schema-names.js';

/** Bumped when schema-names.ts changes what it finds: older caches are then ignored. */
const HEADER = 'dbsafe schema-names 2';
/** The JSON cache of version 1, removed when this one is written. */
const OLD_FILE = 'schema-names.json';

type Line = [string, string, NamedKind, string, string, string | null, number];

export class NamesCache {
  private added: string[] = [];

  private constructor(
    private readonly file: string,
    private lines: string,
    private readonly oids: Set<string>,
  ) {}

  static read(file: string): NamesCache {
    const text = readText(file) ?? '';
    const first = text.indexOf('\n');
    const second = first < 0 ? -1 : text.indexOf('\n', first + 1);
    if (second < 0 || text.slice(0, first) !== HEADER) return new NamesCache(file, '', new Set());
    const ids = text.slice(first + 1, second);
    return new NamesCache(file, text.slice(second + 1), new Set(ids ? ids.split(' ') : []));
  }

  has(oid: string): boolean {
    return this.oids.has(oid);
  }

  add(oid: string, defs: NameDefinition[]): void {
    this.oids.add(oid);
    this.added.push(oid);
    for (const d of defs) {
      const line: Line = [d.name.toLowerCase(), oid, d.kind, d.name, d.table, d.schema ?? null, d.line];
      this.lines += `${JSON.stringify(line)}\n`;
    }
  }

  /** The definitions of `name` (case-insensitive), with the blob that holds each. */
  lookup(name: string): Array<{ oid: string; def: NameDefinition }> {
    const key = `[${JSON.stringify(name.toLowerCase())},`;
    const found: Array<{ oid: string; def: NameDefinition }> = [];
    for (let at = this.lines.startsWith(key) ? 0 : this.lines.indexOf(`\n${key}`); at >= 0; at = this.lines.indexOf(`\n${key}`, at + 1)) {
      const start = this.lines[at] === '\n' ? at + 1 : at;
      const end = this.lines.indexOf('\n', start);
      try {
        const [, oid, kind, defName, table, schema, line] = JSON.parse(this.lines.slice(start, end < 0 ? undefined : end)) as Line;
        found.push({ oid, def: { kind, name: defName, table, ...(schema ? { schema } : {}), line } });
      } catch {
        /* a damaged line defines nothing: the lookup says the name is not known */
      }
      if (end < 0) break;
    }
    return found;
  }

  /**
   * Write what was added. Blobs no longer in `keep` (the migrations of this listing) are dropped only when
   * they are many, so the usual write (one new blob) appends without reading every line.
   */
  write(keep: string[]): void {
    if (!this.added.length) return;
    const wanted = new Set(keep);
    const stale = [...this.oids].filter((oid) => !wanted.has(oid)).length;
    if (stale > 100 && stale > wanted.size / 4) {
      this.lines = this.lines
        .split('\n')
        .filter((line) => {
          const oid = /^\[(?:"(?:[^"\\]|\\.)*"),"([0-9a-f]+)"/.exec(line)?.[1];
          return oid !== undefined && wanted.has(oid);
        })
        .map((line) => `${line}\n`)
        .join('');
      for (const oid of [...this.oids]) if (!wanted.has(oid)) this.oids.delete(oid);
    }
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      writeAtomic(this.file, `${HEADER}\n${[...this.oids].join(' ')}\n${this.lines}`);
      rmSync(path.join(path.dirname(this.file), OLD_FILE), { force: true });
    } catch {
      /* a cache that cannot be written costs time, not correctness */
    }
    this.added = [];
  }
}
