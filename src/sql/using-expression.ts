/**
 * A PostgreSQL type change's `USING` expression given as text by an ORM (Alembic `postgresql_using=`, Rails
 * `using:`): one that never names the column replaces every value (`NULL`, `0`, `now()`, another column).
 * A text check, so a name inside a string literal counts as read: it can only leave a warning a warning.
 * SQL itself is judged on its parse tree (postgres.ts).
 */
export function usingReplacesValues(expression: string, column: string): boolean {
  const name = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return !new RegExp(`(?<![\\w$])${name}(?![\\w$])|"${name}"`, 'i').test(expression);
}
