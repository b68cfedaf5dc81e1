/**
 * The names every migration blob defines (schema-names.ts), cached for lookups by name in
 * `.git/dbsafe/schema-names.txt`: a blob's definitions never change, so they are right for any commit and
 * for the index. Made for the hook: a lookup reads the file and parses only the lines of the name it looks
 * for, never the whole history (a JSON cache of 3,000 migrations cost ~20 ms to parse and collect on every
 * commit that drops an index), and a commit's new blob is appended to the file, never rewritten with it
 * (rewriting 400 KB with its fsync cost ~10 ms a commit).
 *
 * Format: a header line; then, per blob read, one JSON array per definition,
 * `[lowercased name, blob id, kind, name, table, schema or null, line]`, followed by the line `#<blob id>`.
 * A blob counts as read only once its `#` line is there, so an append cut short (a crash, a full disk)
 * leaves that blob unread: it is read again and appended again, and its definitions count once. A damaged
 * line defines nothing; a file of another version is rebuilt; one that cannot be written costs time, not
 * correctness.
 */
import { closeSync, constants, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { hexSlice, latin1Slice, utf8Slice } from '../util/byte-slices.js';
import { writeAtomic } from '../util/files.js';
import type { NameDefinition, NamedKind } from './schema-names.js';

/** Bumped when schema-names.ts changes what it finds, or the format changes: older caches are then rebuilt. */
const HEADER = 'dbsafe schema-names 3';
/** The JSON cache of version 1, removed when this one is written. */
const OLD_FILE = 'schema-names.json';

type Line = [string, string, NamedKind, string, string, string | null, number];

const HEADER_LINE = Buffer.from(`${HEADER}\n`);
const NEWLINE = 0x0a;

export class NamesCache {
  /** Lines added by this run, in the file's format (`data` and these are what lookups read). */
  private added = '';
  /** How much of `added` is in the file already. */
  private written = 0;
  /** The blobs read: the `#` lines of `data`, and those added by this run. */
  private oids: Set<string>;

  private constructor(
    private readonly file: string,
    /** The file as read (bytes: a hook reads 400 KB of it for a lookup or two), up to its last whole line. */
    private data: Buffer,
    /** The file must be written whole: absent, of another version, or cut short. */
    private rewrite: boolean,
  ) {
    this.oids = markers(data);
  }

  static read(file: string): NamesCache {
    let read: Buffer;
    try {
      read = readFileSync(file);
    } catch {
      read = Buffer.alloc(0);
    }
    if (read.length < HEADER_LINE.length || !read.subarray(0, HEADER_LINE.length).equals(HEADER_LINE)) return new NamesCache(file, HEADER_LINE, true);
    const data = read.subarray(0, read.lastIndexOf(NEWLINE) + 1);
    return new NamesCache(file, data, data.length !== read.length);
  }

  /** Blobs read, in the file or added by this run. */
  get size(): number {
    return this.oids.size;
  }

  has(oid: string): boolean {
    return this.oids.has(oid);
  }

  /** has() for the blob id whose `n` bytes start at `bytes[at]` (the index file's). */
  hasBytes(bytes: Buffer, at: number, n: number): boolean {
    return this.oids.has(hexSlice(bytes, at, at + n));
  }

  add(oid: string, defs: NameDefinition[]): void {
    if (this.has(oid)) return;
    this.oids.add(oid);
    for (const d of defs) {
      const line: Line = [d.name.toLowerCase(), oid, d.kind, d.name, d.table, d.schema ?? null, d.line];
      this.added += `${JSON.stringify(line)}\n`;
    }
    this.added += `#${oid}\n`;
  }

  /** The definitions of `name` (case-insensitive), with the blob that holds each; each once. */
  lookup(name: string): Array<{ oid: string; def: NameDefinition }> {
    const key = Buffer.from(`\n[${JSON.stringify(name.toLowerCase())},`);
    const seen = new Set<string>();
    const found: Array<{ oid: string; def: NameDefinition }> = [];
    // `added` starts a line too: the file's bytes before it end with one
    for (const data of [this.data, Buffer.from(`\n${this.added}`)]) {
      for (let at = data.indexOf(key); at >= 0; at = data.indexOf(key, at + 1)) {
        const end = data.indexOf(NEWLINE, at + 1);
        const raw = utf8Slice(data, at + 1, end < 0 ? data.length : end);
        if (seen.has(raw)) continue; // a blob appended twice (two hooks at once, or an append cut short)
        seen.add(raw);
        try {
          const [, oid, kind, defName, table, schema, line] = JSON.parse(raw) as Line;
          // the lines of a blob whose `#` line is missing were cut short: not trusted
          if (this.has(oid)) found.push({ oid, def: { kind, name: defName, table, ...(schema ? { schema } : {}), line } });
        } catch {
          /* a damaged line defines nothing: the lookup says the name is not known */
        }
      }
    }
    return found;
  }

  /**
   * Write what was added: appended in one write, fsynced. The file is written whole (atomically) only when
   * it must be, or when the blobs not in `keep` (the migrations of this listing, every one of them added or
   * already cached) are many: the usual commit appends one blob's lines without touching the rest.
   */
  write(keep: { readonly size: number; has(oid: string): boolean }): void {
    if (this.written === this.added.length) return;
    // every blob of `keep` is here, so the others number size - keep.size: counted only when that many
    let stale = 0;
    if (this.size - keep.size > 100) for (const oid of this.oids) if (!keep.has(oid)) stale++;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      // stale blobs are kept until many (another branch's migrations are wanted again after a checkout)
      const prune = stale > 100 && stale > keep.size / 4;
      if (this.rewrite || prune) this.writeWhole(prune ? keep : undefined);
      else this.append();
      rmSync(path.join(path.dirname(this.file), OLD_FILE), { force: true });
    } catch {
      /* a cache that cannot be written costs time, not correctness */
    }
    this.written = this.added.length;
    this.rewrite = false;
  }

  private append(): void {
    const fd = openSync(this.file, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
    try {
      writeSync(fd, this.added.slice(this.written));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** The file rewritten, with only the blobs of `wanted` when given (each definition and `#` line names its blob). */
  private writeWhole(wanted: { has(oid: string): boolean } | undefined): void {
    const kept: string[] = [];
    for (const line of `${this.data.toString('utf8')}${this.added}`.split('\n').slice(1)) {
      const oid = line.startsWith('#') ? line.slice(1) : /^\[(?:"(?:[^"\\]|\\.)*"),"([0-9a-f]+)"/.exec(line)?.[1];
      if (oid !== undefined && this.has(oid) && (!wanted || wanted.has(oid))) kept.push(`${line}\n`);
    }
    const text = `${HEADER}\n${kept.join('')}`;
    writeAtomic(this.file, text);
    this.data = Buffer.from(text);
    this.oids = markers(this.data);
    this.added = '';
  }
}

/**
 * The blobs whose `#` lines are in `data`. Searched in one latin1 string: String#indexOf is a builtin,
 * Buffer#indexOf a JavaScript wrapper per call (3,000 calls cost ~3 ms in a hook's cold process).
 */
function markers(data: Buffer): Set<string> {
  const text = latin1Slice(data, 0, data.length);
  const oids = new Set<string>();
  for (let at = text.indexOf('\n#'); at >= 0; at = text.indexOf('\n#', at + 2)) oids.add(text.slice(at + 2, text.indexOf('\n', at + 2)));
  return oids;
}
