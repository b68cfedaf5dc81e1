import { statSync, writeSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { AGENT_PROTOCOLS, allowAnswer, denyAnswer, failureAnswer, isAgentProtocol, readCall, type AgentProtocol, type HookAnswer } from '../../guard/agent-protocols.js';
import { checkCommand, checkMcpCall } from '../../guard/check.js';
import { agentReason } from '../../guard/messages.js';
import { recordGuard } from '../../guard/record.js';

/** Well inside the agents' own hook time limits (installed as 30 s): past it, deny rather than be cut off. */
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * `agent-hook <protocol>`: read the agent's tool call on stdin, check its shell command (or the SQL and
 * name of its MCP tool call) with the guard, answer in the agent's protocol. Every failure (bad input, an error, the time limit)
 * denies and says why.
 */
export async function run(protocol: string, options: { config?: string }): Promise<number> {
  if (!isAgentProtocol(protocol)) {
    throw new UsageError(`Unknown agent hook protocol "${protocol}"`, { hint: `Known: ${AGENT_PROTOCOLS.join(', ')}.` });
  }
  const timeoutMs = Number(process.env.DBSAFE_AGENT_HOOK_TIMEOUT_MS) > 0 ? Number(process.env.DBSAFE_AGENT_HOOK_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
  let settled = false;
  const answer = (result: HookAnswer): number => {
    if (settled) return result.exitCode;
    settled = true;
    if (result.stdout) writeSync(1, result.stdout);
    if (result.stderr) writeSync(2, result.stderr);
    return result.exitCode;
  };
  const timer = setTimeout(() => {
    process.exit(answer(failureAnswer(protocol, `the check took longer than ${timeoutMs} ms`)));
  }, timeoutMs);
  try {
    return answer(await decide(protocol, options.config));
  } catch (error) {
    return answer(failureAnswer(protocol, error instanceof Error ? error.message.split('\n')[0]! : String(error)));
  } finally {
    clearTimeout(timer);
  }
}

async function decide(protocol: AgentProtocol, configPath?: string): Promise<HookAnswer> {
  const call = readCall(protocol, await readStdin());
  if (call.kind === 'other') return allowAnswer(protocol);
  const cwd = call.cwd && isDirectory(call.cwd) ? call.cwd : process.cwd();
  const actor = { kind: 'agent' as const, protocol };
  const check = call.kind === 'mcp' ? await checkMcpCall(call, { cwd, configPath, actor }) : await checkCommand(call.command, { cwd, configPath, actor });
  const decision = check.decision;
  if (decision.verdict === 'pass') return allowAnswer(protocol);
  if (decision.verdict === 'allow' && check.grant) {
    // the grant is used up by this call: recorded before the agent runs it
    await recordGuard(check, { event: 'guard-approved', actor, by: 'grant', reason: check.grant.reason, fields: { grantSeq: check.grant.seq } });
    return allowAnswer(protocol);
  }
  const reason = decision.verdict === 'refuse' ? agentReason(check) : 'dbsafe-hooks denied this command: it needs a person\'s approval.';
  try {
    await recordGuard(check, { event: 'guard-refused', actor, reason: decision.verdict === 'refuse' ? decision.reasons.join('; ') : decision.verdict });
  } catch {
    /* the denial stands even when it cannot be recorded */
  }
  return denyAnswer(protocol, reason, `dbsafe-hooks denied a destructive database command: ${check.command.slice(0, 200)}`);
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
