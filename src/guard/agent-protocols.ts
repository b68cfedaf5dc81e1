/**
 * The hook protocols of coding agents, as their public documentation describes them: what the agent
 * sends on stdin before it runs a shell command, and how a hook answers. Pure: JSON in, JSON out.
 *
 *   claude-code  https://code.claude.com/docs/en/hooks  (PreToolUse on the Bash tool and on MCP tools, named
 *                `mcp__<server>__<tool>`: stdin { tool_name, tool_input: { command } or the MCP tool's
 *                arguments, cwd, … }; deny with
 *                { hookSpecificOutput: { hookEventName, permissionDecision: "deny", permissionDecisionReason } };
 *                exit 2 blocks with stderr as the reason; other failures let the call through)
 *   cursor       https://cursor.com/docs/agent/hooks  (beforeShellExecution: stdin { command, cwd, … };
 *                beforeMCPExecution: stdin { hook_event_name, tool_name, tool_input (an object, or its JSON
 *                as a string), command or url: the MCP server's, … };
 *                answer { permission: "allow" | "deny", userMessage, agentMessage })
 *   gemini       https://geminicli.com/docs/hooks/reference  (BeforeTool on run_shell_command: stdin
 *                { tool_name, tool_input: { command }, cwd, … }; deny with { decision: "deny", reason };
 *                exit 2 blocks with stderr as the reason)
 */

export const AGENT_PROTOCOLS = ['claude-code', 'cursor', 'gemini'] as const;
export type AgentProtocol = (typeof AGENT_PROTOCOLS)[number];

export function isAgentProtocol(name: string): name is AgentProtocol {
  return (AGENT_PROTOCOLS as readonly string[]).includes(name);
}

/** What the agent asks: a shell command (and where it runs), an MCP tool call, or a tool call that is none of ours. */
export type AgentCall =
  | { kind: 'shell'; command: string; cwd?: string }
  | { kind: 'mcp'; server: string; tool: string; input: unknown; cwd?: string }
  | { kind: 'other'; tool: string };

/** Claude Code's name of an MCP server's tool. */
const MCP_TOOL = /^mcp__(.+?)__(.+)$/;

/** Thrown for input that is not the protocol's: the hook denies (fail closed) and says so. */
export class ProtocolError extends Error {}

const SHELL_TOOLS: Record<AgentProtocol, string[]> = {
  'claude-code': ['Bash'],
  cursor: [],
  gemini: ['run_shell_command'],
};

export function readCall(protocol: AgentProtocol, stdin: string): AgentCall {
  let input: unknown;
  try {
    input = JSON.parse(stdin);
  } catch {
    throw new ProtocolError(`the ${protocol} hook input is not JSON (${stdin.trim() ? `${stdin.trim().slice(0, 60)}…` : 'empty'})`);
  }
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ProtocolError(`the ${protocol} hook input is not a JSON object`);
  const record = input as Record<string, unknown>;
  const cwd = typeof record.cwd === 'string' ? record.cwd : Array.isArray(record.workspace_roots) && typeof record.workspace_roots[0] === 'string' ? record.workspace_roots[0] : undefined;
  if (protocol === 'cursor' && record.hook_event_name === 'beforeMCPExecution') {
    if (typeof record.tool_name !== 'string') throw new ProtocolError('the cursor beforeMCPExecution input has no "tool_name" string');
    const server = cursorServerName(record.command, record.url);
    return { kind: 'mcp', server, tool: record.tool_name, input: parsedIfJson(record.tool_input), ...(cwd ? { cwd } : {}) };
  }
  if (protocol === 'cursor') {
    if (typeof record.command !== 'string') throw new ProtocolError('the cursor beforeShellExecution input has no "command" string');
    return { kind: 'shell', command: record.command, ...(cwd ? { cwd } : {}) };
  }
  const tool = typeof record.tool_name === 'string' ? record.tool_name : '';
  if (!tool) throw new ProtocolError(`the ${protocol} hook input has no "tool_name"`);
  const mcp = protocol === 'claude-code' ? MCP_TOOL.exec(tool) : null;
  if (mcp) return { kind: 'mcp', server: mcp[1]!, tool: mcp[2]!, input: record.tool_input, ...(cwd ? { cwd } : {}) };
  if (!SHELL_TOOLS[protocol].includes(tool)) return { kind: 'other', tool };
  const toolInput = record.tool_input as Record<string, unknown> | undefined;
  if (!toolInput || typeof toolInput.command !== 'string') throw new ProtocolError(`the ${protocol} ${tool} call has no tool_input.command string`);
  const dir = typeof toolInput.dir_path === 'string' ? toolInput.dir_path : typeof toolInput.directory === 'string' ? toolInput.directory : undefined;
  return { kind: 'shell', command: toolInput.command, ...(dir ?? cwd ? { cwd: dir ?? cwd } : {}) };
}

