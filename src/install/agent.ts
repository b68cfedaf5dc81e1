import { chmodSync, existsSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FileError, UsageError } from '../errors.js';
import type { Check } from './doctor.js';
import { readText, writeAtomic } from '../util/files.js';
import { findBin, locate, type Location } from './locate.js';

/**
 * `install --agent <name>`: configure a coding agent's pre-tool hook so every shell command it
 * proposes is checked by `dbsafe-hooks agent-hook <protocol>` (src/guard/agent-protocols.ts cites
 * each protocol's documentation). What was written is recorded in
 * `<git common dir>/dbsafe/agents.json`; `uninstall` removes exactly our entries (and a file we
 * created, once nothing else is in it); `doctor` reports whether each is still in place.
 */

export const AGENTS = ['claude-code', 'cursor', 'gemini'] as const;
export type AgentName = (typeof AGENTS)[number];

interface AgentRecord {
  agent: AgentName;
  /** Relative to the work tree root. */
  file: string;
  /** We created the file (uninstall removes it once only our entry was in it). */
  created: boolean;
}

/** Every hook command we write contains this (how our entries are recognised). */
const MARK = 'dbsafe-hooks agent-hook';
/** Seconds the agent waits for the hook (the hook itself gives up and denies after 10 s). */
const TIMEOUT_S = 30;

type Json = Record<string, unknown>;

interface AgentSpec {
  file: string;
  /** Add our entry to the parsed settings; returns them changed. */
  add(settings: Json, command: string): Json;
  command(location: Location): string;
}

const SPECS: Record<AgentName, AgentSpec> = {
  // https://code.claude.com/docs/en/hooks: PreToolUse, matcher on the tool name (a regex: `mcp__.*` is every MCP
  // server's tool; a bare prefix matches none), timeout in seconds; `|| exit 2`: a hook that cannot start
  // (package missing) blocks instead of letting the call through
  'claude-code': {
    file: '.claude/settings.json',
    command: (location) => `"$CLAUDE_PROJECT_DIR"/${findBin(location)} agent-hook claude-code || exit 2`,
    add: (settings, command) => addGrouped(settings, 'PreToolUse', 'Bash|mcp__.*', { type: 'command', command, timeout: TIMEOUT_S }),
  },
  // https://cursor.com/docs/agent/hooks: beforeShellExecution and beforeMCPExecution, `failClosed` so a failing hook denies
  cursor: {
    file: '.cursor/hooks.json',
    command: () => `npx --no -- ${MARK} cursor`,
    add: (settings, command) => {
      const hooks = object(settings.hooks);
      const ours = (event: string) => [...array(hooks[event]).filter((entry) => !isOurs(entry)), { command, timeout: TIMEOUT_S, failClosed: true }];
      return { version: settings.version ?? 1, ...settings, hooks: { ...hooks, beforeShellExecution: ours('beforeShellExecution'), beforeMCPExecution: ours('beforeMCPExecution') } };
    },
  },
  // https://geminicli.com/docs/hooks/reference: BeforeTool, matcher on run_shell_command, timeout in ms
  gemini: {
    file: '.gemini/settings.json',
    command: () => `npx --no -- ${MARK} gemini || exit 2`,
    add: (settings, command) => addGrouped(settings, 'BeforeTool', 'run_shell_command', { type: 'command', name: 'dbsafe-hooks', command, timeout: TIMEOUT_S * 1000 }),
  },
};

export function isAgentName(name: string): name is AgentName {
  return (AGENTS as readonly string[]).includes(name);
}

