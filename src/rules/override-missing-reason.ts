import { createRule, type Rule } from './create-rule.js';

/** The parts of an override marker (policy/markers.ts) this rule reports on. */
export interface MarkerSummary {
  items: ReadonlyArray<{ text: string }>;
  reason?: string;
  fileWide: boolean;
}

export interface MissingReasonSubject {
  marker: MarkerSummary;
  problem: 'missing' | 'short' | 'placeholder';
  minLength: number;
}

export const overrideMissingReason: Rule<MissingReasonSubject> = createRule<MissingReasonSubject>({
  meta: {
    id: 'override-missing-reason',
    defaultSeverity: 'error',
    description:
      'An override marker without a reason (or with one shorter than `overrides.minReasonLength`, default 10 characters). The marker is ignored, so what it was meant to allow stays blocked.',
    help: 'Say why the operation is safe after " -- ", so reviewers can judge it (e.g. "data migrated to accounts in 0042").',
  },
  check({ marker, problem, minLength }, context) {
    const what = marker.items.map((i) => i.text).join(', ');
    const detail =
      problem === 'missing'
        ? 'has no reason'
        : problem === 'placeholder'
          ? 'still has the placeholder instead of a reason'
          : `has a reason shorter than ${minLength} characters ("${marker.reason}")`;
    const directive = marker.fileWide ? 'allow-file' : 'allow';
    const example = context.markerLine(what).replace('dbsafe:allow', `dbsafe:${directive}`);
    return {
      message: `Override marker for ${what} ${detail}; it is ignored, so what it allows stays blocked.`,
      help: `${overrideMissingReason.meta.help}\nWrite it as:\n  ${example}`,
    };
  },
});
