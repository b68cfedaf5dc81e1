import type { Finding, UsedOverride } from '../model/finding.js';
import { arrayPieces, nestedJson } from './json-pieces.js';
import { sortFindings, type ReportInput, type ReportOptions } from './types.js';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://www.npmjs.com/package/dbsafe-hooks';

/**
 * `--format sarif`: SARIF 2.1.0 for code scanning. Each finding is a result; each override used is
 * a result with an `inSource` suppression carrying the marker's reason, so reviewers see what
 * was allowed and why.
 */
export function* sarifReport(result: ReportInput, options: ReportOptions = {}): Generator<string> {
  const findings = sortFindings(result.findings);
  const ruleIds = [...new Set([...findings.map((f) => f.rule), ...result.overridesUsed.map((o) => o.rule)])].sort();
  const firstFinding = new Map<string, Finding>();
  for (const f of findings) if (!firstFinding.has(f.rule)) firstFinding.set(f.rule, f);
  const rules = ruleIds.map((id) => {
    const sample = firstFinding.get(id);
    return {
      id,
      name: id,
      shortDescription: { text: id },
      ...(sample?.help ? { help: { text: sample.help } } : {}),
      ...(sample?.docs ? { helpUri: sample.docs } : {}),
    };
  });
  const index = new Map(ruleIds.map((id, i) => [id, i] as const));
  const tool = { driver: { name: 'dbsafe-hooks', ...(options.version ? { version: options.version, semanticVersion: options.version } : {}), informationUri: INFORMATION_URI, rules } };
  // the log is { $schema, version, runs: [{ tool, results }] }, its results written one by one
  yield `{\n  "$schema": ${JSON.stringify(SCHEMA)},\n  "version": "2.1.0",\n  "runs": [\n    {\n      "tool": ${nestedJson(tool, 3)},\n      "results": `;
  const items: Array<Finding | UsedOverride> = [...findings, ...result.overridesUsed];
  yield* arrayPieces(items, 3, (item) => ('severity' in item ? findingResult(item, index) : overrideResult(item, index)));
  yield '\n    }\n  ]\n}\n';
}

function findingResult(f: Finding, index: ReadonlyMap<string, number>) {
  return {
    ruleId: f.rule,
    ruleIndex: index.get(f.rule)!,
    level: f.severity === 'error' ? 'error' : 'warning',
    message: { text: f.help ? `${f.message}\n${f.help}` : f.message },
    locations: [location(f.file, f.line, f.column)],
  };
}

function overrideResult(o: UsedOverride, index: ReadonlyMap<string, number>) {
  const what = o.object ? `${o.rule}(${o.object})` : o.rule;
  return {
    ruleId: o.rule,
    ruleIndex: index.get(o.rule)!,
    level: 'note',
    message: { text: `Allowed by an override marker: ${what} -- ${o.reason}` },
    locations: [location(o.file, o.line, 1)],
    suppressions: [{ kind: 'inSource', status: 'accepted', justification: o.reason }],
  };
}

function location(file: string, line: number, column: number) {
  return {
    physicalLocation: {
      artifactLocation: { uri: file.split('/').map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' } /* bound by the consumer to the checkout */,
      region: { startLine: Math.max(1, line), startColumn: Math.max(1, column) },
    },
  };
}
