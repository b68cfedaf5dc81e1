import { readerDialect, type ConfigDialect, type Dialect, type Direction, type Operation } from '../model/operation.js';
import { OpSink } from './sink.js';
import { clientCommands, includedPaths } from './client-commands.js';
import { readPostgresSubset } from './pg-subset.js';
import { applySearchPath, searchPathChanges } from './search-path.js';
import { markScratchTables } from './scratch-tables.js';

/** How to read a piece of SQL: where it sits in its file, and in which direction it runs. */
export interface SqlReadOptions {
  /** Repository-relative path of the file the SQL comes from. */
  path: string;
  /** `mariadb` (the config value) reads as MySQL with the MariaDB parser build. */
  dialect: ConfigDialect;
  /** Default 'up'. */
  direction?: Direction;
  /** 1-based line in the file where `text` starts (SQL embedded in Python/Ruby/JS/XML). Default 1. */
  startLine?: number;
  /** 1-based column where `text` starts on its first line. Default 1. */
  startColumn?: number;
  /** Reads another file of the repository (what psql `\i` / sqlite3 `.read` include); absent: such includes are opaque. */
  resolveFile?: (repoRelativePath: string) => string | undefined;
  /** How many includes deep this text is (an include cycle stops at MAX_INCLUDE_DEPTH). */
  includeDepth?: number;
}

const MAX_INCLUDE_DEPTH = 4;

