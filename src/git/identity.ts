import os from 'node:os';
import { gitText } from './exec-git.js';

/**
 * Who is acting, for the log (waivers, guard approvals): the email git would author a commit with
 * (config or GIT_AUTHOR_EMAIL), else the login name.
 */
export async function creatorOf(root: string): Promise<string | undefined> {
  const ident = await gitText(['var', 'GIT_AUTHOR_IDENT'], { cwd: root }).catch(() => '');
  const email = /<([^<>]+)>/.exec(ident)?.[1];
  if (email) return email;
  try {
    return os.userInfo().username || process.env.USER;
  } catch {
    return process.env.USER;
  }
}
