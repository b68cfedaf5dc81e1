import type { MissingReasonSubject } from '../rules/override-missing-reason.js';
import type { UnknownOverrideSubject } from '../rules/unknown-override.js';
import { isRuleId, NOT_OVERRIDABLE } from '../model/rule-ids.js';
import type { Marker, MarkerItem, MalformedMarker } from './markers.js';
import { closestRuleId } from '../config/rule-problems.js';

/** What the help suggests as the reason, and what is refused when pasted unchanged. */
export const REASON_PLACEHOLDER = '<why this is safe>';

/** A marker whose items are valid and whose reason is good enough: it can cover operations. */
export interface ActiveMarker {
  marker: Marker;
  items: Array<
    MarkerItem & {
      used: boolean;
      /** The protected object it preceded without naming it (for the unused-override note). */
      bareForProtected?: string;
    }
  >;
}

type Report = {
  (id: 'unknown-override', subject: UnknownOverrideSubject, line: number, column: number): void;
  (id: 'override-missing-reason', subject: MissingReasonSubject, line: number, column: number): void;
};

/**
 * Keep the markers that can allow something; report the others: unreadable markers and unknown rule
 * ids (unknown-override; the marker's other items still work), and markers without a good reason
 * (override-missing-reason; the whole marker is ignored, and not also reported as unused).
 */
export function validMarkers(
  parsed: { markers: Marker[]; malformed: MalformedMarker[] },
  minReasonLength: number,
  report: Report,
): ActiveMarker[] {
  for (const bad of parsed.malformed) report('unknown-override', { text: bad.text, problem: bad.problem }, bad.line, bad.column);
  const active: ActiveMarker[] = [];
  for (const marker of parsed.markers) {
    const items: ActiveMarker['items'] = [];
    for (const item of marker.items) {
      const problem = itemProblem(item);
      if (problem) report('unknown-override', { text: item.text, problem }, marker.line, marker.column);
      else items.push({ ...item, used: false });
    }
    if (items.length === 0) continue;
    const problem = reasonProblem(marker.reason ?? '', minReasonLength);
    if (problem) {
      report('override-missing-reason', { marker: { ...marker, items }, problem, minLength: minReasonLength }, marker.line, marker.column);
      continue;
    }
    active.push({ marker, items });
  }
  return active;
}

/** Why a marker's reason is not good enough to allow anything, if so (also dry-run's acceptances). */
export function reasonProblem(reason: string, minLength: number): MissingReasonSubject['problem'] | undefined {
  if (reason === '') return 'missing';
  if (reason === REASON_PLACEHOLDER || /^<.*>$/.test(reason)) return 'placeholder';
  return reason.length < minLength ? 'short' : undefined;
}

/** Why a marker item can never cover anything (reported as unknown-override), if so. */
function itemProblem(item: MarkerItem): string | undefined {
  if (!isRuleId(item.rule)) {
    const near = closestRuleId(item.rule);
    return `there is no rule "${item.rule}"${near ? ` (did you mean "${near}"?)` : ''}`;
  }
  if (NOT_OVERRIDABLE.includes(item.rule)) {
    return `"${item.rule}" is about markers themselves and cannot be allowed by one (set its severity in config \`rules\`)`;
  }
  if (item.rule === 'protected-object' && !item.segments) {
    return 'protected-object must name the object, e.g. protected-object(users)';
  }
  return undefined;
}
