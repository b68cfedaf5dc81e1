/**
 * A Django app's model state, as far as table and column names go: each model's `db_table`, its
 * fields' kinds (foreign key, many-to-many with its join table, `db_column`) and whether Django owns a
 * table for it at all (proxy and unmanaged models have none). A migration names a model, not a table:
 * `DeleteModel("Invoice")` drops whatever `db_table` an earlier migration gave it, and `RemoveField`
 * of a many-to-many field drops its join table. Plain data: the reader seeds it with the app's
 * earlier migrations (check/django-history.ts folds their events, cached per blob), then applies its
 * own file's events (django-model-events.ts reads them from the Python).
 */
import { createHash } from 'node:crypto';
import type { Dialect } from '../model/operation.js';

export interface FieldInfo {
  /** ForeignKey / OneToOneField: the column is `<name>_id` (or db_column). */
  foreignKey: boolean;
  manyToMany: boolean;
  /**
   * Many-to-many: the join table Django creates and drops with the field. `db_table=` names it;
   * absent with `through=` (a model of its own, dropped by its own DeleteModel) or when computed.
   */
  joinTable?: { explicit: string } | { through: true } | { computed: true };
  dbColumn?: string;
  /** The field call as written, for type comparisons. */
  type: string;
}

export interface ModelInfo {
  dbTable?: string;
  fields: Record<string, FieldInfo>;
  /** Django creates no table for this model. */
  noTable?: 'proxy' | 'unmanaged';
}

/** Models by lower-case name. */
export type ModelState = Record<string, ModelInfo>;

export type ModelEvent =
  | { event: 'create'; model: string; dbTable?: string; fields: Record<string, FieldInfo>; noTable?: ModelInfo['noTable'] }
  | { event: 'field'; model: string; field: string; info: FieldInfo }
  | { event: 'remove-field'; model: string; field: string }
  | { event: 'rename-field'; model: string; from: string; to: string }
  | { event: 'table'; model: string; table?: string }
  /** AlterModelOptions: `managed` is one of the options it replaces (absent: managed again); `proxy` is not. */
  | { event: 'options'; model: string; unmanaged: boolean }
  | { event: 'rename-model'; from: string; to: string }
  | { event: 'delete'; model: string }
  /** An operation on a model whose name is computed: what the app's state holds after it is unknown. */
  | { event: 'unknown' };

/** The longest identifier Django writes before it shortens a name with a hash (`connection.ops.max_name_length()`). */
const MAX_NAME_LENGTH: Record<Dialect, number | undefined> = { postgres: 63, mysql: 64, sqlite: undefined };

/** Django's `truncate_name`: a name longer than the database allows keeps its head and ends in 4 hex digits of its md5. */
export function truncateName(name: string, dialect: Dialect): string {
  const max = MAX_NAME_LENGTH[dialect];
  if (max === undefined || name.length <= max) return name;
  return name.slice(0, max - 4) + createHash('md5').update(name).digest('hex').slice(0, 4);
}

/** The table Django gives a model with no `db_table`: `<app_label>_<model>`, shortened as Django does. */
export function defaultTable(app: string, model: string, dialect: Dialect): string {
  return truncateName(`${app}_${model.toLowerCase()}`, dialect);
}

/** The auto-created join table of a many-to-many field, or why there is none to name. */
export function joinTableOf(table: string, field: string, info: FieldInfo, dialect: Dialect): string | { none: 'through' } | { unknown: true } {
  const join = info.joinTable;
  if (join && 'explicit' in join) return join.explicit;
  if (join && 'through' in join) return { none: 'through' };
  if (join && 'computed' in join) return { unknown: true };
  return truncateName(`${table}_${field}`, dialect);
}

/**
 * Apply one event to an app's state (a copy is the caller's business). A model named only by a
 * computed name makes every model's state uncertain: the state is then emptied, so later names are
 * assumed from Django's defaults and say so, rather than trusted.
 */
export function applyModelEvent(state: ModelState, event: ModelEvent): void {
  const key = (name: string) => name.toLowerCase();
  // only CreateModel (and AlterModelTable, which says the table) make a model known: an entry means its table is known
  const model = (name: string): ModelInfo => state[key(name)] ?? { fields: {} };
  switch (event.event) {
    case 'create':
      state[key(event.model)] = { fields: { ...event.fields }, ...(event.dbTable ? { dbTable: event.dbTable } : {}), ...(event.noTable ? { noTable: event.noTable } : {}) };
      return;
    case 'field':
      model(event.model).fields[event.field] = event.info;
      return;
    case 'remove-field':
      delete model(event.model).fields[event.field];
      return;
    case 'rename-field': {
      const m = model(event.model);
      const info = m.fields[event.from];
      delete m.fields[event.from];
      if (info) m.fields[event.to] = info;
      return;
    }
    case 'table': {
      const m = (state[key(event.model)] = model(event.model));
      if (event.table) m.dbTable = event.table;
      else delete m.dbTable;
      return;
    }
    case 'options': {
      const m = model(event.model);
      if (m.noTable === 'proxy') return;
      if (event.unmanaged) m.noTable = 'unmanaged';
      else delete m.noTable;
      return;
    }
    case 'rename-model': {
      const m = state[key(event.from)];
      delete state[key(event.from)];
      if (m) state[key(event.to)] = m;
      return;
    }
    case 'delete':
      delete state[key(event.model)];
      return;
    case 'unknown':
      for (const k of Object.keys(state)) delete state[k];
      return;
  }
}
