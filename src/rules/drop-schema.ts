import { operationRule } from './create-rule.js';

export const dropSchema = operationRule({
  meta: {
    id: 'drop-schema',
    defaultSeverity: 'error',
    description: 'DROP SCHEMA deletes a schema (with CASCADE: every table, view and function in it).',
    help: 'Move what is still needed out of the schema and back it up; drop it in a dedicated migration once it is empty, without CASCADE.',
  },
  verb: 'Drops schema',
  lost: (op) => (op.flags.cascade ? 'every object in it and all their data are lost' : 'the schema and anything left in it are lost'),
});
