import type { Finding, UsedOverride } from '../model/finding.js';
import { arrayPieces, nestedJson } from './json-pieces.js';
import { sortFindings, summarize, type ReportInput } from './types.js';

/**
 * `--format json`: a stable shape, documented in docs/json-output.md. Version 1 only ever gains
 * optional fields; anything else bumps `version`.
 */
export function* jsonReport(result: ReportInput): Generator<string> {
  yield `{\n  "version": 1,\n  "summary": ${nestedJson(summarize(result), 1)},\n  "findings": `;
  yield* arrayPieces(sortFindings(result.findings), 1, jsonFinding);
  yield `,\n  "overridesUsed": `;
  yield* arrayPieces(result.overridesUsed, 1, jsonOverride);
  yield '\n}\n';
}

function jsonOverride(o: UsedOverride) {
  return {
    file: o.file,
    line: o.line,
    rule: o.rule,
    ...(o.object !== undefined ? { object: o.object } : {}),
    reason: o.reason,
    fileWide: o.fileWide,
    ...(o.operationLines?.length ? { operationLines: o.operationLines } : {}),
  };
}

function jsonFinding(f: Finding) {
  const op = f.operation;
  return {
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    ...(op ? { kind: op.kind, direction: op.direction } : {}),
    ...(f.object !== undefined ? { object: f.object } : {}),
    ...(op?.target ? { target: op.target } : {}),
    ...(f.protectedObject !== undefined ? { protectedObject: f.protectedObject } : {}),
    ...(f.statement ? { statement: f.statement, statementLine: f.statementLine ?? f.line } : {}),
    ...(op?.detail ? { detail: op.detail } : {}),
    ...(f.marker !== undefined ? { marker: f.marker } : {}),
    help: f.help,
    docs: f.docs,
  };
}
