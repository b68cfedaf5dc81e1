import { operationRule } from './create-rule.js';

export const updateAll = operationRule({
  meta: {
    id: 'update-all',
    defaultSeverity: 'error',
    description: 'UPDATE without a WHERE clause (or with one that is always true) overwrites every row.',
    help: 'Add a WHERE clause that selects only the rows to change; back up the table first.',
  },
  verb: 'Updates every row of',
  lost: (op) =>
    op.flags.whereAlwaysTrue
      ? 'the WHERE clause is always true, so the previous values in every row are overwritten'
      : 'there is no WHERE clause, so the previous values in every row are overwritten',
});
