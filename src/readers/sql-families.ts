/**
 * Formats whose files are SQL: they differ only in which parts run forward (up), which only on
 * rollback (down), and in a few tool-specific conventions. All of them delegate to readSql.
 */
import type { Dialect, Direction, Operation } from '../model/operation.js';
import { makeContext, readSqlRegion, sortOperations, type ReadContext } from './common.js';
import { isNarrowing } from '../sql/type-narrowing.js';
import type { FormatInput } from './types.js';

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Plain SQL: the whole file runs forward. */
export async function readPlainSql(input: FormatInput, direction: Direction = 'up'): Promise<Operation[]> {
  const ctx = makeContext(input.path, input.text, input.dialect);
  return readSqlRegion(ctx, 0, input.text.length, direction, undefined, input.resolveFile);
}

/** Supabase: `supabase/migrations/*.sql`, always PostgreSQL. */
export async function readSupabase(input: FormatInput): Promise<Operation[]> {
  return readPlainSql({ ...input, dialect: 'postgres' });
}

/** golang-migrate: `*.up.sql` runs forward, `*.down.sql` only on rollback. */
export async function readGolangMigrate(input: FormatInput): Promise<Operation[]> {
  return readPlainSql(input, /\.down\.sql$/i.test(input.path) ? 'down' : 'up');
}

/** Flyway: `V<ver>__x.sql` versioned and `R__x.sql` repeatable run forward; `U<ver>__x.sql` is undo. */
export async function readFlyway(input: FormatInput): Promise<Operation[]> {
  return readPlainSql(input, /^U[^_]*__/.test(baseName(input.path)) ? 'down' : 'up');
}

/**
 * The SQL dialect an ORM generated, when its quoting gives it away (backticks are MySQL only;
 * Prisma's and Drizzle's SQLite output uses PRAGMA / RedefineTables); otherwise the config's.
 */
export function sniffGeneratedDialect(text: string, fallback: Dialect): Dialect {
  if (/^\s*PRAGMA\s+foreign_keys\s*=/im.test(text) || /--\s*RedefineTables/i.test(text)) return 'sqlite';
  const backticks = (text.match(/`[A-Za-z0-9_$]+`/g) ?? []).length;
  const doubleQuoted = (text.match(/"[A-Za-z0-9_$]+"/g) ?? []).length;
  // Backticks: MySQL, or SQLite (drizzle-kit quotes SQLite with backticks too): keep a configured sqlite.
  if (backticks > 0 && doubleQuoted === 0) return fallback === 'sqlite' ? 'sqlite' : 'mysql';
  if (doubleQuoted > 0 && backticks === 0 && fallback === 'mysql') return /AUTOINCREMENT/i.test(text) ? 'sqlite' : 'postgres';
  return fallback;
}

/**
 * Sections of one file that run in different directions, split at marker lines
 * (dbmate `-- migrate:up` / `-- migrate:down`, goose `-- +goose Up` / `-- +goose Down`, sql-migrate
 * `-- +migrate Up` / `-- +migrate Down`).
 * Text before the first marker is ignored by both tools; we still read it as up (fail closed).
 */
async function readSections(ctx: ReadContext, markers: Array<{ re: RegExp; direction: Direction }>): Promise<Operation[]> {
  const ops: Operation[] = [];
  let direction: Direction = 'up';
  let sectionStart = 0;
  let offset = 0;
  const text = ctx.text;
  while (offset <= text.length) {
    const nl = text.indexOf('\n', offset);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(offset, end);
    const marker = markers.find((m) => m.re.test(line));
    if (marker) {
      ops.push(...(await readSqlRegion(ctx, sectionStart, offset, direction)));
      direction = marker.direction;
      sectionStart = nl === -1 ? text.length : nl + 1;
    }
    if (nl === -1) break;
    offset = nl + 1;
  }
  ops.push(...(await readSqlRegion(ctx, sectionStart, text.length, direction)));
  return sortOperations(ops);
}

/**
 * dbmate's own markers (amacneil/dbmate pkg/dbmate/migration.go, per line): at the very start of the line, the
 * down marker followed by nothing or one word of options. An indented or longer line is a comment of the up block.
 */
export const DBMATE_UP = /^--\s*migrate:up(?:\s*$|\s+\S+)/;
export const DBMATE_DOWN = /^--\s*migrate:down(?:\s*$|\s+\S+$)/;
export const GOOSE_UP = /^\s*--\s*\+goose\s+Up\b/i;
export const GOOSE_DOWN = /^\s*--\s*\+goose\s+Down\b/i;
/** rubenv/sql-migrate: `-- +migrate Up` / `-- +migrate Down`. */
export const SQL_MIGRATE_UP = /^\s*--\s*\+migrate\s+Up\b/i;
export const SQL_MIGRATE_DOWN = /^\s*--\s*\+migrate\s+Down\b/i;

/** Where the first line matching `re` starts and the next line starts, or undefined. */
function firstLine(text: string, re: RegExp): { start: number; next: number } | undefined {
  for (let offset = 0; offset <= text.length; ) {
    const nl = text.indexOf('\n', offset);
    const end = nl === -1 ? text.length : nl;
    if (re.test(text.slice(offset, end))) return { start: offset, next: nl === -1 ? text.length : nl + 1 };
    if (nl === -1) break;
    offset = nl + 1;
  }
  return undefined;
}

