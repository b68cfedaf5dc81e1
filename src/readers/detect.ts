/**
 * Which format a migration file is, from its path and content. Decisions:
 * - `none`: files that live in migration folders but never run as migrations (package markers,
 *   Alembic env.py / script.py.mako, Rails schema.rb / seeds.rb, docs, Drizzle's meta JSON,
 *   Prisma's migration_lock.toml, type declarations). They yield no operations.
 * - `unknown`: a file that looks like code or SQL of a format we do not read. The dispatcher
 *   reports it as `unparseable` (fail closed) with the way out: set `format` or `ignore` it.
 */
import type { MigrationFormat } from './types.js';
import { DBMATE_DOWN, DBMATE_UP, GOOSE_DOWN, GOOSE_UP, SQL_MIGRATE_DOWN, SQL_MIGRATE_UP } from './sql-families.js';

export type DetectedFormat = MigrationFormat | 'none' | 'unknown';

const NON_MIGRATION_EXTENSIONS = /\.(md|markdown|txt|rst|mako|toml|lock|gitkeep|keep|log|csv|png|jpe?g|gif|svg|ini|cfg|sum|mod)$/i;

export function detectFormat(path: string, text: string): DetectedFormat {
  const p = path.replace(/\\/g, '/');
  const base = p.slice(p.lastIndexOf('/') + 1);
  const lower = base.toLowerCase();
  if (base.startsWith('.') || NON_MIGRATION_EXTENSIONS.test(base) || /^(readme|license|changelog|changes|notes)(\.(md|markdown|txt|rst|adoc))?$/i.test(base)) return 'none';
  if (lower.endsWith('.sql')) return detectSql(p, base, text);
  // comments and strings never decide the format of code (a comment that mentions context.configure, or a
  // MikroORM migration whose SQL string says knex): the code alone is looked at
  if (lower.endsWith('.py')) return detectPython(base, codeOnly(text, PYTHON_TRIVIA));
  if (lower.endsWith('.rb')) return detectRuby(base, codeOnly(text, RUBY_TRIVIA));
  if (/\.d\.[cm]?ts$/.test(lower)) return 'none';
  if (/\.(m|c)?(j|t)sx?$/.test(lower)) return detectJs(codeOnly(text, JS_TRIVIA));
  if (/\.xml$/.test(lower)) return /<databaseChangeLog\b/.test(text) ? 'liquibase' : 'unknown';
  if (/\.(ya?ml|json)$/.test(lower)) return /databaseChangeLog/.test(text) ? 'liquibase' : 'none';
  return 'unknown';
}

/**
 * Comments and strings of each language, matched left to right (a quote inside a comment and a comment
 * opener inside a string are read as the engine reads them). Enough to blank them for detection; the
 * readers use their full tokenizers.
 */
const PYTHON_TRIVIA = /[rRbBuUfF]{0,2}(?:"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|#[^\n]*/g;
const RUBY_TRIVIA = /^=begin\b[\s\S]*?^=end\b|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|#(?!\{)[^\n]*/gm;
const JS_TRIVIA = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|`(?:\\[\s\S]|[^`\\])*`|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g;

/** The text with comments and string contents blanked (a string keeps its quotes: `x = ""`), line breaks kept. */
export function codeOnly(text: string, trivia: RegExp): string {
  return text.replace(trivia, (m) => {
    const quote = /^[rRbBuUfF]{0,2}("""|'''|["'`])/.exec(m);
    const blank = (s: string) => s.replace(/[^\n]/g, ' ');
    return quote ? quote[0] + blank(m.slice(quote[0].length, m.length - quote[1]!.length)) + quote[1] : blank(m);
  });
}

function detectSql(path: string, base: string, text: string): DetectedFormat {
  const head = text.slice(0, 4000);
  if (/^\s*--\s*liquibase\s+formatted\s+sql/im.test(head)) return 'liquibase';
  if (/(^|\/)prisma\/migrations\/[^/]+\/migration\.sql$/.test(path) || (base === 'migration.sql' && /\/migrations\/\d{14}_[^/]+\/migration\.sql$/.test(path))) return 'prisma';
  if (text.includes('--> statement-breakpoint')) return 'drizzle';
  if (/\.(up|down)\.sql$/i.test(base)) return 'golang-migrate';
  if (lineMatches(text, [DBMATE_UP, DBMATE_DOWN, GOOSE_UP, GOOSE_DOWN, SQL_MIGRATE_UP, SQL_MIGRATE_DOWN])) return 'dbmate';
  if (/^[VUR][0-9._]*__.+\.sql$/.test(base)) return 'flyway';
  if (/(^|\/)supabase\/migrations\//.test(path)) return 'supabase';
  return 'sql';
}

function lineMatches(text: string, res: RegExp[]): boolean {
  if (!/migrate:|\+goose|\+migrate/i.test(text)) return false;
  return text.split('\n').some((line) => res.some((re) => re.test(line)));
}

function detectPython(base: string, text: string): DetectedFormat {
  if (base === '__init__.py' || base === 'conftest.py') return 'none';
  if (/\bfrom\s+alembic\s+import\s+context\b/.test(text) || /\bcontext\.configure\s*\(/.test(text)) return 'none'; // alembic env.py
  if (/\bfrom\s+alembic\b|\bimport\s+alembic\b/.test(text) || (/^revision\s*[:=]/m.test(text) && /^down_revision\s*[:=]/m.test(text))) return 'alembic';
  if (/\bfrom\s+django\.db\s+import\b[^\n]*\bmigrations\b|\bmigrations\.Migration\b/.test(text)) return 'django';
  return 'unknown';
}

function detectRuby(base: string, text: string): DetectedFormat {
  if (base === 'schema.rb' || base === 'seeds.rb' || /ActiveRecord::Schema(\[[\d.]+\])?\.define/.test(text)) return 'none';
  if (/ActiveRecord::Migration\b/.test(text)) return 'rails';
  if (!/Sequel\.migration/.test(text) && /\bdef\s+(self\.)?(up|down|change)\b/.test(text)) return 'rails';
  return 'unknown';
}

function detectJs(text: string): DetectedFormat {
  if (/\bMigrationInterface\b|\bQueryRunner\b|\bqueryRunner\b/.test(text)) return 'typeorm';
  if (/\bqueryInterface\b|\bQueryInterface\b|\bsequelize\b|\bSequelize\b|\bDataTypes\b/.test(text)) return 'sequelize';
  if (/\bknex\b|\bKnex\b|\.schema\.(createTable|dropTable|alterTable|table)\b/.test(text)) return 'knex';
  // A barrel file (only imports/re-exports) or an empty module is not a migration; anything else
  // we cannot place (a helper-built migration, another tool's format) is unknown: fail closed.
  if (isBarrel(text)) return 'none';
  return 'unknown';
}

function isBarrel(text: string): boolean {
  const rest = text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/[^\n]*/g, '')
    .replace(/\bimport\s+(type\s+)?[\w\s{},*$]*?\s*from\s*(['"])[^'"]*\2/g, '')
    .replace(/\bimport\s*(['"])[^'"]*\1/g, '')
    .replace(/\bexport\s+(type\s+)?(\*(\s+as\s+\w+)?|\{[\w\s,$]*\})(\s*from\s*(['"])[^'"]*\5)?/g, '')
    .replace(/(['"])use strict\1/g, '')
    .replace(/[;\s]/g, '');
  return rest === '';
}
