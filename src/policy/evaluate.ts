import type { Config } from '../config/schema.js';
import type { Finding, UsedOverride } from '../model/finding.js';
import { readerDialect, type ConfigDialect, type Dialect, type Operation } from '../model/operation.js';
import type { Report, RuleContext } from '../rules/create-rule.js';
import type { RuleId } from '../model/rule-ids.js';
import { OPERATION_RULES, POLICY_RULES } from '../rules/index.js';
import { type ActiveMarker, REASON_PLACEHOLDER, validMarkers } from './marker-validation.js';
import { commentStyleFor, parseMarkers, reasonSeparator, type MarkerItem } from './markers.js';
import { displayName } from '../model/names.js';
import { realCommentTest } from './real-comments.js';
import { buildProtection, type Protection } from './protected.js';
import { asOriginalTables } from './renames.js';
import { markerScope, objectMatches } from './scope.js';
import { assertRuleConfig, resolveSeverity } from './severity.js';

export interface SourceFile {
  path: string;                 // repo-relative, forward slashes
  text: string;                 // the file text (markers are read from it; comment syntax by file type)
  operations: Operation[];      // everything the reader found
  /** Operations already present in the committed version of a modified file: markers may attach to them
   *  (so they are not "unused"), but they produce no findings. */
  preexisting?: ReadonlySet<Operation>;
  /** Set when a migration that already exists on the base branch is modified, deleted or renamed. */
  edit?: { change: 'modified' | 'deleted' | 'renamed'; from?: string };
  /** Set when the file looks like a migration of this format but no `migrations` glob matches it (not read). */
  unmatched?: { format: string };
}

export { REASON_PLACEHOLDER } from './marker-validation.js';
export { markerScope, objectMatches } from './scope.js';

/**
 * Judge every operation of every file: the operation's rule, protected objects, override markers,
 * severity from config and direction. Pure: no I/O. Throws ConfigError for an invalid `rules` or
 * `protected` configuration.
 */
/**
 * `destructive` counts the new operations a rule reports, whatever severity the configuration gives them
 * (`off` included): a rule turned off stops blocking commits, but the data is still lost when it runs, so
 * the backup gate (`gate.when: destructive`) asks this count, never the findings.
 */
export function evaluate(files: SourceFile[], config: Config): { findings: Finding[]; overridesUsed: UsedOverride[]; destructive: number } {
  assertRuleConfig(config);
  const protection = buildProtection(config);
  const findings: Finding[] = [];
  const overridesUsed: UsedOverride[] = [];
  let destructive = 0;
  for (const file of files) {
    const result = evaluateFile(file, config, protection);
    // A loop, not push(...spread): a generated file can have more findings than a call has room for arguments.
    for (const finding of result.findings) findings.push(finding);
    for (const used of result.overridesUsed) overridesUsed.push(used);
    destructive += result.destructive;
  }
  return { findings, overridesUsed, destructive };
}

