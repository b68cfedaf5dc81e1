import { operationRule } from './create-rule.js';

export const dropTable = operationRule({
  meta: {
    id: 'drop-table',
    defaultSeverity: 'error',
    description: 'DROP TABLE (and its equivalents in every migration format) deletes a table and all of its rows.',
    help: 'Stop using the table first, back it up, and drop it in a later migration once nothing reads it (or rename it and drop it after a release).',
  },
  verb: 'Drops table',
  lost: (operation) => (operation.flags.scratch ? 'a table this migration created earlier, so only what the migration itself put in it is lost' : 'every row in it and its definition are lost'),
  // a scratch table (created earlier in the same migration) is worth a look, not a block
  severity: (operation) => (operation.flags.scratch ? 'warn' : undefined),
});
