import type { Dialect, Operation } from '../model/operation.js';
import { displayName } from '../model/names.js';
import type { RuleId } from '../model/rule-ids.js';
import { ruleDocsUrl } from '../model/rule-docs.js';

export interface RuleMeta {
  id: RuleId;
  /** Severity when config `rules` does not set one (`off`: reported only where the object is protected). */
  defaultSeverity: 'error' | 'warn' | 'off';
  /** One line: what the rule finds. */
  description: string;
  /** One line: what to do instead (the full help adds how to override). */
  help: string;
  /** The rule's page, in the docs published with this version (model/rule-docs.ts). */
  docs: string;
}

/** What a rule knows about the file it is looking at. */
export interface RuleContext {
  dialect: Dialect;
  /** The exact marker line that allows `rule` (for `object`) in this file's comment syntax. */
  markerLine(rule: string, object?: string): string;
  /** The exact file-wide marker line for `rule`. */
  fileMarkerLine(rule: string): string;
}

export interface Report {
  message: string;
  help: string;
  /** Overrides the configured severity only where the spec says so (narrowing type changes). */
  severity?: 'error' | 'warn';
}

export interface Rule<Subject> {
  meta: RuleMeta;
  /** Returns a report when the subject breaks the rule. */
  check(subject: Subject, context: RuleContext): Report | undefined;
}

export function createRule<Subject>(rule: {
  meta: Omit<RuleMeta, 'docs'>;
  check(subject: Subject, context: RuleContext): Report | undefined;
}): Rule<Subject> {
  return { meta: { ...rule.meta, docs: ruleDocsUrl(rule.meta.id) }, check: rule.check };
}

/** The object an operation acts on, as users should read it and name it in a marker. */
export function objectName(operation: Operation, context: RuleContext): string | undefined {
  return operation.target ? displayName(operation.target, operation.dialect ?? context.dialect) : undefined;
}

/** The help every rule ends with: what to do instead, then the exact line that overrides it. */
export function overrideHelp(instead: string, marker: string): string {
  return `${instead}\nIf it is intended, override it by writing this line right above the statement (with your reason):\n  ${marker}`;
}

/** Extra facts about an operation worth a clause in its message. */
export function operationNotes(operation: Operation): string {
  const notes: string[] = [];
  if (operation.flags.cascade) notes.push('CASCADE also drops every object that depends on it');
  if (operation.flags.embedded) notes.push('found inside a DO block, function body or EXECUTE string');
  if (operation.flags.dataCopied) notes.push('its rows were copied into a new table first (table rebuild)');
  if (operation.direction === 'down') notes.push('in the down migration, which runs on rollback');
  if (operation.detail) notes.push(operation.detail);
  return notes.length ? ` (${notes.join('; ')})` : '';
}

/**
 * Most operation rules read alike: "<Verb> <object>: <what is lost>." plus help.
 * `lost` may depend on the operation (flags such as whereAlwaysTrue or narrowing).
 */
export function operationRule(spec: {
  meta: Omit<RuleMeta, 'docs'>;
  /** E.g. `Drops table`; the object name follows. */
  verb: string | ((operation: Operation) => string);
  lost: string | ((operation: Operation, object: string | undefined) => string);
  severity?: (operation: Operation) => 'error' | 'warn' | undefined;
  /** Between the object and `lost`; default ": ". */
  joiner?: string;
}): Rule<Operation> {
  return createRule<Operation>({
    meta: spec.meta,
    check(operation, context) {
      if (operation.kind !== spec.meta.id) return undefined;
      const object = objectName(operation, context);
      const verb = typeof spec.verb === 'function' ? spec.verb(operation) : spec.verb;
      const lost = typeof spec.lost === 'function' ? spec.lost(operation, object) : spec.lost;
      const subject = object === undefined ? verb : `${verb} ${object}`;
      return {
        message: `${subject}${spec.joiner ?? ': '}${lost}${operationNotes(operation)}.`,
        help: overrideHelp(spec.meta.help, context.markerLine(spec.meta.id, object)),
        severity: spec.severity?.(operation),
      };
    },
  });
}