/**
 * dbmate (`-- migrate:up` / `-- migrate:down`), and goose's and sql-migrate's equivalent markers. A file with
 * dbmate's markers is read as dbmate reads it: up to its first down marker is up, the rest (other tools' markers
 * and later `migrate:up` lines included) is down; without an up marker before it, dbmate runs nothing, and we
 * read it all as up (fail closed), as a down marker with no up marker (dbmate refuses the file).
 */
export async function readDbmate(input: FormatInput): Promise<Operation[]> {
  const ctx = makeContext(input.path, input.text, input.dialect);
  const up = firstLine(input.text, DBMATE_UP);
  const down = firstLine(input.text, DBMATE_DOWN);
  if (up) {
    if (!down || down.start < up.start) return readSqlRegion(ctx, 0, input.text.length, 'up');
    return sortOperations([...(await readSqlRegion(ctx, 0, down.start, 'up')), ...(await readSqlRegion(ctx, down.next, input.text.length, 'down'))]);
  }
  return readSections(ctx, [
    { re: GOOSE_UP, direction: 'up' },
    { re: GOOSE_DOWN, direction: 'down' },
    { re: SQL_MIGRATE_UP, direction: 'up' },
    { re: SQL_MIGRATE_DOWN, direction: 'down' },
  ]);
}

/**
 * Drizzle: statements separated by `--> statement-breakpoint` (drizzle-kit runs each chunk on its
 * own, so a chunk without a trailing `;` is still one statement). Dialect from the SQL or config.
 */
export async function readDrizzle(input: FormatInput): Promise<Operation[]> {
  const dialect = sniffGeneratedDialect(input.text, input.dialect);
  const ctx = makeContext(input.path, input.text, dialect);
  const ops: Operation[] = [];
  const re = /-->\s*statement-breakpoint[^\n]*/g;
  let start = 0;
  for (let m = re.exec(input.text); m; m = re.exec(input.text)) {
    ops.push(...(await readSqlRegion(ctx, start, m.index, 'up')));
    start = m.index + m[0].length;
  }
  ops.push(...(await readSqlRegion(ctx, start, input.text.length, 'up')));
  return ops;
}

interface PrismaWarning {
  kind: 'drop-column' | 'drop-table' | 'alter-column-type';
  table: string;
  column?: string;
  fromType?: string;
  toType?: string;
  line: number;
  text: string;
}

/** Prisma's "Warnings:" block comment at the top of a generated migration. */
export function prismaWarnings(ctx: ReadContext): PrismaWarning[] {
  const warnings: PrismaWarning[] = [];
  for (let line = 1; line <= ctx.lines.lineCount; line++) {
    const text = ctx.lines.lineText(line);
    let m = /You are about to drop the column `([^`]+)` on the `([^`]+)` table/.exec(text);
    if (m) {
      warnings.push({ kind: 'drop-column', column: m[1], table: m[2], line, text: text.trim() });
      continue;
    }
    m = /The `([^`]+)` column on the `([^`]+)` table would be dropped and recreated/.exec(text) ?? /Changed the type of `([^`]+)` on the `([^`]+)` table\. No cast exists, the column would be dropped and recreated/.exec(text);
    if (m) {
      warnings.push({ kind: 'drop-column', column: m[1], table: m[2], line, text: text.trim() });
      continue;
    }
    m = /You are about to drop the `([^`]+)` table/.exec(text);
    if (m) {
      warnings.push({ kind: 'drop-table', table: m[1], line, text: text.trim() });
      continue;
    }
    m = /You are about to alter the column `([^`]+)` on the `([^`]+)` table/.exec(text);
    if (m) {
      const cast = /cast from `([^`]+)` to `([^`]+)`/.exec(text);
      warnings.push({
        kind: 'alter-column-type',
        column: m[1],
        table: m[2],
        ...(cast ? { fromType: cast[1], toType: cast[2] } : {}),
        line,
        text: text.trim(),
      });
    }
  }
  return warnings;
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Prisma: `prisma/migrations/<ts>_<name>/migration.sql`. The SQL is what runs, so operations come
 * only from it; Prisma's own warnings annotate the matching operation (never a second operation),
 * and give the old type of an altered column.
 */
export async function readPrisma(input: FormatInput): Promise<Operation[]> {
  const dialect = sniffGeneratedDialect(input.text, input.dialect);
  const ctx = makeContext(input.path, input.text, dialect);
  const ops = await readSqlRegion(ctx, 0, input.text.length, 'up');
  const warnings = prismaWarnings(ctx);
  if (warnings.length === 0) return ops;
  for (const op of ops) {
    const t = op.target;
    if (!t) continue;
    const table = t.type === 'table' ? t.name : t.table;
    const matching = warnings.filter((w) => {
      if (!same(w.table, table)) return false;
      if (op.kind === 'drop-table') return true; // includes SQLite's rebuild of a table to drop a column
      if (op.kind === 'drop-column' && w.kind === 'drop-column') return same(w.column, t.name);
      if (op.kind === 'alter-column-type' && w.kind === 'alter-column-type') return same(w.column, t.name);
      return false;
    });
    if (matching.length === 0) continue;
    const note = `Prisma warned (line ${matching.map((w) => w.line).join(', ')}): ${matching.map((w) => w.text.replace(/^-\s*/, '')).join(' ')}`;
    op.detail = op.detail ? `${op.detail}; ${note}` : note;
    const cast = matching.find((w) => w.fromType);
    if (op.kind === 'alter-column-type' && cast?.fromType && !op.flags.oldType) {
      const narrowing = isNarrowing(cast.fromType, cast.toType);
      op.flags = { ...op.flags, oldType: cast.fromType, ...(narrowing !== undefined ? { narrowing } : {}) };
    }
  }
  return ops;
}
