import { operationRule } from './create-rule.js';

export const dropFunction = operationRule({
  meta: {
    id: 'drop-function',
    defaultSeverity: 'warn',
    description: 'Dropping a function or procedure breaks triggers, defaults and code that call it.',
    help: 'Check that no trigger, default, view or application code calls it; prefer CREATE OR REPLACE to change it.',
  },
  verb: 'Drops function',
  lost: 'triggers, defaults, views and code that call it fail',
});
