/**
 * Whether a column type change can lose data, when a reader knows both types: SQLAlchemy
 * (`sa.String(length=8)`), Prisma (`VarChar(50)`), Django (`models.CharField(max_length=32)`),
 * Rails/Liquibase/SQL names (`varchar(5)`, `:integer`). Undefined when either type is not understood.
 */

interface TypeShape {
  family: 'string' | 'int' | 'decimal' | 'float' | 'bool' | 'time' | 'date' | 'binary' | 'json' | 'uuid';
  /** string: max length (Infinity for text); int: bytes. */
  size?: number;
  precision?: number;
  scale?: number;
}

const NAME_FAMILY: Array<[RegExp, TypeShape['family'], number?]> = [
  [/^(text|unicodetext|textfield|clob|longtext|mediumtext|citext|string_unbounded)$/, 'string', Infinity],
  [/^(string|varchar|nvarchar|unicode|charfield|char|nchar|character|charactervarying|slugfield|emailfield|urlfield)$/, 'string'],
  [/^(tinyint)$/, 'int', 1],
  [/^(smallinteger|smallint|smallintegerfield|positivesmallintegerfield|int2)$/, 'int', 2],
  [/^(mediumint)$/, 'int', 3],
  [/^(integer|int|int4|integerfield|positiveintegerfield|autofield)$/, 'int', 4],
  [/^(biginteger|bigint|int8|bigintegerfield|positivebigintegerfield|bigautofield)$/, 'int', 8],
  [/^(numeric|decimal|decimalfield|money)$/, 'decimal'],
  [/^(float|real|double|doubleprecision|float4|float8|floatfield)$/, 'float'],
  [/^(boolean|bool|booleanfield)$/, 'bool'],
  [/^(datetime|timestamp|timestamptz|datetimefield)$/, 'time'],
  [/^(date|datefield)$/, 'date'],
  [/^(binary|largebinary|bytea|blob|binaryfield|bytes)$/, 'binary'],
  [/^(json|jsonb|jsonfield)$/, 'json'],
  [/^(uuid|uuidfield)$/, 'uuid'],
];

function typeShape(written: string): TypeShape | undefined {
  const t = written.trim().replace(/^:/, '');
  const m = /^(?:[\w]+\.)*([A-Za-z_][\w ]*?)\s*(?:\((.*)\))?\s*$/s.exec(t);
  if (!m) return undefined;
  const name = m[1].toLowerCase().replace(/[\s_]/g, '');
  const args = m[2] ?? '';
  const entry = NAME_FAMILY.find(([re]) => re.test(name));
  if (!entry) return undefined;
  const [, family, size] = entry;
  const kw = (key: string) => {
    const k = new RegExp(`\\b${key}\\s*[=:]\\s*(\\d+)`).exec(args);
    return k ? Number(k[1]) : undefined;
  };
  const positional = args
    .split(',')
    .map((a) => a.trim())
    .filter((a) => /^\d+$/.test(a))
    .map(Number);
  if (family === 'string') {
    if (size === Infinity) return { family, size };
    const length = kw('length') ?? kw('max_length') ?? kw('limit') ?? positional[0];
    return { family, size: length ?? (name === 'char' || name === 'nchar' || name === 'character' ? 1 : Infinity) };
  }
  if (family === 'decimal') {
    const precision = kw('precision') ?? kw('max_digits') ?? positional[0];
    const scale = kw('scale') ?? kw('decimal_places') ?? positional[1] ?? (precision !== undefined ? 0 : undefined);
    return { family, precision, scale };
  }
  return size !== undefined ? { family, size } : { family };
}

export function isNarrowing(oldType: string | undefined, newType: string | undefined): boolean | undefined {
  if (!oldType || !newType) return undefined;
  const a = typeShape(oldType);
  const b = typeShape(newType);
  if (!a || !b) return undefined;
  if (a.family === b.family) {
    if (a.family === 'string' || a.family === 'int') return (b.size ?? Infinity) < (a.size ?? Infinity);
    if (a.family === 'decimal') {
      if (b.precision === undefined) return false; // unbounded numeric holds anything
      if (a.precision === undefined) return true;
      return b.precision - (b.scale ?? 0) < a.precision - (a.scale ?? 0) || (b.scale ?? 0) < (a.scale ?? 0);
    }
    return false;
  }
  // Across families only these keep every value: integers into wide strings or decimals, date into timestamp.
  if (a.family === 'int' && b.family === 'string') return (b.size ?? Infinity) < 20;
  if (a.family === 'int' && b.family === 'decimal') return b.precision !== undefined && b.precision - (b.scale ?? 0) < 19;
  if (a.family === 'int' && b.family === 'float') return false;
  if (a.family === 'date' && b.family === 'time') return false;
  if (b.family === 'string' && b.size === Infinity) return false;
  return true;
}
