/**
 * TypeORM migrations: `class X implements MigrationInterface { async up(queryRunner) … down … }`.
 * `queryRunner.query(...)` → SQL reader; the QueryRunner schema API → operations. Table arguments
 * may be names (`"schema.table"`), `new Table({ name })` objects or `TableColumn`/`TableIndex`/
 * `TableForeignKey` objects with a `name`.
 */
import type { Operation } from '../model/operation.js';
import { childRef, namedRef, tableRef } from './common.js';
import { bindingsOf, readJsMigration, splitQualified, type CallSite } from './js-scan.js';
import type { JsValue } from './js.js';
import type { FormatInput } from './types.js';
import { typeormDataCall } from './orm-data-calls.js';

/** A name given as a string or as `new TableX({ name: '…' })`. */
function nameOf(site: CallSite, v: JsValue | undefined): string | undefined {
  const r = site.resolve(v);
  if (!r) return undefined;
  if (r.kind === 'call' && r.isNew) return nameOf(site, r.args[0]);
  if (r.kind === 'object') return site.ident(r.entries.get('name'));
  return site.ident(r);
}

function handleTypeorm(site: CallSite): void {
  const { call, method } = site;
  const a = call.args;
  if (call.func.kind !== 'member') return;
  // queryRunner.query(sql, [params]): `$1` (PostgreSQL) or `?` take the parameters' values
  if (method === 'query') return site.sql(a[0], a[1] ? bindingsOf(site, a[1], { dollar: true, question: site.ctx.dialect !== 'postgres' }) : undefined);
  if (typeormDataCall(site)) return;
  const table = () => {
    const n = nameOf(site, a[0]);
    return n === undefined ? undefined : splitQualified(n);
  };
  const t = table() ?? { name: '', schema: undefined };
  const needTable = (): boolean => {
    if (t.name) return true;
    site.dynamic('a table name');
    return false;
  };
  const child = (type: 'column' | 'index' | 'constraint', v: JsValue | undefined, kind: Operation['kind'], what: string) => {
    if (!needTable()) return;
    const n = nameOf(site, v);
    if (n === undefined) return site.dynamic(what);
    site.push(kind, childRef(type, t.name, n, t.schema));
  };
  const many = (type: 'column' | 'index' | 'constraint', v: JsValue | undefined, kind: Operation['kind'], what: string) => {
    const r = site.resolve(v);
    if (r?.kind !== 'array') return site.dynamic(what);
    for (const item of r.items) child(type, item, kind, what);
  };
  switch (method) {
    case 'createTable':
      // createTable(table, ifNotExists = false): with ifNotExists the table may have existed
      if (t.name && site.root === 'queryRunner' && !(a[1]?.kind === 'const' && a[1].value !== 'false')) site.created(t.name, t.schema);
      return;
    case 'dropTable':
      if (!needTable()) return;
      return site.push('drop-table', tableRef(t.name, t.schema), a[1]?.kind === 'const' && a[1].value === 'true' ? { ifExists: true } : {});
    case 'clearTable':
      if (!needTable()) return;
      return site.push('truncate', tableRef(t.name, t.schema), {}, 'clearTable empties the table');
    case 'clearDatabase':
      return site.push('drop-table', tableRef('*'), {}, 'clearDatabase drops every table');
    case 'dropColumn':
      return child('column', a[1], 'drop-column', 'a column name');
    case 'dropColumns':
      return many('column', a[1], 'drop-column', 'a column name');
    case 'dropIndex':
      return child('index', a[1], 'drop-index', 'an index name');
    case 'dropIndices':
      return many('index', a[1], 'drop-index', 'an index name');
    case 'dropForeignKey':
    case 'dropUniqueConstraint':
    case 'dropCheckConstraint':
    case 'dropExclusionConstraint':
      return child('constraint', a[1], 'drop-constraint', 'a constraint name');
    case 'dropForeignKeys':
    case 'dropUniqueConstraints':
    case 'dropCheckConstraints':
    case 'dropExclusionConstraints':
      return many('constraint', a[1], 'drop-constraint', 'a constraint name');
    case 'dropPrimaryKey':
      if (!needTable()) return;
      return site.push('drop-constraint', childRef('constraint', t.name, site.ident(a[1]) ?? `${t.name}_pkey`, t.schema), {}, site.ident(a[1]) ? undefined : 'primary key');
    case 'dropView': {
      const v = nameOf(site, a[0]);
      if (v === undefined) return site.dynamic('a view name');
      const q = splitQualified(v);
      return site.push('drop-view', { type: 'view', name: q.name, ...(q.schema ? { schema: q.schema } : {}), written: v });
    }
    case 'dropSchema': {
      const s = site.ident(a[0]);
      if (s === undefined) return site.dynamic('a schema name');
      return site.push('drop-schema', namedRef('schema', s), { ...(a[1]?.kind === 'const' && a[1].value === 'true' ? { ifExists: true } : {}), ...(a[2]?.kind === 'const' && a[2].value === 'true' ? { cascade: true } : {}) });
    }
    case 'dropDatabase': {
      const d = site.ident(a[0]);
      if (d === undefined) return site.dynamic('a database name');
      return site.push('drop-database', namedRef('database', d));
    }
    case 'renameTable': {
      const to = nameOf(site, a[1]);
      if (!needTable()) return;
      if (to === undefined) return site.dynamic('a table name');
      return site.push('rename-table', tableRef(t.name, t.schema), { newName: splitQualified(to).name });
    }
    case 'renameColumn': {
      if (!needTable()) return;
      const from = nameOf(site, a[1]);
      const to = nameOf(site, a[2]);
      if (from === undefined || to === undefined) return site.dynamic('a column name');
      return site.push('rename-column', childRef('column', t.name, from, t.schema), { newName: to });
    }
    case 'changeColumn': {
      if (!needTable()) return;
      const from = nameOf(site, a[1]);
      if (from === undefined) return site.dynamic('a column name');
      const next = site.resolve(a[2]);
      const def = next?.kind === 'call' && next.isNew ? site.resolve(next.args[0]) : next;
      const newName = nameOf(site, a[2]);
      const typeValue = def?.kind === 'object' ? def.entries.get('type') : undefined;
      const newType = typeValue ? (site.ident(typeValue) ?? site.ctx.text.slice(typeValue.start, typeValue.end)) : undefined;
      site.push('alter-column-type', childRef('column', t.name, from, t.schema), newType ? { newType } : {}, newType ? undefined : 'changeColumn replaces the column definition');
      if (newName !== undefined && newName !== from) site.push('rename-column', childRef('column', t.name, from, t.schema), { newName });
      return;
    }
  }
}

export async function readTypeorm(input: FormatInput): Promise<Operation[]> {
  return readJsMigration(input, handleTypeorm);
}
