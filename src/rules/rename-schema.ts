import { operationRule } from './create-rule.js';

export const renameSchema = operationRule({
  meta: {
    id: 'rename-schema',
    defaultSeverity: 'warn',
    description: 'Renaming a schema renames every table, view and function in it for the code that uses their qualified names.',
    help: 'Expand and contract: create the new schema, move objects (or add views) while the code moves over, then drop the old name in a later migration.',
  },
  verb: 'Renames schema',
  lost: (op) => `${op.flags.newName ? `to ${op.flags.newName}: ` : ''}every table in it changes name, and code that still uses the old name fails until it is deployed`,
});
