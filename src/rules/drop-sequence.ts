import { operationRule } from './create-rule.js';

export const dropSequence = operationRule({
  meta: {
    id: 'drop-sequence',
    defaultSeverity: 'warn',
    description: 'Dropping a sequence loses its current value and breaks the defaults that draw from it.',
    help: 'Check that no column default uses the sequence; if ids must keep increasing, keep it or record its current value.',
  },
  verb: 'Drops sequence',
  lost: 'its current value is lost and column defaults that use it fail',
});
