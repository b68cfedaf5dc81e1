/**
 * A table renamed and then dropped (or changed) under its new name, in the same file, is still the table it
 * was: each later operation on the new name is judged as an operation on the original (which protection and
 * markers name). Chains (`a → b → c`) are followed, and so is `ALTER INDEX … RENAME`, which PostgreSQL applies to
 * any relation. docs/check.md, "Names that change meaning".
 */
import type { Dialect, ObjectRef, Operation } from '../model/operation.js';
import { displayName } from '../model/names.js';

const key = (schema: string | undefined, name: string, dialect: Dialect) => `${schema ?? ''}\u0000${dialect === 'postgres' ? name : name.toLowerCase()}`;

/**
 * For each operation (in file order) on a table renamed earlier in the file, the same operation on the
 * original table, with a note. `ops` must be sorted by position.
 */
export function asOriginalTables(ops: Operation[], dialect: Dialect): Map<Operation, Operation> {
  const out = new Map<Operation, Operation>();
  // current name → the original table (schema + name), per direction: a rollback renames back
  const renamed = new Map<string, { original: ObjectRef; line: number; via: string }>();
  for (const op of ops) {
    if (op.direction !== 'up' || !op.target) continue;
    const t = op.target;
    const tableName = t.type === 'table' || t.type === 'view' || t.type === 'sequence' ? t.name : t.table;
    if (tableName !== undefined) {
      const hit = renamed.get(key(t.schema, tableName, dialect));
      if (hit) {
        const original = hit.original;
        const { schema: _renamedSchema, ...rest } = t;
        const inOriginalSchema = { ...rest, ...(original.schema ? { schema: original.schema } : {}) };
        const target: ObjectRef =
          t.type === 'table' || t.type === 'view' || t.type === 'sequence'
            ? { ...inOriginalSchema, name: original.name }
            : { ...inOriginalSchema, table: original.name };
        const note = `${t.written} is ${displayName(original, dialect)}, renamed at line ${hit.line} (${hit.via})`;
        out.set(op, { ...op, target, detail: [op.detail, note].filter(Boolean).join('; ') });
      }
    }
    // ALTER INDEX … RENAME renames whatever relation has that name, a table too
    const relationRenamed = (op.kind === 'rename-table' && (t.type === 'table' || t.type === 'view')) || op.kind === 'rename-index';
    if (relationRenamed && op.flags.newName) {
      const before = renamed.get(key(t.schema, t.name, dialect));
      const original = before?.original ?? (op.kind === 'rename-index' ? { ...t, type: 'table' as const } : t);
      // `ALTER TABLE … SET SCHEMA s` moves it: newName is then `s.name`; a rename keeps the schema
      const dot = op.flags.newName.lastIndexOf('.');
      const moved = dot > 0 && /\bSET\s+SCHEMA\b/i.test(op.statement);
      const next = moved ? key(op.flags.newName.slice(0, dot), op.flags.newName.slice(dot + 1), dialect) : key(t.schema, op.flags.newName, dialect);
      renamed.set(next, { original, line: op.line, via: moved ? `moved to ${op.flags.newName}` : `renamed to ${op.flags.newName}` });
      if (before) renamed.delete(key(t.schema, t.name, dialect));
    }
  }
  return out;
}
