import { operationRule } from './create-rule.js';

export const dropDatabase = operationRule({
  meta: {
    id: 'drop-database',
    defaultSeverity: 'error',
    description: 'DROP DATABASE deletes a whole database.',
    help: 'A migration should never drop a database; do it by hand, after a verified backup, outside the migration history.',
  },
  verb: 'Drops database',
  lost: 'every table and every row in it are lost',
});
