/**
 * Sequelize migrations (sequelize-cli / umzug): `module.exports = { async up(queryInterface,
 * Sequelize) {…}, async down() {…} }`, ESM and TypeScript variants. queryInterface API →
 * operations; `queryInterface.sequelize.query(...)` → SQL reader; `bulkDelete`/`bulkUpdate`
 * without a where → delete-all / update-all.
 */
import type { Operation } from '../model/operation.js';
import { childRef, namedRef, tableRef } from './common.js';
import { bindingsOf, readJsMigration, type CallSite } from './js-scan.js';
import type { JsValue } from './js.js';
import type { FormatInput } from './types.js';
import { sequelizeDataCall, sequelizeWhereSelectsEveryRow } from './orm-data-calls.js';

/** A table given as `'name'` or `{ tableName, schema }`. */
function tableOf(site: CallSite, v: JsValue | undefined): { name: string; schema?: string } | undefined {
  const r = site.resolve(v);
  if (r?.kind === 'object') {
    const name = site.ident(r.entries.get('tableName'));
    const schema = site.ident(r.entries.get('schema'));
    return name === undefined ? undefined : { name, ...(schema ? { schema } : {}) };
  }
  const name = site.ident(r);
  return name === undefined ? undefined : { name };
}

function handleSequelize(site: CallSite): void {
  const { call, method } = site;
  const a = call.args;
  if (call.func.kind !== 'member') return;
  if (sequelizeDataCall(site)) return;
  // queryInterface.sequelize.query(...) / sequelize.query(...) / queryInterface.query
  if (method === 'query') {
    const options = site.resolve(a[1]);
    const entries = options?.kind === 'object' ? options.entries : undefined;
    // `replacements` fill `?` / `:name`, `bind` fills `$1` / `$name`
    if (entries?.has('replacements')) return site.sql(a[0], bindingsOf(site, entries.get('replacements'), { question: true, named: true }));
    return site.sql(a[0], entries?.has('bind') ? bindingsOf(site, entries.get('bind'), { dollar: true }) : undefined);
  }
  const t = () => tableOf(site, a[0]);
  const withTable = (fn: (table: { name: string; schema?: string }) => void) => {
    const table = t();
    if (!table) return site.dynamic('a table name');
    fn(table);
  };
  switch (method) {
    case 'createTable': {
      const table = t();
      if (table && site.root === 'queryInterface') site.created(table.name, table.schema);
      return;
    }
    case 'dropTable':
      return withTable((table) => site.push('drop-table', tableRef(table.name, table.schema)));
    case 'dropAllTables':
      return site.push('drop-table', tableRef('*'), {}, 'dropAllTables drops every table');
    case 'removeColumn':
      return withTable((table) => {
        const col = site.ident(a[1]);
        if (col === undefined) return site.dynamic('a column name');
        site.push('drop-column', childRef('column', table.name, col, table.schema));
      });
    case 'removeIndex':
      return withTable((table) => {
        const r = site.resolve(a[1]);
        let name = site.ident(r);
        let derived = false;
        if (name === undefined && r?.kind === 'array') {
          const cols = r.items.map((i) => site.ident(i));
          if (cols.every((c): c is string => c !== undefined)) {
            // Sequelize's default index name: <table>_<col1>_<col2>
            name = `${table.name}_${cols.join('_')}`.toLowerCase();
            derived = true;
          }
        }
        if (name === undefined) return site.dynamic('an index name');
        site.push('drop-index', childRef('index', table.name, name, table.schema), {}, derived ? 'name derived from Sequelize defaults' : undefined);
      });
    case 'removeConstraint':
      return withTable((table) => {
        const name = site.ident(a[1]);
        if (name === undefined) return site.dynamic('a constraint name');
        site.push('drop-constraint', childRef('constraint', table.name, name, table.schema));
      });
    case 'renameTable':
      return withTable((table) => {
        const to = tableOf(site, a[1]);
        if (!to) return site.dynamic('a table name');
        site.push('rename-table', tableRef(table.name, table.schema), { newName: to.name });
      });
    case 'renameColumn':
      return withTable((table) => {
        const from = site.ident(a[1]);
        const to = site.ident(a[2]);
        if (from === undefined || to === undefined) return site.dynamic('a column name');
        site.push('rename-column', childRef('column', table.name, from, table.schema), { newName: to });
      });
    case 'changeColumn':
      return withTable((table) => {
        const col = site.ident(a[1]);
        if (col === undefined) return site.dynamic('a column name');
        const def = site.resolve(a[2]);
        const type = def?.kind === 'object' ? def.entries.get('type') : def;
        const newType = type ? site.ctx.text.slice(type.start, type.end) : undefined;
        site.push('alter-column-type', childRef('column', table.name, col, table.schema), newType ? { newType } : {});
      });
    case 'bulkDelete':
      return withTable((table) => {
        if (sequelizeWhereSelectsEveryRow(site, a[1])) site.push('delete-all', tableRef(table.name, table.schema));
      });
    case 'bulkUpdate':
      return withTable((table) => {
        if (sequelizeWhereSelectsEveryRow(site, a[2])) site.push('update-all', tableRef(table.name, table.schema));
      });
    case 'dropSchema': {
      const s = site.ident(a[0]);
      if (s === undefined) return site.dynamic('a schema name');
      return site.push('drop-schema', namedRef('schema', s));
    }
    case 'dropAllSchemas':
      return site.push('drop-schema', namedRef('schema', '*'), {}, 'dropAllSchemas drops every schema');
    case 'dropEnum': {
      const e = site.ident(a[0]);
      if (e === undefined) return site.dynamic('an enum name');
      return site.push('drop-type', namedRef('type', e));
    }
    case 'dropAllEnums':
      return site.push('drop-type', namedRef('type', '*'), {}, 'dropAllEnums drops every enum type');
    case 'dropFunction': {
      const f = site.ident(a[0]);
      if (f === undefined) return site.dynamic('a function name');
      return site.push('drop-function', namedRef('function', f));
    }
    case 'dropTrigger':
      return withTable((table) => {
        const name = site.ident(a[1]);
        if (name === undefined) return site.dynamic('a trigger name');
        site.push('drop-trigger', childRef('trigger', table.name, name, table.schema));
      });
  }
}

export async function readSequelize(input: FormatInput): Promise<Operation[]> {
  return readJsMigration(input, handleSequelize);
}
