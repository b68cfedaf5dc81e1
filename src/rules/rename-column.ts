import { operationRule } from './create-rule.js';

export const renameColumn = operationRule({
  meta: {
    id: 'rename-column',
    defaultSeverity: 'warn',
    description: 'Renaming a column breaks every running version of the code that still uses the old name.',
    help: 'Expand and contract: add the new column, write to both, backfill, move reads over, then drop the old column in a later migration.',
  },
  verb: 'Renames column',
  lost: (op) =>
    `${op.flags.newName ? `to ${op.flags.newName}: ` : ''}code that still uses the old name fails until it is deployed`,
});
