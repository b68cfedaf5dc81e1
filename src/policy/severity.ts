import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Direction } from '../model/operation.js';
import type { Severity } from '../model/finding.js';
import type { RuleId } from '../model/rule-ids.js';
import { ruleConfigProblems } from '../config/rule-problems.js';
import { RULE_DOCS_INDEX } from '../model/rule-docs.js';

const RANK: Record<Severity, number> = { off: 0, warn: 1, error: 2 };

/** Throws a ConfigError when `rules` is invalid (for configs built without the schema). */
export function assertRuleConfig(config: Pick<Config, 'rules'>): void {
  const problems = ruleConfigProblems(config.rules);
  if (problems.length) {
    throw new ConfigError(`Invalid configuration:\n${problems.map(([k, m]) => `  - "${k}": ${m}`).join('\n')}`, {
      hint: `Every rule id and what it finds: ${RULE_DOCS_INDEX}`,
    });
  }
}

/**
 * The severity a finding is reported at: the configured one, else the one the rule reported for this
 * operation (narrowing type change: error), else the rule's default; then capped by `down` for
 * operations that only run on rollback (default warn: reported, never blocking).
 */
export function resolveSeverity(
  config: Pick<Config, 'rules' | 'down'>,
  id: RuleId,
  defaultSeverity: 'error' | 'warn' | 'off',
  reported: 'error' | 'warn' | undefined,
  direction: Direction,
): Severity {
  const configured = config.rules?.[id] as Severity | undefined;
  let severity: Severity = configured ?? reported ?? defaultSeverity;
  if (id === 'protected-object') severity = 'error';
  if (direction === 'down') {
    const cap = (config.down ?? 'warn') as Severity;
    if (RANK[cap] < RANK[severity]) severity = cap;
  }
  return severity;
}
