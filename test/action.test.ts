import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT, cleanEnv, tempDir } from './helpers/repo.js';
import { linkBin } from './hooks/helpers.js';

/**
 * action.yml: its metadata checked against GitHub's action metadata syntax, and its steps run here the way
 * the runner runs a composite action in a pull request (the variables GitHub sets, expressions evaluated, the
 * step's outputs read back from $GITHUB_OUTPUT), in a real repository cloned from a real remote.
 */

const action = parseYaml(readFileSync(path.join(PROJECT_ROOT, 'action.yml'), 'utf8'));
const workflow = parseYaml(readFileSync(path.join(PROJECT_ROOT, 'templates', 'github-workflow.yml'), 'utf8'));

// --- the metadata syntax (docs.github.com: "Metadata syntax reference") ------------------------------------

const TOP_KEYS = ['name', 'author', 'description', 'inputs', 'outputs', 'runs', 'branding'];
const INPUT_KEYS = ['description', 'required', 'default', 'deprecationMessage'];
const COMPOSITE_STEP_KEYS = ['id', 'if', 'name', 'uses', 'with', 'env', 'run', 'shell', 'working-directory', 'continue-on-error'];
const COLORS = ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark'];
const ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;

/** Every violation of the metadata syntax for a composite action (empty when it is valid). */
function metadataProblems(meta: any): string[] {
  const problems: string[] = [];
  const isString = (value: unknown) => typeof value === 'string' && value.trim() !== '';
  for (const key of Object.keys(meta)) if (!TOP_KEYS.includes(key)) problems.push(`unknown top-level key ${key}`);
  if (!isString(meta.name)) problems.push('name is required');
  if (!isString(meta.description)) problems.push('description is required');
  for (const [id, input] of Object.entries<any>(meta.inputs ?? {})) {
    if (!ID.test(id)) problems.push(`input id ${id} must start with a letter or _ and contain only alphanumerics, - or _`);
    if (id !== id.toLowerCase()) problems.push(`input id ${id} should be lower case`);
    for (const key of Object.keys(input ?? {})) if (!INPUT_KEYS.includes(key)) problems.push(`inputs.${id}: unknown key ${key}`);
    if (!isString(input?.description)) problems.push(`inputs.${id}.description is required`);
    if (input?.required !== undefined && typeof input.required !== 'boolean') problems.push(`inputs.${id}.required must be a boolean`);
    if (input?.default !== undefined && typeof input.default !== 'string') problems.push(`inputs.${id}.default must be a string`);
  }
  for (const [id, output] of Object.entries<any>(meta.outputs ?? {})) {
    if (!ID.test(id)) problems.push(`output id ${id} is not a valid id`);
    if (!isString(output?.description)) problems.push(`outputs.${id}.description is required`);
    if (!isString(output?.value)) problems.push(`outputs.${id}.value is required for a composite action`);
  }
  if (meta.runs?.using !== 'composite') problems.push('runs.using must be composite');
  const steps: any[] = meta.runs?.steps ?? [];
  if (!Array.isArray(steps) || !steps.length) problems.push('runs.steps is required');
  const ids = new Set<string>();
  steps.forEach((step, n) => {
    for (const key of Object.keys(step)) if (!COMPOSITE_STEP_KEYS.includes(key)) problems.push(`steps[${n}]: unknown key ${key}`);
    if ((step.run === undefined) === (step.uses === undefined)) problems.push(`steps[${n}] needs exactly one of run or uses`);
    if (step.run !== undefined && !isString(step.shell)) problems.push(`steps[${n}]: shell is required with run in a composite action`);
    if (step.uses !== undefined && !/^[\w.-]+\/[\w./-]+@[\w.-]+$|^\.\/|^docker:\/\//.test(step.uses)) problems.push(`steps[${n}]: uses must be owner/repo[/path]@ref`);
    if (step.with !== undefined && step.uses === undefined) problems.push(`steps[${n}]: with goes with uses`);
    if (step.id !== undefined) {
      if (!ID.test(step.id)) problems.push(`steps[${n}].id ${step.id} is not a valid id`);
      ids.add(step.id);
    }
  });
  if (meta.branding) {
    if (meta.branding.color !== undefined && !COLORS.includes(meta.branding.color)) problems.push(`branding.color ${meta.branding.color} is not one of ${COLORS.join(', ')}`);
    if (meta.branding.icon !== undefined && !/^[a-z0-9-]+$/.test(meta.branding.icon)) problems.push('branding.icon must be a Feather icon name');
  }
  // expressions may only name declared inputs and step ids with outputs
  const text = JSON.stringify(meta);
  for (const [, expression] of text.matchAll(EXPRESSION)) {
    for (const [, name] of expression!.matchAll(/\binputs\.([\w-]+)/g)) if (!(name! in (meta.inputs ?? {}))) problems.push(`expression names undeclared input ${name}`);
    for (const [, id] of expression!.matchAll(/\bsteps\.([\w-]+)\./g)) if (!ids.has(id!)) problems.push(`expression names unknown step ${id}`);
  }
  return problems;
}

describe('action.yml: the action metadata syntax', () => {
  it('is a valid composite action', () => {
    expect(metadataProblems(action)).toEqual([]);
  });

  it('has the inputs the README documents, and uploads SARIF with codeql-action', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(['base', 'config', 'fail-level', 'upload-sarif', 'working-directory']);
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    for (const input of Object.keys(action.inputs)) expect(readme).toContain(`\`${input}\``);
    expect(action.runs.steps.some((s: any) => /^github\/codeql-action\/upload-sarif@v\d+$/.test(s.uses))).toBe(true);
  });

  it.each([
    ['a missing description', { ...action, description: undefined }, 'description is required'],
    ['an input without description', { ...action, inputs: { ...action.inputs, extra: { default: 'x' } } }, 'inputs.extra.description is required'],
    ['a non-string default', { ...action, inputs: { ...action.inputs, extra: { description: 'x', default: 3 } } }, 'inputs.extra.default must be a string'],
    ['a run step without shell', { ...action, runs: { ...action.runs, steps: [{ run: 'true' }] } }, 'shell is required'],
    ['an unknown step key', { ...action, runs: { ...action.runs, steps: [{ run: 'true', shell: 'bash', 'timeout-minutes': 3 }] } }, 'unknown key timeout-minutes'],
    ['an output without value', { ...action, outputs: { x: { description: 'x' } } }, 'outputs.x.value is required'],
    ['an undeclared input in an expression', { ...action, outputs: { x: { description: 'x', value: '${{ inputs.nope }}' } } }, 'undeclared input nope'],
    ['a bad branding color', { ...action, branding: { icon: 'shield', color: 'pink' } }, 'branding.color pink'],
  ])('the checks catch %s', (_name, broken, problem) => {
    expect(metadataProblems(broken).join('\n')).toContain(problem);
  });

  it('the example workflow runs on pull requests, fetches history, and uses this action with its inputs', () => {
    expect(workflow.on === 'pull_request' || 'pull_request' in (workflow.on ?? {})).toBe(true);
    const steps = Object.values<any>(workflow.jobs)[0].steps;
    const checkout = steps.find((s: any) => String(s.uses).startsWith('actions/checkout@'));
    expect(checkout.with['fetch-depth']).toBe(0);
    const ours = steps.find((s: any) => /dbsafe-hooks@/.test(String(s.uses)));
    for (const input of Object.keys(ours.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
    expect(workflow.permissions['security-events']).toBe('write');
  });
});

// --- the steps, run as the runner runs them ---------------------------------------------------------------

interface StepRun {
  code: number;
  out: string;
  outputs: Record<string, string>;
  uploads: Array<Record<string, string>>;
}

/** Evaluate a GitHub expression over inputs, step outputs and github.* (the subset action.yml uses). */
function evaluate(expression: string, scope: { inputs: Record<string, string>; steps: Record<string, Record<string, string>>; github: Record<string, string> }): unknown {
  const js = expression
    .replace(/\bcancelled\(\)/g, 'false')
    .replace(/\balways\(\)/g, 'true')
    .replace(/\bsuccess\(\)/g, 'true')
    .replace(/\binputs\.([\w-]+)/g, (_m, name) => JSON.stringify(scope.inputs[name] ?? ''))
    .replace(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g, (_m, id, name) => JSON.stringify(scope.steps[id]?.[name] ?? ''))
    .replace(/\bgithub\.(\w+)/g, (_m, name) => JSON.stringify(scope.github[name] ?? ''))
    .replace(/([!=])=/g, '$1==');
  return new Function(`return (${js});`)();
}

function substitute(value: string, scope: Parameters<typeof evaluate>[1]): string {
  return value.replace(EXPRESSION, (_m, expression) => String(evaluate(expression, scope)));
}

/** Run action.yml's steps in `workspace` with `with` as the inputs and GitHub's pull-request variables. */
function runAction(workspace: string, withInputs: Record<string, string>, githubEnv: Record<string, string>): StepRun {
  const inputs: Record<string, string> = {};
  for (const [id, input] of Object.entries<any>(action.inputs)) inputs[id] = withInputs[id] ?? input.default ?? '';
  const temp = tempDir('dbsafe-runner-temp-');
  const github = { action_path: PROJECT_ROOT, workspace };
  const scope = { inputs, steps: {} as Record<string, Record<string, string>>, github };
  let out = '';
  let failed = 0;
  const uploads: Array<Record<string, string>> = [];
  for (const [n, step] of (action.runs.steps as any[]).entries()) {
    const condition = step.if === undefined ? 'success()' : String(step.if).replace(/^\$\{\{\s*|\s*\}\}$/g, '');
    if (failed && !/always\(\)|!cancelled\(\)|failure\(\)/.test(condition)) continue;
    if (!evaluate(condition, scope)) continue;
    if (step.uses) {
      // another action: record what it would be given (upload-sarif needs a real file)
      uploads.push(Object.fromEntries(Object.entries<string>(step.with ?? {}).map(([k, v]) => [k, substitute(String(v), scope)])));
      continue;
    }
    const outputFile = path.join(temp, `output-${n}`);
    writeFileSync(outputFile, '');
    const env: NodeJS.ProcessEnv = {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTION_PATH: PROJECT_ROOT,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: path.join(temp, 'summary.md'),
      RUNNER_TEMP: temp,
      ...githubEnv,
    };
    for (const [key, value] of Object.entries<string>(step.env ?? {})) env[key] = substitute(String(value), scope);
    const cwd = path.resolve(workspace, substitute(String(step['working-directory'] ?? '.'), scope));
    const run = spawnSync(step.shell === 'bash' ? 'bash' : step.shell, ['-e', '-c', substitute(step.run, scope)], { cwd, env: cleanEnv(env), encoding: 'utf8', timeout: 120_000 });
    out += `${run.stdout}${run.stderr}`;
    if (step.id) {
      scope.steps[step.id] = Object.fromEntries(
        readFileSync(outputFile, 'utf8').split('\n').filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    }
    if (run.status !== 0) failed = run.status ?? 1;
  }
  const outputs = Object.fromEntries(Object.entries<any>(action.outputs).map(([id, output]) => [id, substitute(output.value, scope)]));
  return { code: failed, out, outputs, uploads };
}

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, env: cleanEnv(), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

let work: string;
let remote: string;

/**
 * A remote with main and one pull-request branch whose commit writes `files`; the workspace is what
 * actions/checkout makes of a pull request: the merge of the branch into main, detached, with origin.
 */
function pullRequest(name: string, files: Record<string, string>, options: { depth?: number; base?: Record<string, string> } = {}): string {
  const author = path.join(work, `${name}-author`);
  git(work, 'clone', '-q', remote, author);
  git(author, 'checkout', '-q', '-b', name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(author, file)), { recursive: true });
    writeFileSync(path.join(author, file), text);
  }
  git(author, 'add', '-A');
  git(author, 'commit', '-q', '-m', name);
  git(author, 'push', '-q', 'origin', name);
  if (options.base) {
    // main moves on after the branch forked: its changes are not the pull request's
    git(author, 'checkout', '-q', 'main');
    for (const [file, text] of Object.entries(options.base)) writeFileSync(path.join(author, file), text);
    git(author, 'add', '-A');
    git(author, 'commit', '-q', '-m', `main after ${name}`);
    git(author, 'push', '-q', 'origin', 'main');
  }
  // GitHub's refs/pull/N/merge: the branch merged into the base as it is now
  git(author, 'checkout', '-q', '--detach', 'origin/main');
  git(author, 'fetch', '-q', 'origin', 'main');
  git(author, 'reset', '-q', '--hard', 'origin/main');
  git(author, 'merge', '-q', '--no-ff', '-m', `Merge ${name} into main`, name);
  git(author, 'push', '-q', 'origin', `HEAD:refs/pull/${name}/merge`);
  // what actions/checkout does: fetch the merge ref (fetch-depth 0: every branch too), check it out detached
  const workspace = path.join(work, `${name}-workspace`);
  git(work, 'init', '-q', workspace);
  git(workspace, 'remote', 'add', 'origin', `file://${remote}`);
  if (options.depth) git(workspace, 'fetch', '-q', '--no-tags', `--depth=${options.depth}`, 'origin', `+refs/pull/${name}/merge:refs/remotes/pull/${name}/merge`);
  else git(workspace, 'fetch', '-q', '--no-tags', 'origin', '+refs/heads/*:refs/remotes/origin/*', `+refs/pull/${name}/merge:refs/remotes/pull/${name}/merge`);
  git(workspace, 'checkout', '-q', '--detach', `refs/remotes/pull/${name}/merge`);
  linkBin(workspace);
  return workspace;
}

const PR_ENV = (head: string) => ({ GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: head, GITHUB_REF: 'refs/pull/7/merge' });

describe('action.yml steps in a pull request', () => {
  beforeAll(() => {
    work = tempDir('dbsafe-action-');
    remote = path.join(work, 'remote.git');
    git(work, 'init', '-q', '--bare', '-b', 'main', remote);
    const seed = path.join(work, 'seed');
    git(work, 'clone', '-q', remote, seed);
    mkdirSync(path.join(seed, 'db', 'migrations'), { recursive: true });
    writeFileSync(path.join(seed, 'db', 'migrations', '001_init.sql'), 'CREATE TABLE users (id int);\nCREATE TABLE legacy (id int);\nDROP TABLE grandfathered;\n');
    writeFileSync(path.join(seed, '.dbsaferc.json'), JSON.stringify({ migrations: [{ glob: 'db/migrations/*.sql' }], protected: ['users'] }));
    writeFileSync(path.join(seed, '.gitignore'), 'node_modules\n');
    git(seed, 'add', '-A');
    git(seed, 'commit', '-q', '-m', 'init');
    git(seed, 'push', '-q', 'origin', 'HEAD:main');
  });

  it('a pull request that drops a table: annotations, SARIF uploaded, outputs, the job fails', () => {
    const workspace = pullRequest('drop-users', { 'db/migrations/002_drop.sql': 'SELECT 1;\nDROP TABLE users;\n' }, { base: { 'db/migrations/003_main.sql': 'DROP TABLE legacy;\n' } });
    const result = runAction(workspace, {}, PR_ENV('drop-users'));
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^::error file=db\/migrations\/002_drop\.sql,line=2,col=1,title=dbsafe protected-object::/m);
    // judged against where the branch forked: main's later drop and the old one are not this PR's
    expect(result.out).not.toContain('003_main.sql');
    expect(result.out).not.toContain('001_init.sql');
    expect(result.outputs['exit-code']).toBe('1');
    expect(Number(result.outputs.errors)).toBeGreaterThan(0);
    expect(result.uploads).toHaveLength(1);
    expect(result.uploads[0]!.category).toBe('dbsafe-hooks');
    const sarif = JSON.parse(readFileSync(result.uploads[0]!.sarif_file!, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('db/migrations/002_drop.sql');
    expect(result.outputs['sarif-file']).toBe(result.uploads[0]!.sarif_file);
  });

  it('a safe pull request passes, still uploads (an empty result set clears old alerts)', () => {
    const workspace = pullRequest('add-column', { 'db/migrations/002_add.sql': 'ALTER TABLE users ADD COLUMN email text;\n' });
    const result = runAction(workspace, {}, PR_ENV('add-column'));
    expect(result.code, result.out).toBe(0);
    expect(result.outputs).toMatchObject({ 'exit-code': '0', errors: '0', warnings: '0' });
    expect(result.uploads).toHaveLength(1);
    expect(result.out).not.toContain('::error');
  });

  it.each([
    ['error', 0],
    ['warn', 1],
    ['none', 0],
  ])('a warning only (drop-index) with fail-level %s exits %i', (level, code) => {
    const workspace = pullRequest(`drop-index-${level}`, { 'db/migrations/002_ix.sql': 'DROP INDEX ix_users_email;\n' });
    const result = runAction(workspace, { 'fail-level': level }, PR_ENV(`drop-index-${level}`));
    expect(result.code, result.out).toBe(code);
    expect(result.outputs.warnings).toBe('1');
    expect(result.out).toMatch(/^::warning file=db\/migrations\/002_ix\.sql/m);
  });

  it('fail-level none still fails when the check cannot run (a broken config)', () => {
    const workspace = pullRequest('broken-config', { '.dbsaferc.json': '{ "protected": [ }' });
    const result = runAction(workspace, { 'fail-level': 'none' }, PR_ENV('broken-config'));
    expect(result.code).toBe(2);
    expect(result.out).toContain('invalid JSON');
    expect(result.out).toContain('::error title=dbsafe-hooks::the check could not run');
    expect(result.uploads).toHaveLength(0);
  });

  it('config and working-directory inputs: a package in a monorepo with its config elsewhere', () => {
    const workspace = pullRequest('monorepo', {
      'packages/api/db/migrations/001.sql': 'DROP TABLE audit;\n',
      'ci/dbsafe.json': JSON.stringify({ migrations: [{ glob: 'packages/api/db/migrations/*.sql' }], protected: ['audit'] }),
    });
    const result = runAction(workspace, { 'working-directory': 'packages/api', config: '../../ci/dbsafe.json' }, PR_ENV('monorepo'));
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/::error file=packages\/api\/db\/migrations\/001\.sql,.*protected-object/);
  });

  it('a shallow checkout (fetch-depth 1): the history is fetched and the range is still the PR', () => {
    const workspace = pullRequest('shallow', { 'db/migrations/002_drop.sql': 'DROP TABLE legacy;\n' }, { depth: 1 });
    const result = runAction(workspace, {}, PR_ENV('shallow'));
    expect(result.out).toContain('::notice title=dbsafe-hooks::shallow checkout');
    expect(result.code).toBe(1);
    expect(result.out).toContain('002_drop.sql');
    expect(result.out).not.toContain('001_init.sql');
  });

  it('outside a pull request without a base input: a clear error, exit 2; with base it runs', () => {
    const workspace = pullRequest('push-event', { 'db/migrations/002.sql': 'CREATE TABLE t (id int);\n' });
    const none = runAction(workspace, {}, { GITHUB_BASE_REF: '', GITHUB_EVENT_NAME: 'push' });
    expect(none.code).toBe(2);
    expect(none.out).toContain('not a pull request');
    const withBase = runAction(workspace, { base: 'origin/main' }, { GITHUB_BASE_REF: '' });
    expect(withBase.code, withBase.out).toBe(0);
  });

  it('an invalid fail-level is refused', () => {
    const workspace = pullRequest('bad-level', { 'db/migrations/002.sql': 'CREATE TABLE t (id int);\n' });
    const result = runAction(workspace, { 'fail-level': 'sometimes' }, PR_ENV('bad-level'));
    expect(result.code).toBe(2);
    expect(result.out).toContain('fail-level must be error, warn or none');
    expect(existsSync(path.join(workspace, 'node_modules'))).toBe(true);
  });
});