function evaluateFile(file: SourceFile, config: Config, protection: Protection) {
  const findings: Finding[] = [];
  const overridesUsed = new OverrideList();
  let destructive = 0;
  const fileDialect = readerDialect(file.operations.find((op) => op.dialect)?.dialect ?? (config.dialect as ConfigDialect | undefined));
  const style = commentStyleFor(file.path);
  const separator = reasonSeparator(style);
  const markerBody = (directive: string, rule: string, object?: string) =>
    `dbsafe:${directive} ${rule}${object === undefined ? '' : `(${object})`}${separator} ${REASON_PLACEHOLDER}`;
  const contexts = new Map<Dialect, RuleContext>();
  const contextFor = (dialect: Dialect): RuleContext => {
    let context = contexts.get(dialect);
    if (!context) {
      context = {
        dialect,
        markerLine: (rule, object) => style.comment(markerBody('allow', rule, object)),
        fileMarkerLine: (rule) => style.comment(markerBody('allow-file', rule)),
      };
      contexts.set(dialect, context);
    }
    return context;
  };
  const context = contextFor(fileDialect);
  let lines: string[] | undefined;
  const lineText = (line: number) => (lines ??= file.text.split(/\r\n|\r|\n/))[line - 1]?.trim();
  const anySchema = config.unqualifiedMatchesAnySchema ?? true;

  /** Report a policy finding about a marker or the file (up direction: they always apply). */
  const policyFinding = (id: RuleId, report: Report, line: number, column: number) => {
    const rule = POLICY_RULES[id as keyof typeof POLICY_RULES];
    const severity = resolveSeverity(config, id, rule.meta.defaultSeverity, report.severity, 'up');
    if (severity === 'off') return;
    findings.push({
      rule: id,
      severity,
      message: report.message,
      help: report.help,
      docs: rule.meta.docs,
      file: file.path,
      line,
      column,
      statement: lineText(line),
      statementLine: line,
    });
  };

  // 1. Markers (only in real comments of the file's language): syntax, rule ids, reasons. Bad ones are reported and allow nothing.
  const markers = parseMarkers(file.text, file.path, realCommentTest(file.text, file.path, fileDialect));
  const active = validMarkers(markers, config.overrides?.minReasonLength ?? 10, (id, subject, line, column) =>
    policyFinding(id, POLICY_RULES[id].check(subject as never, context)!, line, column),
  );

  // 2. Which operations each line marker covers.
  const operations = [...file.operations].sort((a, b) => a.line - b.line || a.column - b.column);
  const fileWide = active.filter((entry) => entry.marker.fileWide);
  const byOperation = new Map<Operation, ActiveMarker[]>();
  for (const entry of active) {
    if (entry.marker.fileWide) continue;
    for (const op of markerScope(entry.marker.line, operations)) {
      const list = byOperation.get(op);
      if (list) list.push(entry);
      else byOperation.set(op, [entry]);
    }
  }
  const none: ActiveMarker[] = [];
  const markersFor = (op: Operation): ActiveMarker[] => {
    const scoped = byOperation.get(op);
    if (!scoped) return fileWide.length ? fileWide : none;
    return fileWide.length ? [...scoped, ...fileWide] : scoped;
  };

  // 3. Each operation: its rule, protection, override. An operation on a table renamed earlier in the file
  // is judged as one on the original table when that one is protected (its marker names the original).
  const originals = asOriginalTables(operations, fileDialect);
  for (const written of operations) {
    const dialect = readerDialect(written.dialect ?? fileDialect);
    const opContext = contextFor(dialect);
    const candidates = markersFor(written);
    const original = originals.get(written);
    const originalMatch = original && protection.match(original, dialect);
    const op = originalMatch ? original : written;
    const match = originalMatch || protection.match(op, dialect);
    const covers = (item: MarkerItem) => {
      if (match) {
        return (item.rule === op.kind || item.rule === 'protected-object') && item.segments !== undefined &&
          objectMatches(item, op, dialect, anySchema);
      }
      return item.rule === op.kind && (item.segments === undefined || objectMatches(item, op, dialect, anySchema));
    };
    const covering = candidates.length
      ? candidates.flatMap((entry) => entry.items.filter(covers).map((item) => ({ entry, item })))
      : [];
    for (const { item } of covering) item.used = true;

    if (file.preexisting?.has(written)) continue;

    // A kind no rule knows (a reader ahead of the registry) is judged as unparseable: fail closed.
    const known = Object.hasOwn(OPERATION_RULES, op.kind);
    const rule = known ? OPERATION_RULES[op.kind] : OPERATION_RULES.unparseable;
    const judged: Operation = known ? op : { ...op, kind: 'unparseable', detail: `unknown operation kind "${op.kind}"` };
    const report = rule.check(judged, opContext);
    if (!report) continue;
    destructive++;

    let id: RuleId = judged.kind;
    let finalReport = report;
    let severity;
    if (match) {
      const bare = candidates.length
        ? candidates.flatMap((entry) => entry.items).find((item) => item.rule === op.kind && !item.segments)
        : undefined;
      if (bare && !covering.length) {
        (bare as ActiveMarker['items'][number]).bareForProtected = op.target ? displayName(op.target, dialect) : 'name';
      }
      id = 'protected-object';
      finalReport = POLICY_RULES['protected-object'].check(
        { operation: op, match, operationMessage: report.message, bareMarker: bare?.text },
        opContext,
      )!;
      severity = resolveSeverity(config, id, 'error', undefined, op.direction);
    } else {
      severity = resolveSeverity(config, id, rule.meta.defaultSeverity, report.severity, op.direction);
    }
    if (severity === 'off') continue;

    const object = op.target ? displayName(op.target, dialect) : undefined;
    if (covering.length) {
      for (const { entry, item } of covering) {
        overridesUsed.record({
          file: file.path,
          line: entry.marker.line,
          rule: item.rule,
          object,
          reason: entry.marker.reason ?? '',
          fileWide: entry.marker.fileWide,
        }, op.line);
      }
      continue;
    }
    findings.push({
      rule: id,
      severity,
      message: finalReport.message,
      help: finalReport.help,
      docs: (id === 'protected-object' ? POLICY_RULES['protected-object'] : rule).meta.docs,
      file: op.file || file.path,
      line: op.line,
      column: op.column,
      statement: op.statement,
      statementLine: op.statementLine,
      operation: op,
      ...(object !== undefined ? { object } : {}),
      ...(canCarryMarker(op) ? { marker: opContext.markerLine(id, object) } : {}),
      ...(match && object !== undefined ? { protectedObject: object } : {}),
    });
  }

  // 4. A migration already applied on the base branch was changed.
  if (file.edit) {
    const fileItems = active
      .filter((entry) => entry.marker.fileWide)
      .flatMap((entry) => entry.items.filter((i) => i.rule === 'edited-applied-migration').map((item) => ({ entry, item })));
    const rule = POLICY_RULES['edited-applied-migration'];
    const severity = resolveSeverity(config, rule.meta.id, rule.meta.defaultSeverity, undefined, 'up');
    if (fileItems.length) {
      for (const { entry, item } of fileItems) {
        item.used = true;
        if (severity !== 'off') {
          overridesUsed.record({
            file: file.path,
            line: entry.marker.line,
            rule: item.rule,
            reason: entry.marker.reason ?? '',
            fileWide: true,
          });
        }
      }
    } else {
      const report = rule.check({ file: file.path, change: file.edit.change, from: file.edit.from }, context)!;
      policyFinding(rule.meta.id, report, 1, 1);
    }
  }

  // 4b. A file that looks like a migration but no glob selects (check/unmatched.ts): said, unless its marker keeps it.
  if (file.unmatched) {
    const kept = active.filter((entry) => entry.marker.fileWide).flatMap((entry) => entry.items.filter((i) => i.rule === 'unmatched-migration'));
    for (const item of kept) item.used = true;
    if (!kept.length) {
      const rule = POLICY_RULES['unmatched-migration'];
      policyFinding(rule.meta.id, rule.check({ file: file.path, format: file.unmatched.format }, context)!, 1, 1);
    }
  }

  // 5. Markers that covered nothing.
  for (const entry of active) {
    for (const item of entry.items) {
      if (item.used) continue;
      const note = item.bareForProtected
        ? `the operation it precedes is on a protected object, which a marker must name: ${item.rule}(${item.bareForProtected})`
        : item.rule === 'edited-applied-migration' && !entry.marker.fileWide
          ? 'edited-applied-migration is allowed with dbsafe:allow-file'
          : undefined;
      const report = POLICY_RULES['unused-override'].check({ item: item.text, fileWide: entry.marker.fileWide, note }, context)!;
      policyFinding('unused-override', report, entry.marker.line, entry.marker.column);
    }
  }

  findings.sort((a, b) => a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return { findings, overridesUsed: overridesUsed.list(), destructive };
}

/** A file that cannot be decoded (no statement) cannot hold a marker: its message says what to do instead. */
function canCarryMarker(op: Operation): boolean {
  return !(op.kind === 'unparseable' && op.statement === '');
}

/** Overrides used: one entry per marker item and object; repeated uses add the operation's line. */
class OverrideList {
  private readonly entries = new Map<string, { entry: UsedOverride; lines: Set<number> }>();

  record(entry: UsedOverride, operationLine?: number): void {
    const key = JSON.stringify([entry.file, entry.line, entry.rule, entry.object ?? null]);
    let slot = this.entries.get(key);
    if (!slot) {
      slot = { entry, lines: new Set() };
      this.entries.set(key, slot);
    }
    if (operationLine !== undefined) slot.lines.add(operationLine);
  }

  list(): UsedOverride[] {
    return [...this.entries.values()].map(({ entry, lines }) => (lines.size ? { ...entry, operationLines: [...lines] } : entry));
  }
}
