import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { ConfigError } from '../src/errors.js';
import { tempDir } from './helpers/repo.js';

function dirWith(files: Record<string, string>): string {
  const dir = tempDir('dbsafe-config-');
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

describe('loadConfig', () => {
  it('uses defaults when no file exists', async () => {
    const dir = dirWith({});
    const { config, filepath } = await loadConfig(dir, dir);
    expect(filepath).toBeUndefined();
    expect(config.dialect).toBe('postgres');
    expect(config.overrides.minReasonLength).toBe(10);
  });

  it.each([
    ['.dbsaferc', '{"dialect":"mysql"}'],
    ['.dbsaferc.json', '{"dialect":"mysql"}'],
    ['.dbsaferc.yaml', 'dialect: mysql\n'],
    ['.dbsaferc.yml', 'dialect: mysql\n'],
    ['.dbsaferc.cjs', 'module.exports = { dialect: "mysql" };'],
    ['.dbsaferc.mjs', 'export default { dialect: "mysql" };'],
    ['dbsafe.config.mjs', 'export default { dialect: "mysql" };'],
    ['package.json', '{"name":"x","dbsafe":{"dialect":"mysql"}}'],
  ])('reads %s', async (name, content) => {
    const dir = dirWith({ [name]: content });
    const { config, filepath } = await loadConfig(dir, dir);
    expect(config.dialect).toBe('mysql');
    expect(filepath).toBe(path.join(dir, name));
  });

  it('names an unknown key and the file', async () => {
    const dir = dirWith({ '.dbsaferc.json': '{"protectd":["users"]}' });
    const error = await loadConfig(dir, dir).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('"protectd"');
    expect(error.message).toContain('.dbsaferc.json');
    expect(error.exitCode).toBe(2);
  });

  it('names a wrong type and what was expected', async () => {
    const dir = dirWith({ '.dbsaferc.json': '{"rules":{"drop-table":"fatal"}}' });
    const error = await loadConfig(dir, dir).catch((e) => e);
    expect(error.message).toContain('"rules.drop-table"');
    expect(error.message).toMatch(/error|warn|off/);
  });

  it('reports a syntax error in the file without a stack trace', async () => {
    const dir = dirWith({ '.dbsaferc.json': '{"dialect": ' });
    const error = await loadConfig(dir, dir).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`${path.join(dir, '.dbsaferc.json')}:1:13: invalid JSON: Unexpected end of JSON input`);
  });
});
