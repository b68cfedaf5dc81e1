import type { Config } from '../config/schema.js';
import { fallbackRanges, type PushRange } from '../git/push-refs.js';
import { resolveCommit } from '../git/repo.js';
import { addsDestructive, commitLimit, pushedCommits } from './pushed-commits.js';
import type { PushedMigrations } from './pre-push.js';

/**
 * `gate --base <ref>`: what a push of HEAD would carry when the remote has `<ref>`, computed with
 * the pre-push hook's own primitives (src/git/push-refs.ts) so both decide on the same commits.
 */

/** `<base>..HEAD` as a push range; without a base, the current branch's unpushed commits (as the hook's fallback). */
export async function gateRange(root: string, base: string | undefined): Promise<PushRange | undefined> {
  if (base === undefined) return (await fallbackRanges(root))[0];
  const baseOid = await resolveCommit(root, base);
  const head = await resolveCommit(root, 'HEAD');
  return { label: `${base}..HEAD`, remoteRef: base, tip: head, excludes: [baseOid], basis: [base], forced: false, remoteOidUnknown: false };
}

/**
 * The migration commits of a range, newest first, with the files each changed, found and judged by the
 * hook's own loop (gate/pushed-commits.ts). `destructive` is computed only when `gate.when` needs it (it
 * reads and parses every migration commit in the range).
 */
export async function migrationsInRange(root: string, config: Config, range: PushRange, env: NodeJS.ProcessEnv = process.env): Promise<PushedMigrations> {
  const recheck = config.gate.enabled && config.gate.when === 'destructive';
  const pushed = await pushedCommits(root, config, [range], { limit: commitLimit(env), recheck });
  return { commits: pushed.commits, destructive: recheck && addsDestructive(pushed) };
}
