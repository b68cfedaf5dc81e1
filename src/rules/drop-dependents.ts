import { operationRule } from './create-rule.js';

export const dropDependents = operationRule({
  meta: {
    id: 'drop-dependents',
    defaultSeverity: 'error',
    description:
      'A statement that drops objects without naming them: DROP OWNED (everything a role owns) or DROP EXTENSION / SERVER / FOREIGN DATA WRAPPER / COLLATION / ACCESS METHOD / CAST / OPERATOR / AGGREGATE / LANGUAGE / TEXT SEARCH … CASCADE (everything that depends on it).',
    help: 'Drop the objects by name, each in its own reviewed statement, after a verified backup; drop the extension or server without CASCADE once nothing depends on it.',
  },
  verb: (op) => (op.target?.type === 'role' ? 'Drops everything owned by' : 'Drops with CASCADE'),
  lost: (op) => (op.target?.type === 'role' ? 'every table and row the role owns are lost' : 'every table column, foreign table and view that depends on it is lost'),
});
