/**
 * Django. The `operations = [...]` list of the Migration class; app label from the path
 * (`<app>/migrations/0001_x.py`). Table names follow Django's default `<app>_<model lower>` unless
 * the same file gives a `db_table`; that assumption is stated in the operation's detail.
 * `RunSQL` goes to the SQL reader (reverse_sql is down); `RunPython` is opaque (its reverse: down).
 * `SeparateDatabaseAndState`: only `database_operations` touch the database.
 */
import type { Direction, Operation } from '../model/operation.js';
import { childRef, makeContext, makeOp, opaqueOp, sortOperations, tableRef, unparseableOp, type ReadContext, type SourceText } from './common.js';
import { collectAssignments, makeResolver, PyScope, readResolvedSql } from './alembic.js';
import { PyParser, calleeName, dotted, literalString, logicalLines, pythonTokensOrError, type PyTok, type PyValue } from './python.js';
import { isNarrowing } from '../sql/type-narrowing.js';
import { readDataFunction, type DataBodyContext } from './python-data.js';
import type { FormatInput } from './types.js';
import { collectOperations } from './django-operations.js';

type Call = Extract<PyValue, { kind: 'call' }>;

interface FieldInfo {
  /** ForeignKey / OneToOneField: the column is `<name>_id` (or db_column). */
  foreignKey: boolean;
  manyToMany: boolean;
  dbColumn?: string;
  type: string;
}

interface ModelInfo {
  dbTable?: string;
  fields: Map<string, FieldInfo>;
}

/** (sql, params): Django formats `%s` placeholders (and `%%`); give the SQL reader a plain NULL. */
function bindParams(source: SourceText): SourceText {
  let text = '';
  const map: number[] = [];
  for (let i = 0; i < source.text.length; i++) {
    if (source.text[i] === '%' && source.text[i + 1] === 's') {
      text += 'NULL';
      map.push(source.map[i], source.map[i], source.map[i], source.map[i]);
      i++;
    } else if (source.text[i] === '%' && source.text[i + 1] === '%') {
      text += '%';
      map.push(source.map[i]);
      i++;
    } else {
      text += source.text[i];
      map.push(source.map[i]);
    }
  }
  map.push(source.map[source.text.length]);
  return { text, map };
}

export function appLabelFromPath(path: string): string | undefined {
  const parts = path.split('/');
  const i = parts.lastIndexOf('migrations');
  return i > 0 ? parts[i - 1] : undefined;
}

function fieldInfo(ctx: ReadContext, field: PyValue | undefined, r: ReturnType<typeof makeResolver>): FieldInfo | undefined {
  if (!field || field.kind !== 'call') return undefined;
  const name = calleeName(field) ?? '';
  const dbColumn = r.ident(field.kwargs.get('db_column'));
  return {
    foreignKey: /^(ForeignKey|OneToOneField|ParentalKey)$/.test(name),
    manyToMany: /^(ManyToManyField|ParentalManyToManyField)$/.test(name),
    ...(dbColumn ? { dbColumn } : {}),
    type: ctx.text.slice(field.start, field.end),
  };
}

