import { spawn, spawnSync } from 'node:child_process';
import { GitError } from '../errors.js';

export interface GitOptions {
  cwd: string;
  /** Bytes written to git's stdin. */
  input?: string | Buffer;
  /** Exit codes that are answers rather than failures (e.g. 1 for `diff --quiet`). */
  okCodes?: number[];
  /** Extra environment; the caller's environment (GIT_INDEX_FILE included) is always kept. */
  env?: NodeJS.ProcessEnv;
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/**
 * The only place that runs git. Arguments go as an array (never a shell). The hook's environment
 * is passed through untouched: git sets GIT_INDEX_FILE (index.lock, next-index-*.lock) for the
 * commit being made, and reading any other index would check the wrong content.
 */
export async function execGit(args: string[], options: GitOptions): Promise<GitResult> {
  const out: Buffer[] = [];
  const result = await execGitStream(args, options, (chunk) => out.push(chunk));
  return { ...result, stdout: Buffer.concat(out) };
}

/**
 * Like execGit, but stdout is handed to `onStdout` chunk by chunk as it arrives instead of being
 * buffered whole (`cat-file --batch` over many or huge blobs). Resolves with stderr and the code.
 */
export async function execGitStream(args: string[], options: GitOptions, onStdout: (chunk: Buffer) => void): Promise<Omit<GitResult, 'stdout'>> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const err: Buffer[] = [];
    let failure: unknown;
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      try {
        onStdout(chunk);
      } catch (error) {
        failure = error; // the consumer cannot go on: stop git, report after it exits
        child.kill();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new GitError(`Could not run git: ${error.message}`, { hint: 'Is git installed and on PATH?' })));
    child.on('close', (code) => {
      if (failure) return reject(failure);
      const result = { stderr: Buffer.concat(err).toString('utf8'), code: code ?? 128 };
      if (result.code === 0 || options.okCodes?.includes(result.code)) resolve(result);
      else reject(new GitError(`git ${args[0]} failed: ${result.stderr.trim() || `exit ${result.code}`}`));
    });
    child.stdin.on('error', () => {
      /* git may exit before reading all input (e.g. on a bad object); the close handler reports it */
    });
    child.stdin.end(options.input ?? '');
  });
}

/** execGit returning stdout as trimmed UTF-8 text. */
export async function gitText(args: string[], options: GitOptions): Promise<string> {
  const { stdout } = await execGit(args, options);
  return stdout.toString('utf8').trim();
}

/** Synchronous variant for the few places that need an answer before anything async starts. */
export function gitTextSync(args: string[], cwd: string): string | undefined {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Synchronous raw stdout (not trimmed), or undefined on failure: for the rare read a pure reader needs mid-parse (Liquibase `sqlFile`). */
export function gitBufferSync(args: string[], cwd: string): Buffer | undefined {
  const result = spawnSync('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return result.status === 0 ? result.stdout : undefined;
}

/** Split `-z` output into its NUL-separated fields (the trailing empty field dropped). */
export function splitNul(buffer: Buffer): string[] {
  const fields = buffer.toString('utf8').split('\0');
  if (fields.length && fields[fields.length - 1] === '') fields.pop();
  return fields;
}
