import { loadConfig } from '../../config/load.js';
import { gitText } from '../../git/exec-git.js';

interface ConfigOptions {
  json?: boolean;
  config?: string;
}

/**
 * `config [--json]`: the configuration this directory resolves to, validated, with every default filled in,
 * and the file it came from. What other tools read instead of parsing .dbsaferc* themselves (the Alembic
 * guard, templates/alembic/env_guard.py): one list of protected and external tables, one validator.
 * Exit 2 when the configuration is invalid (the same message as every command).
 */
export async function run(options: ConfigOptions): Promise<number> {
  const cwd = process.cwd();
  // searched up to the repository root, as every command does; outside a repository only here
  const root = await gitText(['rev-parse', '--show-toplevel'], { cwd }).catch(() => cwd);
  const { config, filepath } = await loadConfig(cwd, root, options.config);
  const result = { file: filepath ?? null, config };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${filepath ? `# from ${filepath}` : '# no configuration file: the defaults'}\n${JSON.stringify(config, null, 2)}\n`);
  return 0;
}