// Each reader (and its parser) is imported on first use only, and once: a dynamic import per file
// costs a module-loader round trip.
let postgresModule: Promise<typeof import('./postgres.js')> | undefined;
let locateModule: Promise<typeof import('./locate.js')> | undefined;
let scanModule: Promise<typeof import('./plpgsql-scan.js')> | undefined;
/** A DO statement's start (`DO $$`, `DO 'body'`, `DO LANGUAGE plpgsql $$`): a cheap test, the subset reads the statements. */
const DO_BLOCK = /(?<![\w$])do\s+(?:language\s+\S+\s+)?(?:e?'|\$)/i;
let mysqlModule: Promise<typeof import('./mysql.js')> | undefined;
let sqliteModule: Promise<typeof import('./sqlite.js')> | undefined;

/**
 * Read SQL text into operations: every destructive statement found with its object, line and
 * column; statements that cannot be understood become `unparseable`, dynamic SQL `opaque`.
 * Never throws: a reader failure becomes an `unparseable` operation.
 */
export async function readSql(text: string, options: SqlReadOptions): Promise<Operation[]> {
  const dialect = readerDialect(options.dialect);
  // a BOM is invisible in editors: drop it so columns on line 1 match what users see
  let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // libpg-query reads a C string: a NUL would silently end the text there. Same length, so offsets hold.
  if (body.includes('\u0000')) body = body.replace(/\u0000/g, ' ');
  const masked = maskPlaceholders(body, dialect);
  const sink = new OpSink(masked, {
    path: options.path,
    dialect,
    direction: options.direction ?? 'up',
    startLine: options.startLine ?? 1,
    startColumn: options.startColumn ?? 1,
  });
  try {
    if (dialect === 'postgres') {
      // a file inside the parser-free subset needs no parser (loading it is most of a hook's time)
      // a DO body that may destroy needs plpgsql-scan.ts (and the recognizer): loaded only then
      const scan = DO_BLOCK.test(masked) ? (await (scanModule ??= import('./plpgsql-scan.js'))).bodyMayAct : undefined;
      const subset = readPostgresSubset(masked, scan);
      if (subset?.every((statement) => statement.ops.length === 0)) return [];
      const placed = subset !== undefined && (await (locateModule ??= import('./locate.js'))).placeSubsetOps(sink, subset);
      if (!placed) {
        postgresModule ??= import('./postgres.js');
        await (await postgresModule).readPostgres(sink);
      }
    } else if (dialect === 'sqlite') {
      sqliteModule ??= import('./sqlite.js');
      await (await sqliteModule).readSqlite(sink);
    } else {
      mysqlModule ??= import('./mysql.js');
      await (await mysqlModule).readMysql(sink, options.dialect === 'mariadb');
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    sink.add({
      kind: 'unparseable', at: 0, statementStart: 0, statementText: body.slice(0, 200),
      detail: `the SQL reader failed on this file: ${message}`,
    });
  }
  if (masked !== body) sink.ops.forEach(unmaskPlaceholders);
  await readClientCommands(sink, masked, dialect, options);
  markScratchTables(sink.ops, masked, dialect, (offset) => sink.position(offset));
  const readInclude = (include: string, relative: boolean) => includedFile(options, include, relative)?.text;
  applySearchPath(sink.ops, searchPathChanges(masked, dialect, readInclude), (offset) => sink.position(offset));
  return sink.ops.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * psql / sqlite3 commands that run other files or programs: an included file of the repository is read
 * (its operations reported at the command, with the file and line in the detail); the rest is opaque.
 */
async function readClientCommands(sink: OpSink, text: string, dialect: Dialect, options: SqlReadOptions): Promise<void> {
  const commands = clientCommands(text, dialect);
  for (const command of commands) {
    const opaque = (detail: string) => sink.add({ kind: 'opaque', at: command.start, statementStart: command.start, statementText: command.text, detail });
    if ('opaque' in command.effect) {
      opaque(command.effect.opaque);
      continue;
    }
    const depth = options.includeDepth ?? 0;
    const { include, relative } = command.effect;
    const found = includedFile(options, include, relative);
    if (!found || depth >= MAX_INCLUDE_DEPTH) {
      opaque(`${command.text} runs ${include}, which ${found ? 'is included too deeply to follow' : 'is not a file of this repository that dbsafe can read'}: its effect cannot be known statically`);
      continue;
    }
    const included = await readSql(found.text, { ...options, path: found.path, startLine: 1, startColumn: 1, includeDepth: depth + 1 });
    const at = sink.position(command.start);
    for (const op of included) {
      sink.ops.push({
        ...op,
        file: options.path,
        line: at.line,
        column: at.column,
        statementLine: at.line,
        detail: [op.detail, `in ${found.path} line ${op.line}, run by ${command.text}`].filter(Boolean).join('; '),
      });
    }
  }
}

/** The repository file a psql `\\i` / sqlite3 `.read` includes, when `resolveFile` has it. */
function includedFile(options: SqlReadOptions, include: string, relative: boolean): { path: string; text: string } | undefined {
  for (const path of includedPaths(options.path, include, relative)) {
    const text = options.resolveFile?.(path);
    if (text !== undefined) return { path, text };
  }
  return undefined;
}

/**
 * Flyway-style `${name}` placeholders (and `${flyway:defaultSchema}`) are not SQL: each becomes a
 * quoted name of the same length (`"$name"`), so the text parses and every offset still holds.
 * Not after `$` (`$${` is a dollar quote), a quote or a name character (already inside a quoted name or string).
 */
const PLACEHOLDER = /(?<![$`"'\w])\$\{([A-Za-z_][\w.:-]*)\}/g;
const MASKED = /["`]\$([A-Za-z_][\w.:-]*)["`]/g;

/**
 * Template placeholders (`{{ .ID }}` in gobuffalo/pop fizz-style SQL, Jinja's `{{ var }}`) in a value
 * position (after `=`, `(`, `,`, a comparison, VALUES, IN, LIKE, AND/OR, THEN/ELSE) become the quoted name
 * `"{ x }"` (same length), which reads as a value. Anywhere else (a table name, statement text) they stay
 * unreadable: the statement is `unparseable`, as before, since what it acts on is unknown.
 */
const TEMPLATE = /(?<=(?:[=(,<>+*\/-]|\b(?:VALUES|IN|LIKE|AND|OR|THEN|ELSE|WHEN|BETWEEN|SET\s+\w+\s*=))\s*)\{\{([^{}\n;'"`]{1,200})\}\}/gi;
const MASKED_TEMPLATE = /["`]\{([^{}\n;'"`]{1,200})\}["`]/g;

function maskPlaceholders(text: string, dialect: Dialect): string {
  if (!text.includes('${') && !text.includes('{{')) return text;
  const quote = dialect === 'mysql' ? '`' : '"';
  return text
    .replace(PLACEHOLDER, (_m, name: string) => `${quote}$${name}${quote}`)
    .replace(TEMPLATE, (_m, inner: string) => `${quote}{${inner}}${quote}`);
}

function unmaskPlaceholders(op: Operation): void {
  const unmask = (s: string) => s.replace(MASKED, (_m, name: string) => `\${${name}}`).replace(MASKED_TEMPLATE, (_m, inner: string) => `{{${inner}}}`);
  op.statement = unmask(op.statement);
  if (!op.target) return;
  const t = op.target;
  t.written = unmask(t.written);
  for (const key of ['schema', 'table', 'name'] as const) {
    const v = t[key];
    if (v !== undefined && /^\$[A-Za-z_][\w.:-]*$/.test(v)) t[key] = `\${${v.slice(1)}}`;
    else if (v !== undefined && /^\{[^{}]*\}$/.test(v)) t[key] = `{${v}}`;
  }
}
