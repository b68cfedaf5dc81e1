/**
 * A table created and dropped in the same migration is a scratch table (an import staging table, a
 * copy kept for one step): dropping it loses only what the migration itself put there, so its
 * `drop-table` is marked `scratch` and reported as a warning.
 *
 * Only when that is certain: the `CREATE TABLE` is a top-level statement of the same SQL text, before
 * the drop, without `IF NOT EXISTS` (so no table of that name existed: the statement would have failed),
 * naming the table exactly as the drop does (same schema qualification, same case rules); and no
 * statement between them could bring another table under that name (a rename, a schema move, a
 * search_path change, dynamic SQL, a procedure, a DO block). Anything else keeps the drop an error.
 */
import type { Dialect, Operation } from '../model/operation.js';
import { splitName, type Segment } from '../model/names.js';
import { splitSql } from './split.js';

const CREATE_TABLE = /^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?!IF\s+NOT\s+EXISTS\b)((?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|[A-Za-z_][\w$]*))?)/i;

/** What may happen between the CREATE and the DROP without another table taking the name. */
export const MAY_MOVE_NAMES = /\b(RENAME|SET\s+SCHEMA|search_path|EXECUTE|CALL|DO|USE|ATTACH|DETACH|PERFORM|FUNCTION|PROCEDURE|TRIGGER|RULE|IMPORT|\\i|\.read)\b/i;

/** dbmate / goose / sql-migrate direction markers, even in a file read as plain SQL. */
const SECTION_MARKER = /^\s*--\s*(?:migrate:|\+goose\s|\+migrate\s)/im;

/** Leading comments off, so the statement's first word is its kind. */
function head(statement: string): string {
  return statement.replace(/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, '');
}

function normalized(segment: Segment, dialect: Dialect): string {
  if (dialect !== 'postgres') return segment.text.toLowerCase();
  return segment.quoted ? segment.text : segment.text.toLowerCase();
}

/** The created table as [schema?, name], normalized as the reader normalizes a drop's target. */
function createdName(statement: string, dialect: Dialect): string[] | undefined {
  const m = CREATE_TABLE.exec(head(statement));
  const segments = m ? splitName(m[1]!.replace(/\s*\.\s*/g, '.')) : undefined;
  return segments && segments.length <= 2 ? segments.map((s) => normalized(s, dialect)) : undefined;
}

function targetName(op: Operation, dialect: Dialect): string[] | undefined {
  const t = op.target;
  if (!t) return undefined;
  const fold = (v: string) => (dialect === 'postgres' ? v : v.toLowerCase());
  return t.schema === undefined ? [fold(t.name)] : [fold(t.schema), fold(t.name)];
}

type Position = { line: number; column: number };
const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.column <= b.column);

/**
 * Marks the drops of scratch tables in `ops` (read from `text`); `position` gives a text offset's
 * place in the file, as the operations' lines and columns are.
 */
export function markScratchTables(ops: Operation[], text: string, dialect: Dialect, position: (offset: number) => Position): void {
  const drops = ops.filter((op) => op.kind === 'drop-table' && !op.flags.embedded && op.target);
  if (!drops.length || !/\bCREATE\s/i.test(text)) return;
  const statements = splitSql(text, dialect).statements.map((s) => ({ text: s.code, offset: s.start, start: position(s.start), line: position(s.start).line }));
  for (const drop of drops) {
    const name = targetName(drop, dialect)!.join('.');
    // the statement the drop is in: the last one that starts at or before it
    let at = -1;
    while (at + 1 < statements.length && before(statements[at + 1]!.start, drop)) at++;
    if (at < 0) continue;
    // the latest CREATE of that name before the drop, and nothing in between that could move names
    for (let i = at - 1; i >= 0; i--) {
      const statement = statements[i]!;
      // an up/down section marker between them: the drop may be the rollback of that CREATE
      if (SECTION_MARKER.test(text.slice(statement.offset, statements[at]!.offset))) break;
      if (createdName(statement.text, dialect)?.join('.') === name) {
        drop.flags.scratch = true;
        drop.detail = [drop.detail, `created at line ${statement.line} of this file`].filter(Boolean).join('; ');
        break;
      }
      if (MAY_MOVE_NAMES.test(head(statement.text))) break;
    }
  }
}
