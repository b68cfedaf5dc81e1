import { createRule, type Rule } from './create-rule.js';
import { RULE_DOCS_INDEX } from '../model/rule-docs.js';

export interface UnknownOverrideSubject {
  /** The marker or item as written. */
  text: string;
  problem: string;
}

export const unknownOverride: Rule<UnknownOverrideSubject> = createRule<UnknownOverrideSubject>({
  meta: {
    id: 'unknown-override',
    defaultSeverity: 'error',
    description:
      'An override marker that names a rule id that does not exist, names a rule a marker cannot silence, or cannot be read. It allows nothing.',
    help: `Use a rule id listed at ${RULE_DOCS_INDEX} and the form "dbsafe:allow <rule>(<object>) -- <reason>".`,
  },
  check({ text, problem }, context) {
    return {
      message: `Override marker "${text}" is not valid: ${problem}. It allows nothing.`,
      help: `${unknownOverride.meta.help}\nFor example:\n  ${context.markerLine('drop-table', 'users')}`,
    };
  },
});
