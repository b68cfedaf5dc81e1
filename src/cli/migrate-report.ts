import type { Palette } from '../util/palette.js';
import type { DryRunOutcome } from '../migrate/dry-run.js';
import type { Loss } from '../migrate/ledger.js';
import type { MigrationPlan } from '../migrate/plan.js';

/** Text forms of the ledger, a dry-run and a migrations status (the commands print these). */

export function describeLoss(loss: Loss): string {
  switch (loss.kind) {
    case 'table-dropped':
      return `table dropped: ${loss.rows.toLocaleString('en-US')} row${loss.rows === 1 ? '' : 's'} lost`;
    case 'column-dropped':
      return `column dropped: ${loss.values.toLocaleString('en-US')} non-null value${loss.values === 1 ? '' : 's'} lost`;
    case 'rows-deleted':
      return `${loss.rows.toLocaleString('en-US')} row${loss.rows === 1 ? '' : 's'} deleted (${loss.before} → ${loss.after})`;
    case 'type-changed':
      return `type ${loss.from} → ${loss.to}: ${loss.nulled ? `${loss.nulled} value${loss.nulled === 1 ? '' : 's'} nulled by the cast` : loss.changed ? 'values changed by the cast' : 'values unchanged'}`;
    case 'view-dropped':
      return 'view dropped';
    case 'sequence-dropped':
      return 'sequence dropped (its current value is lost)';
    case 'schema-dropped':
      return 'schema dropped';
  }
}

export function renderDryRun(outcome: DryRunOutcome, c: Palette): string[] {
  const lines = [`${c.bold('dry-run')} ${outcome.instance} on a copy of backup ${outcome.backupId}`];
  if (outcome.migration.applied?.length) for (const f of outcome.migration.applied) lines.push(`  ran ${f.path}${f.note ? c.dim(` (${f.note})`) : ''}`);
  if (!outcome.migration.ok) lines.push(`  ${c.red('migration failed on the copy')}: ${outcome.migration.message}`);
  const accepted = new Map(outcome.acceptances.accepted.map((a) => [a.loss, a]));
  const width = Math.max(10, ...outcome.ledger.entries.map((e) => e.object.length));
  lines.push('', `  ${c.bold('loss ledger')}${outcome.ledger.entries.length ? '' : ': nothing lost'}`);
  for (const entry of outcome.ledger.entries) {
    const found = [...accepted.entries()].find(([loss]) => loss.object === entry.object && loss.kind === entry.kind)?.[1];
    const mark = !entry.destroysData ? c.dim('no data') : found ? c.green('accepted') : c.red('NOT ACCEPTED');
    lines.push(`    ${entry.object.padEnd(width)}  ${describeLoss(entry)}  ${mark}${found ? c.dim(` by ${found.by}: ${found.reason}`) : ''}`);
  }
  for (const rename of outcome.ledger.renames) lines.push(`    ${rename.from.padEnd(width)}  ${c.dim(`renamed to ${rename.to} (same values: nothing lost)`)}`);
  for (const problem of outcome.acceptances.problems) lines.push(`  ${c.yellow('note')}: ${problem}`);
  if (outcome.realDatabase.writesSeen && !outcome.realDatabase.schemaChanged && !outcome.realDatabase.unexplainedWrites) {
    lines.push(`  ${c.yellow('warning')}: rows of the REAL database changed while the dry-run ran (another client, or a command that ignored the copy's URL)`);
  }
  if (outcome.markers.from === 'applied') {
    lines.push(`  ${c.dim('markers')}: from the files the command applied on the copy (its runner's history): ${outcome.markers.files.join(', ') || 'none of them has a marker'}`);
  } else if (outcome.markers.from === 'unknown') {
    lines.push(`  ${c.dim('markers')}: from every migration file (no runner history table changed on the copy, so which files the command applied is unknown)`);
  }
  lines.push('', `  ledger ${outcome.ledger.hash.slice(0, 16)}…  ${outcome.ok ? c.green(`ok: ${outcome.verdict}`) : c.red(`blocked: ${outcome.verdict}`)}`);
  if (outcome.acceptances.unaccepted.length) {
    const first = outcome.acceptances.unaccepted[0]!;
    lines.push(`  Accept a loss in the migration file (\`-- dbsafe:allow ${ruleFor(first)}(${first.object}) -- why\`) or with --accept-loss ${first.object} --reason "why".`);
  }
  return lines;
}

function ruleFor(loss: Loss): string {
  return { 'table-dropped': 'drop-table', 'column-dropped': 'drop-column', 'rows-deleted': 'delete-all', 'type-changed': 'alter-column-type', 'view-dropped': 'drop-view', 'sequence-dropped': 'drop-sequence', 'schema-dropped': 'drop-schema' }[loss.kind];
}

export function renderStatus(instance: string, plan: MigrationPlan, c: Palette): string[] {
  const lines = [`${c.bold(instance)}: ${plan.applied.length} applied, ${plan.pending.length} pending${plan.edited.length ? `, ${c.red(`${plan.edited.length} edited after apply`)}` : ''}`];
  const edited = new Set(plan.edited.map((e) => e.row.version));
  for (const { row, file } of plan.applied) {
    const state = edited.has(row.version) ? c.red('EDITED after apply') : !file ? c.yellow('file missing') : row.kind === 'baseline' ? c.dim('baseline') : c.green('applied');
    lines.push(`  ${row.version.padEnd(16)} ${(file?.path ?? row.name).padEnd(40)} ${state} ${c.dim(`${row.appliedAt} by ${row.appliedBy}`)}`);
  }
  const late = new Set(plan.outOfOrder.map((f) => f.path));
  for (const file of plan.pending) lines.push(`  ${file.version.padEnd(16)} ${file.path.padEnd(40)} ${late.has(file.path) ? c.red('pending, OUT OF ORDER') : c.yellow('pending')}`);
  return lines;
}