export async function installAgents(cwd: string, names: string[]): Promise<{ lines: string[] }> {
  const unknown = names.filter((name) => !isAgentName(name));
  if (unknown.length) throw new UsageError(`Unknown agent ${unknown.map((name) => `"${name}"`).join(', ')}`, { hint: `Known: ${AGENTS.join(', ')}.` });
  const location = await requireRepo(cwd);
  const records = readRecords(location.commonDir);
  const lines: string[] = [];
  for (const name of names as AgentName[]) {
    const spec = SPECS[name];
    const file = path.join(location.root, spec.file);
    const text = readText(file);
    const settings = text === undefined ? {} : parseSettings(text, spec.file);
    const next = `${JSON.stringify(spec.add(settings, spec.command(location)), null, 2)}\n`;
    mkdirSync(path.dirname(file), { recursive: true });
    const changed = writeAtomic(file, next);
    if (!records.some((record) => record.agent === name)) records.push({ agent: name, file: spec.file, created: text === undefined });
    lines.push(changed ? `dbsafe-hooks: ${name}: every shell command the agent proposes is checked (${spec.file})` : `dbsafe-hooks: ${name}: already configured (${spec.file})`);
  }
  writeRecords(location.commonDir, records);
  lines.push('dbsafe-hooks: a destructive database command from the agent now needs a fresh verified backup and your grant (npx dbsafe-hooks guard --grant "<why>" -- <command>).');
  return { lines };
}

/** Remove our entries from every agent configuration recorded; files we created go once empty. */
export function uninstallAgents(root: string, commonDir: string): string[] {
  const lines: string[] = [];
  for (const record of readRecords(commonDir)) {
    const file = path.join(root, record.file);
    const text = readText(file);
    if (text === undefined) continue;
    let settings: Json;
    try {
      settings = parseSettings(text, record.file);
    } catch {
      lines.push(`dbsafe-hooks: ${record.file} is not JSON any more; remove the "${MARK}" hook from it by hand`);
      continue;
    }
    const cleaned = withoutOurs(settings);
    const empty = Object.keys(cleaned).every((key) => key === 'version');
    if (record.created && empty) {
      rmSync(file);
      removeDirIfEmpty(path.dirname(file), root);
    } else writeAtomic(file, `${JSON.stringify(cleaned, null, 2)}\n`);
    lines.push(`dbsafe-hooks: ${record.agent}: agent hook removed (${record.file})`);
  }
  rmSync(recordsPath(commonDir), { force: true });
  return lines;
}

/** For doctor: is each configured agent hook still there, and can its command start? */
export function agentChecks(location: Location): Check[] {
  const checks: Check[] = [];
  let records: AgentRecord[];
  try {
    records = readRecords(location.commonDir);
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    return [{ level: 'problem', message: error.message, fix: error.hint }];
  }
  for (const record of records) {
    const text = readText(path.join(location.root, record.file));
    let present = false;
    let current = true;
    try {
      const settings = text === undefined ? undefined : parseSettings(text, record.file);
      present = settings !== undefined && JSON.stringify(settings).includes(MARK);
      // an entry an older version wrote (Claude Code's matcher before MCP tools were checked): install again
      const spec = isAgentName(record.agent) ? SPECS[record.agent] : undefined;
      current = !settings || !spec || JSON.stringify(spec.add(settings, spec.command(location))) === JSON.stringify(settings);
    } catch {
      present = false;
    }
    if (!present) {
      checks.push({ level: 'problem', message: `${record.agent}: the agent hook is missing from ${record.file}: the agent's shell commands are not checked`, fix: `npx dbsafe-hooks install --agent ${record.agent}` });
      continue;
    }
    const bin = path.join(location.root, findBin(location));
    if (!existsSync(bin)) {
      checks.push({ level: 'problem', message: `${record.agent}: ${path.relative(location.root, bin)} does not exist: the agent hook cannot start (it then denies every shell command)`, fix: 'npm install -D dbsafe-hooks' });
    } else if (!current) {
      checks.push({ level: 'warning', message: `${record.agent}: the agent hook in ${record.file} is not the one this version writes (it may check fewer of the agent's calls)`, fix: `npx dbsafe-hooks install --agent ${record.agent}` });
    } else checks.push({ level: 'ok', message: `${record.agent}: agent hook configured (${record.file})` });
  }
  return checks;
}

export async function agentLocation(cwd: string): Promise<Location | undefined> {
  const located = await locate(cwd);
  return located.ok ? located.location : undefined;
}

// ---------------------------------------------------------------------------------------------

async function requireRepo(cwd: string): Promise<Location> {
  const located = await locate(cwd);
  if (!located.ok) throw new UsageError(`Cannot configure agent hooks: ${located.reason}`, { hint: 'Run it inside the repository the agent works in.' });
  return located.location;
}

