/**
 * Liquibase changelogs: XML, YAML and JSON (same model), and "formatted SQL" files
 * (`--liquibase formatted sql`, `--rollback` comments). Changes inside `<changeSet>` run forward;
 * `<rollback>` runs on rollback. `<sql>`, `sqlFile` and `createProcedure` (its body or `path`) go to the SQL
 * reader; files are read through `resolveFile` (relative to the changelog when `relativeToChangelogFile` is
 * true). `<modifySql>` that could change what runs is opaque.
 * `include` is followed inside the repository and `includeAll` is opaque (liquibase-includes.ts).
 */
import type { Dialect, Direction, Operation, OperationFlags, OperationKind, ObjectRef } from '../model/operation.js';
import { SourceSyntaxError, childRef, makeContext, makeOp, namedRef, opaqueOp, readEmbeddedSql, sortOperations, tableRef, unparseableOp, type ReadContext, type SourceText } from './common.js';
import type { FormatInput } from './types.js';
import { parseXml, type XmlElement } from './xml.js';
import { readIncludes } from './liquibase-includes.js';
import { markClaimedScratchTables, type TableCreation } from './scratch-claims.js';

/** One change (or rollback entry), whatever the changelog syntax. */
interface ChangeNode {
  type: string;
  offset: number;
  /** Text of the whole change, for display. */
  statement: string;
  attr(name: string): { value: string; offset: number } | undefined;
  /** Nested `column` entries (dropColumn). */
  columns(): ChangeNode[];
  /** `<sql>` body / YAML `sql:` value. */
  body(): SourceText | undefined;
  /** `<where>` child (XML) or `where:` (YAML). */
  hasWhere(): boolean;
}

interface ChangeSet {
  changes: ChangeNode[];
  rollback: ChangeNode[];
  /** Rollback given as plain SQL text. */
  rollbackSql?: SourceText;
  rollbackOffset?: number;
  /** The changeSet's `dbms` attribute (which databases it runs on). */
  dbms?: string;
  /** `<modifySql>` blocks: edits to the SQL its changes generate. */
  modifySql: ModifySql[];
}

/** One `<modifySql>`: where it is, which databases it applies to, and each edit with the text it puts in. */
interface ModifySql {
  offset: number;
  statement: string;
  dbms?: string;
  edits: Array<{ kind: string; inserted: string }>;
}

const DBMS_NAMES: Record<Dialect, string[]> = { postgres: ['postgresql', 'postgres'], mysql: ['mysql', 'mariadb'], sqlite: ['sqlite'] };

/**
 * Whether a `dbms="…"` list includes the configured database: `all`, our name, or a list of
 * exclusions (`!h2`) without ours. Absent = runs everywhere.
 */
export function runsOn(dbms: string | undefined, dialect: Dialect): boolean {
  if (!dbms || dbms.trim() === '') return true;
  const ours = DBMS_NAMES[dialect];
  const items = dbms.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
  if (items.includes('none')) return false;
  if (items.some((d) => d.startsWith('!') && ours.includes(d.slice(1)))) return false;
  const positive = items.filter((d) => !d.startsWith('!'));
  return positive.length === 0 || positive.includes('all') || positive.some((d) => ours.includes(d));
}

// ---------------------------------------------------------------------------------------------
// XML

function xmlNode(ctx: ReadContext, el: XmlElement): ChangeNode {
  return {
    type: el.name,
    offset: el.start,
    statement: ctx.text.slice(el.start, el.end),
    attr: (name) => el.attrs.get(name),
    columns: () => el.children.filter((c) => c.name === 'column').map((c) => xmlNode(ctx, c)),
    body: () => {
      const sqlChild = el.children.find((c) => c.name === 'sql');
      return sqlChild ? sqlChild.text : el.text;
    },
    hasWhere: () => el.children.some((c) => c.name === 'where' && c.text.text.trim() !== ''),
  };
}

/**
 * `<preConditions><dbms type="mssql"/></preConditions>`: a changeSet that runs only on that database. When the
 * precondition fails (another database) the changeSet does not run, unless `onFail="WARN"`.
 */
