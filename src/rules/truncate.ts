import { operationRule } from './create-rule.js';

export const truncate = operationRule({
  meta: {
    id: 'truncate',
    defaultSeverity: 'error',
    description: 'TRUNCATE deletes every row of a table.',
    help: 'Delete only the rows you mean to with a DELETE ... WHERE, or archive the rows first; back up the table before emptying it.',
  },
  verb: 'Truncates table',
  lost: 'every row in it is deleted',
});
