import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Dialect, ObjectRef, Operation } from '../model/operation.js';
import { schemaMatches, segmentMatches, splitName, type Segment } from '../model/names.js';
import type { ProtectedMatch } from '../rules/protected-object.js';
import { protectedEntryProblems, protectedLists, type Shape } from '../config/protected-entries.js';

/** One entry of config `protected` / `external`, parsed into its parts. */
interface Pattern {
  /** The entry as the user wrote it, quoted back in messages. */
  source: string;
  /** Config key it came from, e.g. `protected.columns`. */
  key: string;
  schema?: Segment;
  table?: Segment;
  name: Segment;
  external: boolean;
}

export interface Protection {
  /** The protected object this operation destroys or changes, if any. */
  match(operation: Operation, dialect: Dialect): ProtectedMatch | undefined;
  readonly isEmpty: boolean;
}

function parsePatterns(config: Config): Record<Shape, Pattern[]> {
  const problems = protectedEntryProblems(config);
  if (problems.length) {
    throw new ConfigError(`Invalid configuration:\n${problems.map(([k, m]) => `  - "${k}": ${m}`).join('\n')}`, {
      hint: 'See .dbsaferc.example for the forms protected names can take.',
    });
  }
  const out: Record<Shape, Pattern[]> = { tables: [], columns: [], indexes: [], schemas: [] };
  for (const { key, shape, entries, external } of protectedLists(config)) {
    for (const source of entries) {
      const parts = splitName(source)!;
      const name = parts[parts.length - 1];
      let pattern: Pattern;
      if (shape === 'columns') {
        pattern = {
          source,
          key,
          external,
          name,
          table: parts.length >= 2 ? parts[parts.length - 2] : undefined,
          schema: parts.length === 3 ? parts[0] : undefined,
        };
      } else if (shape === 'schemas') {
        pattern = { source, key, external, name };
      } else {
        pattern = { source, key, external, name, schema: parts.length === 2 ? parts[0] : undefined };
      }
      out[shape].push(pattern);
    }
  }
  return out;
}

