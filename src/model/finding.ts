import type { Operation } from './operation.js';

export type Severity = 'error' | 'warn' | 'off';

/** An override marker that silenced a finding, listed in every report so reviewers see it. */
export interface UsedOverride {
  file: string;
  line: number;
  rule: string;
  object?: string;
  reason: string;
  fileWide: boolean;
  /** Lines of the operations this marker silenced (absent for file-level findings such as edited-applied-migration). */
  operationLines?: number[];
}

/** A rule's verdict on one operation (or on a marker), after policy decided its severity. */
export interface Finding {
  rule: string;
  severity: Exclude<Severity, 'off'>;
  message: string;
  help: string;
  docs: string;
  file: string;
  line: number;
  column: number;
  statement?: string;
  statementLine?: number;
  operation?: Operation;
  /** The object the finding is about, as a marker must name it (set by policy/evaluate.ts). */
  object?: string;
  /** The exact override line for this finding in the file's comment syntax; absent when no marker can allow it. */
  marker?: string;
  /** The object is protected (or external): overrides must name it. */
  protectedObject?: string;
}

export interface CheckResult {
  findings: Finding[];
  overridesUsed: UsedOverride[];
  filesChecked: number;
  operations: number;
}
