import picomatch from 'picomatch';
import type { Dialect, ObjectRef } from './operation.js';

/**
 * Names written by users (config `protected`, marker objects) are dotted paths such as
 * `auth.*`, `public."Users"`, `orders.legacy_total`. Each part is a segment; quoted segments
 * keep their text exactly, unquoted ones may be globs (in config) and follow the dialect's case rules.
 */
export interface Segment {
  text: string;
  quoted: boolean;
}

/** Split `a."b.c".d` into segments; returns undefined when a quote is not closed or a part is empty. */
export function splitName(input: string): Segment[] | undefined {
  const segments: Segment[] = [];
  let i = 0;
  const text = input.trim();
  if (text === '') return undefined;
  while (i <= text.length) {
    const quote = text[i];
    if (quote === '"' || quote === '`') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === quote) {
          if (text[i + 1] === quote) {
            value += quote;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      if (value === '') return undefined;
      segments.push({ text: value, quoted: true });
    } else {
      let end = text.indexOf('.', i);
      if (end === -1) end = text.length;
      const value = text.slice(i, end).trim();
      if (value === '' || /["`]/.test(value)) return undefined;
      segments.push({ text: value, quoted: false });
      i = end;
    }
    if (i >= text.length) break;
    if (text[i] !== '.') return undefined;
    i++;
    if (i >= text.length) return undefined;
  }
  return segments;
}

export function isCaseInsensitive(dialect: Dialect): boolean {
  return dialect !== 'postgres';
}

const GLOB_CHARS = /[*?[\]{}!]/;

/**
 * Does one written segment match an identifier as the reader normalized it?
 * PostgreSQL: a quoted segment must match exactly (`"Users"` is not `users`); an unquoted one
 * matches the identifier exactly or as PostgreSQL would fold it (`Users` matches both `Users` and `users`).
 * MySQL / SQLite: case-insensitive. Globs only when `glob` is set (config), never in markers.
 */
export function segmentMatches(segment: Segment, value: string, dialect: Dialect, glob: boolean): boolean {
  const nocase = isCaseInsensitive(dialect);
  if (segment.quoted || !glob || !GLOB_CHARS.test(segment.text)) {
    if (nocase) return segment.text.toLowerCase() === value.toLowerCase();
    if (segment.text === value) return true;
    return !segment.quoted && segment.text.toLowerCase() === value;
  }
  return globMatcher(segment, nocase)(value);
}

// Compiling a glob costs far more than matching it: compile once per config segment and case rule.
const matchers = { nocase: new WeakMap<Segment, (value: string) => boolean>(), exact: new WeakMap<Segment, (value: string) => boolean>() };
function globMatcher(segment: Segment, nocase: boolean): (value: string) => boolean {
  const cache = nocase ? matchers.nocase : matchers.exact;
  let matcher = cache.get(segment);
  if (!matcher) {
    const asWritten = picomatch(segment.text, { nocase, dot: true });
    // PostgreSQL: an unquoted pattern also matches the name as PostgreSQL folds it.
    const folded = nocase ? undefined : picomatch(segment.text.toLowerCase(), { dot: true });
    matcher = folded ? (value) => asWritten(value) || folded(value) : asWritten;
    cache.set(segment, matcher);
  }
  return matcher;
}

/** The schema an unqualified object lives in when the dialect has a well-known default. */
export function defaultSchema(dialect: Dialect): string | undefined {
  return dialect === 'postgres' ? 'public' : undefined;
}

/**
 * Schema part of a match. A qualified pattern against an unqualified object: PostgreSQL compares
 * with `public` (the default schema); MySQL/SQLite cannot know the current database, so they match
 * (fail closed). An unqualified pattern matches any schema, unless `anySchema` is false: then only
 * unqualified objects (and, in PostgreSQL, objects in `public`).
 */
export function schemaMatches(
  pattern: Segment | undefined,
  objectSchema: string | undefined,
  dialect: Dialect,
  anySchema: boolean,
  glob: boolean,
): boolean {
  if (pattern) {
    if (objectSchema !== undefined) return segmentMatches(pattern, objectSchema, dialect, glob);
    const fallback = defaultSchema(dialect);
    return fallback === undefined ? true : segmentMatches(pattern, fallback, dialect, glob);
  }
  if (anySchema || objectSchema === undefined) return true;
  const fallback = defaultSchema(dialect);
  return fallback !== undefined && objectSchema === fallback;
}

/** Quote an identifier for display when it would not read back as the same name. */
export function quoteIdentifier(name: string, dialect: Dialect): string {
  const plain = dialect === 'postgres' ? /^[a-z_][a-z0-9_$]*$/ : /^[A-Za-z_][A-Za-z0-9_$]*$/;
  if (plain.test(name)) return name;
  const q = dialect === 'mysql' ? '`' : '"';
  return q + name.split(q).join(q + q) + q;
}

/**
 * The canonical display of an object: schema-qualified when the schema was written, table-qualified
 * for columns, constraints and triggers (and indexes whose table is known in MySQL/SQLite, where index
 * names are per table). It reads back through the marker parser as the same object.
 */
export function displayName(target: ObjectRef, dialect: Dialect): string {
  const cached = displayed.get(target);
  if (cached && cached.dialect === dialect) return cached.name;
  const name = buildDisplayName(target, dialect);
  displayed.set(target, { dialect, name });
  return name;
}

// Rules, protection and the override list all name the same object: build the name once.
const displayed = new WeakMap<ObjectRef, { dialect: Dialect; name: string }>();

function buildDisplayName(target: ObjectRef, dialect: Dialect): string {
  const parts: string[] = [];
  if (target.schema !== undefined) parts.push(target.schema);
  const tableScoped =
    target.type === 'column' ||
    target.type === 'constraint' ||
    target.type === 'trigger' ||
    (target.type === 'index' && dialect !== 'postgres');
  if (tableScoped && target.table !== undefined) parts.push(target.table);
  parts.push(target.name);
  return parts.map((p) => quoteIdentifier(p, dialect)).join('.');
}
