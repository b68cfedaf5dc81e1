import type { UserConfig } from '../../src/config/schema.js';
import type { Dialect, Operation } from '../../src/model/operation.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { readMigration, type MigrationInput } from '../../src/readers/index.js';
import type { MigrationFormat } from '../../src/readers/types.js';
import { config } from '../rules/helpers.js';

// Shared by the adversarial tables: a file read by its reader, then judged by the policy, as `check` does.

export interface Checked {
  ops: Operation[];
  /** `rule:severity` of every finding, in order. */
  findings: string[];
  /** Whether `check` would exit 1. */
  blocks: boolean;
}

export async function checkText(
  path: string,
  text: string,
  options: { dialect?: Dialect; format?: MigrationFormat; config?: UserConfig; resolveFile?: MigrationInput['resolveFile'] } = {},
): Promise<Checked> {
  const ops = await readMigration({ path, text, dialect: options.dialect ?? 'postgres', format: options.format ?? 'auto', resolveFile: options.resolveFile });
  const { findings } = evaluate([{ path, text, operations: ops }], config(options.config ?? {}));
  return { ops, findings: findings.map((f) => `${f.rule}:${f.severity}`), blocks: findings.some((f) => f.severity === 'error') };
}

/** `direction kind object` of each operation: what a reviewer reads first. */
export function described(ops: Operation[]): string[] {
  return ops.map((op) => `${op.direction} ${op.kind}${op.target ? ` ${[op.target.schema, op.target.table, op.target.name].filter(Boolean).join('.')}` : ''}`);
}
