import { VERSION } from '../version.js';

/**
 * Where a rule's page is for a user: the docs published with the very version they run (the npm package
 * ships docs/, and unpkg serves every published file). A path such as `docs/rules/<id>.md` would be
 * resolved against the user's own repository, where it does not exist.
 */
export const RULE_DOCS_BASE = `https://unpkg.com/dbsafe-hooks@${VERSION}/docs/rules/`;

export function ruleDocsUrl(id: string): string {
  return `${RULE_DOCS_BASE}${id}.md`;
}

/** The index of every rule. */
export const RULE_DOCS_INDEX = `${RULE_DOCS_BASE}README.md`;
