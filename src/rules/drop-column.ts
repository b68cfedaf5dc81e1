import { operationRule } from './create-rule.js';

export const dropColumn = operationRule({
  meta: {
    id: 'drop-column',
    defaultSeverity: 'error',
    description: 'Dropping a column deletes its value in every row.',
    help: 'Stop reading and writing the column in the code first, deploy, back it up, then drop it in a later migration.',
  },
  verb: 'Drops column',
  lost: "the column's value in every row is lost, and code still using it fails",
});
