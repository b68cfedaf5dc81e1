import { createRule, type Rule } from './create-rule.js';

export interface UnusedOverrideSubject {
  /** The item as written, e.g. `drop-table(users)`. */
  item: string;
  fileWide: boolean;
  /** Why nothing matched, when it can be said more precisely. */
  note?: string;
}

export const unusedOverride: Rule<UnusedOverrideSubject> = createRule<UnusedOverrideSubject>({
  meta: {
    id: 'unused-override',
    defaultSeverity: 'warn',
    description:
      'An override marker that covers nothing: no operation it names follows it (or is on its line). Stale markers hide the next mistake, so they are reported.',
    help: 'Remove the marker, or move it right above the statement it is meant for (a marker covers the next statement, or the operations on its own line).',
  },
  check({ item, fileWide, note }) {
    const scope = fileWide ? 'anything in this file' : 'the next statement (or its own line)';
    return {
      message: `Override marker "${item}" covers nothing: it matches no operation in ${scope}${note ? `; ${note}` : ''}.`,
      help: unusedOverride.meta.help,
    };
  },
});
