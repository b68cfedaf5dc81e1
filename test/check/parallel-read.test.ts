import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, tempDir, type CliResult, type TestRepo } from '../helpers/repo.js';
import { buildOnce, commit, findingsOf, noStackTrace } from '../integration/check-helpers.js';

/**
 * `check --all` over many files reads them in worker threads (src/check/parallel-read.ts); the
 * report must be byte for byte the one of the sequential path (DBSAFE_WORKERS=0). A preload
 * (NODE_OPTIONS=--import, inherited by worker threads) records that workers really ran and can
 * make one crash on a chosen file.
 */
beforeAll(buildOnce);

let repo: TestRepo;
let scratch: string;
let preload: string;

const FILES = 300;

beforeAll(() => {
  repo = makeRepo();
  scratch = tempDir('dbsafe-parallel-');
  preload = path.join(scratch, 'preload.mjs');
  writeFileSync(
    preload,
    `import { appendFileSync } from 'node:fs';
import { isMainThread, parentPort } from 'node:worker_threads';
if (!isMainThread && process.env.DBSAFE_TEST_MARK) {
  appendFileSync(process.env.DBSAFE_TEST_MARK, 'worker\\n');
  const crash = process.env.DBSAFE_TEST_CRASH;
  if (crash) {
    // dies just before reading the file whose path contains DBSAFE_TEST_CRASH (a batch is [{ index, job }])
    let batch = [];
    parentPort.on('message', (jobs) => {
      batch = jobs ?? [];
      if (batch[0]?.job.path.includes(crash)) process.exit(7);
    });
    const post = parentPort.postMessage.bind(parentPort);
    parentPort.postMessage = (message) => {
      post(message);
      const at = message && 'index' in message ? batch.findIndex((item) => item.index === message.index) : -1;
      if (at !== -1 && batch[at + 1]?.job.path.includes(crash)) process.exit(7);
    };
  }
}
`,
  );
  const files: Record<string, string | Buffer> = {
    '.dbsaferc.json': JSON.stringify({ migrations: [{ glob: 'db/migrations/*.sql', format: 'sql' }], dialect: 'postgres' }),
  };
  for (let i = 0; i < FILES; i++) {
    const name = `db/migrations/V${String(i).padStart(4, '0')}__step.sql`;
    const table = `t${i}`;
    let text = `CREATE TABLE ${table} (id bigint PRIMARY KEY, name text NOT NULL);\nCREATE INDEX ${table}_name ON ${table} (name);\n`;
    if (i % 7 === 0) text += `DROP TABLE old_${table};\n`;
    if (i % 11 === 0) text += `ALTER TABLE ${table} DROP COLUMN name;\n`;
    if (i % 13 === 0) text += `-- dbsafe:allow drop-table(gone_${table}) -- replaced by ${table}, data copied in V${i}\nDROP TABLE gone_${table};\n`;
    if (i % 17 === 0) text += `DELETE FROM ${table};\nTRUNCATE ${table};\n`;
    if (i % 29 === 0) text += `CREATE TABLE broken (((;\n`;
    files[name] = text;
  }
  files['db/migrations/V9000__binary.sql'] = Buffer.from([0x00, 0xff, 0x13, 0x37, 0x00, 0x89, 0x50, 0x4e, 0x47]);
  files['db/migrations/V9001__utf16.sql'] = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('DROP TABLE legacy_utf16;\n', 'utf16le')]);
  commit(repo, files);
  // untracked files are read from disk, in the same run
  repo.write('db/migrations/V9002__untracked.sql', 'DROP TABLE untracked_one;\n');
  repo.write('db/migrations/V9003__crash_here.sql', 'ALTER TABLE crash_target RENAME TO crash_renamed;\nDROP TABLE crash_target;\n');
});

afterAll(() => {
  repo?.cleanup();
});

