/**
 * Django. The `operations = [...]` list of the Migration class; app label from the path
 * (`<app>/migrations/0001_x.py`). Table and column names come from the app's model state
 * (django-model-state.ts): this file's operations, seeded by check with the app's earlier migrations;
 * a name the reader had to take from Django's defaults says so (and is marked for that second read).
 * `RunSQL` goes to the SQL reader (reverse_sql is down); `RunPython` bodies are read (python-data.ts).
 * `SeparateDatabaseAndState`: only `database_operations` touch the database.
 */
import type { Direction, Operation } from '../model/operation.js';
import { childRef, makeContext, makeOp, opaqueOp, sortOperations, tableRef, type SourceText } from './common.js';
import { collectAssignments, makeResolver, PyScope, readResolvedSql } from './alembic.js';
import { PyParser, calleeName, dotted, logicalLines, pythonTokensOrError, type PyValue } from './python.js';
import { isNarrowing } from '../sql/type-narrowing.js';
import { readDataFunction, type DataBodyContext } from './python-data.js';
import type { FormatInput } from './types.js';
import { collectOperations } from './django-operations.js';
import { applyModelEvent, defaultTable, joinTableOf, type FieldInfo, type ModelInfo, type ModelState } from './django-model-state.js';
import { fieldInfo, modelEvents } from './django-model-events.js';
import { readImports, rootName, type PyImports } from './python-indirect.js';

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

/** Marks an operation whose names are Django's defaults for want of the app's history (check re-reads the file with it). */
function assumedFlag(assumed: boolean | undefined): Operation['flags'] {
  return assumed ? { assumedName: true } : {};
}

/** Django's own operations (django.db.migrations and django.contrib.postgres.operations); any other is opaque. */
const DJANGO_OPERATIONS = new Set([
  'CreateModel', 'DeleteModel', 'RenameModel', 'AlterModelTable', 'AlterModelTableComment', 'AlterModelOptions', 'AlterModelManagers',
  'AddField', 'RemoveField', 'AlterField', 'RenameField', 'AlterUniqueTogether', 'AlterIndexTogether', 'AlterOrderWithRespectTo',
  'AddIndex', 'RemoveIndex', 'RenameIndex', 'AddConstraint', 'RemoveConstraint', 'AlterConstraint', 'RunSQL', 'RunPython', 'SeparateDatabaseAndState',
  'CreateExtension', 'BloomExtension', 'BtreeGinExtension', 'BtreeGistExtension', 'CITextExtension', 'CryptoExtension', 'HStoreExtension',
  'TrigramExtension', 'UnaccentExtension', 'AddIndexConcurrently', 'RemoveIndexConcurrently', 'CreateCollation', 'RemoveCollation',
  'AddConstraintNotValid', 'ValidateConstraint',
]);

/**
 * The Django class an operation call names, through the file's imports: `migrations.RunSQL`, `RunSQL`,
 * `R` after `from django.db.migrations import RunSQL as R`. Undefined when it is not one of Django's modules'.
 */
function djangoOperation(call: Extract<PyValue, { kind: 'call' }>, imports: PyImports): string | undefined {
  const fromDjango = (name: string) => /^django(\.|$)/.test(imports.qualified.get(name) ?? '');
  if (call.func.kind === 'attr') {
    const root = rootName(call.func);
    return root !== undefined && (fromDjango(root) || (root === 'migrations' && !imports.qualified.has(root))) ? call.func.name : undefined;
  }
  if (call.func.kind !== 'name') return undefined;
  const name = call.func.name;
  if (fromDjango(name)) return imports.qualified.get(name)!.split('.').pop();
  // `from django.db.migrations import *` (only when no other module is imported whole)
  return !imports.qualified.has(name) && imports.starModules.length > 0 && imports.starModules.every((m) => /^django\./.test(m)) ? name : undefined;
}

/**
 * `class Migration(DropUsersMigration)`: a Migration built on a class of the project may run operations this
 * file does not show (docs/rules/opaque.md: the project's own modules are opaque).
 */
