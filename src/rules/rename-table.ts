import { operationRule } from './create-rule.js';

export const renameTable = operationRule({
  meta: {
    id: 'rename-table',
    defaultSeverity: 'warn',
    description: 'Renaming a table breaks every running version of the code that still uses the old name.',
    help: 'Expand and contract: create the new table (or a view with the old name), move the code over, then remove the old name in a later migration.',
  },
  verb: 'Renames table',
  lost: (op) =>
    `${op.flags.newName ? `to ${op.flags.newName}: ` : ''}code that still uses the old name fails until it is deployed`,
});
