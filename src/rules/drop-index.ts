import { operationRule } from './create-rule.js';

export const dropIndex = operationRule({
  meta: {
    id: 'drop-index',
    defaultSeverity: 'warn',
    description: 'Dropping an index can make queries slow and, for a unique index, stops enforcing uniqueness.',
    help: 'Check that no query needs the index and that uniqueness is enforced elsewhere; in PostgreSQL use DROP INDEX CONCURRENTLY to avoid locking the table.',
  },
  verb: 'Drops index',
  lost: 'queries that used it may become slow, and a unique index stops enforcing uniqueness',
});
