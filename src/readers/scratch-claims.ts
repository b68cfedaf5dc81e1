/**
 * Scratch tables in the ORM builders (Alembic `op.create_table` then `op.drop_table`, Knex / TypeORM /
 * Sequelize `createTable` then `dropTable`, Rails `create_table` then `drop_table`): the drop of a table
 * the same migration function created loses only what the migration put there, so it is marked
 * `scratch` (a warning), as sql/scratch-tables.ts does for SQL.
 *
 * Only when that is certain. The reader claims a creation only for a call that surely ran and surely
 * made a new table: a statement of the function body itself (not under an `if`, a loop, a `try`, a
 * callback), awaited where the language needs it, with a literal name, without `if_not_exists` /
 * `force`. The drop must follow it in the same function, same direction, with the name written the
 * same way. And nothing in the whole file may move names: a rename, an opaque or unreadable call,
 * raw SQL that renames, moves schemas, changes the search path or runs code (sql/scratch-tables.ts
 * MAY_MOVE_NAMES). Anything else keeps the drop an error.
 */
import type { Direction, Operation } from '../model/operation.js';
import type { ReadContext } from './common.js';

export interface TableCreation {
  table: string;
  schema?: string;
  direction: Direction;
  /** File offset of the creating call. */
  offset: number;
  /** File offset where the function that holds it ends: a drop after it is in other code. */
  scopeEnd: number;
}

const MOVES_NAMES = new Set(['rename-table', 'rename-schema', 'rename-index', 'opaque', 'unparseable']);

/** Marks the drops of tables `creations` made; `ops` are the file's operations, every one of them. */
export function markClaimedScratchTables(ctx: ReadContext, ops: Operation[], creations: readonly TableCreation[]): void {
  if (!creations.length || ctx.movesNames || ops.some((op) => MOVES_NAMES.has(op.kind))) return;
  const lineOf = (offset: number) => ctx.lines.lineOf(offset);
  for (const drop of ops) {
    if (drop.kind !== 'drop-table' || drop.flags.embedded || !drop.target || drop.target.name === '*') continue;
    const dropOffset = ctx.lines.lineStart(drop.line) + drop.column - 1;
    const created = creations.find(
      (c) => c.table === drop.target!.name && c.schema === drop.target!.schema && c.direction === drop.direction && c.offset < dropOffset && dropOffset <= c.scopeEnd,
    );
    if (!created) continue;
    drop.flags.scratch = true;
    drop.detail = [drop.detail, `created at line ${lineOf(created.offset)} of this file`].filter(Boolean).join('; ');
  }
}
