import { OPERATION_KINDS, type OperationKind } from './operation.js';

/**
 * Every rule id, in one light module the config schema can import to reject unknown ids
 * (the registry in ./index.ts must list exactly these; a test checks it).
 * Each operation kind has the rule of the same id.
 */
export const OPERATION_RULE_IDS: readonly OperationKind[] = OPERATION_KINDS;

export const POLICY_RULE_IDS = [
  'protected-object',
  'override-missing-reason',
  'unknown-override',
  'unused-override',
  'edited-applied-migration',
  'unmatched-migration',
] as const;

export type PolicyRuleId = (typeof POLICY_RULE_IDS)[number];
export type RuleId = OperationKind | PolicyRuleId;

export const RULE_IDS: readonly RuleId[] = [...OPERATION_RULE_IDS, ...POLICY_RULE_IDS];

/** Rules a marker cannot silence: they are about markers themselves (set their severity in config instead). */
export const NOT_OVERRIDABLE: readonly RuleId[] = ['override-missing-reason', 'unknown-override', 'unused-override'];

/** Severities a rule may be configured to; protected-object only blocks. */
export function allowedSeverities(id: RuleId): readonly string[] {
  return id === 'protected-object' ? ['error'] : ['error', 'warn', 'off'];
}

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}
