import { parseConfig } from '../../src/config/load.js';
import type { Config, UserConfig } from '../../src/config/schema.js';
import type { Finding } from '../../src/model/finding.js';
import type { Dialect, ObjectRef, Operation, OperationKind } from '../../src/model/operation.js';
import { evaluate, type SourceFile } from '../../src/policy/evaluate.js';

/** A validated config with defaults, as `check` gets it from the loader. */
export function config(raw: UserConfig = {}): Config {
  return parseConfig(raw, 'test config');
}

type TargetSpec = Omit<ObjectRef, 'written'> & { written?: string };

/** An operation as a reader would produce it; line 1 unless given. */
export function op(kind: OperationKind, target?: TargetSpec, extra: Partial<Operation> = {}): Operation {
  const line = extra.line ?? 1;
  return {
    kind,
    target: target && { ...target, written: target.written ?? [target.schema, target.table, target.name].filter(Boolean).join('.') },
    file: extra.file ?? 'db/migrations/001.sql',
    line,
    column: 1,
    direction: 'up',
    flags: {},
    statement: `${kind.toUpperCase()} ${target?.name ?? ''};`,
    statementLine: line,
    dialect: 'postgres',
    ...extra,
  };
}

export const table = (name: string, schema?: string): TargetSpec => ({ type: 'table', name, schema });
export const column = (tableName: string, name: string, schema?: string): TargetSpec => ({
  type: 'column',
  table: tableName,
  name,
  schema,
});

export function file(text: string, operations: Operation[], extra: Partial<SourceFile> = {}): SourceFile {
  return { path: operations[0]?.file ?? 'db/migrations/001.sql', text, operations, ...extra };
}

/** Evaluate one file; the operations' dialect can be set for all at once. */
export function check(
  text: string,
  operations: Operation[],
  raw: UserConfig = {},
  extra: Partial<SourceFile> & { dialect?: Dialect } = {},
) {
  const { dialect, ...rest } = extra;
  const ops = dialect ? operations.map((o) => ({ ...o, dialect })) : operations;
  return evaluate([file(text, ops, rest)], config(raw));
}

/** Compact view of findings for assertions: `rule:severity@line`. */
export function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule}:${f.severity}@${f.line}`);
}
