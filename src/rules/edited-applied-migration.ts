import { createRule, type Rule } from './create-rule.js';

export interface EditedMigrationSubject {
  file: string;
  change: 'modified' | 'deleted' | 'renamed';
  from?: string;
}

export const editedAppliedMigration: Rule<EditedMigrationSubject> = createRule<EditedMigrationSubject>({
  meta: {
    id: 'edited-applied-migration',
    defaultSeverity: 'warn',
    description:
      'A migration that already exists on the base branch is modified, deleted or renamed. Databases that already ran it will not run it again, so environments drift apart.',
    help: 'Leave applied migrations as they are and write a new migration that makes the change.',
  },
  check({ file, change, from }, context) {
    const what =
      change === 'renamed'
        ? `is renamed (from ${from ?? 'an earlier name'}): migration tools that track applied files by name will run it again or lose track of it`
        : change === 'deleted'
          ? 'is deleted: databases that applied it keep its changes, new databases will not get them'
          : 'is modified: databases that already applied it will never run the change';
    const override =
      change === 'deleted'
        ? 'A deleted file cannot carry a marker: set "edited-applied-migration" to "off" in config `rules` if this is intended.'
        : `If it is intended, add this line anywhere in the file (with your reason):\n  ${context.fileMarkerLine('edited-applied-migration')}`;
    return {
      message: `Migration ${file} already exists on the base branch and ${what}.`,
      help: `${editedAppliedMigration.meta.help}\n${override}`,
    };
  },
});
