import { spawnSync } from 'node:child_process';
import { readSync } from 'node:fs';
import { isatty } from 'node:tty';
import { BlockedError, UsageError } from '../../errors.js';
import { formatDuration, parseDuration } from '../../gate/duration.js';
import { checkCommand, type GuardCheck } from '../../guard/check.js';
import { shown } from '../../guard/classify.js';
import type { Approval } from '../../guard/decide.js';
import { runCommand } from '../../guard/run.js';

interface GuardOptions {
  approve?: string;
  grant?: string;
  for?: string;
  backupFirst?: boolean;
  check?: boolean;
  json?: boolean;
  config?: string;
}

/** A grant lets an agent run the granted command once, within this time. */
const MAX_GRANT_MS = 4 * 3_600_000;

/**
 * `guard [options] -- <command…>`: run a command; when it destroys data in a database, only with a
 * fresh verified backup of the targeted instance and a person's approval (docs/guard.md).
 * Non-destructive commands run untouched: exit code, streams and signals are the command's.
 */
export async function run(command: string[], options: GuardOptions): Promise<number> {
  if (!command.length) throw new UsageError('No command to guard', { hint: 'Usage: npx dbsafe-hooks guard -- <command…>, e.g. npx dbsafe-hooks guard -- npx prisma migrate reset' });
  // one word with spaces or shell syntax is a shell line (`guard -- "a && b"`); words are an argv
  const line = command.length === 1 && /[\s;&|<>()$`'"\\*?]/.test(command[0]!) ? command[0]! : undefined;
  const subject = line ?? command;
  const tty = isatty(0) && isatty(2);
  const cwd = process.cwd();
  const approval: Approval = options.approve !== undefined ? { kind: 'reason', reason: options.approve } : { kind: 'none' };
  let check = await checkCommand(subject, { cwd, configPath: options.config, actor: { kind: 'person', tty }, approval });

  if (options.check) return report(check, options.json);
  if (options.grant !== undefined) return grant(check, options, tty);

  if (check.decision.verdict === 'pass') return runCommand(line !== undefined ? { line } : { argv: command });
  // destructive from here on: what explains and records it is loaded only now
  const { describeDestruction, renderBackups, renderRefusal } = await import('../../guard/messages.js');
  const { recordGuard } = await import('../../guard/record.js');

  if (options.backupFirst && check.backup && !check.backup.ok && !check.backup.unavailable) {
    for (const instance of check.backup.instances.filter((entry) => !entry.ok)) {
      say(`backing up instance "${instance.instance}" first (--backup-first)…`);
      const result = spawnSync(process.execPath, [process.argv[1]!, ...(options.config ? ['--config', options.config] : []), 'backup', instance.instance, '--verify', '--reason', `before: ${check.command}`.slice(0, 200)], { stdio: 'inherit' });
      if (result.status !== 0) {
        await recordGuard(check, { event: 'guard-refused', actor: { kind: 'person', tty }, by: 'backup-failed' });
        throw new BlockedError(`The backup of instance "${instance.instance}" did not complete and verify: the command was not run`, { hint: 'Fix what the backup reported above, then run the guard again.' });
      }
    }
    check = await checkCommand(subject, { cwd, configPath: options.config, actor: { kind: 'person', tty }, approval });
  }

  const decision = check.decision;
  if (decision.verdict === 'refuse') {
    for (const text of renderRefusal(check, shown(command))) say(text);
    await recordGuard(check, { event: 'guard-refused', actor: { kind: 'person', tty }, reason: decision.reasons.join('; ') });
    return 1;
  }
  if (decision.verdict === 'ask') {
    if (!(await confirmOnTerminal(check))) {
      say('not run: the name typed is not the database name.');
      await recordGuard(check, { event: 'guard-refused', actor: { kind: 'person', tty }, reason: 'the database name was not typed' });
      return 1;
    }
    await recordGuard(check, { event: 'guard-approved', actor: { kind: 'person', tty }, by: 'typed' });
  } else if (decision.verdict === 'allow') {
    say('running a destructive command, approved and backed up:');
    for (const text of [...describeDestruction(check), ...renderBackups(check)]) say(text);
    await recordGuard(check, { event: 'guard-approved', actor: { kind: 'person', tty }, by: decision.by, ...(options.approve ? { reason: options.approve } : {}) });
  }
  return runCommand(line !== undefined ? { line } : { argv: command });
}

/** `--check`: the decision without running or recording anything. Exit 0 when it would run as is. */
async function report(check: GuardCheck, json?: boolean): Promise<number> {
  const { describeDestruction, renderBackups, renderRefusal } = await import('../../guard/messages.js');
  const code = check.decision.verdict === 'pass' || check.decision.verdict === 'allow' ? 0 : 1;
  if (json) {
    process.stdout.write(`${JSON.stringify(checkJson(check), null, 2)}\n`);
    return code;
  }
  if (check.decision.verdict === 'pass') say('not destructive: it would run untouched.');
  else if (check.decision.verdict === 'refuse') for (const text of renderRefusal(check, check.command)) say(text);
  else {
    say(check.decision.verdict === 'ask' ? 'destructive, backed up: it would ask for the database name on a terminal.' : 'destructive, backed up and approved: it would run.');
    for (const text of [...describeDestruction(check), ...renderBackups(check)]) say(text);
  }
  return code;
}

/** The `--check --json` document (docs/guard.md); also what the library function returns, minus the config. */
export function checkJson(check: GuardCheck): Record<string, unknown> {
  return {
    command: check.command,
    destructive: check.decision.verdict !== 'pass',
    decision: check.decision,
    matches: check.classification.matches.map((match) => ({
      tool: match.row.tool,
      pattern: match.row.pattern,
      command: match.command,
      via: match.via,
      destroys: match.row.destroys,
      target: match.row.target,
      // `statements`: the name SQL clients' findings had before removed database files joined them
      ...(match.found ? { found: match.found, ...(match.row.sql ? { statements: match.found } : {}) } : {}),
    })),
    unsure: check.classification.unsure,
    selfApproval: check.classification.selfApproval,
    instances: check.instances,
    backup: check.backup,
    ...(check.confirmName ? { confirmName: check.confirmName } : {}),
  };
}

/**
 * `--grant "<reason>" [--for 30m] -- <command>`: a person, on a terminal, lets a coding agent run this
 * command once (the agent hook still requires the fresh backup). Recorded in the log; runs nothing.
 */
async function grant(check: GuardCheck, options: GuardOptions, tty: boolean): Promise<number> {
  const { recordGuard } = await import('../../guard/record.js');
  const reason = (options.grant ?? '').replace(/\s+/g, ' ').trim();
  const minimum = Math.max(1, check.config?.overrides.minReasonLength ?? 10);
  if (reason.length < minimum) throw new UsageError(`A grant needs a reason of at least ${minimum} characters (got ${reason.length})`, { hint: 'e.g. --grant "reset local dev data after the schema rewrite (ticket DB-12)"' });
  const duration = options.for ?? '30m';
  const durationMs = parseDuration(duration);
  if (!durationMs || durationMs <= 0 || durationMs > MAX_GRANT_MS) {
    throw new UsageError(`--for "${duration}" is not a duration of at most ${formatDuration(MAX_GRANT_MS)}`, { hint: 'Use e.g. --for 15m or --for 1h.' });
  }
  const commands = check.classification.matches.map((match) => match.command);
  if (!commands.length || check.classification.unsure.length) {
    throw new UsageError(check.classification.unsure.length ? `The command cannot be read with certainty (${check.classification.unsure.join('; ')}): it cannot be granted` : 'The command is not destructive: there is nothing to grant', {
      hint: 'Grant the plain destructive command, e.g. npx dbsafe-hooks guard --grant "<why>" -- supabase db reset',
    });
  }
  if (!tty) {
    // an agent's shell has no terminal: a grant is a person's act
    throw new BlockedError('A grant can only be given on a terminal, by a person typing the database name', { hint: 'Run it yourself in a terminal.' });
  }
  if (!(await confirmOnTerminal(check, 'grant'))) {
    say('no grant recorded: the name typed is not the database name.');
    return 1;
  }
  const expiresAt = new Date(Date.now() + durationMs).toISOString();
  await recordGuard(check, { event: 'guard-approved', actor: { kind: 'person', tty }, by: 'grant', reason, fields: { grant: true, commands, expiresAt } });
  say(`granted once, until ${expiresAt}: ${commands.join(' && ')}`);
  say('a coding agent may now run it (the fresh verified backup is still required when it does).');
  return 0;
}

/** Show what would be destroyed and read one line from the terminal: the database name, or no. */
async function confirmOnTerminal(check: GuardCheck, action: 'run' | 'grant' = 'run'): Promise<boolean> {
  const { describeDestruction, renderBackups } = await import('../../guard/messages.js');
  say('this command destroys data in a database:');
  for (const text of [...describeDestruction(check), ...renderBackups(check)]) say(text);
  const name = check.confirmName ?? '';
  process.stderr.write(`dbsafe-hooks: type the database name (${name}) to ${action === 'run' ? 'run it' : 'grant it'}, anything else cancels: `);
  return readLine().trim() === name && name !== '';
}

/** One line from fd 0 (a terminal in canonical mode hands over a line per read), without a stream. */
function readLine(): string {
  const buffer = Buffer.alloc(1024);
  let text = '';
  for (;;) {
    let read: number;
    try {
      read = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      return text;
    }
    if (read === 0) return text;
    text += buffer.toString('utf8', 0, read);
    if (text.includes('\n')) return text.slice(0, text.indexOf('\n'));
  }
}

function say(text: string): void {
  process.stderr.write(text ? `dbsafe-hooks: ${text}\n` : 'dbsafe-hooks:\n');
}
