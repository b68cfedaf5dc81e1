import { allowedSeverities, isRuleId, RULE_IDS } from '../model/rule-ids.js';
import { editDistance } from '../util/edit-distance.js';

/**
 * Problems in config `rules`, as `[key, message]`: unknown rule ids (a typo must not silently keep a
 * rule at its default) and protected-object set to anything but error (it cannot be turned off by
 * severity: remove the object from `protected`, or override one operation with a marker).
 */
export function ruleConfigProblems(rules: Record<string, string> | undefined): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  for (const [id, severity] of Object.entries(rules ?? {})) {
    if (!isRuleId(id)) {
      const near = closestRuleId(id);
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

/** The rule id nearest to a misspelt one, when it is close enough to suggest. */
export function closestRuleId(id: string): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const candidate of RULE_IDS) {
    const distance = editDistance(id, candidate);
    if (!best || distance < best.distance) best = { id: candidate, distance };
  }
  return best && best.distance <= 3 ? best.id : undefined;
}
