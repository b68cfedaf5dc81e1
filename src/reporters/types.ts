import type { CheckResult, Finding } from '../model/finding.js';

/** What every reporter receives: the result plus, for text, the source of files with findings. */
export interface ReportInput extends CheckResult {
  /** Text of files with findings (path → text), to show the real source line under a caret. */
  sources?: ReadonlyMap<string, string>;
}

export interface ReportOptions {
  /** ANSI colours (text only); decide with `useColor(stream)` from util/palette. */
  color?: boolean;
  /** Tool version written into SARIF. */
  version?: string;
}

export type ReportFormat = 'text' | 'json' | 'sarif' | 'github';

export interface Summary {
  errors: number;
  warnings: number;
  files: number;
  operations: number;
  overrides: number;
}

export function summarize(result: CheckResult): Summary {
  return {
    errors: result.findings.filter((f) => f.severity === 'error').length,
    warnings: result.findings.filter((f) => f.severity === 'warn').length,
    files: result.filesChecked,
    operations: result.operations,
    overrides: result.overridesUsed.length,
  };
}

/** Errors first, then by file, line and column: the order every reporter prints. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => (f.severity === 'error' ? 0 : 1);
  return [...findings].sort((a, b) => rank(a) - rank(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column);
}
