import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, PROJECT_ROOT } from '../helpers/repo.js';
import { makeGuardRepo, type GuardRepo } from './guard-repo.js';

/**
 * `agent-hook <protocol>`: the exact JSON in and out of each agent's hook protocol, from fixtures
 * written from the protocols' documentation (test/fixtures/agent-hooks/README.md):
 *   Claude Code  https://code.claude.com/docs/en/hooks (PreToolUse)
 *   Cursor       https://cursor.com/docs/agent/hooks (beforeShellExecution)
 *   Gemini CLI   https://geminicli.com/docs/hooks/reference (BeforeTool)
 * and `install --agent` end to end: the hook command the agent's configuration names, run with a
 * shell as the agent runs it.
 */

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'agent-hooks');
const PROTOCOLS = ['claude-code', 'cursor', 'gemini'] as const;

const repos: GuardRepo[] = [];
function guarded(): GuardRepo {
  const repo = makeGuardRepo();
  repos.push(repo);
  return repo;
}
afterEach(() => {
  for (const repo of repos.splice(0)) repo.cleanup();
});

function fixture(protocol: string, name: string, cwd: string): string {
  return readFileSync(path.join(FIXTURES, protocol, name), 'utf8').replaceAll('{{cwd}}', cwd);
}

/** The stdin an agent sends for a shell command, in its protocol. */
function callFor(protocol: (typeof PROTOCOLS)[number], command: string, cwd: string): string {
  const input = JSON.parse(fixture(protocol, 'input-destructive.json', cwd)) as Record<string, any>;
  if (protocol === 'cursor') input.command = command;
  else input.tool_input.command = command;
  return JSON.stringify(input);
}

function verdictOf(protocol: (typeof PROTOCOLS)[number], stdout: string): 'allow' | 'deny' {
  if (protocol === 'claude-code') return stdout === '' ? 'allow' : JSON.parse(stdout).hookSpecificOutput.permissionDecision;
  if (protocol === 'cursor') return JSON.parse(stdout).permission;
  return JSON.parse(stdout).decision === 'deny' ? 'deny' : 'allow';
}

