import { UsageError } from '../errors.js';
import type { Manifest } from './manifest.js';

/**
 * `restore --tables a,b`: the names a person types, matched to the backup's own table names
 * (PostgreSQL's are `schema.table`, quoted where needed; MySQL/MariaDB and SQLite's are bare).
 * A name matches exactly, or by its table part when that is unique. What is not in the backup, or
 * matches two tables, is bad input (exit 2): nothing is guessed.
 */

const unquote = (part: string) => (part.startsWith('"') && part.endsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part);

/** `public."Order Items"` → ['public', 'Order Items'] (dots inside quotes kept). */
function parts(name: string): string[] {
  return (name.match(/"(?:[^"]|"")*"|[^.]+/g) ?? []).map(unquote);
}

export function resolveTables(manifest: Manifest, requested: string[]): string[] {
  const names = manifest.expected.tables.map((t) => t.name);
  const out: string[] = [];
  for (const raw of requested.map((r) => r.trim()).filter(Boolean)) {
    const wanted = parts(raw);
    const exact = names.filter((n) => n === raw || parts(n).join('.') === wanted.join('.'));
    const byTable = exact.length ? exact : names.filter((n) => wanted.length === 1 && parts(n).at(-1) === wanted[0]);
    if (byTable.length !== 1) {
      throw new UsageError(
        byTable.length
          ? `--tables: "${raw}" matches ${byTable.join(' and ')} in backup ${manifest.id}; name one with its schema`
          : `--tables: backup ${manifest.id} has no table "${raw}"`,
        { hint: `Its tables: ${names.slice(0, 30).join(', ')}${names.length > 30 ? ', …' : ''}` },
      );
    }
    if (!out.includes(byTable[0]!)) out.push(byTable[0]!);
  }
  if (!out.length) throw new UsageError('--tables needs at least one table name', { hint: 'e.g. --tables orders,order_items' });
  return out;
}
