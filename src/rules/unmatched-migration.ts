import { createRule, type Rule } from './create-rule.js';

export interface UnmatchedMigrationSubject {
  file: string;
  /** The format its path and content suggest (`django`, `sql`…). */
  format: string;
}

export const unmatchedMigration: Rule<UnmatchedMigrationSubject> = createRule<UnmatchedMigrationSubject>({
  meta: {
    id: 'unmatched-migration',
    defaultSeverity: 'warn',
    description:
      'A committed file looks like a migration (by its path and content) but no glob in `migrations` matches it, so nothing in it is checked.',
    help: 'Add a glob that matches it to `migrations` in the configuration (or, if it is not a migration, list it in that set\'s `ignore`).',
  },
  check({ file, format }, context) {
    return {
      message: `${file} looks like a${/^[aeiou]/.test(format) ? 'n' : ''} ${format} migration, but no glob in the configuration's \`migrations\` matches it: it is not checked.`,
      help:
        `${unmatchedMigration.meta.help} For example: { "migrations": [{ "glob": "${suggestGlob(file)}", "format": "auto" }, …] }.\n` +
        `To block such commits instead of warning, set { "rules": { "unmatched-migration": "error" } }; to keep it as it is, add this line to the file:\n  ${context.fileMarkerLine('unmatched-migration')}`,
    };
  },
});

/** The file's folder with the file's extension: `app/migrations/*.py`. */
function suggestGlob(file: string): string {
  const slash = file.lastIndexOf('/');
  const dot = file.lastIndexOf('.');
  const ext = dot > slash ? file.slice(dot) : '';
  return `${slash === -1 ? '' : `${file.slice(0, slash)}/`}*${ext}`;
}