function preconditionDbms(cs: XmlElement): string | undefined {
  const pre = cs.children.find((c) => c.name === 'preConditions');
  if (!pre || pre.attrs.get('onFail')?.value?.toUpperCase() === 'WARN') return undefined;
  const types = pre.children.filter((c) => c.name === 'dbms').map((c) => c.attrs.get('type')?.value ?? '');
  // several direct conditions are ANDed: only a single dbms test is read (or/not/and nesting is left to run)
  return types.length === 1 && types[0] !== '' ? types[0] : undefined;
}

function xmlChangeSets(ctx: ReadContext): ChangeSet[] {
  const doc = parseXml(ctx.text);
  const log = doc.children.find((c) => c.name === 'databaseChangeLog');
  if (!log) return [];
  const sets: ChangeSet[] = [];
  for (const cs of log.children) {
    if (cs.name !== 'changeSet') continue;
    const set: ChangeSet = { changes: [], rollback: [], dbms: cs.attrs.get('dbms')?.value ?? preconditionDbms(cs), modifySql: [] };
    for (const child of cs.children) {
      if (child.name === 'modifySql') {
        const edits = child.children.map((e) => ({ kind: e.name, inserted: e.attrs.get('value')?.value ?? e.attrs.get('with')?.value ?? '' }));
        set.modifySql.push({ offset: child.start, statement: ctx.text.slice(child.start, child.end), dbms: child.attrs.get('dbms')?.value, edits });
      } else if (child.name === 'rollback') {
        for (const r of child.children) set.rollback.push(xmlNode(ctx, r));
        if (child.text.text.trim() !== '') {
          set.rollbackSql = child.text;
          set.rollbackOffset = child.start;
        }
      } else if (!['preConditions', 'comment', 'validCheckSum', 'tagDatabase'].includes(child.name)) set.changes.push(xmlNode(ctx, child));
    }
    sets.push(set);
  }
  return sets;
}

// ---------------------------------------------------------------------------------------------
// YAML / JSON

type YNode = { range?: [number, number, number] | null; type?: string; value?: unknown; items?: YPair[] | YNode[] };
type YPair = { key: YNode & { value?: unknown }; value: YNode | null };

