import type { Operation } from '../model/operation.js';
import { createRule, objectName, type Rule } from './create-rule.js';

/** Why an operation touches a protected object. */
export interface ProtectedMatch {
  /** The config entry that matched, as written. */
  pattern: string;
  /** Config key of that entry (`protected`, `protected.columns`, `external`...). */
  key: string;
  /** Listed in `external`: managed outside the ORM. */
  external: boolean;
  /** What is protected: the object itself, its table, its schema, what it contains (a schema), or the database's contents. */
  via: 'object' | 'table' | 'schema' | 'contents' | 'database';
}

export interface ProtectedSubject {
  operation: Operation;
  match: ProtectedMatch;
  /** The message of the operation's own rule (what is lost). */
  operationMessage: string;
  /** A marker item in scope that names the rule but not the object (it does not cover a protected object). */
  bareMarker?: string;
}

export const protectedObject: Rule<ProtectedSubject> = createRule<ProtectedSubject>({
  meta: {
    id: 'protected-object',
    defaultSeverity: 'error',
    description:
      'Any destructive operation (drop, truncate, unbounded delete/update, rename, type change, index or constraint drop) on an object listed in config `protected` or `external`. Always an error.',
    help: 'Leave the protected object alone: write a migration that adds instead of removing, or remove it from `protected` in the configuration if it no longer needs protection.',
  },
  check({ operation, match, operationMessage, bareMarker }, context) {
    const object = objectName(operation, context) ?? '(unknown object)';
    const why = protectionReason(match, object);
    const bare = bareMarker
      ? `\nThe marker "${bareMarker}" does not cover it: an override of a protected object must name the object.`
      : '';
    return {
      message: `${operationMessage} ${why}`,
      help:
        `${protectedObject.meta.help.replace('`protected`', `\`${match.key.split('.')[0]}\``)}${bare}\n` +
        `If it is intended, name the object in an override marker right above the statement (with your reason):\n  ` +
        context.markerLine(operation.kind, object),
    };
  },
});

function protectionReason(match: ProtectedMatch, object: string): string {
  const entry = `"${match.pattern}" in config \`${match.key}\``;
  if (match.external) {
    const whose = match.via === 'table' ? `It belongs to a table that is` : `${object} is`;
    return `${whose} managed outside the ORM (${entry}): the library or service that owns it expects it to exist unchanged.`;
  }
  switch (match.via) {
    case 'table':
      return `It belongs to a protected table (${entry}).`;
    case 'schema':
      return `It is in a protected schema (${entry}).`;
    case 'contents':
      return `It holds protected objects (${entry}).`;
    case 'database':
      return `The database holds protected objects (${entry}).`;
    default:
      return `${object} is protected (${entry}).`;
  }
}
