import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { nearestKey } from '../src/config/unknown-keys.js';
import { PROJECT_ROOT, makeRepo, runCli, tempDir } from './helpers/repo.js';

/**
 * What a user reads when something is wrong with their setup: each message says what is wrong and where,
 * and sends them somewhere that exists. Every case is the built CLI in a real repository.
 */

function repoWith(files: Record<string, string>) {
  const repo = makeRepo();
  for (const [name, text] of Object.entries(files)) repo.write(name, text);
  return repo;
}

const NO_STACK = /\n\s+at .*:\d+:\d+/;

describe('a configuration file with a syntax error: line, column and the parser message', () => {
  const cases: Array<[string, string, string, number, number, RegExp]> = [
    ['unclosed array (JSON)', '.dbsaferc.json', '{\n  "dialect": "postgres",\n  "protected": ["users"\n}\n', 4, 1, /invalid JSON: Expected ',' or ']' after array element/],
    ['trailing comma (JSON)', '.dbsaferc.json', '{\n  "protected": ["users"],\n}\n', 3, 1, /invalid JSON: Expected double-quoted property name/],
    ['bare word (JSON; Node 20 gives no position)', '.dbsaferc.json', '{\n  "gate": { "enabled": nope }\n}\n', 2, 25, /invalid JSON: Unexpected token 'o'/],
    ['single quotes (JSON)', 'dbsafe.config.json', "{ 'dialect': 'mysql' }\n", 1, 3, /invalid JSON: Expected property name or '}'/],
    ['broken package.json with a "dbsafe" key', 'package.json', '{ "name": "app", "dbsafe": { "dialect": "postgres", } }\n', 1, 53, /invalid JSON: Expected double-quoted property name/],
    ['YAML flow sequence left open', '.dbsaferc.yaml', 'dialect: postgres\nprotected: [users\nkeep: 3\n', 3, 1, /invalid YAML: missed comma between flow collection entries/],
  ];

  it.each(cases)('%s', (_name, file, text, line, column, message) => {
    const repo = repoWith({ [file]: text });
    const result = runCli(['check', '--all'], { cwd: repo.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path.join(repo.dir, file)}:${line}:${column}: invalid`);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(`at line ${line}, column ${column}`);
    expect(result.stderr).not.toContain('internal error');
    expect(result.stderr).not.toMatch(NO_STACK);
  });

  it('the code frame points at the line', () => {
    const repo = repoWith({ '.dbsaferc.json': '{\n  "dialect": "postgres",\n  "protected": ["users"\n}\n' });
    const result = runCli(['check', '--all'], { cwd: repo.dir });
    expect(result.stderr).toMatch(/>\s+4 \| }\n\s+\| \^/);
  });
});

describe('--config <path>', () => {
  it('a missing file says it does not exist, not "fix the syntax"', () => {
    const repo = makeRepo();
    const said = `Configuration file ${path.join(repo.dir, 'nope.json')} does not exist (given with --config)`;
    for (const command of [['check', '--all'], ['status'], ['log'], ['gate']]) {
      const result = runCli(['--config', 'nope.json', ...command], { cwd: repo.dir });
      expect(result.code, command.join(' ')).toBe(2);
      expect(result.stderr).toContain(said);
      expect(result.stderr).not.toMatch(/syntax/i);
    }
    // doctor lists it among its problems (exit 1) and goes on with the other checks
    const doctor = runCli(['--config', 'nope.json', 'doctor'], { cwd: repo.dir });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(`problem  ${said}`);
  });

  it('after the subcommand too', () => {
    const repo = makeRepo();
    const result = runCli(['status', '--config', 'missing/.dbsaferc.json'], { cwd: repo.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('does not exist');
  });

  it('a directory says so', () => {
    const repo = makeRepo();
    mkdirSync(path.join(repo.dir, 'conf'));
    const result = runCli(['check', '--all', '--config', 'conf'], { cwd: repo.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is a directory');
  });

  it('shows in the help of every subcommand', () => {
    const names = buildProgram().commands.map((command) => command.name());
    expect(names.length).toBeGreaterThan(8);
    for (const name of names) {
      const help = runCli([name, '--help'], { cwd: PROJECT_ROOT });
      expect(help.code, name).toBe(0);
      expect(help.stdout, name).toMatch(/--config <path>\s+use this configuration file/);
    }
  });
});

describe('an unknown configuration key', () => {
  const cases: Array<[string, Record<string, unknown>, string, string | undefined, string]> = [
    ['top-level typo', { protectd: ['users'] }, 'protectd', 'protected', 'valid keys: $schema, migrations, dialect, protected, external'],
    ['case slip in a nested key', { gate: { maxage: '2h' } }, 'gate.maxage', 'gate.maxAge', 'valid keys in "gate": enabled, when, instances, maxAge, rehash'],
    ['inside a named database', { databases: { dev: { url: 'dev.db', verifyurl: 'env:X' } } }, 'databases.dev.verifyurl', 'databases.dev.verifyUrl', 'valid keys in "databases.dev": url, engine'],
    ['inside a migration set', { migrations: [{ glob: 'db/*.sql', formatt: 'sql' }] }, 'migrations.0.formatt', 'migrations.0.format', 'valid keys in "migrations.0": glob, format, dialect, ignore'],
    ['protected as an object', { protected: { tabels: ['users'] } }, 'protected.tabels', 'protected.tables', 'valid keys in "protected": tables, columns, indexes, schemas'],
    ['swapped letters', { dialcet: 'mysql' }, 'dialcet', 'dialect', 'valid keys:'],
    ['nothing close: no guess, still the list', { colour: true }, 'colour', undefined, 'valid keys: $schema'],
  ];

  it.each(cases)('%s', (_name, config, key, suggestion, list) => {
    const repo = repoWith({ '.dbsaferc.json': JSON.stringify(config) });
    const result = runCli(['check', '--all'], { cwd: repo.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`unknown key "${key}"`);
    if (suggestion) expect(result.stderr).toContain(`(did you mean "${suggestion}"?)`);
    else expect(result.stderr).not.toContain('did you mean');
    expect(result.stderr).toContain(list);
  });

  it.each([
    ['maxage', ['maxAge', 'keep'], 'maxAge'],
    ['kep', ['maxAge', 'keep'], 'keep'],
    ['x', ['maxAge', 'keep'], undefined],
    ['databse', ['databases', 'dialect'], 'databases'],
    ['verification', ['verifyUrl', 'rehash'], undefined],
  ])('nearestKey(%s)', (key, valid, expected) => {
    expect(nearestKey(key, valid)).toBe(expected);
  });
});

describe('doctor', () => {
  it('outside a repository exits 2 (the tool cannot do its job), with the reason', () => {
    const dir = tempDir();
    const result = runCli(['doctor'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not inside a git repository');
    expect(result.stderr).not.toMatch(NO_STACK);
  });

  it('in a bare repository exits 2', () => {
    const repo = makeRepo();
    const bare = tempDir();
    repo.git('init', '-q', '--bare', bare);
    const result = runCli(['doctor'], { cwd: bare });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bare repository');
  });
});

describe('rule documentation links', () => {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  const published = `https://unpkg.com/dbsafe-hooks@${pkg.version}/`;

  it("point at the docs published with the running version, and that file is in the package", () => {
    const repo = repoWith({ 'db/migrations/001.sql': 'DROP TABLE users;\n' });
    const text = runCli(['check', '--worktree', 'db/migrations/001.sql'], { cwd: repo.dir });
    expect(text.code).toBe(1);
    const link = /docs: (\S+)/.exec(text.stdout)?.[1];
    expect(link).toBe(`${published}docs/rules/drop-table.md`);
    // the path after the version is a file the package ships ("files" in package.json)
    const relative = link!.slice(published.length);
    expect(existsSync(path.join(PROJECT_ROOT, relative))).toBe(true);
    expect(pkg.files).toContain(relative.split('/')[0]);
    // and nothing points at docs/ inside the user's repository
    expect(existsSync(path.join(repo.dir, 'docs'))).toBe(false);
    expect(text.stdout).not.toMatch(/docs: docs\//);
  });

  it('the same link in SARIF (helpUri must be absolute) and JSON', () => {
    const repo = repoWith({ 'db/migrations/001.sql': 'DROP TABLE users;\n' });
    const sarif = JSON.parse(runCli(['check', '--worktree', 'db/migrations/001.sql', '--format', 'sarif'], { cwd: repo.dir }).stdout);
    const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'drop-table');
    expect(rule.helpUri).toBe(`${published}docs/rules/drop-table.md`);
    const json = JSON.parse(runCli(['check', '--worktree', 'db/migrations/001.sql', '--format', 'json'], { cwd: repo.dir }).stdout);
    expect(json.findings[0].docs).toBe(`${published}docs/rules/drop-table.md`);
  });

  it('an unknown rule id in "rules" points at the published index of rules', () => {
    const repo = repoWith({ '.dbsaferc.json': JSON.stringify({ rules: { 'drop-tabel': 'off' } }) });
    const result = runCli(['check', '--all'], { cwd: repo.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('drop-tabel');
    expect(result.stderr).not.toMatch(/See docs\/rules/);
  });
});
