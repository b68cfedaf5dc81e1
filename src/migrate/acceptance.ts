import type { Dialect } from '../model/operation.js';
import { reasonProblem } from '../policy/marker-validation.js';
import { parseMarkers } from '../policy/markers.js';
import { realCommentTest } from '../policy/real-comments.js';
import { segmentMatches, splitName, type Segment } from '../model/names.js';
import type { Ledger, Loss } from './ledger.js';

/**
 * Which losses of a ledger are accepted: per named object only, by an override marker in a
 * migration file (`-- dbsafe:allow drop-column(orders.legacy_total) -- reason`, the same grammar
 * `check` reads) or by `--accept-loss <object> --reason …`. There is no global acceptance.
 */

/** The marker rule ids that accept each kind of loss (the ids `check` reports for the same operations). */
const RULES_FOR: Record<Loss['kind'], readonly string[]> = {
  'table-dropped': ['drop-table'],
  'column-dropped': ['drop-column'],
  'rows-deleted': ['delete-all', 'truncate'],
  'type-changed': ['alter-column-type'],
  'view-dropped': ['drop-view'],
  'sequence-dropped': ['drop-sequence'],
  'schema-dropped': ['drop-schema'],
};

export interface AcceptanceSource {
  /** `file:line` of a marker, or `--accept-loss`. */
  source: string;
  /** The rule ids it names; undefined = any kind of loss of that object (--accept-loss). */
  rules?: string[];
  object: Segment[];
  objectText: string;
  reason?: string;
  /** Why it accepts nothing although it names the loss (the reason check refuses), if so. */
  refused?: string;
}

export interface Acceptances {
  accepted: Array<{ loss: Loss; by: string; reason: string }>;
  unaccepted: Loss[];
  /** Markers or flags that name a loss but cannot accept it (no reason, reason too short). */
  problems: string[];
}

/**
 * Every marker item with an object, from the given files' text, read exactly as `check` reads them: only
 * in real comments of the file's language (a marker in a string, docstring or heredoc is text), and with
 * a reason `check` would accept. A marker whose reason `check` refuses accepts nothing here either; it is
 * kept as `refused` so the ledger can say why the loss it names stays unaccepted.
 */
export function markerSources(files: Array<{ path: string; text: string }>, dialect: Dialect, minReasonLength: number): AcceptanceSource[] {
  const out: AcceptanceSource[] = [];
  for (const file of files) {
    for (const marker of parseMarkers(file.text, file.path, realCommentTest(file.text, file.path, dialect)).markers) {
      const problem = reasonProblem(marker.reason ?? '', minReasonLength);
      for (const item of marker.items) {
        if (!item.object || !item.segments) continue;
        out.push({
          source: `${file.path}:${marker.line}`,
          rules: [item.rule],
          object: item.segments,
          objectText: item.object,
          reason: marker.reason,
          refused: problem && REFUSED[problem](minReasonLength),
        });
      }
    }
  }
  return out;
}

const REFUSED = {
  missing: () => 'gives no reason',
  short: (min: number) => `gives a reason shorter than ${min} characters`,
  placeholder: () => 'still has the placeholder instead of a reason',
};

export function flagSources(objects: string[], reason: string | undefined): { sources: AcceptanceSource[]; invalid: string[] } {
  const sources: AcceptanceSource[] = [];
  const invalid: string[] = [];
  for (const text of objects) {
    const segments = splitName(text);
    if (!segments) invalid.push(text);
    else sources.push({ source: '--accept-loss', object: segments, objectText: text, reason });
  }
  return { sources, invalid };
}

/** Names in the ledger are `table`, `schema.table` or `table.column`; a leading default schema may be written or not. */
function names(source: AcceptanceSource, loss: Loss, dialect: Dialect): boolean {
  const parts = loss.object.split('.');
  const written = source.object;
  const tryMatch = (segments: Segment[]) => segments.length === parts.length && segments.every((s, i) => segmentMatches(s, parts[i]!, dialect, false));
  if (tryMatch(written)) return true;
  const first = written[0]?.text.toLowerCase();
  return written.length === parts.length + 1 && (first === 'public' || first === 'main') && tryMatch(written.slice(1));
}

export function applyAcceptances(ledger: Ledger, sources: AcceptanceSource[], dialect: Dialect, minReasonLength: number): Acceptances {
  const result: Acceptances = { accepted: [], unaccepted: [], problems: [] };
  for (const loss of ledger.entries.filter((e) => e.destroysData)) {
    const candidates = sources.filter((s) => (!s.rules || s.rules.some((r) => RULES_FOR[loss.kind].includes(r))) && names(s, loss, dialect));
    const good = candidates.find((s) => !s.refused && (s.reason ?? '').length >= Math.max(1, minReasonLength));
    if (good) {
      result.accepted.push({ loss, by: good.source, reason: good.reason! });
      continue;
    }
    result.unaccepted.push(loss);
    for (const bad of candidates) {
      const why = bad.refused ?? (bad.reason ? REFUSED.short(minReasonLength) : REFUSED.missing());
      result.problems.push(`${bad.source} names ${loss.object} but ${why}, so it does not accept the loss`);
    }
  }
  return result;
}
