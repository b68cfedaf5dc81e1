/**
 * What the three readers of a WHERE condition share (postgres.ts on the parse tree, recognize.ts on tokens,
 * mysql.ts on node-sql-parser's tree) when they ask whether it holds for every row: two constants compared,
 * a value compared with itself, which comparison is another's negation, and patterns that match every value.
 */

/** A literal: its kind (number, string, boolean) and its value as text (numbers normalised: `1.0` is `1`). */
export interface Constant {
  kind: 'n' | 's' | 'b';
  value: string;
}

/** `2 > 1`, `'a' = 'b'`: the answer, or undefined when it depends (kinds differ; text order depends on the collation). */
export function compareConstants(op: string, a: Constant, b: Constant): boolean | undefined {
  if (a.kind !== b.kind) return undefined;
  if (op === '=' || op === '==') return a.value === b.value;
  if (op === '<>' || op === '!=') return a.value !== b.value;
  if (a.kind !== 'n') return undefined;
  const [x, y] = [Number(a.value), Number(b.value)];
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : op === '>=' ? x >= y : undefined;
}

/** A value compared with itself (`id = id`): true for every row where it is not NULL, never true with `<>`, `<`, `>`. */
export function selfComparison(op: string): boolean | undefined {
  if (op === '=' || op === '==' || op === '<=' || op === '>=') return true;
  return op === '<>' || op === '!=' || op === '<' || op === '>' ? false : undefined;
}

/** Where each comparison of a value with a constant holds: l(ess), e(qual), g(reater). */
const SIDES: Record<string, string> = { '<': 'l', '<=': 'le', '=': 'e', '>=': 'ge', '>': 'g', '<>': 'lg' };
const canonical = (op: string) => (op === '!=' ? '<>' : op === '==' ? '=' : op);

/**
 * Comparisons of one value with one constant that, ORed, hold for every value that is not NULL: `x > 0 OR x <= 0`,
 * `x = 'a' OR x <> 'a'`, `x < 1 OR x = 1 OR x > 1`.
 */
export function coverEveryValue(ops: string[]): boolean {
  const sides = new Set(ops.flatMap((op) => [...(SIDES[canonical(op)] ?? '')]));
  return sides.has('l') && sides.has('e') && sides.has('g');
}

/** Cast types that are numbers, lower case (`1::int = 1` compares numbers). */
export const NUMBER_TYPES = new Set(['int', 'integer', 'int2', 'int4', 'int8', 'smallint', 'bigint', 'numeric', 'decimal', 'real', 'float4', 'float8']);

/**
 * Pattern operators, in every reader's spelling (upper case; PostgreSQL's operator names too), and the
 * patterns that match every value: LIKE `'%'` (any number of `%`), GLOB `'*'`, and a regular expression that
 * finds a match in any text (`''`, `'^'`, `'$'`, `'.*'`, `'^.*'`, `'.*$'`; not `'^.*$'`: MySQL's `.` stops at
 * a line break).
 */
const PATTERN_FAMILIES: Array<{ ops: string[]; negated: string[]; everyValue: RegExp }> = [
  { ops: ['LIKE', 'ILIKE', '~~', '~~*'], negated: ['NOT LIKE', 'NOT ILIKE', '!~~', '!~~*'], everyValue: /^%+$/ },
  { ops: ['GLOB'], negated: ['NOT GLOB'], everyValue: /^\*+$/ },
  { ops: ['REGEXP', 'RLIKE', '~', '~*'], negated: ['NOT REGEXP', 'NOT RLIKE', '!~', '!~*'], everyValue: /^(?:\^|\$|\^?\.\*|\.\*\$)?$/ },
];

/**
 * `name LIKE '%'`: true, as for a value compared with itself (every row whose value is not NULL); its negation
 * false; undefined for any other operator or pattern.
 */
export function patternTruth(op: string, pattern: string): boolean | undefined {
  const upper = op.toUpperCase().replace(/\s+/g, ' ');
  for (const family of PATTERN_FAMILIES) {
    const negated = family.negated.includes(upper);
    if ((negated || family.ops.includes(upper)) && family.everyValue.test(pattern)) return !negated;
  }
  return undefined;
}
