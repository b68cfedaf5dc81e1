import path from 'node:path';
import { readText } from '../util/files.js';

/**
 * The shell lines a task runner would run for the targets named on its command line: `make db-reset` runs the
 * recipe of `db-reset:` in the Makefile (and first those of its prerequisites), `just reset` the body of the
 * `reset` recipe in the justfile. A variable (`$(DB)`, `{{db}}`) becomes a shell variable, so a word made of one
 * is only known when it runs, as for any command line.
 */

export type Recipes = { lines: string[] } | { unsure: string };

/** How many rules deep prerequisites are followed. */
const MAX_DEPTH = 8;

/** `make [-C dir] [-f file] [targets…]`: the recipe lines, in the order make would run them. */
export function makeRecipes(cwd: string, args: readonly string[]): Recipes | undefined {
  let dir = cwd;
  let file: string | undefined;
  const targets: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '-C' || arg === '--directory') dir = path.resolve(dir, args[++index] ?? '.');
    else if (arg === '-f' || arg === '--file' || arg === '--makefile') file = args[++index];
    else if (arg.startsWith('-C') && arg.length > 2) dir = path.resolve(dir, arg.slice(2));
    else if (arg.startsWith('-f') && arg.length > 2) file = arg.slice(2);
    else if (['-j', '-l', '-o', '-W', '-I'].includes(arg)) index++;
    else if (!arg.startsWith('-') && !arg.includes('=')) targets.push(arg);
  }
  const names = file ? [file] : ['GNUmakefile', 'makefile', 'Makefile'];
  const found = names.map((name) => ({ name, text: readText(path.resolve(dir, name)) })).find((candidate) => candidate.text !== undefined);
  if (!found) return undefined; // make fails: nothing runs
  const rules = makeRules(found.text!);
  const wanted = targets.length ? targets : rules.first ? [rules.first] : [];
  const lines: string[] = [];
  const seen = new Set<string>();
  const run = (target: string, depth: number): string | undefined => {
    if (seen.has(target) || depth > MAX_DEPTH) return undefined;
    seen.add(target);
    const rule = rules.byTarget.get(target) ?? rules.patterns.find((pattern) => pattern.matches.test(target));
    if (!rule) {
      // a target no rule names is a file make only checks, unless an included makefile could make it
      return rules.includes ? `make ${target}: its rule may be in an included makefile, not read here` : undefined;
    }
    for (const prerequisite of rule.prerequisites) {
      const doubt = run(prerequisite, depth + 1);
      if (doubt) return doubt;
    }
    lines.push(...rule.recipe);
    return undefined;
  };
  for (const target of wanted) {
    const doubt = run(target, 0);
    if (doubt) return { unsure: doubt };
  }
  return { lines };
}

/** Variables make sets itself (`make -p`), as the program of many recipes: `$(CC) -o $@ $<`, `$(RM) out`. */
const MAKE_DEFAULTS: Array<[string, string]> = [
  ['MAKE', 'make'],
  ['CC', 'cc'],
  ['CXX', 'g++'],
  ['CPP', 'cc -E'],
  ['AR', 'ar'],
  ['AS', 'as'],
  ['LD', 'ld'],
  ['RM', 'rm -f'],
  ['FC', 'f77'],
  ['LEX', 'lex'],
  ['YACC', 'yacc'],
  ['MAKEINFO', 'makeinfo'],
  ['TEX', 'tex'],
];

interface MakeRules {
  byTarget: Map<string, { prerequisites: string[]; recipe: string[] }>;
  first?: string;
  /** `%.o: %.c` rules: a target they match runs their recipe (their prerequisites are files). */
  patterns: Array<{ matches: RegExp; prerequisites: string[]; recipe: string[] }>;
  includes: boolean;
}