/** Build the matcher for `protected`, `external` and `unqualifiedMatchesAnySchema`. */
export function buildProtection(config: Config): Protection {
  const patterns = parsePatterns(config);
  const anySchema = config.unqualifiedMatchesAnySchema ?? true;
  const isEmpty =
    patterns.tables.length + patterns.columns.length + patterns.indexes.length + patterns.schemas.length === 0;

  const found = (p: Pattern, via: ProtectedMatch['via']): ProtectedMatch => ({
    pattern: p.source,
    key: p.key,
    external: p.external,
    via,
  });

  /** The protected table an index, constraint or trigger belongs to: written, or resolved from the history. */
  function ownerTableMatch(target: ObjectRef, dialect: Dialect): Pattern | undefined {
    if (target.table !== undefined) return tableMatch(target.schema, target.table, dialect);
    const resolved = target.resolvedTable;
    return resolved ? tableMatch(target.schema ?? resolved.schema, resolved.name, dialect) : undefined;
  }

  function tableMatch(schema: string | undefined, table: string, dialect: Dialect): Pattern | undefined {
    const matches = (p: Pattern) =>
      segmentMatches(p.name, table, dialect, true) && schemaMatches(p.schema, schema, dialect, anySchema, true);
    // Prefer `external` so the message can say the table is managed outside the ORM.
    return patterns.tables.find((p) => p.external && matches(p)) ?? patterns.tables.find(matches);
  }

  function schemaProtected(schema: string | undefined, dialect: Dialect): Pattern | undefined {
    const effective = schema ?? (dialect === 'postgres' ? 'public' : undefined);
    if (effective === undefined) return undefined;
    return patterns.schemas.find((p) => segmentMatches(p.name, effective, dialect, true));
  }

  /** Dropping schema S destroys every protected object whose pattern names S as its schema. */
  function schemaContainsProtected(schema: string, dialect: Dialect): Pattern | undefined {
    const direct = patterns.schemas.find((p) => segmentMatches(p.name, schema, dialect, true));
    if (direct) return direct;
    for (const p of [...patterns.tables, ...patterns.columns, ...patterns.indexes]) {
      if (p.schema && segmentMatches(p.schema, schema, dialect, true)) return p;
      // An unqualified name limited to the default schema lives in `public`.
      if (!p.schema && !anySchema && dialect === 'postgres' && schema === 'public') return p;
    }
    return undefined;
  }

  function matchTarget(target: ObjectRef, dialect: Dialect): ProtectedMatch | undefined {
    switch (target.type) {
      // DROP OWNED BY a role may drop any table of the database
      case 'role':
      case 'database': {
        const any = [...patterns.tables, ...patterns.columns, ...patterns.indexes, ...patterns.schemas][0];
        return any ? found(any, 'database') : undefined;
      }
      case 'schema': {
        const p = schemaContainsProtected(target.name, dialect);
        return p ? found(p, p.key.endsWith('schemas') ? 'object' : 'contents') : undefined;
      }
      case 'table':
      case 'view':
      case 'sequence': {
        // Tables, views and sequences share one namespace (relations); a protected name covers them all.
        const p = tableMatch(target.schema, target.name, dialect);
        if (p) return found(p, 'object');
        // dropping, emptying, updating or renaming a table does the same to its protected columns
        const c = target.type === 'table' ? patterns.columns.find((q) => q.table !== undefined && segmentMatches(q.table, target.name, dialect, true) && schemaMatches(q.schema, target.schema, dialect, anySchema, true)) : undefined;
        if (c) return found(c, 'contents');
        break;
      }
      case 'column': {
        if (target.table !== undefined) {
          const t = tableMatch(target.schema, target.table, dialect);
          if (t) return found(t, 'table');
        }
        const c = patterns.columns.find(
          (p) =>
            // `*`: every column of the table (MySQL CONVERT TO CHARACTER SET)
            (target.name === '*' || segmentMatches(p.name, target.name, dialect, true)) &&
            (p.table === undefined ||
              (target.table !== undefined && segmentMatches(p.table, target.table, dialect, true))) &&
            schemaMatches(p.schema, target.schema, dialect, anySchema, true),
        );
        if (c) return found(c, 'object');
        break;
      }
      case 'index': {
        const t = ownerTableMatch(target, dialect);
        if (t) return found(t, 'table');
        // PostgreSQL's relations share one namespace and ALTER INDEX renames any of them: `ALTER INDEX users` is the table
        const relation = dialect === 'postgres' ? tableMatch(target.schema, target.name, dialect) : undefined;
        if (relation) return found(relation, 'object');
        const i = patterns.indexes.find(
          (p) =>
            segmentMatches(p.name, target.name, dialect, true) &&
            // `x.idx`: x is the schema (PostgreSQL) or, in MySQL/SQLite, may be the index's table.
            (schemaMatches(p.schema, target.schema, dialect, anySchema, true) ||
              (p.schema !== undefined &&
                target.table !== undefined &&
                segmentMatches(p.schema, target.table, dialect, true))),
        );
        if (i) return found(i, 'object');
        break;
      }
      case 'constraint':
      case 'trigger': {
        const t = ownerTableMatch(target, dialect);
        if (t) return found(t, 'table');
        break;
      }
      default:
        break;
    }
    // Everything inside a protected schema is protected.
    const s = schemaProtected(target.schema, dialect);
    return s ? found(s, 'schema') : undefined;
  }

  /** An unqualified name whose schema cannot be known: try it in every schema a protected entry names. */
  function matchInAnySchema(target: ObjectRef, dialect: Dialect): ProtectedMatch | undefined {
    const schemas = new Set<string>();
    const add = (s: Segment) => schemas.add(s.quoted || dialect !== 'postgres' ? s.text : s.text.toLowerCase());
    for (const p of [...patterns.tables, ...patterns.columns, ...patterns.indexes]) if (p.schema) add(p.schema);
    for (const p of patterns.schemas) add(p.name);
    for (const schema of schemas) {
      const m = matchTarget({ ...target, schema }, dialect);
      if (m) return m;
    }
    return undefined;
  }

  return {
    isEmpty,
    match(operation, dialect) {
      if (operation.kind === 'unparseable' || operation.kind === 'opaque') return undefined;
      if (!operation.target) return undefined;
      const path = operation.target.schema === undefined ? operation.flags.searchPath : undefined;
      if (!path) return matchTarget(operation.target, dialect);
      // After `SET search_path` / `USE`: the name is in one of these schemas, or (`*`) any schema.
      if (path.includes('*')) return matchTarget(operation.target, dialect) ?? matchInAnySchema(operation.target, dialect);
      for (const schema of path) {
        const m = matchTarget({ ...operation.target, schema }, dialect);
        if (m) return m;
      }
      return undefined;
    },
  };
}
