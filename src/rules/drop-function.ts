import { operationRule } from './create-rule.js';

export const dropFunction = operationRule({
  meta: {
    id: 'drop-function',
    defaultSeverity: 'warn',
    description: 'Dropping a function or procedure breaks triggers, defaults and code that call it; with CASCADE (an error) it drops the views, triggers and generated columns built on it.',
    help: 'Check that no trigger, default, view or application code calls it; prefer CREATE OR REPLACE to change it.',
  },
  verb: 'Drops function',
  // CASCADE drops the views, triggers, policies and generated columns (with their values) built on it
  severity: (op) => (op.flags.cascade ? 'error' : undefined),
  lost: (op) =>
    op.flags.cascade ? 'views, triggers, policies and generated columns that use it are dropped with it' : 'triggers, defaults, views and code that call it fail',
});
