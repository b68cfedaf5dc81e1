/**
 * `DROP INDEX payments_user_id_idx` names no table, yet a protected table protects its indexes
 * (docs/check.md, "Names resolved from the migration history"). Before the policy runs, each drop of
 * an index, constraint or trigger whose statement does not name its table gets the table from where
 * it was created: the same file first (the latest definition above the drop), then the repository's
 * earlier migrations (the latest one in path order before this file; a later one if none precedes).
 * The history is read only when such a drop is there. When nothing defines the name, the finding says so.
 */
import type { Operation } from '../model/operation.js';
import type { HistoryLoader } from './schema-history.js';
import { namesDefinedIn, type NameDefinition, type NamedKind } from './schema-names.js';

interface FileOps {
  path: string;
  text: string;
  operations: Operation[];
}

const KINDS: Partial<Record<Operation['kind'], NamedKind>> = {
  'drop-index': 'index',
  'drop-constraint': 'constraint',
  'drop-trigger': 'trigger',
};

function unresolvedTarget(op: Operation): NamedKind | undefined {
  const kind = KINDS[op.kind];
  if (!kind || !op.target || op.target.type !== kind) return undefined;
  return op.target.table === undefined && op.target.resolvedTable === undefined ? kind : undefined;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export async function resolveNames(files: FileOps[], history: HistoryLoader): Promise<void> {
  for (const file of files) {
    const pending = file.operations.filter((op) => unresolvedTarget(op));
    if (!pending.length) continue;
    const here = namesDefinedIn(file.text, file.path);
    for (const op of pending) {
      const kind = unresolvedTarget(op)!;
      const name = op.target!.name;
      const matches = here.filter((d) => d.kind === kind && same(d.name, name));
      const local = matches.filter((d) => d.line < op.line).pop() ?? matches[0];
      if (local) {
        resolve(op, local, `created at line ${local.line} of this file`);
        continue;
      }
      const read = await history.load();
      if ('unavailable' in read) {
        note(op, `its table is not known: no ${kind} of that name is created in this file, and ${read.unavailable}`);
        continue;
      }
      const found = fromHistory(read.lookup(kind, name), file.path);
      if (found) resolve(op, found.def, `created in ${found.path} line ${found.def.line}`);
      else note(op, `its table is not known: no ${kind} of that name is created in this file or in the repository's other migrations`);
    }
  }
}

/** The latest definition in a file before `current` in path order; else the first one after it. */
function fromHistory(defs: Array<{ path: string; def: NameDefinition }>, current: string) {
  let before: { path: string; def: NameDefinition } | undefined;
  let after: { path: string; def: NameDefinition } | undefined;
  for (const found of defs) {
    if (found.path === current) continue;
    if (found.path < current) {
      if (!before || found.path > before.path || (found.path === before.path && found.def.line > before.def.line)) before = found;
    } else if (!after || found.path < after.path || (found.path === after.path && found.def.line < after.def.line)) after = found;
  }
  return before ?? after;
}

function resolve(op: Operation, def: NameDefinition, where: string): void {
  op.target = { ...op.target!, resolvedTable: { name: def.table, ...(def.schema ? { schema: def.schema } : {}) } };
  note(op, `on table ${def.schema ? `${def.schema}.` : ''}${def.table}, ${where}`);
}

function note(op: Operation, text: string): void {
  op.detail = op.detail ? `${op.detail}; ${text}` : text;
}
