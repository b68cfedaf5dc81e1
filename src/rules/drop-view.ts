import { operationRule } from './create-rule.js';

export const dropView = operationRule({
  meta: {
    id: 'drop-view',
    defaultSeverity: 'warn',
    description: 'Dropping a view (or materialized view) breaks every query and report that reads it.',
    help: 'Check that nothing reads the view any more, or recreate it (CREATE OR REPLACE VIEW) in the same migration.',
  },
  verb: 'Drops view',
  lost: 'queries and reports that read it fail (a materialized view also loses its stored rows)',
});
