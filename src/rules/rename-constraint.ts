import { operationRule } from './create-rule.js';

export const renameConstraint = operationRule({
  meta: {
    id: 'rename-constraint',
    defaultSeverity: 'off',
    description: 'Renaming a constraint keeps the data; it matters where the constraint or its table is protected.',
    help: 'Rename a protected constraint only with a marker that names it, and update the code that matches its name (error handling, ON CONFLICT ON CONSTRAINT).',
  },
  verb: 'Renames constraint',
  lost: (op) => `${op.flags.newName ? `to ${op.flags.newName}: ` : ''}code that names the constraint (ON CONFLICT ON CONSTRAINT, error handling) fails until it is deployed`,
});