function check(env: NodeJS.ProcessEnv): CliResult & { workers: number } {
  const mark = path.join(scratch, `mark-${Math.random().toString(36).slice(2)}`);
  writeFileSync(mark, '');
  const result = runCli(['check', '--all', '--format', 'json'], {
    cwd: repo.dir,
    env: { NODE_OPTIONS: `--import ${preload}`, DBSAFE_TEST_MARK: mark, ...env },
  });
  noStackTrace(result);
  return { ...result, workers: readFileSync(mark, 'utf8').split('\n').filter(Boolean).length };
}

describe('check --all over many files', () => {
  it('gives the same JSON report from worker threads as from the sequential path', () => {
    const sequential = check({ DBSAFE_WORKERS: '0' });
    const byDefault = check({});
    const two = check({ DBSAFE_WORKERS: '2' });
    expect(sequential.workers).toBe(0);
    // under 8 MB one thread is faster than starting workers (src/check/parallel-read.ts)
    expect(byDefault.workers).toBe(0);
    expect(two.workers).toBe(2);

    expect(sequential.code).toBe(1);
    const findings = findingsOf(sequential);
    const rules = new Set(findings.map((f) => f.rule));
    for (const rule of ['drop-table', 'drop-column', 'unparseable']) expect(rules).toContain(rule);
    expect(JSON.parse(sequential.stdout).summary.files).toBe(FILES + 4);
    expect(findings.some((f) => f.file === 'db/migrations/V9000__binary.sql' && f.rule === 'unparseable')).toBe(true);
    expect(findings.some((f) => f.object === 'legacy_utf16')).toBe(true);
    expect(findings.some((f) => f.object === 'untracked_one')).toBe(true);
    // the override is honoured: the allowed drops are not errors
    expect(findings.filter((f) => f.object?.startsWith('gone_') && f.severity === 'error')).toEqual([]);
    expect(JSON.parse(sequential.stdout).summary.overrides).toBe(Math.ceil(FILES / 13));

    for (const parallel of [byDefault, two]) {
      expect(parallel.code).toBe(sequential.code);
      expect(parallel.stdout).toBe(sequential.stdout);
      expect(parallel.stderr).toBe(sequential.stderr);
    }
  });

  it('workers start from their own code cache, written by the first run and read back by the next, with the same report', () => {
    const sequential = check({ DBSAFE_WORKERS: '0' });
    const cacheHome = tempDir('dbsafe-worker-cache-');
    const workerCaches = () => readdirSync(path.join(cacheHome, 'dbsafe-hooks')).filter((f) => f.startsWith('check-worker-') && f.endsWith('.cache'));
    const writing = check({ DBSAFE_WORKERS: '2', XDG_CACHE_HOME: cacheHome });
    expect(writing.workers).toBe(2);
    const [cache, ...more] = workerCaches();
    expect(more).toEqual([]);
    const full = path.join(cacheHome, 'dbsafe-hooks', cache!);
    expect(statSync(full).mode & 0o777).toBe(0o600);
    const written = statSync(full).mtimeMs;
    const fromCache = check({ DBSAFE_WORKERS: '2', XDG_CACHE_HOME: cacheHome });
    expect(statSync(full).mtimeMs).toBe(written); // accepted by V8: not written again
    for (const result of [writing, fromCache]) {
      expect(result.stdout).toBe(sequential.stdout);
      expect(result.stderr).toBe(sequential.stderr);
    }
  });

  it('a worker that dies on a file makes that file unparseable (fail closed); every other file is read as usual', () => {
    const sequential = check({ DBSAFE_WORKERS: '0' });
    const crashed = check({ DBSAFE_WORKERS: '2', DBSAFE_TEST_CRASH: 'crash_here' });
    expect(crashed.workers).toBeGreaterThanOrEqual(2);
    expect(crashed.code).toBe(1);
    const target = 'db/migrations/V9003__crash_here.sql';
    const mine = findingsOf(crashed).filter((f) => f.file === target);
    expect(mine.map((f) => f.rule)).toEqual(['unparseable']);
    expect(mine[0].message + (mine[0].detail ?? '')).toMatch(/crashed/);
    const others = (result: CliResult) => findingsOf(result).filter((f) => f.file !== target);
    expect(others(crashed)).toEqual(others(sequential));
  });
});
