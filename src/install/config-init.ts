import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execGit, splitNul } from '../git/exec-git.js';
import { CONVENTIONAL_MIGRATION_GLOBS } from '../config/conventional-migrations.js';

/**
 * The `.dbsaferc.json` install creates when there is no configuration: the template from
 * `templates/dbsaferc.json`, with migration globs proposed from the directories this repository has.
 */

export interface ProposedSet {
  glob: string[];
  format: string;
}

interface Pattern {
  /** Matches a root-relative file path; group 1 is the migrations directory. */
  test: RegExp;
  format: string;
  /** Glob under the directory. */
  files: string;
}

// Most specific first: a file is claimed by the first pattern that matches it.
const PATTERNS: Pattern[] = [
  { test: /^(.*?prisma\/migrations)\/[^/]+\/migration\.sql$/, format: 'prisma', files: '*/migration.sql' },
  { test: /^(.*?supabase\/migrations)\/[^/]+\.sql$/, format: 'supabase', files: '*.sql' },
  { test: /^(.*?(?:alembic|migrations)\/versions)\/[^/]+\.py$/, format: 'alembic', files: '*.py' },
  { test: /^(.*?db\/migrate)\/[^/]+\.rb$/, format: 'rails', files: '*.rb' },
  { test: /^(.*?drizzle)\/[^/]+\.sql$/, format: 'drizzle', files: '*.sql' },
  { test: /^(.*?db\/migration)\/V[^/]*__[^/]*\.sql$/, format: 'flyway', files: '*.sql' },
  { test: /^(.*?migrations)\/\d{4}_[^/]*\.py$/, format: 'django', files: '*.py' },
  { test: /^(.*?migrations?)\/(?:.*\/)?[^/]+\.sql$/, format: 'auto', files: '**/*.sql' },
  { test: /^(.*?migrations?)\/[^/]+\.(?:js|ts|cjs|mjs)$/, format: 'auto', files: '*.{js,ts,cjs,mjs}' },
  { test: /^(.*?)\/?[^/]*changelog[^/]*\.xml$/i, format: 'liquibase', files: '**/*.xml' },
];

const SKIP = /(^|\/)(node_modules|vendor|\.venv|venv|dist|build|\.git)\//;

export async function proposeMigrationSets(root: string, packageDir: string): Promise<ProposedSet[]> {
  const args = ['ls-files', '-z', '--cached', '--others', '--exclude-standard'];
  if (packageDir) args.push('--', packageDir);
  const { stdout } = await execGit(args, { cwd: root });
  const byKey = new Map<string, ProposedSet>();
  for (const file of splitNul(stdout)) {
    if (SKIP.test(file)) continue;
    for (const pattern of PATTERNS) {
      const match = pattern.test.exec(file);
      if (!match) continue;
      const dir = match[1] ?? '';
      const glob = dir ? `${dir}/${pattern.files}` : pattern.files;
      const key = `${pattern.format}`;
      const set = byKey.get(key) ?? { glob: [], format: pattern.format };
      if (!set.glob.includes(glob)) set.glob.push(glob);
      byKey.set(key, set);
      break;
    }
  }
  return [...byKey.values()].map((set) => ({ ...set, glob: set.glob.sort() }));
}

export function templatePath(): string {
  // dist/<chunk>.js → ../templates ; src/hooks/config-init.ts → ../../templates
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.join(here, '..', 'templates'), path.join(here, '..', '..', 'templates')]) {
    if (existsSync(path.join(candidate, 'dbsaferc.json'))) return path.join(candidate, 'dbsaferc.json');
  }
  throw new Error('templates/dbsaferc.json is missing from this installation of dbsafe-hooks');
}

/**
 * The text of a new `.dbsaferc.json`: the template, with the proposed migration sets (what this repository
 * has) followed by every framework's conventional locations, so that a folder still empty now is covered
 * when its first migration arrives.
 */
export function configText(proposed: ProposedSet[]): string {
  const template = JSON.parse(readFileSync(templatePath(), 'utf8')) as Record<string, unknown>;
  template.migrations = [...proposed, { glob: CONVENTIONAL_MIGRATION_GLOBS, format: 'auto' }];
  return `${JSON.stringify(template, null, 2)}\n`;
}
