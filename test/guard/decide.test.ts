import { describe, expect, it } from 'vitest';
import type { Classification } from '../../src/guard/classify.js';
import { DESTRUCTIVE_COMMANDS } from '../../src/guard/commands.js';
import { decideGuard, type Actor, type Approval, type BackupState } from '../../src/guard/decide.js';

/** The guard's decision, pure: every combination of what the command is, the backup, who asks, and the approval. */

const reset: Classification = { destructive: true, matches: [{ row: DESTRUCTIVE_COMMANDS[0]!, command: 'supabase db reset', via: [] }], unsure: [], selfApproval: [] };
const unsure: Classification = { destructive: true, matches: [], unsure: ['the program is only known when the command runs: $X'], selfApproval: [] };
const ordinary: Classification = { destructive: false, matches: [], unsure: [], selfApproval: [] };
const selfApproving: Classification = { destructive: true, matches: [], unsure: [], selfApproval: ['dbsafe-hooks waive --reason x'] };

const fresh: BackupState = { ok: true, instances: [{ instance: 'dev', ok: true, backupId: 'b1' }] };
const stale: BackupState = { ok: false, instances: [{ instance: 'dev', ok: false, problem: 'too old' }] };
const none: BackupState = { ok: false, instances: [], unavailable: { problem: 'no database is configured', fix: 'configure' } };

const person: Actor = { kind: 'person', tty: false };
const terminal: Actor = { kind: 'person', tty: true };
const agent: Actor = { kind: 'agent', protocol: 'claude-code' };
const reason: Approval = { kind: 'reason', reason: 'reset the dev data, ticket 12' };
const short: Approval = { kind: 'reason', reason: 'ok' };
const grant: Approval = { kind: 'grant', seq: 4, reason: 'granted' };
const nothing: Approval = { kind: 'none' };

const CASES: Array<[string, Classification, BackupState | undefined, Actor, Approval, unknown]> = [
  ['ordinary: passes, nothing looked up', ordinary, undefined, agent, nothing, { verdict: 'pass' }],
  ['fresh backup + reason', reset, fresh, person, reason, { verdict: 'allow', by: 'reason' }],
  ['fresh backup + typed', reset, fresh, terminal, { kind: 'typed' }, { verdict: 'allow', by: 'typed' }],
  ['fresh backup, on a terminal: ask', reset, fresh, terminal, nothing, { verdict: 'ask' }],
  ['fresh backup, no terminal, no approval', reset, fresh, person, nothing, { verdict: 'refuse', missing: ['approval'], reasons: ['no approval: not on a terminal, and no --approve "<reason>" was given'] }],
  ['fresh backup, reason too short', reset, fresh, person, short, { verdict: 'refuse', missing: ['approval'], reasons: ['the --approve reason is 2 characters; at least 10 are needed'] }],
  ['stale backup + reason', reset, stale, person, reason, { verdict: 'refuse', missing: ['backup'], reasons: ['instance "dev": too old'] }],
  ['stale backup, on a terminal: refused before asking', reset, stale, terminal, nothing, { verdict: 'refuse', missing: ['backup'], reasons: ['instance "dev": too old'] }],
  ['no database + nothing', reset, none, person, nothing, { verdict: 'refuse', missing: ['backup', 'approval'], reasons: ['no database is configured', 'no approval: not on a terminal, and no --approve "<reason>" was given'] }],
  ['unsure counts as destructive', unsure, fresh, person, reason, { verdict: 'allow', by: 'reason' }],
  ['agent, fresh backup, no grant', reset, fresh, agent, nothing, { verdict: 'refuse', missing: ['approval'], reasons: ['a person must approve it: an agent cannot approve a destructive command itself'] }],
  ['agent, its own --approve reason does not count', reset, fresh, agent, reason, { verdict: 'refuse', missing: ['approval'], reasons: ['a person must approve it: an agent cannot approve a destructive command itself'] }],
  ['agent, fresh backup + grant', reset, fresh, agent, grant, { verdict: 'allow', by: 'grant' }],
  ['agent, grant but stale backup', reset, stale, agent, grant, { verdict: 'refuse', missing: ['backup'], reasons: ['instance "dev": too old'] }],
  ['agent, a grant does not cover what is unsure', unsure, fresh, agent, grant, { verdict: 'refuse', missing: ['approval'], reasons: ["a person's grant covers named commands only, and this one cannot be read with certainty: the program is only known when the command runs: $X"] }],
  ['agent waiving by itself', selfApproving, fresh, agent, nothing, { verdict: 'refuse', missing: ['self-approval', 'approval'], reasons: ['an agent cannot approve or waive on its own: dbsafe-hooks waive --reason x', 'a person must approve it: an agent cannot approve a destructive command itself'] }],
  ['a person waiving is ordinary', selfApproving, undefined, person, nothing, { verdict: 'pass' }],
];

describe('decideGuard', () => {
  for (const [name, classification, backup, actor, approval, expected] of CASES) {
    it(name, () => {
      expect(decideGuard({ classification, backup, actor, approval, minReasonLength: 10 })).toEqual(expected);
    });
  }
});
