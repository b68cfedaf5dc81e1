/**
 * Where a migration creates named objects that live on a table: indexes, constraints, triggers. A
 * later `DROP INDEX payments_user_id_idx` (PostgreSQL, SQLite), `DROP TRIGGER x` (SQLite) or Alembic
 * `op.drop_index("x")` does not name its table; these definitions give it (check/resolve-names.ts).
 *
 * A text scan, not a parse: it reads SQL (any dialect, also inside ORM strings) and Alembic's
 * `op.create_*` calls, with comments blanked so a commented-out statement defines nothing.
 * It only ever adds a table to a finding; a definition it misses leaves the finding saying so.
 */

export type NamedKind = 'index' | 'constraint' | 'trigger';

export interface NameDefinition {
  kind: NamedKind;
  /** As written, without quotes; compared case-insensitively. */
  name: string;
  table: string;
  schema?: string;
  /** 1-based line of the definition. */
  line: number;
}

const IDENT = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)`;
const QUALIFIED = String.raw`(${IDENT}(?:\s*\.\s*${IDENT}){0,2})`;

const SQL_PATTERNS: Array<{ kind: NamedKind; re: RegExp; name: number; table: number }> = [
  {
    kind: 'index',
    re: new RegExp(String.raw`\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?${QUALIFIED}\s+ON\s+(?:ONLY\s+)?${QUALIFIED}`, 'gi'),
    name: 1,
    table: 2,
  },
  {
    kind: 'trigger',
    re: new RegExp(String.raw`\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?(?:TEMP(?:ORARY)?\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?${QUALIFIED}\s+(?:BEFORE|AFTER|INSTEAD\s+OF)\b[^;]*?\bON\s+${QUALIFIED}`, 'gi'),
    name: 1,
    table: 2,
  },
  {
    kind: 'constraint',
    re: new RegExp(String.raw`\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${QUALIFIED}\s+ADD\s+CONSTRAINT\s+${QUALIFIED}`, 'gi'),
    name: 2,
    table: 1,
  },
];

const ALEMBIC_PATTERNS: Array<{ kind: NamedKind; re: RegExp }> = [
  { kind: 'index', re: /\bop\.create_index\(\s*(?:op\.f\(\s*)?(['"])([^'"]+)\1\s*\)?\s*,\s*(?:table_name\s*=\s*)?(['"])([^'"]+)\3/g },
  { kind: 'constraint', re: /\bop\.create_(?:foreign_key|unique_constraint|check_constraint|primary_key)\(\s*(?:op\.f\(\s*)?(['"])([^'"]+)\1\s*\)?\s*,\s*(?:\w+\s*=\s*)?(['"])([^'"]+)\3/g },
];

function unquote(part: string): string {
  const t = part.trim();
  if (/^(".*"|`.*`|\[.*\])$/s.test(t)) return t.slice(1, -1);
  return t;
}

function splitQualified(text: string): { schema?: string; name: string } {
  const parts = text.split(/\s*\.\s*(?=(?:"|`|\[|[A-Za-z_]))/).map(unquote);
  const name = parts[parts.length - 1]!;
  return parts.length >= 2 ? { schema: parts[parts.length - 2], name } : { name };
}

/** Comments replaced by spaces (line breaks kept), strings left alone: SQL `--` / `/* *\/`, and `#` or `//` by language. */
export function blankComments(text: string, path: string): string {
  const hash = /\.(py|rb)$/i.test(path);
  const slashes = /\.[cm]?[jt]sx?$/i.test(path);
  const sql = !hash && !slashes;
  let out = '';
  let at = 0;
  const blank = (from: number, to: number) => {
    out += text.slice(at, from) + text.slice(from, to).replace(/[^\n]/g, ' ');
    at = to;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"' || (c === '`' && !sql)) {
      // a string (Python triple quotes included): skip to its end
      const triple = !sql && text.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      let j = i + close.length;
      while (j < text.length && !text.startsWith(close, j)) j += !sql && text[j] === '\\' ? 2 : 1;
      i = j + close.length - 1;
      continue;
    }
    const lineComment = (sql && c === '-' && text[i + 1] === '-') || (hash && c === '#') || (slashes && c === '/' && text[i + 1] === '/');
    if (lineComment) {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if ((sql || slashes) && c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop - 1;
    }
  }
  return out + text.slice(at);
}

/** Every index, constraint and trigger a migration file creates, with its table. */
export function namesDefinedIn(text: string, path: string): NameDefinition[] {
  if (!/create|constraint/i.test(text)) return [];
  const code = blankComments(text, path);
  const lineAt = lineCounter(code);
  const out: NameDefinition[] = [];
  for (const { kind, re, name, table } of SQL_PATTERNS) {
    for (const m of code.matchAll(re)) {
      const n = splitQualified(m[name]!);
      const t = splitQualified(m[table]!);
      out.push({ kind, name: n.name, table: t.name, ...(t.schema ? { schema: t.schema } : {}), line: lineAt(m.index!) });
    }
  }
  if (/\.py$/i.test(path)) {
    for (const { kind, re } of ALEMBIC_PATTERNS) {
      for (const m of code.matchAll(re)) out.push({ kind, name: m[2]!, table: m[4]!, line: lineAt(m.index!) });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

function lineCounter(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