async function yamlChangeSets(ctx: ReadContext): Promise<ChangeSet[]> {
  const YAML = await import('yaml');
  const doc = YAML.parseDocument(ctx.text, { keepSourceTokens: false, uniqueKeys: false });
  if (doc.errors.length) throw new SourceSyntaxError(doc.errors[0].message.split('\n')[0], doc.errors[0].pos[0]);
  const isMap = (n: unknown): n is { items: YPair[]; range: [number, number, number] } => YAML.isMap(n);
  const isSeq = (n: unknown): n is { items: YNode[]; range: [number, number, number] } => YAML.isSeq(n);
  const isScalar = (n: unknown): n is YNode => YAML.isScalar(n);
  // an alias (`tableName: *t`) is the node its anchor names: the same value as YAML gives the tool
  const unalias = (n: unknown): unknown => (YAML.isAlias(n) ? (n as { resolve(d: unknown): unknown }).resolve(doc) : n);
  const get = (m: unknown, key: string): YNode | undefined => {
    const map = unalias(m);
    return isMap(map) ? ((unalias(map.items.find((p) => String((p.key as { value?: unknown }).value) === key)?.value) as YNode | null) ?? undefined) : undefined;
  };

  const scalarSource = (n: YNode): SourceText => {
    const [start, end] = n.range ?? [0, 0, 0];
    const raw = ctx.text.slice(start, end);
    const value = String(n.value ?? '');
    if (n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED') {
      // header line, then indented content: keep each character's own position
      const firstNl = raw.indexOf('\n');
      const contentStart = start + firstNl + 1;
      const lines = ctx.text.slice(contentStart, end).split('\n');
      const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
      let text = '';
      const map: number[] = [];
      let off = contentStart;
      for (const line of lines) {
        const skip = Math.min(indent, line.length);
        for (let k = skip; k < line.length; k++) {
          text += line[k];
          map.push(off + k);
        }
        text += '\n';
        map.push(off + line.length);
        off += line.length + 1;
      }
      map.push(end);
      return { text, map };
    }
    const quoted = n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE';
    const inner = quoted ? start + 1 : start;
    const innerLen = quoted ? raw.length - 2 : raw.length;
    const map: number[] = [];
    for (let k = 0; k <= value.length; k++) map.push(value.length === innerLen ? inner + k : inner);
    return { text: value, map };
  };

  const node = (type: string, value: YNode | null, pairStart: number): ChangeNode => {
    const range = value?.range ?? [pairStart, pairStart, pairStart];
    return {
      type,
      offset: pairStart,
      statement: ctx.text.slice(pairStart, range[1]).trim(),
      attr: (name) => {
        const v = get(value, name);
        return v && isScalar(v) ? { value: String(v.value), offset: v.range?.[0] ?? pairStart } : undefined;
      },
      columns: () => {
        const cols = get(value, 'columns');
        if (!isSeq(cols)) return [];
        return cols.items.flatMap((item) => (isMap(item) ? item.items.filter((p) => String(p.key.value) === 'column').map((p) => node('column', p.value, p.key.range?.[0] ?? pairStart)) : []));
      },
      body: () => {
        if (value && isScalar(value)) return scalarSource(value);
        const s = get(value, 'sql') ?? get(value, 'procedureText');
        return s && isScalar(s) ? scalarSource(s) : undefined;
      },
      hasWhere: () => {
        const w = get(value, 'where');
        return !!w && isScalar(w) && String(w.value ?? '').trim() !== '';
      },
    };
  };
  const changesOf = (list: YNode | undefined): ChangeNode[] => {
    const out: ChangeNode[] = [];
    const items = isSeq(list) ? list.items : isMap(list) ? [list] : [];
    for (const listed of items) {
      const item = unalias(listed);
      if (!isMap(item)) continue;
      for (const p of item.items) out.push(node(String(p.key.value), unalias(p.value) as YNode | null, p.key.range?.[0] ?? 0));
    }
    return out;
  };

  const log = get(doc.contents, 'databaseChangeLog');
  if (!isSeq(log)) return [];
  const sets: ChangeSet[] = [];
  for (const entry of log.items) {
    const cs = get(entry, 'changeSet');
    if (!cs) continue;
    const dbmsNode = get(cs, 'dbms');
    const set: ChangeSet = { changes: changesOf(get(cs, 'changes')), rollback: [], dbms: dbmsNode && isScalar(dbmsNode) ? String(dbmsNode.value) : undefined, modifySql: [] };
    const modify = unalias(get(cs, 'modifySql'));
    for (const item of isSeq(modify) ? modify.items.map(unalias) : modify ? [modify] : []) {
      if (!isMap(item)) continue;
      const text = (v: unknown, key: string) => {
        const t = get(v, key);
        return t && isScalar(t) ? String(t.value ?? '') : '';
      };
      const edits = item.items
        .filter((p) => !['dbms', 'context', 'contextFilter', 'labels', 'applyToRollback'].includes(String(p.key.value)))
        .map((p) => ({ kind: String(p.key.value), inserted: text(p.value, 'value') || text(p.value, 'with') }));
      const start = item.range[0];
      set.modifySql.push({ offset: start, statement: ctx.text.slice(start, item.range[1]).trim(), dbms: text(item, 'dbms') || undefined, edits });
    }
    const rb = get(cs, 'rollback');
    if (rb && isScalar(rb)) {
      if (String(rb.value ?? '').trim() !== '') {
        set.rollbackSql = scalarSource(rb);
        set.rollbackOffset = rb.range?.[0];
      }
    } else if (rb) set.rollback = changesOf(rb).filter((c) => c.type !== 'changeSetId' && c.type !== 'changeSetAuthor' && c.type !== 'changeSetPath');
    sets.push(set);
  }
  return sets;
}

// ---------------------------------------------------------------------------------------------