function inheritedMigration(ctx: ReturnType<typeof makeContext>, parser: PyParser, lines: ReturnType<typeof logicalLines>, imports: PyImports): Operation[] {
  const line = lines.find((l) => l.indent === 0 && l.toks[0]?.value === 'class' && l.toks[1]?.value === 'Migration');
  if (!line || line.toks[2]?.value !== '(') return [];
  const bases = parser.parsePrimary(line.startIndex + 1, true).value;
  const list = bases.kind === 'call' ? [...bases.args, ...bases.kwargs.values()] : [];
  const foreign = list.filter((b) => {
    const written = dotted(b) ?? '';
    if (written === 'migrations.Migration' || written === 'django.db.migrations.Migration') return false;
    return !(b.kind === 'name' && imports.qualified.get(b.name) === 'django.db.migrations.Migration');
  });
  if (foreign.length === 0) return [];
  const first = foreign[0]!;
  return [opaqueOp(ctx, first.start, 'up', ctx.lines.lineText(ctx.lines.lineOf(line.toks[0].start)), `Migration is built on ${dotted(first) ?? 'a class'} rather than django's migrations.Migration: operations it inherits are not in this file`)];
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
  const scope = new PyScope(collectAssignments(parser, logicalLines(toks)));
  const r = makeResolver(scope, -1, undefined, input.text);

  const imports = readImports(logicalLines(toks));
  const inherited = inheritedMigration(ctx, parser, logicalLines(toks), imports);
  // The operations list, however it is built (django-operations.ts); what is built at run time is opaque.
  const collected = collectOperations(parser, logicalLines(toks), r, input.text);
  // `def operations(self)`, `setattr(Migration, "operations", …)`: a list the reader cannot follow is opaque
  const elsewhere = toks.find((t, k) => (t.type === 'name' && t.value === 'operations' && toks[k - 1]?.value !== '.' && (!collected || toks[k - 1]?.value === 'def')) || (t.value === 'setattr' && toks[k + 2]?.value === 'Migration'));
  if (elsewhere) inherited.push(opaqueOp(ctx, elsewhere.start, 'up', ctx.lines.lineText(ctx.lines.lineOf(elsewhere.start)), 'the operations list is defined in a way the reader cannot follow (a method, setattr): what it runs cannot be known statically'));
  if (!collected) return inherited;
  ops.push(...inherited);
  for (const o of collected.opaque) ops.push(opaqueOp(ctx, o.at, 'up', o.statement, o.detail));
  const operations = { items: collected.items };

  // The app's models as each operation finds them: the earlier migrations' state (when check gave it),
  // then this file's operations applied one by one (django-model-state.ts, django-model-events.ts).
  const models: ModelState = structuredClone(input.djangoModels ?? {});
  const withHistory = input.djangoModels !== undefined;
  const modelOf = (name: string): ModelInfo | undefined => models[name.toLowerCase()];
  const defaultName = (modelName: string) => defaultTable(app ?? 'app', modelName, input.dialect);
  /** The model's table; `assumed`: Django's default for a model no migration read here declares. */
  const tableOf = (modelName: string): { table: string; note?: string; assumed?: true } => {
    const m = modelOf(modelName);
    if (m?.dbTable) return { table: m.dbTable };
    const table = defaultName(modelName);
    if (m) return { table };
    if (!app) return { table, note: `app label not found in the path; table name assumed ${table}` };
    if (withHistory) return { table, note: `table name assumed from Django's default <app_label>_<model>: no migration of this app before this one creates ${modelName}` };
    return { table, note: `table name assumed from Django's default <app_label>_<model> (${modelName} is not declared in this file)`, assumed: true };
  };
  /** A field as the app's state has it; `assumed`: not declared here and no history was read. */
  const fieldOf = (modelName: string, field: string) => modelOf(modelName)?.fields[field];
  const events = modelEvents(operations.items, r, input.text, 'both');
  const createdHere = new Set<string>(); // lower-case model names

  const handle = (item: PyValue) => {
    if (item.kind !== 'call') {
      ops.push(opaqueOp(ctx, item.start, 'up', ctx.text.slice(item.start, item.end), 'an operation built at run time'));
      return;
    }
    const kind = djangoOperation(item, imports);
    const statement = ctx.text.slice(item.start, item.end);
    if (kind === undefined || !DJANGO_OPERATIONS.has(kind)) {
      const written = dotted(item.func) ?? 'this operation';
      ops.push(opaqueOp(ctx, item.start, 'up', statement, `${written} is not one of Django's own operations (a project or third-party operation, or one defined in this file): what it does cannot be known statically`));
      return;
    }
    const at = item.func.kind === 'attr' ? item.func.end - item.func.name.length : item.start;
    const push = (init: { kind: Operation['kind']; target?: Operation['target']; flags?: Operation['flags']; detail?: string; direction?: Direction }) =>
      ops.push(makeOp(ctx, { direction: 'up', ...init, offset: at, statementOffset: item.start, statement }));
    const dynamic = (what: string) => ops.push(opaqueOp(ctx, at, 'up', statement, `${kind} with ${what} computed at run time`));
    const modelArg = item.kwargs.get('model_name') ?? item.args[0];
    const renameTable = (from: string, to: string, note: string | undefined, assumed: boolean | undefined) =>
      push({ kind: 'rename-table', target: tableRef(from), flags: { newName: to, ...assumedFlag(assumed) }, detail: note });
    // Django renames the auto-created join tables named after the model's table along with it
    const renameJoinTables = (m: ModelInfo | undefined, from: string, to: string) => {
      for (const [fname, f] of Object.entries(m?.fields ?? {})) {
        if (!f.manyToMany || f.joinTable) continue;
        renameTable(joinTableOf(from, fname, f, input.dialect) as string, joinTableOf(to, fname, f, input.dialect) as string, `many-to-many table of ${fname}`, false);
      }
    };
    const dropJoinTable = (modelName: string, fname: string, f: FieldInfo, table: string, note?: string) => {
      const join = joinTableOf(table, fname, f, input.dialect);
      if (typeof join === 'string') return push({ kind: 'drop-table', target: tableRef(join), detail: [`many-to-many table of ${modelName}.${fname}`, note].filter(Boolean).join('; ') });
      // `through=`: the join table is a model of its own, dropped only by its own DeleteModel
      if ('unknown' in join) ops.push(opaqueOp(ctx, at, 'up', statement, `the many-to-many table of ${modelName}.${fname} has a db_table computed at run time`));
    };
    switch (kind) {
      case 'DeleteModel': {
        const name = r.ident(item.kwargs.get('name') ?? item.args[0]);
        if (!name) return dynamic('a model name');
        const m = modelOf(name);
        if (m?.noTable) return; // Django has no table for a proxy or unmanaged model
        const { table, note, assumed } = tableOf(name);
        const scratch = createdHere.has(name.toLowerCase()) ? { scratch: true } : {};
        const before = ops.length;
        // its many-to-many join tables go with it
        for (const [fname, f] of Object.entries(m?.fields ?? {})) if (f.manyToMany) dropJoinTable(name, fname, f, table);
        for (const op of ops.slice(before)) Object.assign(op.flags, scratch);
        return push({ kind: 'drop-table', target: tableRef(table), detail: [note, createdHere.has(name.toLowerCase()) ? 'created by this migration' : undefined].filter(Boolean).join('; ') || undefined, flags: { ...assumedFlag(assumed), ...scratch } });
      }
      case 'RemoveField': {
        const modelName = r.ident(modelArg);
        const fname = r.ident(item.kwargs.get('name') ?? item.args[1]);
        if (!modelName || !fname) return dynamic('a model or field name');
        if (modelOf(modelName)?.noTable) return;
        const { table, note, assumed } = tableOf(modelName);
        const f = fieldOf(modelName, fname);
        if (f?.manyToMany) return dropJoinTable(modelName, fname, f, table, note);
        const column = f?.dbColumn ?? (f?.foreignKey ? `${fname}_id` : fname);
        const fieldNote = f ? undefined : `field type not declared in ${withHistory ? "this app's migrations" : 'this file'}: if ${fname} is a ForeignKey its column is ${fname}_id, if a ManyToManyField it has a join table instead`;
        return push({ kind: 'drop-column', target: childRef('column', table, column), detail: [note, fieldNote].filter(Boolean).join('; ') || undefined, flags: assumedFlag(assumed || (!f && !withHistory)) });
      }
      case 'RenameModel': {
        const from = r.ident(item.kwargs.get('old_name') ?? item.args[0]);
        const to = r.ident(item.kwargs.get('new_name') ?? item.args[1]);
        if (!from || !to) return dynamic('a model name');
        const m = modelOf(from);
        if (m?.noTable) return;
        if (m?.dbTable) return; // an explicit db_table does not change with the model name (nor its join tables' names)
        const { table, note, assumed } = tableOf(from);
        renameTable(table, defaultName(to), note, assumed);
        return renameJoinTables(m, table, defaultName(to));
      }
      case 'AlterModelTable': {
        const name = r.ident(item.kwargs.get('name') ?? item.args[0]);
        const to = r.ident(item.kwargs.get('table') ?? item.args[1]);
        if (!name) return dynamic('a model name');
        const m = modelOf(name);
        if (m?.noTable) return;
        // renames the model's table (table=None goes back to the default name), and its join tables with it
        const { table: from, note, assumed } = tableOf(name);
        const into = to ?? defaultName(name);
        if (from === into) return;
        renameTable(from, into, note && `old ${note}`, assumed);
        return renameJoinTables(m, from, into);
      }
      case 'RenameField': {
        const modelName = r.ident(modelArg);
        const from = r.ident(item.kwargs.get('old_name') ?? item.args[1]);
        const to = r.ident(item.kwargs.get('new_name') ?? item.args[2]);
        if (!modelName || !from || !to) return dynamic('a model or field name');
        if (modelOf(modelName)?.noTable) return;
        const { table, note, assumed } = tableOf(modelName);
        const f = fieldOf(modelName, from);
        if (f?.dbColumn) return; // db_column fixes the column name
        if (f?.manyToMany) {
          // the auto-created join table is named after the field
          const old = joinTableOf(table, from, f, input.dialect);
          if (typeof old === 'string' && !f.joinTable) renameTable(old, joinTableOf(table, to, f, input.dialect) as string, note, assumed);
          return;
        }
        const suffix = f?.foreignKey ? '_id' : '';
        return push({ kind: 'rename-column', target: childRef('column', table, from + suffix), flags: { newName: to + suffix, ...assumedFlag(assumed || (!f && !withHistory)) }, detail: note });
      }
      case 'AlterField': {
        const modelName = r.ident(modelArg);
        const fname = r.ident(item.kwargs.get('name') ?? item.args[1]);
        if (!modelName || !fname) return dynamic('a model or field name');
        const field = item.kwargs.get('field') ?? item.args[2];
        const info = fieldInfo(field, r, input.text);
        if (info?.manyToMany) return;
        if (modelOf(modelName)?.noTable) return;
        const { table, note, assumed } = tableOf(modelName);
        const column = info?.dbColumn ?? (info?.foreignKey ? `${fname}_id` : fname);
        const before = fieldOf(modelName, fname);
        const flags: Operation['flags'] = { ...(info ? { newType: info.type } : {}), ...assumedFlag(assumed || (!before && !withHistory)) };
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
      case 'RemoveIndex':
      case 'RemoveIndexConcurrently':
      case 'RemoveConstraint': {
        const modelName = r.ident(modelArg);
        const name = r.ident(item.kwargs.get('name') ?? item.args[1]);
        const index = kind !== 'RemoveConstraint';
        if (!modelName || !name) return dynamic(index ? 'a model or index name' : 'a model or constraint name');
        const { table, note, assumed } = tableOf(modelName);
        return push({ kind: index ? 'drop-index' : 'drop-constraint', target: childRef(index ? 'index' : 'constraint', table, name), detail: note, flags: assumedFlag(assumed) });
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
  let bodyAssumed = false; // a table the body touches was named from Django's defaults
  const body: DataBodyContext = {
    ctx,
    toks,
    parser,
    tableOf: (modelApp, modelName) => {
      if (modelApp !== undefined && modelApp !== app) return { table: defaultTable(modelApp, modelName, input.dialect), note: `table name assumed from Django's default <app_label>_<model> for ${modelApp}.${modelName}` };
      const found = tableOf(modelName);
      if (found.assumed) bodyAssumed = true;
      return found;
    },
    ident: (v) => r.ident(v),
    readSql: (arg, direction, at, statement, functionScope, withParams) => runSql(arg, direction, at, statement, makeResolver(scope, functionScope, undefined, input.text), withParams),
  };
  // What the body does is reported at the RunPython operation, where a reviewer looks and a marker goes
  // (one marker above `migrations.RunPython(…)` covers its function); the detail says where in the body.
  const readBody = (v: PyValue, direction: Direction, at: number, statementStart: number, statement: string): boolean => {
    if (v.kind !== 'name') return false;
    bodyAssumed = false;
    const found = readDataFunction(body, v.name, direction, app);
    if (!found) return false;
    const pos = ctx.lines.position(at);
    for (const op of found) {
      ops.push({
        ...op,
        flags: { ...op.flags, ...assumedFlag(bodyAssumed) },
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

  // `params`: the SQL is run with parameters (`cursor.execute(sql, params)`), so its `%s` are placeholders
  const runSql = (v: PyValue | undefined, direction: Direction, at: number, statement: string, names = r, params = false) => {
    if (!v || isNoop(v) || (v.kind === 'const' && v.value === 'None')) return;
    // A string, a list/tuple of strings, or of (sql, params) pairs.
    const items = v.kind === 'list' ? v.items : [v];
    for (const piece of items) {
      const sqlValue = piece.kind === 'list' ? piece.items[0] : piece;
      if (!sqlValue) continue;
      const withParams = params || (piece.kind === 'list' && piece.items[1] && !(piece.items[1].kind === 'const' && piece.items[1].value === 'None'));
      const resolved = names.sql(sqlValue);
      if ('opaque' in resolved) ops.push(opaqueOp(ctx, at, direction, statement, `RunSQL: ${resolved.opaque}`));
      else pending.push(readResolvedSql(ctx, withParams ? { ...resolved, source: bindParams(resolved.source) } : resolved, direction, at, at));
    }
  };

  let nextEvent = 0;
  for (const item of operations.items) {
    handle(item);
    // tables this migration itself creates (not a SeparateDatabaseAndState's state): their drop is a scratch table's
    const kind = item.kind === 'call' ? calleeName(item) : undefined;
    const named = (key: string, i: number) => (item.kind === 'call' ? r.ident(item.kwargs.get(key) ?? item.args[i])?.toLowerCase() : undefined);
    if (kind === 'CreateModel' && named('name', 0)) createdHere.add(named('name', 0)!);
    if (kind === 'RenameModel' && createdHere.delete(named('old_name', 0) ?? '')) createdHere.add(named('new_name', 1) ?? '');
    // then what it did to the models (an item's events, including a SeparateDatabaseAndState's inner ones, lie inside it)
    while (nextEvent < events.length && events[nextEvent]!.item.start < item.end) applyModelEvent(models, events[nextEvent++]!.event);
  }
  for (const more of await Promise.all(pending)) ops.push(...more);
  return sortOperations(ops);
}