describe.each(PROTOCOLS)('agent-hook %s', (protocol) => {
  it('denies a destructive command with the exact answer of the protocol, and logs the refusal', () => {
    const repo = guarded();
    const result = repo.cli(['agent-hook', protocol], { input: fixture(protocol, 'input-destructive.json', repo.dir) });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(path.join(FIXTURES, protocol, 'output-destructive.json'), 'utf8')));
    expect(repo.logEntries()).toMatchObject([{ event: 'guard-refused', actor: `agent:${protocol}`, command: 'npx supabase db reset' }]);
  });

  it('leaves an ordinary command to the agent', () => {
    const repo = guarded();
    const result = repo.cli(['agent-hook', protocol], { input: fixture(protocol, 'input-ordinary.json', repo.dir) });
    expect(result.code).toBe(0);
    if (protocol === 'claude-code') expect(result.stdout).toBe('');
    else expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(path.join(FIXTURES, protocol, 'output-ordinary.json'), 'utf8')));
    expect(existsSync(repo.logPath)).toBe(false);
  });

  it('denies (exit 2, reason on stderr) when the input is not the protocol', () => {
    const repo = guarded();
    const result = repo.cli(['agent-hook', protocol], { input: 'not json' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('dbsafe-hooks could not check this command, so it is denied (fail closed): the ' + protocol + ' hook input is not JSON');
    expect(verdictOf(protocol, result.stdout)).toBe('deny');
  });

  it('denies when the check takes longer than its time limit', () => {
    const repo = guarded();
    const result = repo.cli(['agent-hook', protocol], { input: fixture(protocol, 'input-destructive.json', repo.dir), env: { DBSAFE_AGENT_HOOK_TIMEOUT_MS: '1' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('denied (fail closed): the check took longer than 1 ms');
    expect(verdictOf(protocol, result.stdout)).toBe('deny');
  });

  it('denies an agent approving or waiving by itself, even with a fresh backup', () => {
    const repo = guarded();
    repo.backup();
    for (const command of ['npx dbsafe-hooks guard --approve "the user said it is fine" -- supabase db reset', 'npx dbsafe-hooks waive --reason "need to push this right now"']) {
      const result = repo.cli(['agent-hook', protocol], { input: callFor(protocol, command, repo.dir) });
      expect(verdictOf(protocol, result.stdout), command).toBe('deny');
      expect(result.stdout).toContain('an agent cannot approve or waive on its own');
    }
  });
});

describe('agent-hook claude-code, MCP tool calls', () => {
  /** Claude Code's PreToolUse input for an MCP server's tool (named mcp__<server>__<tool>). */
  const mcpCall = (cwd: string, tool: string, input: unknown) =>
    JSON.stringify({ session_id: 'abc123', cwd, hook_event_name: 'PreToolUse', tool_name: tool, tool_input: input, tool_use_id: 'toolu_01MCP' });

  it('denies SQL that destroys data sent through a database MCP server, says why and what to do, and logs it', () => {
    const repo = guarded();
    const result = repo.cli(['agent-hook', 'claude-code'], { input: mcpCall(repo.dir, 'mcp__supabase__execute_sql', { project_id: 'abcd', query: 'DROP TABLE users;' }) });
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout).hookSpecificOutput;
    expect(answer.permissionDecision).toBe('deny');
    expect(answer.permissionDecisionReason).toContain('drop-table users');
    expect(answer.permissionDecisionReason).toContain('an MCP tool call cannot be approved for an agent');
    expect(repo.logEntries()).toMatchObject([{ event: 'guard-refused', actor: 'agent:claude-code', command: 'mcp__supabase__execute_sql' }]);
  });

  it('denies a database server tool that deletes by its name, and leaves reads and other servers alone', () => {
    const repo = guarded();
    const reset = repo.cli(['agent-hook', 'claude-code'], { input: mcpCall(repo.dir, 'mcp__prisma__migrate-reset', {}) });
    expect(verdictOf('claude-code', reset.stdout)).toBe('deny');
    for (const [tool, input] of [
      ['mcp__supabase__execute_sql', { query: 'SELECT count(*) FROM users' }],
      ['mcp__github__create_issue', { title: 'Update the README', body: 'Drop support for Node 16' }],
    ] as const) {
      const result = repo.cli(['agent-hook', 'claude-code'], { input: mcpCall(repo.dir, tool, input) });
      expect(result.code, result.stderr).toBe(0);
      expect(verdictOf('claude-code', result.stdout), `${tool}: ${result.stdout}`).toBe('allow');
    }
  });
});

describe('agent-hook cursor, MCP tool calls (beforeMCPExecution)', () => {
  /** Cursor's input: no server name, the command that starts the server; the arguments as an object or as JSON text. */
  const mcpCall = (cwd: string, tool: string, input: unknown) =>
    JSON.stringify({
      conversation_id: 'c1',
      generation_id: 'g1',
      hook_event_name: 'beforeMCPExecution',
      workspace_roots: [cwd],
      tool_name: tool,
      tool_input: input,
      command: 'npx -y @supabase/mcp-server-supabase@latest --project-ref=abcd',
    });

  it('denies destructive SQL given to a database server, whether its arguments come as an object or as JSON text', () => {
    const repo = guarded();
    for (const input of [{ query: 'TRUNCATE orders' }, JSON.stringify({ query: 'TRUNCATE orders' })]) {
      const result = repo.cli(['agent-hook', 'cursor'], { input: mcpCall(repo.dir, 'execute_sql', input) });
      expect(result.code, result.stderr).toBe(0);
      const answer = JSON.parse(result.stdout);
      expect(answer.permission).toBe('deny');
      expect(answer.agentMessage).toContain('truncate orders');
    }
    expect(repo.logEntries()[0]).toMatchObject({ event: 'guard-refused', actor: 'agent:cursor', command: 'mcp__mcp-server-supabase__execute_sql' });
    const read = repo.cli(['agent-hook', 'cursor'], { input: mcpCall(repo.dir, 'execute_sql', { query: 'SELECT 1' }) });
    expect(JSON.parse(read.stdout)).toEqual({ permission: 'allow' });
  });
});

describe('a grant from a person', () => {
  it('lets the agent run exactly the granted command once, and only with the fresh backup', () => {
    const repo = guarded();
    // an agent has no terminal: it cannot grant
    const noTerminal = repo.cli(['guard', '--grant', 'reset dev data after the rewrite', '--', 'supabase', 'db', 'reset']);
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.stderr).toContain('A grant can only be given on a terminal, by a person typing the database name');

    const granted = repo.onTerminal(['guard', '--grant', 'reset dev data after the rewrite', '--', 'supabase', 'db', 'reset'], 'dev.db\n');
    expect(granted.code, granted.stdout).toBe(0);
    expect(granted.stdout).toContain('granted once, until');
    expect(repo.ran()).toEqual([]); // a grant runs nothing

    const call = callFor('claude-code', 'cd . && npx supabase db reset', repo.dir);
    const noBackup = repo.cli(['agent-hook', 'claude-code'], { input: call });
    expect(verdictOf('claude-code', noBackup.stdout)).toBe('deny');
    expect(noBackup.stdout).not.toContain('a person must approve it');

    repo.backup();
    const other = repo.cli(['agent-hook', 'claude-code'], { input: callFor('claude-code', 'npx prisma migrate reset', repo.dir) });
    expect(verdictOf('claude-code', other.stdout)).toBe('deny');
    const allowed = repo.cli(['agent-hook', 'claude-code'], { input: call });
    expect(allowed).toEqual({ code: 0, stdout: '', stderr: '' });
    const again = repo.cli(['agent-hook', 'claude-code'], { input: call });
    expect(verdictOf('claude-code', again.stdout)).toBe('deny');

    const entries = repo.logEntries();
    const grant = entries.find((entry) => entry.grant === true)!;
    expect(grant).toMatchObject({ event: 'guard-approved', by: 'grant', commands: ['supabase db reset'], reason: 'reset dev data after the rewrite', actor: 'person' });
    expect(entries.filter((entry) => entry.grantSeq === grant.seq)).toMatchObject([{ event: 'guard-approved', actor: 'agent:claude-code', by: 'grant' }]);
  });
});

describe('install --agent, end to end', () => {
  /** Run the hook command from the agent's configuration as the agent does: through a shell, JSON on stdin. */
  function runAsAgent(repo: GuardRepo, command: string, input: string): { code: number; stdout: string; stderr: string } {
    const result = spawnSync('/bin/sh', ['-c', command], { cwd: repo.dir, input, encoding: 'utf8', env: cleanEnv({ ...repo.env(), CLAUDE_PROJECT_DIR: repo.dir }) });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  it('writes each agent\'s configuration, the agents\' hook commands deny and allow, uninstall removes exactly ours', () => {
    const repo = guarded();
    // an existing Claude Code configuration with a hook of the user's own must survive
    mkdirSync(path.join(repo.dir, '.claude'));
    const own = { permissions: { allow: ['Bash(npm test)'] }, hooks: { PreToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: 'echo mine' }] }] } };
    writeFileSync(path.join(repo.dir, '.claude', 'settings.json'), `${JSON.stringify(own, null, 2)}\n`);

    const install = repo.cli(['install', '--agent', 'claude-code', 'cursor', 'gemini']);
    expect(install.code, install.stderr).toBe(0);
    const claude = JSON.parse(readFileSync(path.join(repo.dir, '.claude', 'settings.json'), 'utf8'));
    expect(claude).toEqual({
      ...own,
      hooks: {
        PreToolUse: [
          ...own.hooks.PreToolUse,
          { matcher: 'Bash|mcp__.*', hooks: [{ type: 'command', command: '"$CLAUDE_PROJECT_DIR"/node_modules/.bin/dbsafe-hooks agent-hook claude-code || exit 2', timeout: 30 }] },
        ],
      },
    });
    const cursor = JSON.parse(readFileSync(path.join(repo.dir, '.cursor', 'hooks.json'), 'utf8'));
    const cursorHook = { command: 'npx --no -- dbsafe-hooks agent-hook cursor', timeout: 30, failClosed: true };
    expect(cursor).toEqual({ version: 1, hooks: { beforeShellExecution: [cursorHook], beforeMCPExecution: [cursorHook] } });
    const gemini = JSON.parse(readFileSync(path.join(repo.dir, '.gemini', 'settings.json'), 'utf8'));
    expect(gemini).toEqual({ hooks: { BeforeTool: [{ matcher: 'run_shell_command', hooks: [{ type: 'command', name: 'dbsafe-hooks', command: 'npx --no -- dbsafe-hooks agent-hook gemini || exit 2', timeout: 30000 }] }] } });

    // installing again changes nothing
    const before = ['.claude/settings.json', '.cursor/hooks.json', '.gemini/settings.json'].map((file) => readFileSync(path.join(repo.dir, file), 'utf8'));
    expect(repo.cli(['install', '--agent', 'claude-code,cursor,gemini']).stdout).toContain('claude-code: already configured');
    expect(['.claude/settings.json', '.cursor/hooks.json', '.gemini/settings.json'].map((file) => readFileSync(path.join(repo.dir, file), 'utf8'))).toEqual(before);

    const commands = {
      'claude-code': claude.hooks.PreToolUse[1].hooks[0].command as string,
      cursor: cursor.hooks.beforeShellExecution[0].command as string,
      gemini: gemini.hooks.BeforeTool[0].hooks[0].command as string,
    };
    for (const protocol of PROTOCOLS) {
      const denied = runAsAgent(repo, commands[protocol], fixture(protocol, 'input-destructive.json', repo.dir));
      expect(denied.code, denied.stderr).toBe(0);
      expect(verdictOf(protocol, denied.stdout)).toBe('deny');
      const allowed = runAsAgent(repo, commands[protocol], fixture(protocol, 'input-ordinary.json', repo.dir));
      expect(verdictOf(protocol, allowed.stdout)).toBe('allow');
    }

    const doctor = repo.cli(['doctor']);
    for (const protocol of PROTOCOLS) expect(doctor.stdout).toContain(`${protocol}: agent hook configured`);

    // a hook that cannot even start blocks (exit 2) instead of letting the call through
    rmSync(path.join(repo.dir, 'node_modules'), { recursive: true });
    const broken = runAsAgent(repo, commands['claude-code'], fixture('claude-code', 'input-destructive.json', repo.dir));
    expect(broken.code).toBe(2);
    expect(repo.cli(['doctor']).stdout).toContain('claude-code: node_modules/.bin/dbsafe-hooks does not exist: the agent hook cannot start');

    const uninstall = repo.cli(['uninstall']);
    expect(uninstall.stdout).toContain('claude-code: agent hook removed (.claude/settings.json)');
    expect(JSON.parse(readFileSync(path.join(repo.dir, '.claude', 'settings.json'), 'utf8'))).toEqual(own);
    expect(existsSync(path.join(repo.dir, '.cursor'))).toBe(false);
    expect(existsSync(path.join(repo.dir, '.gemini'))).toBe(false);
  });

  it('doctor reports a hook removed by hand; a damaged record of the agent hooks is an error, never "no hooks"', () => {
    const repo = guarded();
    expect(repo.cli(['install', '--agent', 'claude-code']).code).toBe(0);
    const settings = path.join(repo.dir, '.claude', 'settings.json');
    const installed = readFileSync(settings, 'utf8');
    writeFileSync(settings, '{}\n');
    const missing = repo.cli(['doctor']);
    expect(missing.stdout).toContain('claude-code: the agent hook is missing from .claude/settings.json');
    // the entry an older version wrote (its shell commands only, not MCP tools): doctor says so; install again updates it
    writeFileSync(settings, installed.replace('"Bash|mcp__.*"', '"Bash"'));
    const older = repo.cli(['doctor']);
    expect(older.stdout).toContain('claude-code: the agent hook in .claude/settings.json is not the one this version writes');
    expect(repo.cli(['install', '--agent', 'claude-code']).code).toBe(0);
    expect(readFileSync(settings, 'utf8')).toBe(installed);
    expect(repo.cli(['doctor']).stdout).toContain('claude-code: agent hook configured');

    const records = path.join(repo.dir, '.git', 'dbsafe', 'agents.json');
    writeFileSync(records, '{"agents": [');
    const doctor = repo.cli(['doctor']);
    expect(doctor.stdout).toMatch(/agents\.json is not valid JSON/);
    const uninstall = repo.cli(['uninstall']);
    expect(uninstall.code).toBe(2);
    expect(uninstall.stderr).toMatch(/agents\.json is not valid JSON.*cannot be listed/);
    expect(uninstall.stderr).not.toMatch(/\bat .*\.js:\d+/); // a message, not a stack trace
    // nothing was half-removed: the hook is still where install put it
    expect(readFileSync(settings, 'utf8')).toBe(installed);
  });

  it('refuses an unknown agent and a settings file that is not JSON, changing nothing', () => {
    const repo = guarded();
    const unknown = repo.cli(['install', '--agent', 'vim']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown agent "vim"');
    mkdirSync(path.join(repo.dir, '.gemini'));
    writeFileSync(path.join(repo.dir, '.gemini', 'settings.json'), '{ // a comment\n}');
    const result = repo.cli(['install', '--agent', 'gemini']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('.gemini/settings.json is not plain JSON');
    expect(readFileSync(path.join(repo.dir, '.gemini', 'settings.json'), 'utf8')).toBe('{ // a comment\n}');
  });
});
