/**
 * Knex migrations (JS/TS, CommonJS/ESM): `exports.up/down`, `export async function up/down`.
 * Schema builder: dropTable(IfExists), renameTable, table/alterTable callbacks (dropColumn(s),
 * dropIndex/Unique/Foreign/Primary with Knex's default names, renameColumn, `.alter()`),
 * `withSchema`, `knex.raw` → SQL reader, `knex('t').del()` / `.truncate()` without where.
 */
import type { Operation } from '../model/operation.js';
import { childRef, tableRef } from './common.js';
import { patternTruth } from '../sql/constant-conditions.js';
import { isAlwaysTrue } from '../sql/recognize.js';
import { tokenize } from '../sql/tokens.js';
import { bindingsOf, readJsMigration, type CallSite, type JsCall } from './js-scan.js';
import type { JsValue } from './js.js';
import type { FormatInput } from './types.js';

const TABLE_CALLBACK_METHODS = new Set(['table', 'alterTable', 'createTable', 'createTableIfNotExists', 'createTableLike']);
const FILTER_METHODS = /^(where|orWhere|andWhere|whereIn|whereNot|whereNotIn|whereNull|whereNotNull|whereBetween|whereExists|whereRaw|whereLike|whereILike|whereJsonPath|limit|join|innerJoin|leftJoin|first)$/;

function schemaOf(site: CallSite, upTo: JsCall): string | undefined {
  for (const c of site.chain) {
    if (c === upTo) break;
    if (c.func.kind === 'member' && c.func.name === 'withSchema') return site.ident(c.args[0]);
  }
  return undefined;
}

function onSchemaBuilder(site: CallSite): boolean {
  // knex.schema.x / trx.schema.x / this.knex.schema.x / schema.x (a destructured builder)
  let cur: JsValue = site.call.func;
  while (cur.kind === 'member' || cur.kind === 'call') {
    cur = cur.kind === 'call' ? cur.func : cur.obj;
    if (cur.kind === 'member' && cur.name === 'schema') return true;
  }
  return cur.kind === 'name' && cur.name === 'schema';
}

function columnsOf(site: CallSite, v: JsValue | undefined): string[] | undefined {
  const r = site.resolve(v);
  if (!r) return undefined;
  if (r.kind === 'array') {
    const cols = r.items.map((item) => site.ident(item));
    return cols.every((c): c is string => c !== undefined) ? cols : undefined;
  }
  const one = site.ident(r);
  return one === undefined ? undefined : [one];
}

/**
 * A where-like call that restricts the rows: not `where({})`, an always-true `whereRaw('1 = 1')` (the SQL
 * readers' test), a pattern that matches every value, nor `whereNotNull('id')`.
 */
function filters(site: CallSite, c: JsCall): boolean {
  if (c.func.kind !== 'member' || !FILTER_METHODS.test(c.func.name)) return false;
  const first = site.resolve(c.args[0]);
  if (/^(where|andWhere)$/.test(c.func.name) && c.args.length === 1 && first?.kind === 'object' && first.entries.size === 0) return false;
  const raw = c.func.name === 'whereRaw' && c.args.length === 1 ? site.ident(first) : undefined;
  if (raw !== undefined && isAlwaysTrue(tokenize(raw, site.ctx.dialect))) return false;
  // `.where('name', 'like', '%')`, `.whereLike('name', '%')`: a pattern that matches every value restricts nothing
  const [op, pattern] = /^(where|andWhere|orWhere)$/.test(c.func.name) && c.args.length === 3 ? [site.ident(site.resolve(c.args[1])), site.ident(site.resolve(c.args[2]))] : /^(whereLike|whereILike)$/.test(c.func.name) && c.args.length === 2 ? [c.func.name === 'whereLike' ? 'LIKE' : 'ILIKE', site.ident(site.resolve(c.args[1]))] : [];
  if (op !== undefined && pattern !== undefined && patternTruth(op, pattern) === true) return false;
  // `.whereNotNull('id')`: the primary key (knex's `increments('id')`) is never NULL
  if (c.func.name === 'whereNotNull' && c.args.length === 1 && site.ident(first) === 'id') return false;
  return true;
}

