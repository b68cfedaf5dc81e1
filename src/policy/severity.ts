import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Direction } from '../model/operation.js';
import type { Severity } from '../model/finding.js';
import { allowedSeverities, isRuleId, RULE_IDS, type RuleId } from '../rules/ids.js';

const RANK: Record<Severity, number> = { off: 0, warn: 1, error: 2 };

/**
 * Problems in config `rules`, as `[key, message]`: unknown rule ids (a typo must not silently keep a
 * rule at its default) and protected-object set to anything but error (it cannot be turned off by
 * severity: remove the object from `protected`, or override one operation with a marker).
 */
export function ruleConfigProblems(rules: Record<string, string> | undefined): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  for (const [id, severity] of Object.entries(rules ?? {})) {
    if (!isRuleId(id)) {
      const near = closest(id);
      problems.push([`rules.${id}`, `unknown rule "${id}"${near ? ` (did you mean "${near}"?)` : ''}`]);
    } else if (!allowedSeverities(id).includes(severity)) {
      problems.push([
        `rules.${id}`,
        `"${id}" cannot be set to "${severity}": it always blocks. Remove the object from "protected"/"external", or override one operation with a marker that names it`,
      ]);
    }
  }
  return problems;
}

/** Throws a ConfigError when `rules` is invalid (for configs built without the schema). */
export function assertRuleConfig(config: Pick<Config, 'rules'>): void {
  const problems = ruleConfigProblems(config.rules);
  if (problems.length) {
    throw new ConfigError(`Invalid configuration:\n${problems.map(([k, m]) => `  - "${k}": ${m}`).join('\n')}`, {
      hint: 'See docs/rules/ for every rule id.',
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
  defaultSeverity: 'error' | 'warn',
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

function closest(id: string): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const candidate of RULE_IDS) {
    const distance = editDistance(id, candidate);
    if (!best || distance < best.distance) best = { id: candidate, distance };
  }
  return best && best.distance <= 3 ? best.id : undefined;
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

export { closest as closestRuleId };
