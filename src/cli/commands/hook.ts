import { UsageError } from '../../errors.js';

/**
 * `dbsafe-hooks hook <name> [args…]`: what the installed shims call. The hook modules are loaded
 * only for the hook that runs.
 */
export async function run(name: string, args: string[], options: { config?: string }): Promise<number> {
  const cwd = process.cwd();
  switch (name) {
    case 'pre-commit':
    case 'pre-merge-commit': {
      const { runPreCommitHook } = await import('../hook/run-pre-commit.js');
      // a merge commit is never an amend: git's command line is looked at only for pre-commit
      return runPreCommitHook({ cwd, files: args ?? [], configPath: options.config, mayAmend: name === 'pre-commit' });
    }
    case 'pre-push': {
      const { runPrePushHook } = await import('../hook/run-pre-push.js');
      // read stdin completely (never leave it half-read), but not from a terminal (a manual run)
      const stdin = process.stdin.isTTY ? undefined : await readAll(process.stdin);
      return runPrePushHook({ cwd, args: args ?? [], stdin, configPath: options.config });
    }
    default:
      throw new UsageError(`unknown hook "${name}"`, { hint: 'The hooks are: pre-commit, pre-merge-commit, pre-push.' });
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
