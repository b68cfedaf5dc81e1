import { operationRule } from './create-rule.js';

export const alterColumnType = operationRule({
  meta: {
    id: 'alter-column-type',
    defaultSeverity: 'warn',
    description:
      'Changing a column type rewrites the table under a lock and, when the new type is narrower, truncates or rejects existing values (narrowing is an error, and so is a USING expression that does not read the column: it replaces every value).',
    help: 'Add a new column with the new type, backfill it, switch the code, then drop the old column; never narrow a column that holds data without checking every value fits.',
  },
  verb: 'Changes the type of column',
  joiner: ' ',
  lost: (op) => {
    const { oldType, newType } = op.flags;
    const change = oldType ? `from ${oldType} to ${newType ?? 'another type'}` : newType ? `to ${newType}` : 'to another type';
    if (op.flags.valuesReplaced) return `${change} with a USING expression that does not read the column: every existing value is replaced`;
    return op.flags.narrowing
      ? `${change}, a narrower type: values that do not fit are truncated or make the migration fail`
      : `${change}: the table may be rewritten under a lock, and existing values may not convert`;
  },
  // The spec: narrowing is an error even though the rule defaults to warn; so is replacing every value.
  severity: (op) => (op.flags.narrowing || op.flags.valuesReplaced ? 'error' : undefined),
});
