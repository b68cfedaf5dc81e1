import { createRule, operationNotes, overrideHelp, type RuleContext, type Rule } from './create-rule.js';
import type { Operation } from '../model/operation.js';

export const unparseable: Rule<Operation> = createRule<Operation>({
  meta: {
    id: 'unparseable',
    defaultSeverity: 'error',
    description:
      'A statement or file that could not be read. dbsafe cannot tell whether it is destructive, so it blocks (fail closed).',
    help: 'Fix the syntax, or check the dialect configured for this file (config `dialect` / `migrations[].dialect`); if the statement is valid and harmless, override it.',
  },
  check(operation: Operation, context: RuleContext) {
    if (operation.kind !== 'unparseable') return undefined;
    const detail = operation.detail ? `: ${operation.detail}` : '';
    const notes = operationNotes({ ...operation, detail: undefined });
    return {
      message: `Could not read this statement${detail}${notes}. dbsafe cannot tell whether it destroys data, so it blocks.`,
      help: overrideHelp(unparseable.meta.help, context.markerLine('unparseable')),
    };
  },
});
