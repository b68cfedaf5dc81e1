import { fstatSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What the pre-commit shim (install/shim.ts) already asked git and hands to the hook, so that node starts
 * no git process of its own for a commit with one new migration (each costs ~10 ms to start from node):
 * - DBSAFE_GIT_LAYOUT: `<exit code>\n<directory it ran in>\n<output of LAYOUT_QUERY>` (git/repo.ts);
 * - DBSAFE_STAGED_DIFF: `<base oid> <end marker>`, with the output of STAGED_DIFF_QUERY against that base on
 *   stdin, followed by the marker (printed only when git succeeded: a missing marker means git failed).
 * Both are taken out of the environment at once, so no process this one starts (git, a nested commit's
 * hook) can read answers about another moment or repository; each is used only where it applies (the
 * layout for a directory inside its root, the diff for the base the check chose), else git is asked.
 */

/** The staged diff's git arguments after `git`, without the base and `--` (the shim adds them). */
export const STAGED_DIFF_QUERY = ['diff-index', '--cached', '--raw', '-z', '-M', '--no-ext-diff'];

let layout: { cwd: string; code: number; stdout: string } | undefined;
let stagedDiff: { base: string; output: Buffer } | undefined;

/** Called once by the hook, before anything asks git. */
export function takeShimHandover(env: NodeJS.ProcessEnv): void {
  const layoutValue = env.DBSAFE_GIT_LAYOUT;
  const diffValue = env.DBSAFE_STAGED_DIFF;
  delete env.DBSAFE_GIT_LAYOUT;
  delete env.DBSAFE_STAGED_DIFF;
  const match = layoutValue === undefined ? null : /^([01])\n([^\n]+)\n([^]*)$/.exec(layoutValue);
  layout = match && path.isAbsolute(match[2]!) ? { code: Number(match[1]), cwd: match[2]!, stdout: match[3]! } : undefined;
  stagedDiff = diffValue === undefined ? undefined : readStagedDiff(diffValue);
}

/** The shim's answer to the layout query: where it ran, git's exit code and output. */
export function shimLayout(): { cwd: string; code: number; stdout: string } | undefined {
  return layout;
}

/** The shim's `diff-index` output, when it compared the index with `base`. */
export function shimStagedDiff(base: string): Buffer | undefined {
  return stagedDiff?.base === base ? stagedDiff.output : undefined;
}

function readStagedDiff(value: string): { base: string; output: Buffer } | undefined {
  const [base, marker] = value.split(' ');
  if (!base || !/^[0-9a-f]{40,64}$/.test(base) || !marker || !/^dbsafe-diff-end-\d+$/.test(marker)) return undefined;
  try {
    // only a pipe: a variable set by hand must never make the hook wait for a terminal
    if (!fstatSync(0).isFIFO()) return undefined;
    const input = readFileSync(0);
    const end = Buffer.from(`${marker}\n`);
    const body = input.subarray(0, input.length - end.length);
    const whole = input.length >= end.length && input.subarray(body.length).equals(end) && (body.length === 0 || body[body.length - 1] === 0);
    return whole ? { base, output: Buffer.from(body) } : undefined;
  } catch {
    return undefined;
  }
}
