/**
 * node-sql-parser, per-dialect builds (3-6x faster to load than the full bundle), loaded lazily
 * and only for the statements that need it. Default import: the named `Parser` export throws in ESM.
 */

export type ParserFlavor = 'mysql' | 'mariadb' | 'sqlite';

export interface SqlParser {
  astify(sql: string, options: { database: string }): unknown;
}

const DATABASE: Record<ParserFlavor, string> = { mysql: 'MySQL', mariadb: 'MariaDB', sqlite: 'Sqlite' };
const loading: Partial<Record<ParserFlavor, Promise<SqlParser>>> = {};

async function load(flavor: ParserFlavor): Promise<SqlParser> {
  // one literal specifier per build keeps the imports visible to bundlers
  const mod =
    flavor === 'mysql'
      ? await import('node-sql-parser/build/mysql.js')
      : flavor === 'mariadb'
        ? await import('node-sql-parser/build/mariadb.js')
        : await import('node-sql-parser/build/sqlite.js');
  const ns = (mod as { default?: { Parser: new () => SqlParser } }).default ?? (mod as unknown as { Parser: new () => SqlParser });
  return new ns.Parser();
}

export function loadSqlParser(flavor: ParserFlavor): Promise<SqlParser> {
  loading[flavor] ??= load(flavor);
  return loading[flavor]!;
}

export interface ParseOutcome {
  /** Statement ASTs (always an array), when the text parsed. */
  ast?: Array<Record<string, unknown>>;
  error?: { message: string; offset?: number };
}

export async function parseWith(flavor: ParserFlavor, sql: string): Promise<ParseOutcome> {
  const parser = await loadSqlParser(flavor);
  try {
    const ast = parser.astify(sql, { database: DATABASE[flavor] });
    return { ast: (Array.isArray(ast) ? ast : [ast]) as Array<Record<string, unknown>> };
  } catch (e) {
    const err = e as { message?: string; location?: { start?: { offset?: number } } };
    const message = String(err?.message ?? e).split('\n')[0].slice(0, 300);
    return { error: { message, offset: err?.location?.start?.offset } };
  }
}
