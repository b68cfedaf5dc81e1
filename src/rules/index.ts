import type { Operation, OperationKind } from '../model/operation.js';
import type { Rule } from './create-rule.js';
import type { RuleId } from '../model/rule-ids.js';
import { alterColumnType } from './alter-column-type.js';
import { deleteAll } from './delete-all.js';
import { dropColumn } from './drop-column.js';
import { dropConstraint } from './drop-constraint.js';
import { dropDatabase } from './drop-database.js';
import { dropDependents } from './drop-dependents.js';
import { dropFunction } from './drop-function.js';
import { dropIndex } from './drop-index.js';
import { dropSchema } from './drop-schema.js';
import { dropSequence } from './drop-sequence.js';
import { dropTable } from './drop-table.js';
import { dropTrigger } from './drop-trigger.js';
import { dropType } from './drop-type.js';
import { dropView } from './drop-view.js';
import { editedAppliedMigration } from './edited-applied-migration.js';
import { unmatchedMigration } from './unmatched-migration.js';
import { opaque } from './opaque.js';
import { overrideMissingReason } from './override-missing-reason.js';
import { protectedObject } from './protected-object.js';
import { renameColumn } from './rename-column.js';
import { renameConstraint } from './rename-constraint.js';
import { renameIndex } from './rename-index.js';
import { renameSchema } from './rename-schema.js';
import { renameTable } from './rename-table.js';
import { truncate } from './truncate.js';
import { unknownOverride } from './unknown-override.js';
import { unparseable } from './unparseable.js';
import { unusedOverride } from './unused-override.js';
import { updateAll } from './update-all.js';

/** The rule that judges each operation kind (same id as the kind). */
export const OPERATION_RULES: Readonly<Record<OperationKind, Rule<Operation>>> = {
  'drop-table': dropTable,
  'drop-column': dropColumn,
  'drop-index': dropIndex,
  'drop-constraint': dropConstraint,
  'drop-view': dropView,
  'drop-schema': dropSchema,
  'drop-database': dropDatabase,
  'drop-function': dropFunction,
  'drop-type': dropType,
  'drop-sequence': dropSequence,
  'drop-trigger': dropTrigger,
  truncate,
  'delete-all': deleteAll,
  'update-all': updateAll,
  'rename-table': renameTable,
  'rename-column': renameColumn,
  'rename-schema': renameSchema,
  'rename-index': renameIndex,
  'rename-constraint': renameConstraint,
  'drop-dependents': dropDependents,
  'alter-column-type': alterColumnType,
  unparseable,
  opaque,
};

/** Rules about protection, markers and history rather than one operation kind. */
export const POLICY_RULES = {
  'protected-object': protectedObject,
  'override-missing-reason': overrideMissingReason,
  'unknown-override': unknownOverride,
  'unused-override': unusedOverride,
  'edited-applied-migration': editedAppliedMigration,
  'unmatched-migration': unmatchedMigration,
} as const;

/** Every rule, explicitly listed (docs pages and config ids are checked against it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const RULES: ReadonlyArray<Rule<any>> = [...Object.values(OPERATION_RULES), ...Object.values(POLICY_RULES)];

export function ruleById(id: string): Rule<unknown> | undefined {
  return RULES.find((rule) => rule.meta.id === (id as RuleId));
}

export type { Rule, RuleMeta, RuleContext, Report } from './create-rule.js';
export { RULE_IDS, type RuleId } from '../model/rule-ids.js';