/** Split SQL at a custom end delimiter (`GO`, `/`, `//`, `$$`...): each piece is read on its own. */
function splitAtDelimiter(source: SourceText, delimiter: string): SourceText[] {
  const d = delimiter.replace(/\\n/g, '\n').trim();
  if (d === '' || d === ';') return [source];
  const escaped = d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = /^[A-Za-z/]+$/.test(d) ? new RegExp(`^[ \\t]*${escaped}[ \\t]*$`, 'gim') : new RegExp(escaped, 'g');
  const pieces: SourceText[] = [];
  let last = 0;
  for (let m = re.exec(source.text); m; m = re.exec(source.text)) {
    pieces.push({ text: source.text.slice(last, m.index), map: source.map.slice(last, m.index + 1) });
    last = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
  }
  pieces.push({ text: source.text.slice(last), map: source.map.slice(last) });
  return pieces;
}

/** Liquibase changes (core and Pro) that add or create, and never lose a row or a column. */
const QUIET_CHANGES = new Set([
  'createTable', 'addColumn', 'createIndex', 'addForeignKeyConstraint', 'addUniqueConstraint', 'addPrimaryKey', 'addNotNullConstraint',
  'dropNotNullConstraint', 'addDefaultValue', 'dropDefaultValue', 'addAutoIncrement', 'addLookupTable', 'addCheckConstraint',
  'enableCheckConstraint', 'disableCheckConstraint', 'createSequence', 'alterSequence', 'renameSequence', 'createView', 'createFunction',
  'createTrigger', 'enableTrigger', 'disableTrigger', 'createPackage', 'createPackageBody', 'createSynonym', 'insert', 'loadData',
  'setTableRemarks', 'setColumnRemarks', 'tagDatabase', 'output', 'empty', 'stop', 'comment', 'validCheckSum', 'preConditions',
  'changeSetId', 'changeSetAuthor', 'changeSetPath',
]);

