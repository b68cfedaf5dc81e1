import { operationRule } from './create-rule.js';

export const dropTrigger = operationRule({
  meta: {
    id: 'drop-trigger',
    defaultSeverity: 'warn',
    description: 'Dropping a trigger silently stops what it did (auditing, denormalized counters, timestamps).',
    help: 'Make sure whatever the trigger kept up to date is handled elsewhere, or recreate it in the same migration.',
  },
  verb: 'Drops trigger',
  lost: 'what it did on every write (audit rows, counters, timestamps) silently stops',
});
