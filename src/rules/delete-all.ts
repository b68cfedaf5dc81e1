import { operationRule } from './create-rule.js';

export const deleteAll = operationRule({
  meta: {
    id: 'delete-all',
    defaultSeverity: 'error',
    description: 'DELETE without a WHERE clause (or with one that is always true, such as 1=1) deletes every row.',
    help: 'Add a WHERE clause that selects only the rows to delete; back up the table first.',
  },
  verb: 'Deletes every row of',
  lost: (op) =>
    op.flags.whereAlwaysTrue
      ? 'the WHERE clause is always true, so every row is deleted'
      : 'there is no WHERE clause, so every row is deleted',
});