function joinPath(dir: string, rel: string): string {
  const parts = (dir ? `${dir}/${rel}` : rel).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

export async function readLiquibase(input: FormatInput): Promise<Operation[]> {
  return readChangelog(input, [input.path]);
}

/** One changelog; `chain`: the changelogs that include it, outermost first (liquibase-includes.ts). */
async function readChangelog(input: FormatInput, chain: string[]): Promise<Operation[]> {
  const ctx = makeContext(input.path, input.text, input.dialect);
  if (/^\s*--\s*liquibase\s+formatted\s+sql/im.test(input.text.slice(0, 4000))) return readFormattedSql(ctx);
  if (chain.length > 1 && /\.sql$/i.test(input.path)) {
    // an included plain SQL file
    const { readSqlRegion } = await import('./common.js');
    return readSqlRegion(ctx, 0, input.text.length, 'up');
  }
  let sets: ChangeSet[];
  try {
    sets = /\.(ya?ml|json)$/i.test(input.path) ? await yamlChangeSets(ctx) : xmlChangeSets(ctx);
  } catch (error) {
    if (error instanceof SourceSyntaxError) return [unparseableOp(ctx, error.offset, 'up', ctx.lines.lineText(ctx.lines.lineOf(error.offset)), `changelog syntax the reader cannot follow: ${error.message}`)];
    throw error;
  }
  const ops: Operation[] = [];
  const pending: Array<Promise<Operation[]>> = [];

  const handle = (c: ChangeNode, direction: Direction) => {
    const push = (kind: OperationKind, target: ObjectRef | undefined, flags: OperationFlags = {}, detail?: string) =>
      ops.push(makeOp(ctx, { kind, target, offset: c.offset, direction, flags, statement: c.statement, detail }));
    const a = (name: string) => c.attr(name)?.value;
    const schema = a('schemaName');
    const table = a('tableName') ?? a('baseTableName');
    const missing = (what: string) => ops.push(unparseableOp(ctx, c.offset, direction, c.statement, `${c.type} without ${what}`));
    switch (c.type) {
      case 'dropTable':
        if (!table) return missing('tableName');
        return push('drop-table', tableRef(table, schema), a('cascadeConstraints') === 'true' ? { cascade: true } : {});
      case 'dropColumn': {
        if (!table) return missing('tableName');
        const names = [a('columnName'), ...c.columns().map((col) => col.attr('name')?.value)].filter((x): x is string => !!x);
        if (!names.length) return missing('columnName');
        for (const name of names) push('drop-column', childRef('column', table, name, schema));
        return;
      }
      case 'dropIndex': {
        const name = a('indexName');
        if (!name) return missing('indexName');
        return push('drop-index', childRef('index', table, name, schema));
      }
      case 'dropForeignKeyConstraint':
      case 'dropUniqueConstraint':
      case 'dropPrimaryKey': {
        const name = a('constraintName') ?? (c.type === 'dropPrimaryKey' && table ? `${table}_pkey` : undefined);
        if (!table) return missing('tableName');
        if (!name) return missing('constraintName');
        return push('drop-constraint', childRef('constraint', table, name, schema));
      }
      case 'dropAllForeignKeyConstraints':
        if (!table) return missing('baseTableName');
        return push('drop-constraint', childRef('constraint', table, '*', schema), {}, 'drops every foreign key of the table');
      case 'dropView': {
        const name = a('viewName');
        if (!name) return missing('viewName');
        return push('drop-view', { type: 'view', name, ...(schema ? { schema } : {}), written: schema ? `${schema}.${name}` : name });
      }
      case 'dropSequence': {
        const name = a('sequenceName');
        if (!name) return missing('sequenceName');
        return push('drop-sequence', namedRef('sequence', name, schema));
      }
      case 'dropProcedure':
      case 'dropFunction': {
        const name = a('procedureName') ?? a('functionName');
        if (!name) return missing('procedureName');
        return push('drop-function', namedRef('function', name, schema));
      }
      case 'dropTrigger': {
        const name = a('triggerName');
        if (!name) return missing('triggerName');
        return push('drop-trigger', childRef('trigger', table, name, schema));
      }
      case 'renameTable': {
        const from = a('oldTableName');
        const to = a('newTableName');
        if (!from || !to) return missing('oldTableName/newTableName');
        return push('rename-table', tableRef(from, schema), { newName: to });
      }
      case 'renameColumn': {
        const from = a('oldColumnName');
        const to = a('newColumnName');
        if (!table || !from || !to) return missing('tableName/oldColumnName/newColumnName');
        return push('rename-column', childRef('column', table, from, schema), { newName: to });
      }
      case 'renameView': {
        const from = a('oldViewName');
        if (!from) return missing('oldViewName');
        return push('rename-table', { type: 'view', name: from, ...(schema ? { schema } : {}), written: from }, { newName: a('newViewName') ?? '' });
      }
      case 'modifyDataType': {
        const col = a('columnName');
        if (!table || !col) return missing('tableName/columnName');
        return push('alter-column-type', childRef('column', table, col, schema), a('newDataType') ? { newType: a('newDataType') } : {});
      }
      case 'mergeColumns': {
        if (!table) return missing('tableName');
        for (const k of ['column1Name', 'column2Name']) {
          const col = a(k);
          if (col) push('drop-column', childRef('column', table, col, schema), {}, `mergeColumns into ${a('finalColumnName') ?? '?'}`);
        }
        return;
      }
      case 'delete':
        if (!table) return missing('tableName');
        if (!c.hasWhere()) push('delete-all', tableRef(table, schema), {}, 'delete without a where');
        return;
      case 'update':
        if (!table) return missing('tableName');
        if (!c.hasWhere()) push('update-all', tableRef(table, schema), {}, 'update without a where');
        return;
      case 'customChange':
      case 'executeCommand':
        return void ops.push(opaqueOp(ctx, c.offset, direction, c.statement, `${c.type} runs code whose effect cannot be known statically`));
      case 'sql': {
        const body = c.body();
        if (!body) return;
        for (const piece of splitAtDelimiter(body, a('endDelimiter') ?? ';')) pending.push(readEmbeddedSql(ctx, piece, direction));
        return;
      }
      case 'sqlFile':
        return readFile(c, direction, (file, text) => splitAtDelimiter({ text, map: [...Array(text.length + 1).keys()] }, a('endDelimiter') ?? ';').map((piece) => readEmbeddedSql(file, piece, direction)));
      case 'createProcedure': {
        // the procedure's body runs whenever it is called: read it as the SQL it is (one piece, never split at `;`)
        if (a('path')) return readFile(c, direction, (file, text) => [readEmbeddedSql(file, { text, map: [...Array(text.length + 1).keys()] }, direction)]);
        const body = c.body();
        if (!body || body.text.trim() === '') return missing('a body or path');
        pending.push(readEmbeddedSql(ctx, body, direction));
        return;
      }
      default:
        return unknownChange(c, direction);
    }
  };

  /** A change type that is neither read above nor known to keep every row (a plugin's, Liquibase Pro's drops) is opaque. */
  const unknownChange = (c: ChangeNode, direction: Direction) => {
    if (!QUIET_CHANGES.has(c.type)) ops.push(opaqueOp(ctx, c.offset, direction, c.statement, `${c.type} is not a Liquibase change dbsafe knows: what it does cannot be known statically`));
  };

  /** A file a change runs (`sqlFile`, `createProcedure path=`), found as Liquibase finds it; a missing one is unparseable. */
  const readFile = (c: ChangeNode, direction: Direction, read: (file: ReadContext, text: string) => Array<Promise<Operation[]>>) => {
    const path = c.attr('path')?.value;
    if (!path) return void ops.push(unparseableOp(ctx, c.offset, direction, c.statement, `${c.type} without path`));
    const relative = c.attr('relativeToChangelogFile')?.value === 'true';
    const changelogDir = input.path.includes('/') ? input.path.slice(0, input.path.lastIndexOf('/')) : '';
    const bare = path.replace(/^classpath\*?:/, '').replace(/^\/+/, '');
    // Relative to the changelog when asked; otherwise Liquibase's search path: the repository
    // root, the usual Maven/Gradle resources folder, then the changelog's folder.
    const candidates = relative ? [joinPath(changelogDir, bare)] : [joinPath('', bare), joinPath('src/main/resources', bare), joinPath(changelogDir, bare)];
    let resolved = candidates[0];
    let text: string | undefined;
    for (const candidate of candidates) {
      text = input.resolveFile?.(candidate);
      if (text !== undefined) {
        resolved = candidate;
        break;
      }
    }
    if (text === undefined) {
      return void ops.push(unparseableOp(ctx, c.offset, direction, c.statement, input.resolveFile ? `${c.type} ${resolved} was not found, so what it runs cannot be checked` : `${c.type} ${resolved} cannot be read here, so what it runs cannot be checked`));
    }
    // The SQL's operations are reported at the element (where a marker goes); the detail names the file line.
    const sqlOps = read(makeContext(resolved, text, input.dialect), text);
    const at = ctx.lines.position(c.offset);
    pending.push(
      Promise.all(sqlOps).then((found) =>
        found.flat().map((op) => ({ ...op, file: ctx.path, line: at.line, column: at.column, statementLine: at.line, detail: [op.detail, `in ${resolved} line ${op.line}`].filter(Boolean).join('; ') })),
      ),
    );
  };

  /**
   * `<modifySql>` edits the SQL the changeSet's changes generate: text it puts in that could run something else, an
   * edit of a kind we do not know, or a replace in SQL whose meaning a removal changes (`<sql>`, a `delete`'s where)
   * is opaque; appending harmless words (` ENGINE=InnoDB`) is not.
   */
  const modifiedSql = (set: ChangeSet) => {
    for (const m of set.modifySql) {
      if (!runsOn(m.dbms, input.dialect)) continue;
      const unknown = m.edits.find((e) => !['append', 'prepend', 'replace', 'regExpReplace'].includes(e.kind));
      const inserts = m.edits.find((e) => /;|\b(drop|truncate|delete|update|alter|rename|exec|execute|call|do|merge|replace|grant|revoke|copy|load|create|insert)\b/i.test(e.inserted));
      const rewritten = m.edits.some((e) => e.kind === 'replace' || e.kind === 'regExpReplace') && set.changes.some((c) => ['sql', 'sqlFile', 'createProcedure', 'delete', 'update'].includes(c.type));
      const why = unknown ? `<${unknown.kind}> is not an edit dbsafe knows` : inserts ? `it puts \`${inserts.inserted}\` into the SQL` : rewritten ? 'it rewrites SQL whose meaning a replacement changes' : undefined;
      if (why) ops.push(opaqueOp(ctx, m.offset, 'up', m.statement, `modifySql changes what this changeSet runs (${why}): the SQL that runs cannot be known statically`));
    }
  };

  const creations: TableCreation[] = [];
  for (const set of sets) {
    // A changeSet (or a <sql>/<sqlFile>) limited to other databases never runs on this one.
    if (!runsOn(set.dbms, input.dialect)) continue;
    for (const c of set.changes) if (runsOn(c.attr('dbms')?.value, input.dialect)) handle(c, 'up');
    for (const c of set.rollback) if (runsOn(c.attr('dbms')?.value, input.dialect)) handle(c, 'down');
    if (set.rollbackSql) pending.push(readEmbeddedSql(ctx, set.rollbackSql, 'down'));
    modifiedSql(set);
    creations.push(...scratchCreations(set));
  }
  for (const more of await Promise.all(pending)) ops.push(...more);
  markClaimedScratchTables(ctx, ops, creations);
  ops.push(...(await readIncludes(ctx, input, chain, readChangelog)));
  return sortOperations(ops);
}

/**
 * The tables a changeSet surely creates, for scratch tables (scratch-claims.ts): a `createTable` runs before
 * the changes after it in the same changeSet, and when it fails (the table exists) the changeSet stops, so a
 * later `dropTable` of that name in the same changeSet loses only what the changeSet put there. Not a
 * createTable limited by `dbms` (it may not run here), nor in a changeSet with a `sqlFile` (SQL this file does
 * not show could rename tables).
 */
function scratchCreations(set: ChangeSet): TableCreation[] {
  if (!set.changes.length || set.changes.some((c) => c.type === 'sqlFile')) return [];
  const scopeEnd = Math.max(...set.changes.map((c) => c.offset + c.statement.length));
  return set.changes.flatMap((c) => {
    const table = c.attr('tableName')?.value;
    if (c.type !== 'createTable' || !table || c.attr('dbms') !== undefined) return [];
    const schema = c.attr('schemaName')?.value;
    return [{ table, ...(schema ? { schema } : {}), direction: 'up' as const, offset: c.offset, scopeEnd }];
  });
}

/**
 * Formatted SQL changelogs: the SQL runs forward; `--rollback <sql>` comment lines (consecutive
 * lines form one rollback) and `/* liquibase rollback … *\/` blocks run on rollback.
 */
async function readFormattedSql(ctx: ReadContext): Promise<Operation[]> {
  const { readSqlRegion } = await import('./common.js');
  const ops = await readSqlRegion(ctx, 0, ctx.text.length, 'up');
  const pending: Array<Promise<Operation[]>> = [];
  let current: SourceText[] = [];
  const flush = () => {
    if (!current.length) return;
    const text = current.map((s) => s.text).join('\n');
    const map: number[] = [];
    current.forEach((s, k) => {
      map.push(...s.map.slice(0, s.text.length));
      map.push(s.map[s.text.length]);
      if (k === current.length - 1) map.push(s.map[s.text.length]);
    });
    if (!/^\s*(not required|empty)\s*;?\s*$/i.test(text)) pending.push(readEmbeddedSql(ctx, { text, map: map.slice(0, text.length + 1) }, 'down'));
    current = [];
  };
  for (let line = 1; line <= ctx.lines.lineCount; line++) {
    const body = ctx.lines.lineText(line);
    const m = /^\s*--\s*rollback\s?(.*)$/i.exec(body);
    if (m) {
      const start = ctx.lines.lineStart(line) + body.length - m[1].length;
      current.push({ text: m[1], map: [...Array(m[1].length + 1).keys()].map((k) => start + k) });
    } else flush();
  }
  flush();
  for (const more of await Promise.all(pending)) ops.push(...more);
  return sortOperations(ops);
}
