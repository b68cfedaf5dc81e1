import type { CheckResult } from '../model/finding.js';
import { githubReport } from './github.js';
import { jsonReport } from './json.js';
import { sarifReport } from './sarif.js';
import { textReportPieces } from './text.js';
import type { ReportFormat, ReportInput, ReportOptions } from './types.js';

export type { ReportFormat, ReportInput, ReportOptions, Summary } from './types.js';
export { summarize } from './types.js';

/** Render a check result in one of the output formats. Pure: the caller writes the string. */
export function report(result: ReportInput, format: ReportFormat, options: ReportOptions = {}): string {
  return [...reportPieces(result, format, options)].join('');
}

/** The same report in pieces that join to it: what `check` writes, so no output is one string of megabytes. */
export function reportPieces(result: ReportInput, format: ReportFormat, options: ReportOptions = {}): Iterable<string> {
  switch (format) {
    case 'json':
      return jsonReport(result);
    case 'sarif':
      return sarifReport(result, options);
    case 'github':
      return githubReport(result);
    case 'text':
      return textReportPieces(result, options);
  }
}

/** 0 when nothing is at error level, 1 when something blocks. */
export function exitCodeFor(result: CheckResult): 0 | 1 {
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
}