/**
 * Cursor gives no server name: the package that its command starts (`npx -y @supabase/mcp-server-supabase@latest`
 * → `mcp-server-supabase`), else the program, else its URL's host (`mcp.supabase.com`).
 */
function cursorServerName(command: unknown, url: unknown): string {
  if (typeof command === 'string' && command.trim()) {
    const words = command.trim().split(/\s+/).filter((word) => !word.startsWith('-'));
    const word = words.find((candidate) => /mcp|server/i.test(candidate)) ?? words[words.length - 1] ?? command;
    return word.replace(/^@[^/]+\//, '').replace(/(?<=.)@[^/@]*$/, '').split('/').pop()!;
  }
  if (typeof url === 'string') {
    try {
      return new URL(url).hostname;
    } catch {
      return url;
    }
  }
  return '';
}

/** An MCP tool's arguments given as their JSON text: the arguments themselves (other text stays as it is). */
function parsedIfJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export interface HookAnswer {
  /** What to print on stdout ('' for nothing). */
  stdout: string;
  /** What to print on stderr. */
  stderr: string;
  exitCode: number;
}

/** Let the call go on as the agent would have done without the hook (its own permission rules apply). */
export function allowAnswer(protocol: AgentProtocol): HookAnswer {
  if (protocol === 'cursor') return { stdout: `${JSON.stringify({ permission: 'allow' })}\n`, stderr: '', exitCode: 0 };
  if (protocol === 'gemini') return { stdout: '{}\n', stderr: '', exitCode: 0 };
  return { stdout: '', stderr: '', exitCode: 0 };
}

/** Deny, with the reason the agent reads (and a short line for the person watching). */
export function denyAnswer(protocol: AgentProtocol, reason: string, userMessage: string): HookAnswer {
  switch (protocol) {
    case 'claude-code':
      return {
        stdout: `${JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } })}\n`,
        stderr: '',
        exitCode: 0,
      };
    case 'cursor':
      return { stdout: `${JSON.stringify({ permission: 'deny', userMessage, agentMessage: reason })}\n`, stderr: '', exitCode: 0 };
    case 'gemini':
      return { stdout: `${JSON.stringify({ decision: 'deny', reason })}\n`, stderr: '', exitCode: 0 };
  }
}

/**
 * The hook itself failed (bad input, an error, its own time limit): deny in the protocol AND exit 2
 * with the reason on stderr, which Claude Code and Gemini CLI treat as a block whatever the stdout
 * (any other failing exit code would let the call through there); Cursor's hook is installed
 * with failClosed.
 */
export function failureAnswer(protocol: AgentProtocol, why: string): HookAnswer {
  const reason = `dbsafe-hooks could not check this command, so it is denied (fail closed): ${why}. Run \`npx dbsafe-hooks doctor\` and tell the user.`;
  const denied = denyAnswer(protocol, reason, `dbsafe-hooks agent hook failed: ${why}`);
  return { stdout: denied.stdout, stderr: `${reason}\n`, exitCode: 2 };
}
