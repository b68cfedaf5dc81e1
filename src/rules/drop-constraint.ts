import { operationRule } from './create-rule.js';

export const dropConstraint = operationRule({
  meta: {
    id: 'drop-constraint',
    defaultSeverity: 'warn',
    description: 'Dropping a constraint (foreign key, unique, check, primary key) stops the database from enforcing it.',
    help: 'Make sure the rule it enforced is kept elsewhere, or replace it with the new constraint in the same migration.',
  },
  verb: 'Drops constraint',
  lost: 'the database stops enforcing it, so invalid rows can be written',
});
