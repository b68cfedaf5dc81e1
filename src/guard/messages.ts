import type { GuardCheck } from './check.js';
import { MCP_TOOL_ROW } from './mcp-calls.js';

/**
 * What the guard tells a person (lines printed behind `dbsafe-hooks: `) and an agent (one reason
 * that names the command that would make its call acceptable).
 */

const BIN = 'npx dbsafe-hooks';

/** What the command destroys, one line per recognised command or doubt. */
export function describeDestruction(check: GuardCheck): string[] {
  const lines: string[] = [];
  for (const match of check.classification.matches) {
    const via = match.via.length ? ` (via ${match.via.join(' → ')})` : '';
    const statements = match.found?.length ? `: ${match.found.join(', ')}` : '';
    lines.push(`  ${match.command}${via}${statements}`);
    lines.push(`    destroys ${match.row.destroys}; acts on ${match.row.target}`);
  }
  for (const reason of check.classification.unsure) lines.push(`  treated as destructive: ${reason}`);
  for (const command of check.classification.selfApproval) lines.push(`  approves or waives: ${command}`);
  return lines;
}

/** The backup commands that fix the missing backups (one per instance). */
export function backupFixes(check: GuardCheck): string[] {
  const backup = check.backup;
  if (!backup) return [];
  if (backup.unavailable) return [backup.unavailable.fix];
  return backup.instances.filter((entry) => !entry.ok && entry.fix).map((entry) => entry.fix!);
}

export function renderRefusal(check: GuardCheck, commandForFix: string): string[] {
  if (check.decision.verdict !== 'refuse') return [];
  const lines = ['refused: this command destroys data in a database.', ...describeDestruction(check), ''];
  for (const reason of check.decision.reasons) lines.push(`  missing: ${reason}`);
  lines.push('');
  const fixes = backupFixes(check);
  if (check.decision.missing.includes('backup')) {
    lines.push(`  Fix: ${fixes.join(' && ') || `${BIN} backup --verify`}`);
    lines.push(`   or: ${BIN} guard --backup-first -- ${commandForFix}   (backs up, verifies, then asks)`);
  }
  if (check.decision.missing.includes('approval')) {
    lines.push(`  Approve: run it on a terminal and type the database name${check.confirmName ? ` (${check.confirmName})` : ''},`);
    lines.push(`       or: ${BIN} guard --approve "<why, at least ${check.config?.overrides.minReasonLength ?? 10} characters>" -- ${commandForFix}`);
  }
  return lines;
}

export function renderBackups(check: GuardCheck): string[] {
  return (check.backup?.instances ?? []).filter((entry) => entry.ok).map((entry) => `  instance "${entry.instance}": verified backup ${entry.backupId}`);
}

/**
 * The reason an agent sees when its call is denied: what it would destroy, what is missing, and the
 * exact commands (for the user, on a terminal) that make the same call acceptable.
 */
export function agentReason(check: GuardCheck): string {
  if (check.decision.verdict !== 'refuse') return '';
  const parts = [`dbsafe-hooks denied this command: it destroys data in a database (${summary(check)}).`];
  parts.push(`Missing: ${check.decision.reasons.map((reason) => reason.replace(/\.$/, '')).join('; ')}.`);
  const steps: string[] = [];
  if (check.decision.missing.includes('backup')) steps.push(`run \`${backupFixes(check).join(' && ') || `${BIN} backup --verify`}\` (you may run this yourself)`);
  if (check.decision.missing.includes('approval') || check.decision.missing.includes('self-approval')) {
    const granted = check.classification.matches.map((match) => match.command);
    const mcp = check.classification.matches.some((match) => match.row === MCP_TOOL_ROW) || check.command.startsWith('mcp__');
    steps.push(
      mcp
        ? `ask the user to run it themselves (an MCP tool call cannot be approved for an agent; the SQL can go through \`${BIN} guard -- psql …\` on their terminal)`
        : granted.length && !check.classification.unsure.length
          ? `ask the user to approve it on their own terminal with \`${BIN} guard --grant "<why>" -- ${granted.join(' && ')}\` (they type the database name; it allows this command once)`
          : 'ask the user to run the command themselves on a terminal (it cannot be approved for an agent as written; write it as a plain command without wrappers)',
    );
  }
  parts.push(`To make this call acceptable: ${steps.join(', then ')}; then retry the same command. Do not try to work around this check.`);
  return parts.join(' ');
}

function summary(check: GuardCheck): string {
  const named = check.classification.matches.map((match) => `${match.command}${match.found?.length ? ` (${match.found.join(', ')})` : ''} destroys ${match.row.destroys}`);
  const unsure = check.classification.unsure.map((reason) => `unsure: ${reason}`);
  const self = check.classification.selfApproval.map((command) => `self-approval: ${command}`);
  return [...named, ...unsure, ...self].join('; ');
}
