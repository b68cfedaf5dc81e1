/**
 * Whether a column type change can lose data: the one decision for every reader. Types arrive in two
 * spellings, both turned into a `TypeShape` here: written text from ORMs and SQL (`sa.String(length=8)`,
 * `VarChar(50)`, `models.CharField(max_length=32)`, `:integer`, `varchar(5)`) and libpg-query's type names
 * with integer modifiers (`int4`, `numeric` [12, 2]). true: the new type can hold less than the old one
 * (values may be cut, rounded or fail to convert); false: it holds every old value; undefined: a type is
 * not understood.
 */

export interface TypeShape {
  family: 'string' | 'int' | 'decimal' | 'float' | 'bool' | 'time' | 'date' | 'binary' | 'json' | 'uuid';
  /** string: max length (Infinity for text); int and float: bytes. */
  size?: number;
  precision?: number;
  scale?: number;
  array?: boolean;
}

const NAME_FAMILY: Array<[RegExp, TypeShape['family'], number?]> = [
  [/^(text|unicodetext|textfield|clob|longtext|mediumtext|citext|stringunbounded)$/, 'string', Infinity],
  [/^(string|varchar|nvarchar|unicode|charfield|char|nchar|character|charactervarying|bpchar|slugfield|emailfield|urlfield)$/, 'string'],
  [/^(tinyint)$/, 'int', 1],
  [/^(smallinteger|smallint|smallintegerfield|positivesmallintegerfield|int2)$/, 'int', 2],
  [/^(mediumint)$/, 'int', 3],
  [/^(integer|int|int4|integerfield|positiveintegerfield|autofield)$/, 'int', 4],
  [/^(biginteger|bigint|int8|bigintegerfield|positivebigintegerfield|bigautofield)$/, 'int', 8],
  [/^(numeric|decimal|decimalfield|money)$/, 'decimal'],
  [/^(real|float4)$/, 'float', 4],
  // `float` is double precision in PostgreSQL and in Django's and SQLAlchemy's default mapping.
  [/^(float|double|doubleprecision|float8|floatfield)$/, 'float', 8],
  [/^(boolean|bool|booleanfield)$/, 'bool'],
  [/^(datetime|timestamp|timestamptz|datetimefield)$/, 'time'],
  [/^(date|datefield)$/, 'date'],
  [/^(binary|largebinary|bytea|blob|binaryfield|bytes)$/, 'binary'],
  [/^(json|jsonb|jsonfield)$/, 'json'],
  [/^(uuid|uuidfield)$/, 'uuid'],
];

/** Decimal digits an integer of this many bytes may need (tinyint 255, smallint 32767, …). */
const INT_DIGITS: Record<number, number> = { 1: 3, 2: 5, 3: 8, 4: 10, 8: 19 };
/** Integer bits a float of this many bytes holds exactly (its mantissa). */
const FLOAT_MANTISSA_BITS: Record<number, number> = { 4: 24, 8: 53 };

interface TypeArgs {
  positional: number[];
  keyword(key: string): number | undefined;
}

function shapeFromParts(rawName: string, args: TypeArgs, array = false): TypeShape | undefined {
  const name = rawName.toLowerCase().replace(/[\s_]/g, '');
  const entry = NAME_FAMILY.find(([re]) => re.test(name));
  if (!entry) return undefined;
  const [, family, size] = entry;
  const shape = (fields: Omit<TypeShape, 'family'>): TypeShape => ({ family, ...fields, ...(array ? { array } : {}) });
  if (family === 'string') {
    if (size === Infinity) return shape({ size });
    const length = args.keyword('length') ?? args.keyword('max_length') ?? args.keyword('limit') ?? args.positional[0];
    const fixedWidth = name === 'char' || name === 'nchar' || name === 'character' || name === 'bpchar';
    return shape({ size: length ?? (fixedWidth ? 1 : Infinity) });
  }
  if (family === 'decimal') {
    const precision = args.keyword('precision') ?? args.keyword('max_digits') ?? args.positional[0];
    const scale = args.keyword('scale') ?? args.keyword('decimal_places') ?? args.positional[1] ?? (precision !== undefined ? 0 : undefined);
    return shape({ precision, scale });
  }
  return shape(size !== undefined ? { size } : {});
}

/** A type as written in a migration (ORM call, Rails symbol, SQL text). */
export function shapeOfWritten(written: string): TypeShape | undefined {
  const t = written.trim().replace(/^:/, '');
  const m = /^(?:[\w]+\.)*([A-Za-z_][\w ]*?)\s*(?:\((.*)\))?\s*$/s.exec(t);
  if (!m) return undefined;
  const text = m[2] ?? '';
  return shapeFromParts(m[1], {
    positional: text
      .split(',')
      .map((a) => a.trim())
      .filter((a) => /^\d+$/.test(a))
      .map(Number),
    keyword(key) {
      const k = new RegExp(`\\b${key}\\s*[=:]\\s*(\\d+)`).exec(text);
      return k ? Number(k[1]) : undefined;
    },
  });
}

/** A type as libpg-query names it: base name (pg_catalog stripped), integer modifiers, array or not. */
export interface ParsedType {
  name: string;
  mods: number[];
  array: boolean;
}

export function shapeOfParsed(type: ParsedType): TypeShape | undefined {
  return shapeFromParts(type.name, { positional: type.mods, keyword: () => undefined }, type.array);
}

function narrows(from: TypeShape, to: TypeShape): boolean {
  if (Boolean(from.array) !== Boolean(to.array)) return true;
  if (from.family === to.family) {
    if (from.family === 'string' || from.family === 'int' || from.family === 'float') return (to.size ?? Infinity) < (from.size ?? Infinity);
    if (from.family === 'decimal') {
      if (to.precision === undefined) return false; // unbounded numeric holds anything
      if (from.precision === undefined) return true;
      return to.precision - (to.scale ?? 0) < from.precision - (from.scale ?? 0) || (to.scale ?? 0) < (from.scale ?? 0);
    }
    return false;
  }
  // Across families only these keep every value: integers into wide enough strings, decimals or floats,
  // a date into a timestamp, anything into unbounded text.
  if (to.family === 'string' && to.size === Infinity) return false;
  if (from.family === 'int') {
    const digits = INT_DIGITS[from.size ?? 8] ?? 19;
    if (to.family === 'string') return (to.size ?? Infinity) < digits + 1; // the sign takes a character
    if (to.family === 'decimal') return to.precision !== undefined && to.precision - (to.scale ?? 0) < digits;
    if (to.family === 'float') return (from.size ?? 8) * 8 > (FLOAT_MANTISSA_BITS[to.size ?? 8] ?? 53);
  }
  if (from.family === 'date' && to.family === 'time') return false;
  return true;
}

function decide(from: TypeShape | undefined, to: TypeShape | undefined): boolean | undefined {
  if (from && to) return narrows(from, to);
  // Text into a type we do not know (an enum, a domain) must parse, which may fail.
  if (from?.family === 'string' && !to) return true;
  return undefined;
}

/** The decision for two written types; undefined when either is missing or not understood. */
export function isNarrowing(oldType: string | undefined, newType: string | undefined): boolean | undefined {
  if (!oldType || !newType) return undefined;
  if (oldType.trim() === newType.trim()) return false;
  return decide(shapeOfWritten(oldType), shapeOfWritten(newType));
}

/** The decision for two libpg-query types. */
export function isParsedNarrowing(from: ParsedType, to: ParsedType): boolean | undefined {
  if (from.name === to.name && from.mods.join() === to.mods.join() && from.array === to.array) return false;
  return decide(shapeOfParsed(from), shapeOfParsed(to));
}
