/**
 * SQLAlchemy calls in an Alembic revision that destroy data without `op`: `Table(...).drop(bind)`,
 * `metadata.drop_all(bind)`, `Enum(...).drop(bind)`, `session.query(X).delete()` / `.update(...)` without
 * a filter. A query on a model whose table is not in the file is opaque (its table is not known here).
 */
import type { ObjectRef, OperationKind } from '../model/operation.js';
import { namedRef, tableRef } from './common.js';
import { dotted, type PyValue } from './python.js';

type Call = Extract<PyValue, { kind: 'call' }>;

interface Resolver {
  ident(v: PyValue | undefined): string | undefined;
  value(v: PyValue): PyValue | undefined;
}

type Push = (init: { kind: OperationKind; target?: ObjectRef; detail?: string }) => void;

const FILTERS = /^(filter|filter_by|where|join|outerjoin|limit|offset|slice|get|first|one|from_statement|params)$/;

/** `sa.Table("users", meta, schema="s")` / `sa.table("users")`: the table, when the value is one. */
function tableOf(v: PyValue | undefined, r: Resolver): { name: string; schema?: string } | undefined {
  const value = v ? r.value(v) ?? v : undefined;
  if (value?.kind !== 'call' || !/(^|\.)(Table|table)$/.test(dotted(value.func) ?? '')) return undefined;
  const name = r.ident(value.args[0] ?? value.kwargs.get('name'));
  if (name === undefined) return undefined;
  const schema = r.ident(value.kwargs.get('schema'));
  return { name, ...(schema ? { schema } : {}) };
}

/** Returns true when the call was one of these (reported, opaque or harmless). */
export function sqlalchemyCall(call: Call, method: string, r: Resolver, push: Push, opaque: (detail: string) => void): boolean {
  if (call.func.kind !== 'attr') return false;
  const receiver = call.func.obj;
  if (method === 'drop_all') {
    push({ kind: 'drop-table', target: tableRef('*'), detail: 'MetaData.drop_all drops every table of the metadata' });
    return true;
  }
  if (method === 'drop') {
    const table = tableOf(receiver, r);
    if (table) {
      push({ kind: 'drop-table', target: tableRef(table.name, table.schema), detail: 'Table.drop' });
      return true;
    }
    const value = r.value(receiver) ?? receiver;
    if (value.kind === 'call' && /(^|\.)(Enum|ENUM)$/.test(dotted(value.func) ?? '')) {
      const name = r.ident(value.kwargs.get('name'));
      if (name === undefined) opaque('Enum.drop with a type name computed at run time');
      else push({ kind: 'drop-type', target: namedRef('type', name) });
      return true;
    }
    if (receiver.kind === 'attr' && receiver.name === '__table__') {
      opaque(`${dotted(receiver) ?? 'the model'}.drop drops the model's table, which is not named in this file`);
      return true;
    }
    return false;
  }
  if (method !== 'delete' && method !== 'update') return false;
  // session.query(X)…delete(): the chain's calls, outermost last
  const links: Call[] = [];
  for (let cur: PyValue = receiver; cur.kind === 'call' || cur.kind === 'attr'; cur = cur.kind === 'call' ? cur.func : cur.obj) if (cur.kind === 'call') links.push(cur);
  const query = links.find((c) => c.func.kind === 'attr' && c.func.name === 'query');
  if (!query) return false;
  if (links.some((c) => c.func.kind === 'attr' && FILTERS.test(c.func.name))) return true;
  const kind = method === 'delete' ? 'delete-all' : 'update-all';
  const table = tableOf(query.args[0], r);
  if (table) push({ kind, target: tableRef(table.name, table.schema), detail: `query(...).${method}() without a filter` });
  else opaque(`query(...).${method}() without a filter ${method === 'delete' ? 'deletes' : 'updates'} every row of a model whose table is not named in this file`);
  return true;
}
