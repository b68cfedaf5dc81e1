/**
 * Data deletes and truncates through an ORM's models, repositories and query builders (not the schema API),
 * in Sequelize and TypeORM migrations: `User.destroy({ truncate: true })`, `User.destroy({ where: {} })`,
 * `manager.clear(User)`, `repository.delete({})`, `createQueryBuilder().delete().from(User).execute()`, and the
 * calls that reach tables through the models: Sequelize `sync({ force | alter })` / `drop()` / `truncate()`, TypeORM
 * `synchronize()`.
 * A call with a condition deletes some rows: nothing to report. Table names come from the ORM's defaults
 * when the call names a model class (said in the finding).
 */
import type { OperationKind } from '../model/operation.js';
import { patternTruth } from '../sql/constant-conditions.js';
import { isAlwaysTrue } from '../sql/recognize.js';
import { tokenize } from '../sql/tokens.js';
import { tableRef } from './common.js';
import { splitQualified, type CallSite, type JsCall } from './js-scan.js';
import type { JsValue } from './js.js';

/** English plural as Sequelize's default table name makes it (`User` → `Users`, `Category` → `Categories`). */
function plural(name: string): string {
  if (/(s|x|z|ch|sh)$/i.test(name)) return `${name}es`;
  if (/[^aeiou]y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  return `${name}s`;
}

/** TypeORM's default table name for an entity class: snake_case (`BlogPost` → `blog_post`). */
function snake(name: string): string {
  return name.replace(/([a-z\d])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/** `{}` written as such (an object with no entries). */
function isEmptyObject(site: CallSite, v: JsValue | undefined): boolean {
  const r = site.resolve(v);
  // no named entry is not enough: `{ [Op.or]: [...] }` and `{ [key]: 1 }` have only computed ones
  return r?.kind === 'object' && r.entries.size === 0 && /^\{\s*\}$/.test(site.ctx.text.slice(r.start, r.end));
}

/**
 * TypeORM criteria that leave no row out: `{}`, the primary key not NULL (`{ id: Not(IsNull()) }`), or a
 * pattern that matches every value (`{ name: Like('%') }`, `ILike('%%')`).
 */
function typeormCriteriaSelectEveryRow(site: CallSite, v: JsValue | undefined): boolean {
  if (isEmptyObject(site, v)) return true;
  const r = site.resolve(v);
  if (r?.kind !== 'object') return false;
  const text = site.ctx.text.slice(r.start, r.end);
  if (/^\{\s*id\s*:\s*Not\s*\(\s*IsNull\s*\(\s*\)\s*\)\s*,?\s*\}$/.test(text)) return true;
  const like = /^\{\s*\w+\s*:\s*(I?Like)\s*\(\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*\)\s*,?\s*\}$/.exec(text);
  return like !== null && patternTruth(like[1]!.toUpperCase(), like[2] ?? like[3]!) === true;
}

/** null / undefined / missing. */
function isNothing(site: CallSite, v: JsValue | undefined): boolean {
  const r = site.resolve(v);
  return !r || (r.kind === 'const' && (r.value === 'null' || r.value === 'undefined'));
}

/** Sequelize's pattern operators as SQL's (`Op.like`, or the old `$like`), for patternTruth. */
const SEQUELIZE_PATTERNS: Record<string, string> = { like: 'LIKE', iLike: 'ILIKE', regexp: '~', iRegexp: '~*' };

/**
 * A Sequelize `where` that leaves no row out: missing, null / undefined, `{}`, or one condition true for every
 * row: the primary key not NULL (`{ id: { [Op.ne]: null } }`), a pattern that matches every value
 * (`{ name: { [Op.like]: '%' } }`, `{ name: { [Op.startsWith]: '' } }`); the old `$ne` operators too. An object
 * with any other key (`{ [Op.or]: [...] }`) chooses rows.
 */
export function sequelizeWhereSelectsEveryRow(site: CallSite, v: JsValue | undefined): boolean {
  if (isNothing(site, v)) return true;
  const r = site.resolve(v);
  if (r?.kind !== 'object') return false;
  const text = site.ctx.text.slice(r.start, r.end);
  if (/^\{\s*\}$/.test(text)) return true;
  const m = /^\{\s*['"]?(\w+)['"]?\s*:\s*\{\s*(?:\[\s*(?:Sequelize\s*\.\s*)?Op\s*\.\s*(\w+)\s*\]|\$(\w+))\s*:\s*(null|'[^'\\]*'|"[^"\\]*")\s*,?\s*\}\s*,?\s*\}$/.exec(text);
  if (!m) return false;
  const [field, op, value] = [m[1]!, (m[2] ?? m[3])!, m[4]!];
  if (value === 'null') return (op === 'ne' || op === 'not') && field === 'id';
  const pattern = value.slice(1, -1);
  if (/^(substring|startsWith|endsWith)$/.test(op)) return pattern === '';
  return SEQUELIZE_PATTERNS[op] !== undefined && patternTruth(SEQUELIZE_PATTERNS[op]!, pattern) === true;
}

function push(site: CallSite, kind: OperationKind, table: { name: string; schema?: string }, detail?: string): true {
  site.push(kind, tableRef(table.name, table.schema), {}, detail);
  return true;
}

// ---------------------------------------------------------------- Sequelize

/** `User`, `models.User`, `db.User`, `sequelize.models.User`: the model name, when the receiver is a model. */
function sequelizeModel(obj: JsValue): string | undefined {
  if (obj.kind === 'name') return /^[A-Z]/.test(obj.name) && obj.name !== 'Sequelize' && obj.name !== 'DataTypes' && obj.name !== 'Op' ? obj.name : undefined;
  if (obj.kind === 'member' && obj.obj.kind !== 'call') {
    const parent = obj.obj.kind === 'member' ? obj.obj.name : obj.obj.kind === 'name' ? obj.obj.name : '';
    if (/^(models|db)$/.test(parent) || /^[A-Z]/.test(obj.name)) return /^(queryInterface|Sequelize|DataTypes|Op)$/.test(obj.name) ? undefined : obj.name;
  }
  return undefined;
}

/** `sequelize`, `queryInterface.sequelize`, `db.sequelize`, `models.sequelize`: the Sequelize instance. */
function isSequelizeInstance(obj: JsValue): boolean {
  return (obj.kind === 'name' && obj.name === 'sequelize') || (obj.kind === 'member' && obj.name === 'sequelize');
}

/**
 * `sync({ force: true })` drops each table and creates it empty; `sync({ alter: true })` changes tables to match
 * the models (dropping columns they lack); `drop()` drops. On the Sequelize instance: every model's table.
 */
function sequelizeSchemaCall(site: CallSite, table: { name: string } | undefined, note: string | undefined): true {
  const { call, method } = site;
  const every = { name: '*' };
  if (method === 'drop') return push(site, 'drop-table', table ?? every, table ? note : "drop() on the Sequelize instance drops every model's table");
  if (call.args.length === 0) return true; // sync() creates missing tables only
  const options = site.resolve(call.args[0]);
  if (options?.kind !== 'object') {
    site.dynamic('sync options');
    return true;
  }
  const flag = (key: string) => {
    const v = options.entries.get(key);
    return v === undefined ? false : v.kind === 'const' && v.value === 'false' ? false : true;
  };
  if (flag('force')) return push(site, 'drop-table', table ?? every, `sync({ force: true }) drops ${table ? 'the table' : "every model's table"} and creates it empty${table && note ? `; ${note}` : ''}`);
  if (flag('alter')) {
    site.push('opaque', table ? tableRef(table.name) : undefined, {}, 'sync({ alter: true }) changes tables to match the models: columns the models lack are dropped');
  }
  return true;
}

/** Sequelize model calls; true when the call was one (reported or harmless). */
export function sequelizeDataCall(site: CallSite): boolean {
  const { call, method } = site;
  if (call.func.kind !== 'member' || !/^(destroy|truncate|update|sync|drop)$/.test(method)) return false;
  if (/^(sync|drop)$/.test(method) && isSequelizeInstance(call.func.obj)) return sequelizeSchemaCall(site, undefined, undefined);
  // sequelize.truncate(): TRUNCATE of every model's table
  if (method === 'truncate' && isSequelizeInstance(call.func.obj)) return push(site, 'truncate', { name: '*' }, "truncate() on the Sequelize instance empties every model's table");
  const model = sequelizeModel(call.func.obj);
  if (!model) return false;
  const table = { name: plural(model) };
  const note = `table name assumed from Sequelize's default (the plural of the model name ${model})`;
  if (method === 'sync' || method === 'drop') return sequelizeSchemaCall(site, table, note);
  if (method === 'truncate') return push(site, 'truncate', table, note);
  const options = site.resolve(method === 'update' ? call.args[1] : call.args[0]);
  if (!options) return true; // Sequelize refuses destroy/update without options
  if (options.kind !== 'object') {
    site.dynamic('options');
    return true;
  }
  const truncate = options.entries.get('truncate');
  if (method === 'destroy' && truncate?.kind === 'const' && truncate.value === 'true') return push(site, 'truncate', table, note);
  if (!options.entries.has('where')) return true; // refused by Sequelize: no where and no truncate
  const where = options.entries.get('where');
  if (sequelizeWhereSelectsEveryRow(site, where)) return push(site, method === 'update' ? 'update-all' : 'delete-all', table, note);
  return true;
}

// ---------------------------------------------------------------- TypeORM

const REPOSITORY = /^(getRepository|getTreeRepository|getMongoRepository|withRepository)$/;

/** The table an entity target names: a string is the name; a class gets TypeORM's default name. */
function typeormTable(site: CallSite, v: JsValue | undefined): { table?: { name: string; schema?: string }; note?: string } {
  // a class name is declared by an import, not a const: resolve() knows nothing of it
  const r = site.resolve(v) ?? (v?.kind === 'name' ? v : undefined);
  const text = site.ident(r);
  if (text !== undefined) return { table: splitQualified(text) };
  if (r?.kind === 'name') return { table: { name: snake(r.name) }, note: `table name assumed from TypeORM's default for the entity ${r.name}` };
  return {};
}

function isManager(v: JsValue): boolean {
  if (v.kind === 'member') return v.name === 'manager';
  return v.kind === 'name' && /^(manager|entityManager|em)$/.test(v.name);
}

/** TypeORM manager / repository / query-builder calls; true when the call was one (reported or harmless). */
export function typeormDataCall(site: CallSite): boolean {
  const { call, method } = site;
  if (call.func.kind !== 'member') return false;
  const obj = call.func.obj;
  // query builder: …createQueryBuilder().delete().from(X).execute() / .update(X).set({…}).execute()
  if (method === 'execute' || method === 'getQuery') {
    const names = site.chain.map((c) => (c.func.kind === 'member' ? c.func.name : c.func.kind === 'name' ? c.func.name : ''));
    if (!names.includes('createQueryBuilder')) return false;
    const verb = names.includes('delete') ? 'delete' : names.includes('update') ? 'update' : undefined;
    if (!verb || method === 'getQuery') return true;
    // the rows left out by the where calls: none when each is one SQL string that holds for every row
    // (`.where('1 = 1')`, the SQL readers' test, sql/recognize.ts) or when an `orWhere` is one
    const everyRow = (c: JsCall) => {
      const sql = c.args.length === 1 ? site.ident(site.resolve(c.args[0])) : undefined;
      return sql !== undefined && isAlwaysTrue(tokenize(sql, site.ctx.dialect));
    };
    const nameOf = (c: JsCall) => (c.func.kind === 'member' ? c.func.name : '');
    const filters = site.chain.filter((c: JsCall) => /^(where|andWhere|orWhere|whereInIds|whereEntity|andWhereInIds|orWhereInIds)$/.test(nameOf(c)));
    const unbounded = filters.some((c) => nameOf(c) === 'orWhere' && everyRow(c)) || filters.every((c) => /^(where|andWhere)$/.test(nameOf(c)) && everyRow(c));
    if (!unbounded) return true;
    const named = (name: string) => site.chain.find((c: JsCall) => c.func.kind === 'member' && c.func.name === name);
    const targetCall = verb === 'delete' ? named('from') : named('update');
    const builder = named('createQueryBuilder');
    const { table, note } = typeormTable(site, targetCall?.args[0] ?? builder?.args[0]);
    if (!table) {
      site.dynamic('a table');
      return true;
    }
    return push(site, verb === 'delete' ? 'delete-all' : 'update-all', table, note);
  }
  if (method === 'synchronize' && /^(connection|dataSource|appDataSource|AppDataSource|datasource)$/i.test(obj.kind === 'member' ? obj.name : obj.kind === 'name' ? obj.name : '')) {
    // synchronize(true) drops every table first; synchronize() makes the schema match the entities
    const drops = site.resolve(call.args[0]);
    if (drops?.kind === 'const' && drops.value === 'true') return push(site, 'drop-table', { name: '*' }, 'synchronize(true) drops every table before re-creating the schema');
    site.push('opaque', undefined, {}, 'synchronize() changes the schema to match the entities: tables and columns they lack are dropped');
    return true;
  }
  if (!/^(clear|delete|update)$/.test(method)) return false;
  // repository.clear() / .delete(criteria) / .update(criteria, values)
  let targetArg: JsValue | undefined;
  let args = call.args;
  const repository = site.resolve(obj);
  if (repository?.kind === 'call' && repository.func.kind === 'member' && REPOSITORY.test(repository.func.name)) targetArg = repository.args[0];
  else if (isManager(obj)) [targetArg, ...args] = call.args;
  else return false;
  const { table, note } = typeormTable(site, targetArg);
  if (!table) {
    site.dynamic('an entity');
    return true;
  }
  if (method === 'clear') return push(site, 'truncate', table, note ?? 'clear() empties the table');
  // TypeORM refuses empty criteria (undefined, null, '', []); `{}` matches every row
  if (typeormCriteriaSelectEveryRow(site, args[0])) return push(site, method === 'delete' ? 'delete-all' : 'update-all', table, note);
  return true;
}