function parseSettings(text: string, file: string): Json {
  let parsed: unknown;
  try {
    parsed = text.trim() ? JSON.parse(text) : {};
  } catch (error) {
    throw new UsageError(`${file} is not plain JSON (${(error as Error).message}); it was left as it is`, {
      hint: `Add the dbsafe-hooks agent hook to it by hand (see docs/guard.md, "Coding agents").`,
    });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${file} is not a JSON object; it was left as it is`);
  return parsed as Json;
}

/** `hooks.<event>: [{ matcher, hooks: [ … ] }]` (Claude Code, Gemini CLI): ours in a group of its own. */
function addGrouped(settings: Json, event: string, matcher: string, hook: Json): Json {
  const cleaned = withoutOurs(settings);
  const hooks = object(cleaned.hooks);
  const groups = array(hooks[event]);
  groups.push({ matcher, hooks: [hook] });
  return { ...cleaned, hooks: { ...hooks, [event]: groups } };
}

function isOurs(entry: unknown): boolean {
  return Boolean(entry) && typeof entry === 'object' && typeof (entry as Json).command === 'string' && ((entry as Json).command as string).includes(MARK);
}

/** The settings without any hook of ours, and without the containers that held only ours. */
function withoutOurs(settings: Json): Json {
  if (!settings.hooks || typeof settings.hooks !== 'object' || Array.isArray(settings.hooks)) return settings;
  const hooks: Json = {};
  for (const [event, entries] of Object.entries(settings.hooks as Json)) {
    if (!Array.isArray(entries)) {
      hooks[event] = entries;
      continue;
    }
    const kept: unknown[] = [];
    for (const entry of entries) {
      if (isOurs(entry)) continue;
      const inner = entry && typeof entry === 'object' ? (entry as Json).hooks : undefined;
      if (Array.isArray(inner) && inner.some(isOurs)) {
        const rest = inner.filter((hook) => !isOurs(hook));
        if (rest.length) kept.push({ ...(entry as Json), hooks: rest });
        continue;
      }
      kept.push(entry);
    }
    if (kept.length) hooks[event] = kept;
  }
  const { hooks: _old, ...rest } = settings;
  return Object.keys(hooks).length ? { ...rest, hooks } : rest;
}

function object(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Json) } : {};
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? [...value] : [];
}

function recordsPath(commonDir: string): string {
  return path.join(commonDir, 'dbsafe', 'agents.json');
}

/**
 * The agent hooks install wrote. A file that cannot be read is an error, never "none": uninstall would leave
 * the hooks in place and doctor would say nothing about them.
 */
function readRecords(commonDir: string): AgentRecord[] {
  const file = recordsPath(commonDir);
  const text = readText(file);
  if (text === undefined) return [];
  let parsed: { agents?: unknown };
  try {
    parsed = JSON.parse(text) as { agents?: unknown };
  } catch (error) {
    throw new FileError(`${file} is not valid JSON (${(error as Error).message}): the agent hooks it records cannot be listed`, {
      hint: 'Restore it, or remove it and run `npx dbsafe-hooks install --agent <name>` again for each agent (the hooks are in .claude/settings.json, .cursor/hooks.json, .gemini/settings.json).',
    });
  }
  return Array.isArray(parsed.agents) ? (parsed.agents as AgentRecord[]).filter((record) => isAgentName(record.agent) && typeof record.file === 'string') : [];
}

function writeRecords(commonDir: string, records: AgentRecord[]): void {
  // .git/dbsafe holds the backup log and secrets' temp dirs: private whoever creates it first (docs/backup.md)
  mkdirSync(path.join(commonDir, 'dbsafe'), { recursive: true, mode: 0o700 });
  chmodSync(path.join(commonDir, 'dbsafe'), 0o700);
  writeAtomic(recordsPath(commonDir), `${JSON.stringify({ agents: records }, null, 2)}\n`);
}

function removeDirIfEmpty(dir: string, root: string): void {
  if (dir === root || !dir.startsWith(root)) return;
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    /* not empty or already gone */
  }
}