function handleKnex(site: CallSite): void {
  const { call, method } = site;
  const args = call.args;
  // knex.raw / knex.schema.raw / trx.raw; `{ email: knex.raw('LOWER(??)', ['email']) }` is a value of the
  // call it is given to (an expression), and a literal bindings array names what `??` stands for
  if (method === 'raw' && call.func.kind === 'member') {
    const toks = site.parser.toks;
    // `{ key: knex.raw(…) }` / `, key: knex.raw(…)`: not a ternary's `: knex.raw(…)` nor a `case x:`
    const inObject = site.chain[0] === call && toks[site.index - 1]?.value === ':' && /^(name|str)$/.test(toks[site.index - 2]?.type ?? '') && /^[{,]$/.test(toks[site.index - 3]?.value ?? '');
    return site.sql(args[0], args.length > 1 ? bindingsOf(site, args[1], { question: true, named: true }) : undefined, { expression: inObject });
  }

  if (onSchemaBuilder(site)) {
    const schema = schemaOf(site, call);
    switch (method) {
      case 'createTable': {
        const table = site.ident(args[0]);
        if (table !== undefined) site.created(table, schema);
        break;
      }
      case 'dropTable':
      case 'dropTableIfExists': {
        const table = site.ident(args[0]);
        if (table === undefined) return site.dynamic('a table name');
        return site.push('drop-table', tableRef(table, schema), method === 'dropTableIfExists' ? { ifExists: true } : {});
      }
      case 'dropView':
      case 'dropViewIfExists':
      case 'dropMaterializedView':
      case 'dropMaterializedViewIfExists': {
        const view = site.ident(args[0]);
        if (view === undefined) return site.dynamic('a view name');
        return site.push('drop-view', { type: 'view', name: view, ...(schema ? { schema } : {}), written: schema ? `${schema}.${view}` : view }, /IfExists/.test(method) ? { ifExists: true } : {});
      }
      case 'dropSchema':
      case 'dropSchemaIfExists': {
        const name = site.ident(args[0]);
        if (name === undefined) return site.dynamic('a schema name');
        return site.push('drop-schema', { type: 'schema', name, written: name }, { ...(method === 'dropSchemaIfExists' ? { ifExists: true } : {}), ...(args[1]?.kind === 'const' && args[1].value === 'true' ? { cascade: true } : {}) });
      }
      case 'renameTable': {
        const from = site.ident(args[0]);
        const to = site.ident(args[1]);
        if (from === undefined || to === undefined) return site.dynamic('a table name');
        return site.push('rename-table', tableRef(from, schema), { newName: to });
      }
    }
    if (TABLE_CALLBACK_METHODS.has(method)) {
      const table = site.ident(args[0]);
      const fn = args.find((a) => a.kind === 'func');
      if (fn?.kind === 'func' && fn.params[0]) {
        if (table === undefined) return site.dynamic('a table name');
        site.addTableScope({ param: fn.params[0], table, schema, from: fn.bodyStart, to: fn.bodyEnd });
      }
    }
    return;
  }

  // Column operations inside a table callback: table.dropColumn('x')
  const scope = site.tableScope(site.root);
  if (scope && site.chain[0] === call) {
    const { table, schema } = scope;
    const col = (name: string) => childRef('column', table, name, schema);
    switch (method) {
      case 'dropColumn':
      case 'dropColumns': {
        for (const a of args) {
          const names = columnsOf(site, a);
          if (!names) return site.dynamic('a column name');
          for (const name of names) site.push('drop-column', col(name));
        }
        return;
      }
      case 'dropTimestamps':
        site.push('drop-column', col('created_at'));
        return site.push('drop-column', col('updated_at'));
      case 'renameColumn': {
        const from = site.ident(args[0]);
        const to = site.ident(args[1]);
        if (from === undefined || to === undefined) return site.dynamic('a column name');
        return site.push('rename-column', col(from), { newName: to });
      }
      case 'dropIndex':
      case 'dropUnique':
      case 'dropForeign':
      case 'dropPrimary': {
        const explicit = method === 'dropPrimary' ? site.ident(args[0]) : args[1] ? site.ident(args[1]) : undefined;
        const cols = method === 'dropPrimary' ? [] : columnsOf(site, args[0]);
        if (method !== 'dropPrimary' && !explicit && !cols) return site.dynamic('an index or column name');
        const suffix = method === 'dropIndex' ? 'index' : method === 'dropUnique' ? 'unique' : method === 'dropForeign' ? 'foreign' : 'pkey';
        // Knex's default names: <table>_<columns>_<index|unique|foreign>, <table>_pkey
        const name = explicit ?? (method === 'dropPrimary' ? `${table}_pkey` : `${table}_${cols!.join('_')}_${suffix}`.toLowerCase().replace(/[-.]/g, '_'));
        const kind = method === 'dropIndex' ? 'drop-index' : 'drop-constraint';
        return site.push(kind, childRef(kind === 'drop-index' ? 'index' : 'constraint', table, name, schema), {}, explicit ? undefined : 'name derived from Knex defaults');
      }
      case 'dropChecks': {
        const names = columnsOf(site, args[0]);
        if (!names) return site.dynamic('a constraint name');
        for (const name of names) site.push('drop-constraint', childRef('constraint', table, name, schema));
        return;
      }
    }
    // t.string('x', 50).alter(): a column type change
    const alter = site.chain.find((c) => c.func.kind === 'member' && c.func.name === 'alter');
    if (alter && call === site.chain[0] && method !== 'alter') {
      const name = site.ident(args[0]);
      if (name === undefined) return site.dynamic('a column name');
      const typeCall = `${method}(${args.map((a) => site.ctx.text.slice(a.start, a.end)).join(', ')})`;
      return site.push('alter-column-type', col(name), { newType: typeCall });
    }
    return;
  }

  // A column operation whose table we cannot tell (a callback defined elsewhere): fail closed.
  if (!scope && site.chain[0] === call && /^(dropColumns?|dropIndex|dropUnique|dropForeign|dropPrimary|dropTimestamps|renameColumn|dropChecks)$/.test(method)) {
    return site.push('opaque', undefined, {}, `${method} outside a table/alterTable callback: its table cannot be told statically`);
  }

  // Query builder: knex('t').del() / knex.table('t').truncate() / knex('t').update({...}) without where
  if ((method === 'del' || method === 'delete' || method === 'truncate' || method === 'update') && site.chain.length >= 2) {
    const root = site.chain[0];
    const rootMethod = root.func.kind === 'name' ? root.func.name : root.func.kind === 'member' ? root.func.name : undefined;
    // knex.delete().from('t'): the verb may come first, the table after it
    const verbFirst = root === call && root.func.kind === 'member' && root.func.obj.kind === 'name';
    if (!rootMethod || (!/^(knex|trx|db|table|from|into|queryBuilder|withSchema)$/.test(rootMethod) && root.func.kind !== 'name' && !verbFirst)) return;
    const before = site.chain.slice(0, site.chain.indexOf(call));
    // knex.withSchema('s').table('t') / knex.from('t'): the table is the last table/from/into of the query
    // (the builder runs the whole chain as one query, whatever the order of its calls)
    const named = (c: JsCall) => c.func.kind === 'member' && /^(table|from|into)$/.test(c.func.name);
    const tableCall = [...site.chain].reverse().find(named) ?? root;
    if (tableCall === call) return;
    const withSchema = site.chain.find((c) => c.func.kind === 'member' && c.func.name === 'withSchema');
    const schema = withSchema ? site.ident(withSchema.args[0]) : undefined;
    const table = site.ident(tableCall.args[0]);
    if (table === undefined) return tableCall.args[0] ? site.dynamic('a table name') : undefined;
    if (method === 'truncate') return site.push('truncate', tableRef(table, schema));
    if (site.chain.some((c) => filters(site, c))) return;
    if (method === 'update' && before.length === 0 && call.args.length === 0) return;
    return site.push(method === 'update' ? 'update-all' : 'delete-all', tableRef(table, schema));
  }
}

export async function readKnex(input: FormatInput): Promise<Operation[]> {
  return readJsMigration(input, handleKnex);
}