function makeRules(text: string): MakeRules {
  const rules: MakeRules = { byTarget: new Map(), patterns: [], includes: false };
  // `PYTHON := python3`: a variable the Makefile sets is put in (the environment may still override it: only
  // the program's words matter here, and a make variable that names the program is read as make would)
  const variables = new Map<string, string>(MAKE_DEFAULTS);
  const raw: Array<{ rules: Array<{ prerequisites: string[]; recipe: string[] }>; command: string }> = [];
  let current: Array<{ prerequisites: string[]; recipe: string[] }> = [];
  for (const line of joinContinuations(text)) {
    if (line.startsWith('\t')) {
      raw.push({ rules: current, command: line.slice(1).replace(/^[@+-]+/, '') });
      continue;
    }
    const code = line.replace(/(^|[^\\])#.*$/, '$1');
    if (!code.trim()) continue;
    if (/^\s*-?s?include\s/.test(code)) rules.includes = true;
    const assignment = /^\s*(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?::{1,3}=|\?=|=)\s*(.*)$/.exec(code);
    if (assignment) {
      variables.set(assignment[1]!, assignment[2]!.trim());
      current = [];
      continue;
    }
    // a rule `a b: c d` (not an assignment `a := b`, `a = b`, `a ?= b`)
    const rule = /^([^:=#]+?)\s*::?(?!=)\s*([^=]*)$/.exec(code);
    if (!rule) {
      current = [];
      continue;
    }
    const targets = rule[1]!.trim().split(/\s+/);
    const prerequisites = rule[2]!.split(';')[0]!.split('|').join(' ').trim().split(/\s+/).filter(Boolean);
    const inline = rule[2]!.includes(';') ? rule[2]!.slice(rule[2]!.indexOf(';') + 1).trim() : '';
    current = [];
    for (const target of targets) {
      if (target.includes('%')) {
        const pattern = { matches: new RegExp(`^${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('%', '.+')}$`), prerequisites: [], recipe: [] };
        rules.patterns.push(pattern);
        if (inline) raw.push({ rules: [pattern], command: inline });
        current.push(pattern);
        continue;
      }
      if (target.startsWith('.')) continue;
      rules.first ??= target;
      const entry = rules.byTarget.get(target) ?? { prerequisites: [], recipe: [] };
      entry.prerequisites.push(...prerequisites);
      if (inline) raw.push({ rules: [entry], command: inline });
      rules.byTarget.set(target, entry);
      current.push(entry);
    }
  }
  for (const { rules: owners, command } of raw) for (const rule of owners) rule.recipe.push(makeVariablesToShell(command, variables));
  return rules;
}

/** `$(PYTHON)` set in the Makefile → its value; another `$(DB)` / `${DB}` → `$DB` (only known when it runs); `$$` → `$`. */
function makeVariablesToShell(command: string, variables: Map<string, string>, depth = 0): string {
  return command.replace(/\$\$|\$[({]([^)}]*)[)}]|\$([A-Za-z@<^*?])/g, (match, name: string | undefined, single: string | undefined) => {
    if (match === '$$') return '$';
    const value = name !== undefined ? variables.get(name) : undefined;
    if (value !== undefined && depth < 4) return makeVariablesToShell(value, variables, depth + 1);
    return `$${(name ?? single ?? 'X').replace(/[^A-Za-z0-9_]/g, '_') || 'X'}`;
  });
}

/** `just [--justfile f] [--working-directory d] recipe [args…]`: the recipe's body lines (its dependencies' first). */
export function justRecipes(cwd: string, args: readonly string[]): Recipes | undefined {
  let file: string | undefined;
  let words: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--justfile' || arg === '-f') file = args[++index];
    else if (arg === '--working-directory' || arg === '-d' || arg === '--set') index += arg === '--set' ? 2 : 1;
    else if (!arg.startsWith('-')) {
      words = args.slice(index);
      break;
    }
  }
  const found = (file ? [file] : ['justfile', 'Justfile', '.justfile']).map((name) => readText(path.resolve(cwd, name))).find((text) => text !== undefined);
  if (found === undefined) return undefined;
  const recipes = new Map<string, { parameters: string[]; dependencies: string[]; body: string[] }>();
  let first: string | undefined;
  let current: { parameters: string[]; dependencies: string[]; body: string[] } | undefined;
  for (const line of found.split('\n')) {
    if (/^\s+\S/.test(line) && current) {
      current.body.push(line.trim().replace(/^@/, ''));
      continue;
    }
    const header = /^@?([A-Za-z_][A-Za-z0-9_-]*)((?:\s+[^:\s]+)*)\s*:(?!=)\s*(.*)$/.exec(line);
    if (!header || line.startsWith('#')) {
      current = /^\s*$/.test(line) ? current : undefined;
      continue;
    }
    // `drop name env='dev' +rest:` → parameters name, env, rest (a leading + or * takes every word left)
    const parameters = header[2]!.trim().split(/\s+/).filter(Boolean).map((parameter) => parameter.replace(/=.*$/, '').replace(/^\$/, ''));
    current = { parameters, dependencies: header[3]!.replace(/#.*$/, '').trim().split(/\s+/).filter((word) => /^[A-Za-z_]/.test(word)), body: [] };
    first ??= header[1]!;
    recipes.set(header[1]!, current);
  }
  const name = words[0] ?? first;
  if (!name) return undefined;
  const lines: string[] = [];
  const seen = new Set<string>();
  const run = (recipe: string, given: string[], depth: number) => {
    const entry = recipes.get(recipe);
    if (!entry || seen.has(recipe) || depth > MAX_DEPTH) return;
    seen.add(recipe);
    for (const dependency of entry.dependencies) run(dependency, [], depth + 1);
    // `{{name}}` → the word given for that parameter; anything else in braces is only known when it runs
    const values = new Map<string, string>();
    entry.parameters.forEach((parameter, index) => {
      const variadic = /^[+*]/.test(parameter);
      const value = variadic ? given.slice(index).join(' ') : given[index];
      if (value !== undefined) values.set(parameter.replace(/^[+*]/, ''), value);
    });
    const filled = (line: string) =>
      line.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)?([^}]*)\}\}/g, (_m, word: string | undefined, rest: string) => (word && !rest.trim() && values.has(word) ? values.get(word)! : `$${word ?? 'X'}`));
    lines.push(...entry.body.filter((line) => !line.startsWith('#!')).map(filled));
  };
  if (!recipes.has(name)) return undefined; // just fails: nothing runs
  run(name, words.slice(1), 0);
  return { lines };
}

/** Make's logical lines: a trailing backslash continues the line. */
function joinContinuations(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    if (raw.endsWith('\\')) {
      pending += `${raw.slice(0, -1)} `;
      continue;
    }
    out.push(pending + raw);
    pending = '';
  }
  if (pending) out.push(pending);
  return out;
}
