import { CONVENTIONAL_MIGRATION_GLOBS } from './conventional-migrations.js';
import { z } from 'zod';
import { protectedEntryProblems } from './protected-entries.js';
import { ruleConfigProblems } from './rule-problems.js';

/**
 * The single source of truth for configuration. `schema.json` is generated from it at build time
 * (scripts/write-schema.mjs) and `.dbsaferc.example` documents every key. Objects are strict so a
 * misspelt key is an error that names it, never silently ignored.
 */

export const severitySchema = z.enum(['error', 'warn', 'off']);
export const dialectSchema = z.enum(['postgres', 'mysql', 'mariadb', 'sqlite']);
export const formatSchema = z.enum([
  'auto',
  'sql',
  'prisma',
  'drizzle',
  'golang-migrate',
  'dbmate',
  'flyway',
  'supabase',
  'alembic',
  'django',
  'rails',
  'knex',
  'typeorm',
  'sequelize',
  'liquibase',
]);

/** Durations like `30m`, `24h`, `7d`, `2w`. */
export const durationSchema = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(s|m|h|d|w)$/, 'a duration such as "30m", "24h" or "7d"');

const migrationSetSchema = z.strictObject({
  /** Globs relative to the repository root (picomatch syntax). */
  glob: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  format: formatSchema.default('auto'),
  /** Dialect of the SQL in these files; defaults to the top-level `dialect`. */
  dialect: dialectSchema.optional(),
  /** Globs inside `glob` to leave out. */
  ignore: z.array(z.string()).optional(),
});

const protectedSchema = z.union([
  z.array(z.string().min(1)),
  z.strictObject({
    tables: z.array(z.string().min(1)).default([]),
    columns: z.array(z.string().min(1)).default([]),
    indexes: z.array(z.string().min(1)).default([]),
    schemas: z.array(z.string().min(1)).default([]),
  }),
]);

/** Backups kept per instance: a count, or `{ last, days }` (the newest `last`, plus every one younger than `days`). */
const keepSchema = z.union([
  z.number().int().min(1),
  z.strictObject({
    last: z.number().int().min(1).default(10),
    days: z.number().positive().optional(),
  }),
]);

const databaseSchema = z.strictObject({
  /** `env:VAR` (a URL read from the environment) or a SQLite file path (`sqlite:path` or `*.db|*.sqlite|*.sqlite3`). */
  url: z.string().min(1),
  engine: z.enum(['postgres', 'mysql', 'mariadb', 'sqlite']).optional(),
  default: z.boolean().optional(),
  /** Where `verify` restores (a server URL as `env:VAR`); defaults to the same server. */
  verifyUrl: z.string().min(1).optional(),
  keep: keepSchema.optional(),
  /** PostgreSQL: also record a per-table row hash in the dump's snapshot and compare it on verify (level `content-equal`; ~4 s/GB more CPU). */
  rowHashes: z.boolean().optional(),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Which files are migrations, and how to read them. */
  migrations: z.array(migrationSetSchema).default([{ glob: CONVENTIONAL_MIGRATION_GLOBS, format: 'auto' }]),
  /** Default SQL dialect. */
  dialect: dialectSchema.default('postgres'),
  /** Objects whose destruction always blocks unless an override names them. */
  protected: protectedSchema
    .superRefine((value, ctx) => {
      // Each entry must have the parts its kind allows (e.g. columns: "table.column").
      for (const [key, message] of protectedEntryProblems({ protected: value, external: [] })) {
        ctx.addIssue({ code: 'custom', message, path: key.split('.').slice(1) });
      }
    })
    .default([]),
  /** Tables managed outside the ORM (auth libraries' `session`, `account`...): protected, and said so. */
  external: z
    .array(z.string().min(1))
    .superRefine((value, ctx) => {
      for (const [key, message] of protectedEntryProblems({ protected: [], external: value })) {
        ctx.addIssue({ code: 'custom', message, path: key.split('.').slice(1) });
      }
    })
    .default([]),
  /** Whether an unqualified protected name matches the object in any schema (else only the default schema). */
  unqualifiedMatchesAnySchema: z.boolean().default(true),
  /** Severity per rule id. */
  rules: z
    .record(z.string(), severitySchema)
    .superRefine((value, ctx) => {
      // Unknown rule ids are typos, and protected-object cannot be lowered.
      for (const [key, message] of ruleConfigProblems(value)) {
        ctx.addIssue({ code: 'custom', message, path: [key.slice('rules.'.length)] });
      }
    })
    .default({}),
  /** Operations that only run on rollback: reported at this severity at most. */
  down: severitySchema.default('warn'),
  overrides: z
    .strictObject({
      /** Minimum length of the reason after `--`. */
      minReasonLength: z.number().int().min(0).default(10),
    })
    .default({ minReasonLength: 10 }),
  /** Named database instances for backup / verify / gate. */
  databases: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), databaseSchema).default({}),
  /** Directory for backups, relative to the repository root. */
  backupDir: z.string().min(1).default('.dbsafe/backups'),
  /** Complete backups kept per instance: a count, or `{ last: 10, days: 30 }`. Pinned backups are never pruned. */
  keep: keepSchema.default(10),
  /** Backups older than this are pruned (never the newest verified one). */
  maxAge: durationSchema.optional(),
  /** Default scratch server for `verify`, as `env:VAR`. */
  verifyUrl: z.string().min(1).optional(),
  /** The pre-push gate. */
  gate: z
    .strictObject({
      /** Off only by an explicit choice: with no database configured the gate blocks migration pushes. */
      enabled: z.boolean().default(true),
      when: z.enum(['any-migration', 'destructive']).default('any-migration'),
      instances: z.array(z.string().min(1)).optional(),
      maxAge: durationSchema.default('24h'),
      rehash: z.boolean().default(false),
    })
    .default({ enabled: true, when: 'any-migration', maxAge: '24h', rehash: false }),
  /** The command guard (`dbsafe-hooks guard`, the coding-agent hooks): docs/guard.md. */
  guard: z
    .strictObject({
      /** The instances whose fresh verified backup a destructive command needs; default: the gate's. */
      instances: z.array(z.string().min(1)).optional(),
      /** More destructive commands, in the same form as the built-in table (docs/guard.md). */
      commands: z
        .array(
          z.strictObject({
            tool: z.string().min(1),
            /** `program word --option|--other`: see docs/guard.md. */
            pattern: z.string().regex(/^\s*[^\s-][^\s]*/, 'a pattern starting with the program name'),
            destroys: z.string().min(1),
            target: z.string().min(1).default('the configured instance'),
            /** The instance it targets (default: guard.instances, else the gate's). */
            instance: z.string().min(1).optional(),
          }),
        )
        .default([]),
    })
    .default({ commands: [] }),
  /** Which commits the pre-push hook treats as already on the remote. */
  prePush: z
    .strictObject({
      /**
       * Ask the remote (`git ls-remote`, one extra round trip per push) which branch and tag tips it has,
       * instead of trusting local remote-tracking refs, which can be stale (a branch deleted on the
       * server but not pruned here hides its commits from the re-check).
       */
      strict: z.boolean().default(false),
    })
    .default({ strict: false }),
});

/** What users write (every key optional). */
export type UserConfig = z.input<typeof configSchema>;
/** What the code reads (defaults filled in). */
export type Config = z.output<typeof configSchema>;

/** Typed helper for `dbsafe.config.{js,mjs,ts}`: `export default defineConfig({...})`. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}
