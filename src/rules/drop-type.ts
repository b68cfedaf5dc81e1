import { operationRule } from './create-rule.js';

export const dropType = operationRule({
  meta: {
    id: 'drop-type',
    defaultSeverity: 'warn',
    description: 'Dropping a type (enum, composite, domain) fails or, with CASCADE (an error), drops the columns that use it.',
    help: 'Move the columns that use the type to another type first, then drop it.',
  },
  verb: 'Drops type',
  // CASCADE drops every column of that type, in any table, without naming one
  severity: (op) => (op.flags.cascade ? 'error' : undefined),
  lost: (op) =>
    op.flags.cascade ? 'columns that use it are dropped with their data' : 'columns and functions that use it break',
});