export async function readDjango(input: FormatInput): Promise<Operation[]> {
  const ctx = makeContext(input.path, input.text, input.dialect);
  const tokenized = pythonTokensOrError(ctx, input.text);
  if ('error' in tokenized) return [tokenized.error];
  const toks = tokenized.toks;
  const parser = new PyParser(toks);
  const app = appLabelFromPath(input.path);
  const ops: Operation[] = [];
  const pending: Array<Promise<Operation[]>> = [];
  const models = new Map<string, ModelInfo>(); // key: model name lower case
  const scope = new PyScope(collectAssignments(parser, logicalLines(toks)));
  const r = makeResolver(scope, -1, undefined, input.text);

  // The operations list, however it is built (django-operations.ts); what is built at run time is opaque.
  const collected = collectOperations(parser, logicalLines(toks), r, input.text);
  if (!collected) return [];
  for (const o of collected.opaque) ops.push(opaqueOp(ctx, o.at, 'up', o.statement, o.detail));
  const operations = { items: collected.items };

  const model = (name: string): ModelInfo => {
    const key = name.toLowerCase();
    let m = models.get(key);
    if (!m) models.set(key, (m = { fields: new Map() }));
    return m;
  };
  const tableOf = (modelName: string): { table: string; note?: string } => {
    const known = models.get(modelName.toLowerCase())?.dbTable;
    if (known) return { table: known };
    const table = `${app ?? 'app'}_${modelName.toLowerCase()}`;
    return { table, note: app ? `table name assumed from Django's default <app_label>_<model> (no db_table for ${modelName} in this file)` : `app label not found in the path; table name assumed ${table}` };
  };

  // AlterModelTable: the model's table just before it (a db_table set earlier in this file), for the rename
  const tableBefore = new Map<PyValue, string | undefined>();
  // First pass: what the file tells us about models (db_table, field types).
  const learn = (items: PyValue[]) => {
    for (const item of items) {
      if (item.kind !== 'call') continue;
      const kind = calleeName(item);
      const name = r.ident(item.kwargs.get('name') ?? item.kwargs.get('model_name') ?? item.args[0]);
      if (kind === 'CreateModel' && name) {
        const m = model(name);
        const options = item.kwargs.get('options') ?? item.args[2];
        if (options?.kind === 'dict') for (const [k, v] of options.entries) if (literalString(k)?.text === 'db_table') m.dbTable = r.ident(v) ?? m.dbTable;
        const fields = item.kwargs.get('fields') ?? item.args[1];
        if (fields?.kind === 'list') {
          for (const f of fields.items) {
            if (f.kind !== 'list' || f.items.length < 2) continue;
            const fname = r.ident(f.items[0]);
            const info = fieldInfo(ctx, f.items[1], r);
            if (fname && info) m.fields.set(fname, info);
          }
        }
      } else if ((kind === 'AddField' || kind === 'AlterField') && name) {
        const fname = r.ident(item.kwargs.get('name') ?? item.args[1]);
        const info = fieldInfo(ctx, item.kwargs.get('field') ?? item.args[2], r);
        if (fname && info && !model(r.ident(item.kwargs.get('model_name') ?? item.args[0]) ?? name).fields.has(fname)) model(r.ident(item.kwargs.get('model_name') ?? item.args[0]) ?? name).fields.set(fname, info);
      } else if (kind === 'AlterModelTable' && name) {
        const table = r.ident(item.kwargs.get('table') ?? item.args[1]);
        tableBefore.set(item, model(name).dbTable);
        model(name).dbTable = table;
      } else if (kind === 'SeparateDatabaseAndState') {
        for (const key of ['state_operations', 'database_operations']) {
          const list = item.kwargs.get(key);
          if (list?.kind === 'list') learn(list.items);
        }
      }
    }
  };
  learn(operations.items);

  const handle = (item: PyValue) => {
    if (item.kind !== 'call') {
      ops.push(opaqueOp(ctx, item.start, 'up', ctx.text.slice(item.start, item.end), 'an operation built at run time'));
      return;
    }
    const kind = calleeName(item);
    const statement = ctx.text.slice(item.start, item.end);
    const at = item.func.kind === 'attr' ? item.func.end - item.func.name.length : item.start;
    const push = (init: { kind: Operation['kind']; target?: Operation['target']; flags?: Operation['flags']; detail?: string; direction?: Direction }) =>
      ops.push(makeOp(ctx, { direction: 'up', ...init, offset: at, statementOffset: item.start, statement }));
    const dynamic = (what: string) => ops.push(opaqueOp(ctx, at, 'up', statement, `${kind} with ${what} computed at run time`));
    const modelArg = item.kwargs.get('model_name') ?? item.args[0];
    switch (kind) {
      case 'DeleteModel': {
        const name = r.ident(item.kwargs.get('name') ?? item.args[0]);
        if (!name) return dynamic('a model name');
        const { table, note } = tableOf(name);
        // Its many-to-many join tables go with it.
        for (const [fname, f] of models.get(name.toLowerCase())?.fields ?? []) {
          if (f.manyToMany) push({ kind: 'drop-table', target: tableRef(`${table}_${fname}`), detail: `many-to-many table of ${name}.${fname}` });
        }
        return push({ kind: 'drop-table', target: tableRef(table), detail: note });
      }
      case 'RemoveField': {
        const modelName = r.ident(modelArg);
        const fname = r.ident(item.kwargs.get('name') ?? item.args[1]);
        if (!modelName || !fname) return dynamic('a model or field name');
        const { table, note } = tableOf(modelName);
        const f = models.get(modelName.toLowerCase())?.fields.get(fname);
        if (f?.manyToMany) return push({ kind: 'drop-table', target: tableRef(`${table}_${fname}`), detail: [`many-to-many table of ${modelName}.${fname}`, note].filter(Boolean).join('; ') });
        const column = f?.dbColumn ?? (f?.foreignKey ? `${fname}_id` : fname);
        const fieldNote = f ? undefined : `field type not declared in this file: if ${fname} is a ForeignKey its column is ${fname}_id`;
        return push({ kind: 'drop-column', target: childRef('column', table, column), detail: [note, fieldNote].filter(Boolean).join('; ') || undefined });
      }
      case 'RenameModel': {
        const from = r.ident(item.kwargs.get('old_name') ?? item.args[0]);
        const to = r.ident(item.kwargs.get('new_name') ?? item.args[1]);
        if (!from || !to) return dynamic('a model name');
        const known = models.get(from.toLowerCase())?.dbTable;
        if (known) return; // an explicit db_table does not change with the model name
        const { table, note } = tableOf(from);
        return push({ kind: 'rename-table', target: tableRef(table), flags: { newName: tableOf(to).table }, detail: note });
      }
      case 'AlterModelTable': {
        const name = r.ident(item.kwargs.get('name') ?? item.args[0]);
        const to = r.ident(item.kwargs.get('table') ?? item.args[1]);
        if (!name) return dynamic('a model name');
        // renames the model's table: from the db_table this file set before, else Django's default name
        const defaultTable = `${app ?? 'app'}_${name.toLowerCase()}`;
        const before = tableBefore.get(item);
        const from = before ?? defaultTable;
        const into = to ?? defaultTable; // table=None goes back to the default name
        if (from === into) return;
        const note = before ? undefined : `old table name assumed from Django's default <app_label>_<model> (no db_table for ${name} earlier in this file; an earlier migration's db_table would be the real name)`;
        return push({ kind: 'rename-table', target: tableRef(from), flags: { newName: into }, detail: note });
      }
      case 'RenameField': {
        const modelName = r.ident(modelArg);
        const from = r.ident(item.kwargs.get('old_name') ?? item.args[1]);
        const to = r.ident(item.kwargs.get('new_name') ?? item.args[2]);
        if (!modelName || !from || !to) return dynamic('a model or field name');
        const { table, note } = tableOf(modelName);
        const f = models.get(modelName.toLowerCase())?.fields.get(from);
        if (f?.dbColumn) return; // db_column fixes the column name
        const suffix = f?.foreignKey ? '_id' : '';
        return push({ kind: 'rename-column', target: childRef('column', table, from + suffix), flags: { newName: to + suffix }, detail: note });
      }
      case 'AlterField': {
        const modelName = r.ident(modelArg);
        const fname = r.ident(item.kwargs.get('name') ?? item.args[1]);
        if (!modelName || !fname) return dynamic('a model or field name');
        const field = item.kwargs.get('field') ?? item.args[2];
        const info = fieldInfo(ctx, field, r);
        if (info?.manyToMany) return;
        const { table, note } = tableOf(modelName);
        const column = info?.dbColumn ?? (info?.foreignKey ? `${fname}_id` : fname);
        const before = models.get(modelName.toLowerCase())?.fields.get(fname);
        const flags: Operation['flags'] = info ? { newType: info.type } : {};
        if (before && before.type !== info?.type) {
          flags.oldType = before.type;
          const narrowing = isNarrowing(before.type, info?.type);
          if (narrowing !== undefined) flags.narrowing = narrowing;
        }
        return push({
          kind: 'alter-column-type',
          target: childRef('column', table, column),
          flags,
          detail: ['AlterField may change the column type', note].filter(Boolean).join('; '),
        });
      }
      case 'RemoveIndex': {
        const modelName = r.ident(modelArg);
        const name = r.ident(item.kwargs.get('name') ?? item.args[1]);
        if (!modelName || !name) return dynamic('a model or index name');
        return push({ kind: 'drop-index', target: childRef('index', tableOf(modelName).table, name) });
      }
      case 'RemoveConstraint': {
        const modelName = r.ident(modelArg);
        const name = r.ident(item.kwargs.get('name') ?? item.args[1]);
        if (!modelName || !name) return dynamic('a model or constraint name');
        return push({ kind: 'drop-constraint', target: childRef('constraint', tableOf(modelName).table, name) });
      }
      case 'RunSQL': {
        runSql(item.kwargs.get('sql') ?? item.args[0], 'up', at, statement);
        runSql(item.kwargs.get('reverse_sql') ?? item.args[1], 'down', at, statement);
        return;
      }
      case 'RunPython': {
        const code = item.kwargs.get('code') ?? item.args[0];
        const reverse = item.kwargs.get('reverse_code') ?? item.args[1];
        if (code && !isNoop(code)) {
          const seen = readBody(code, 'up', at, item.start, statement);
          if (!seen) push({ kind: 'opaque', detail: `RunPython runs ${describe(code)}: its effect on the data cannot be known statically` });
        }
        if (reverse && !isNoop(reverse) && !(reverse.kind === 'const' && reverse.value === 'None')) {
          const seen = readBody(reverse, 'down', at, item.start, statement);
          if (!seen) push({ kind: 'opaque', direction: 'down', detail: `RunPython reverse_code runs ${describe(reverse)} on rollback` });
        }
        return;
      }
      case 'SeparateDatabaseAndState': {
        const db = item.kwargs.get('database_operations') ?? item.args[1];
        if (!db) return;
        if (db.kind !== 'list') return dynamic('database_operations');
        for (const inner of db.items) handle(inner);
        return;
      }
    }
  };

  const describe = (v: PyValue) => dotted(v) ?? 'code';

  // RunPython(forwards): the function's body, when it is defined in this file (python-data.ts)
  const body: DataBodyContext = {
    ctx,
    toks,
    parser,
    tableOf: (modelApp, modelName) => (modelApp === undefined || modelApp === app ? tableOf(modelName) : { table: `${modelApp}_${modelName.toLowerCase()}`, note: `table name assumed from Django's default <app_label>_<model> for ${modelApp}.${modelName}` }),
    ident: (v) => r.ident(v),
    readSql: (arg, direction, at, statement) => runSql(arg, direction, at, statement),
  };
  // What the body does is reported at the RunPython operation, where a reviewer looks and a marker goes
  // (one marker above `migrations.RunPython(…)` covers its function); the detail says where in the body.
  const readBody = (v: PyValue, direction: Direction, at: number, statementStart: number, statement: string): boolean => {
    if (v.kind !== 'name') return false;
    const found = readDataFunction(body, v.name, direction, app);
    if (!found) return false;
    const pos = ctx.lines.position(at);
    for (const op of found) {
      ops.push({
        ...op,
        line: pos.line,
        column: pos.column,
        statementLine: ctx.lines.lineOf(statementStart),
        statement: statement.trim(),
        detail: `line ${op.line}: ${op.statement.trim()}${op.detail ? ` (${op.detail})` : ''}`,
      });
    }
    return true;
  };
  // `RunPython.noop`, or a lambda that returns None (`lambda *args: None`)
  const isNoop = (v: PyValue) => /(^|\.)noop$/.test(dotted(v) ?? '') || (v.kind === 'unknown' && /^lambda\b[^:]*:\s*None\s*$/.test(ctx.text.slice(v.start, v.end)));

  const runSql = (v: PyValue | undefined, direction: Direction, at: number, statement: string) => {
    if (!v || isNoop(v) || (v.kind === 'const' && v.value === 'None')) return;
    // A string, a list/tuple of strings, or of (sql, params) pairs.
    const items = v.kind === 'list' ? v.items : [v];
    for (const piece of items) {
      const sqlValue = piece.kind === 'list' ? piece.items[0] : piece;
      if (!sqlValue) continue;
      const withParams = piece.kind === 'list' && piece.items[1] && !(piece.items[1].kind === 'const' && piece.items[1].value === 'None');
      const resolved = r.sql(sqlValue);
      if ('opaque' in resolved) ops.push(opaqueOp(ctx, at, direction, statement, `RunSQL: ${resolved.opaque}`));
      else pending.push(readResolvedSql(ctx, withParams ? { ...resolved, source: bindParams(resolved.source) } : resolved, direction, at, at));
    }
  };

  for (const item of operations.items) handle(item);
  for (const more of await Promise.all(pending)) ops.push(...more);
  return sortOperations(ops);
}
