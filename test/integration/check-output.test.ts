import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, tempDir } from '../helpers/repo.js';
import { buildOnce } from './check-helpers.js';

/**
 * `check` writes its report in pieces (src/cli/commands/check.ts): into a pipe only as fast as the reader
 * takes it. A report of hundreds of findings must arrive whole and the same whichever way it is read.
 */
beforeAll(buildOnce);

const FILES = 300;

function migrations(): { dir: string; files: string[] } {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'dbsaferc.json'), JSON.stringify({ dialect: 'postgres', migrations: [{ glob: '*.sql', format: 'sql' }] }));
  const files = Array.from({ length: FILES }, (_, i) => `${String(i).padStart(4, '0')}_drop.sql`);
  for (const [i, file] of files.entries()) writeFileSync(path.join(dir, file), `-- cleanup ${i}\nDROP TABLE table_${i};\n`);
  return { dir, files };
}

/** The report written to a file (Node writes files synchronously). */
function toFile(dir: string, args: string[]): { code: number | null; text: Promise<string> } {
  const out = path.join(dir, 'report.out');
  const fd = openSync(out, 'w');
  return {
    code: null,
    text: new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: cleanEnv(), stdio: ['ignore', fd, 'ignore'] });
      child.on('error', reject);
      child.on('close', () => {
        closeSync(fd);
        resolve(readFileSync(out, 'utf8'));
      });
    }),
  };
}

/**
 * The report read from a pipe that nobody reads for a while, then slowly, one chunk every 5 ms. Read with a
 * 'readable' listener, not a paused 'data' stream: when the child exits before anyone reads (a fast machine:
 * the whole text report fits in the socket pair's buffer), Node resumes every stdio stream that has no
 * 'readable' listener (child_process flushStdio), and a paused stream's data is then dropped unread. That,
 * not `check`, was the empty report this test saw three times (0 bytes, exit 1, nothing on stderr).
 */
function throughSlowPipe(dir: string, args: string[]): Promise<{ code: number | null; text: string; stderr: string; exit: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    // how the process ended, for the message of a short report
    let exit = 'no exit event';
    child.on('exit', (code, signal) => (exit = `exit ${code} signal ${signal} after ${Date.now() - started} ms, ${chunks.length} chunks read by then`));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let reading = false;
    const readSome = () => {
      const chunk = child.stdout.read() as Buffer | null;
      if (chunk === null) return; // the next 'readable' event reads on
      chunks.push(chunk);
      setTimeout(readSome, 5);
    };
    child.stdout.on('readable', () => reading && readSome());
    setTimeout(() => {
      reading = true;
      readSome();
    }, 400);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text: Buffer.concat(chunks).toString('utf8'), stderr, exit }));
  });
}

describe('a report of hundreds of findings', () => {
  it.each(['json', 'sarif', 'text'])('arrives whole through a slow pipe, the same as in a file (%s)', async (format) => {
    const { dir, files } = migrations();
    const args = ['check', '--worktree', '--config', 'dbsaferc.json', '--format', format, ...files];
    const [piped, inFile] = await Promise.all([throughSlowPipe(dir, args), toFile(dir, args).text]);
    // what the process said, if the report came short
    const said = `${format}: ${piped.text.length} bytes through the pipe, ${inFile.length} in the file; ${piped.exit}; stderr: ${piped.stderr.slice(0, 2000)}`;
    expect(piped.code, said).toBe(1);
    expect(piped.text.length, said).toBeGreaterThan(150_000); // more than twice a pipe's buffer
    expect(piped.text).toBe(inFile);
    if (format === 'json') expect(JSON.parse(piped.text).findings).toHaveLength(FILES);
    if (format === 'sarif') expect(JSON.parse(piped.text).runs[0].results).toHaveLength(FILES);
    if (format === 'text') expect(piped.text).toContain(`${FILES} errors, 0 warnings in ${FILES} migration files`);
  });
});

it('a reader that closes the pipe early (`| head`) gets exit 2 and words, not an internal error', async () => {
  const { dir, files } = migrations();
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'check', '--worktree', '--config', 'dbsaferc.json', '--format', 'json', ...files], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // like `head -c 100`: take the first chunk, then close the pipe
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toContain('the report could not be written to stdout (EPIPE)');
  expect(result.stderr).not.toContain('internal error');
});
