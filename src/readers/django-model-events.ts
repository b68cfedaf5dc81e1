/**
 * What a Django migration's operations do to the app's models (django-model-state.ts), read from
 * its Python: CreateModel, AddField/AlterField/RemoveField/RenameField, AlterModelTable,
 * AlterModelOptions, RenameModel, DeleteModel, and the sides of SeparateDatabaseAndState.
 */
import { collectAssignments, makeResolver, PyScope, type ValueResolver } from './alembic.js';
import { makeContext } from './common.js';
import { collectOperations } from './django-operations.js';
import type { FieldInfo, ModelEvent } from './django-model-state.js';
import { calleeName, literalString, logicalLines, PyParser, pythonTokensOrError, type PyValue } from './python.js';

export function fieldInfo(field: PyValue | undefined, r: ValueResolver, text: string): FieldInfo | undefined {
  if (!field || field.kind !== 'call') return undefined;
  const name = calleeName(field) ?? '';
  // a field class (`models.CharField`, `ParentalKey`, a custom `…Field`); a helper's result could be anything
  if (!/(Field|Key)$/.test(name)) return undefined;
  const dbColumn = r.ident(field.kwargs.get('db_column'));
  const manyToMany = /^(ManyToManyField|ParentalManyToManyField)$/.test(name);
  const info: FieldInfo = {
    foreignKey: /^(ForeignKey|OneToOneField|ParentalKey)$/.test(name),
    manyToMany,
    ...(dbColumn ? { dbColumn } : {}),
    type: text.slice(field.start, field.end),
  };
  if (manyToMany) {
    const through = field.kwargs.get('through');
    const dbTable = field.kwargs.get('db_table');
    if (through && !(through.kind === 'const' && through.value === 'None')) info.joinTable = { through: true };
    else if (dbTable) {
      const explicit = r.ident(dbTable);
      info.joinTable = explicit ? { explicit } : { computed: true };
    }
  }
  return info;
}

/** `options={'db_table': …, 'proxy': True, 'managed': False}` as far as tables go. */
function tableOptions(options: PyValue | undefined, r: ValueResolver): { dbTable?: string; proxy: boolean; unmanaged: boolean } {
  const out: { dbTable?: string; proxy: boolean; unmanaged: boolean } = { proxy: false, unmanaged: false };
  if (options?.kind !== 'dict') return out;
  // only a literal True / False counts: anything else keeps the table (it may exist)
  const literal = (v: PyValue, value: string) => v.kind === 'const' && v.value === value;
  for (const [k, v] of options.entries) {
    const key = literalString(k)?.text;
    const table = key === 'db_table' ? r.ident(v) : undefined;
    if (table) out.dbTable = table;
    if (key === 'proxy') out.proxy = literal(v, 'True');
    if (key === 'managed') out.unmanaged = literal(v, 'False');
  }
  return out;
}

export interface EventOf {
  event: ModelEvent;
  /** The operation call it came from. */
  item: PyValue;
}

/**
 * What each operation tells about the app's models, in order. `lists` chooses the side of a
 * `SeparateDatabaseAndState`: its `state_operations` are what later migrations see (history); the
 * reader reading its own file also learns from `database_operations` (the tables it really touches).
 */
export function modelEvents(items: PyValue[], r: ValueResolver, text: string, lists: 'state' | 'both'): EventOf[] {
  const out: EventOf[] = [];
  const visit = (list: PyValue[]) => {
    for (const item of list) {
      if (item.kind !== 'call') continue;
      const kind = calleeName(item);
      const arg = (i: number, ...keys: string[]) => {
        for (const k of keys) if (item.kwargs.has(k)) return item.kwargs.get(k);
        return item.args[i];
      };
      const push = (event: ModelEvent) => out.push({ event, item });
      const name = (i: number, ...keys: string[]) => r.ident(arg(i, ...keys));
      switch (kind) {
        case 'CreateModel': {
          const model = name(0, 'name');
          if (!model) {
            push({ event: 'unknown' });
            break;
          }
          const fields: Record<string, FieldInfo> = {};
          const list = arg(1, 'fields');
          if (list?.kind === 'list') {
            for (const f of list.items) {
              if (f.kind !== 'list' || f.items.length < 2) continue;
              const fname = r.ident(f.items[0]);
              const info = fieldInfo(f.items[1], r, text);
              if (fname && info) fields[fname] = info;
            }
          }
          const { dbTable, proxy, unmanaged } = tableOptions(arg(2, 'options'), r);
          const noTable = proxy ? 'proxy' : unmanaged ? 'unmanaged' : undefined;
          push({ event: 'create', model, fields, ...(dbTable ? { dbTable } : {}), ...(noTable ? { noTable } : {}) });
          break;
        }
        case 'AddField':
        case 'AlterField': {
          const model = name(0, 'model_name');
          const field = name(1, 'name');
          const info = fieldInfo(arg(2, 'field'), r, text);
          if (!model || !field) push({ event: 'unknown' });
          // a field built at run time: its kind is unknown from here on
          else push(info ? { event: 'field', model, field, info } : { event: 'remove-field', model, field });
          break;
        }
        case 'RemoveField': {
          const model = name(0, 'model_name');
          const field = name(1, 'name');
          push(model && field ? { event: 'remove-field', model, field } : { event: 'unknown' });
          break;
        }
        case 'RenameField': {
          const model = name(0, 'model_name');
          const from = name(1, 'old_name');
          const to = name(2, 'new_name');
          push(model && from && to ? { event: 'rename-field', model, from, to } : { event: 'unknown' });
          break;
        }
        case 'AlterModelTable': {
          const model = name(0, 'name');
          const table = arg(1, 'table');
          const literal = r.ident(table);
          if (!model || (table && !literal && !(table.kind === 'const' && table.value === 'None'))) push({ event: 'unknown' });
          else push({ event: 'table', model, ...(literal ? { table: literal } : {}) });
          break;
        }
        case 'AlterModelOptions': {
          const model = name(0, 'name');
          if (!model) push({ event: 'unknown' });
          else push({ event: 'options', model, unmanaged: tableOptions(arg(1, 'options'), r).unmanaged });
          break;
        }
        case 'RenameModel': {
          const from = name(0, 'old_name');
          const to = name(1, 'new_name');
          push(from && to ? { event: 'rename-model', from, to } : { event: 'unknown' });
          break;
        }
        case 'DeleteModel': {
          const model = name(0, 'name');
          push(model ? { event: 'delete', model } : { event: 'unknown' });
          break;
        }
        case 'SeparateDatabaseAndState': {
          const state = arg(1, 'state_operations');
          const database = arg(0, 'database_operations');
          if (state?.kind === 'list') visit(state.items);
          if (lists === 'both' && database?.kind === 'list') visit(database.items);
          break;
        }
      }
    }
  };
  visit(items);
  return out;
}

/** The model events of one migration file, for the app's history (nothing when it cannot be read). */
export function modelEventsIn(text: string): ModelEvent[] {
  const tokenized = pythonTokensOrError(makeContext('history.py', text, 'postgres'), text);
  if ('error' in tokenized) return [{ event: 'unknown' }];
  const parser = new PyParser(tokenized.toks);
  const lines = logicalLines(tokenized.toks);
  const r = makeResolver(new PyScope(collectAssignments(parser, lines)), -1, undefined, text);
  const collected = collectOperations(parser, lines, r, text);
  if (!collected) return [];
  const events = modelEvents(collected.items, r, text, 'state').map((e) => e.event);
  // an operations list partly built at run time may create or rename anything
  return collected.opaque.length ? [...events, { event: 'unknown' }] : events;
}
