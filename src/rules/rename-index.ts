import { operationRule } from './create-rule.js';

export const renameIndex = operationRule({
  meta: {
    id: 'rename-index',
    defaultSeverity: 'off',
    description: 'Renaming an index keeps its data; it matters where the index (or the table ALTER INDEX can also rename) is protected.',
    help: 'Rename a protected index only with a marker that names it; ALTER INDEX renames any relation, so use ALTER TABLE … RENAME for tables.',
  },
  verb: 'Renames index',
  lost: (op) => `${op.flags.newName ? `to ${op.flags.newName}: ` : ''}queries and hints that name the index (or a table ALTER INDEX renamed) fail until the code is deployed`,
});
