import { createRule, operationNotes, overrideHelp, type RuleContext, type Rule } from './create-rule.js';
import type { Operation } from '../model/operation.js';

export const opaque: Rule<Operation> = createRule<Operation>({
  meta: {
    id: 'opaque',
    defaultSeverity: 'error',
    description:
      'Code whose effect cannot be known by reading it (RunPython, SQL built at run time, EXECUTE of a string built from variables). It blocks until a reviewer vouches for it.',
    help: 'Write the SQL as a literal string so it can be checked, or review what the code does and override it.',
  },
  check(operation: Operation, context: RuleContext) {
    if (operation.kind !== 'opaque') return undefined;
    const detail = operation.detail ? `: ${operation.detail}` : '';
    const notes = operationNotes({ ...operation, detail: undefined });
    return {
      message: `Cannot tell what this code does to the database${detail}${notes}; it may destroy data.`,
      help: overrideHelp(opaque.meta.help, context.markerLine('opaque')),
    };
  },
});
