#!/usr/bin/env node
// The import-boundary check (run by `npm test`): every relative import in src/ must go down the layer table
// below or stay inside its own folder, and no cycle may exist between files. A small script rather than
// dependency-cruiser: no dependency to install, it reads the same table docs/ARCHITECTURE.md shows, and it
// runs in well under a second on every test run.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

/**
 * Layers, top to bottom. A folder may import from its own folder and from folders of a lower rank only.
 * Folders of equal rank are siblings and may not import each other.
 */
export const LAYERS = [
  { rank: 9, folders: ['cli', 'index.ts'], role: 'entry points: argv, the hook runners (cli/hook), the library entry' },
  { rank: 8, folders: ['guard', 'migrate'], role: 'engines built on the other engines' },
  { rank: 7, folders: ['install', 'gate'], role: 'engines: install/uninstall/doctor; the pre-push backup gate' },
  { rank: 6, folders: ['check', 'backup'], role: 'engines: the check pipeline; backup, verify, restore' },
  { rank: 5, folders: ['policy', 'reporters'], role: 'pure core: findings from operations; their printing' },
  { rank: 4, folders: ['rules', 'readers'], role: 'pure core: one rule per id; one reader per format' },
  { rank: 3, folders: ['sql', 'config'], role: 'pure core: SQL dialects; configuration' },
  { rank: 2, folders: ['model', 'git'], role: 'contracts (Operation, Finding, names, rule ids); the only git spawner' },
  { rank: 1, folders: ['util', 'errors.ts', 'version.ts'], role: 'small shared helpers' },
];

const rankOf = new Map(LAYERS.flatMap((layer) => layer.folders.map((folder) => [folder, layer.rank])));

function folderOf(file) {
  return path.relative(SRC, file).split(path.sep)[0];
}

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT = /(?:^|[^.\w])(?:import|export)\s*(?:type\s+)?(?:[^'";]*?\sfrom\s*)?\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

export function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => path.resolve(path.dirname(file), match[1].replace(/\.js$/, '.ts')));
}

export function findProblems(files = listFiles(SRC)) {
  const problems = [];
  const graph = new Map();
  for (const file of files) {
    const from = folderOf(file);
    const fromRank = rankOf.get(from);
    if (fromRank === undefined) problems.push(`${rel(file)}: folder "${from}" is not in the layer table (scripts/check-boundaries.mjs)`);
    const targets = importsOf(file);
    graph.set(file, targets);
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from) continue;
      const toRank = rankOf.get(to);
      if (fromRank !== undefined && toRank !== undefined && toRank >= fromRank) {
        problems.push(`${rel(file)} imports ${rel(target)}: ${from} (layer ${fromRank}) may not import ${to} (layer ${toRank})`);
      }
    }
  }
  for (const cycle of findCycles(graph)) problems.push(`import cycle: ${cycle.map(rel).join(' -> ')}`);
  return problems;
}

/** Every cycle found by a depth-first walk (each reported once, from its first file met). */
function findCycles(graph) {
  const state = new Map();
  const stack = [];
  const cycles = [];
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

function rel(file) {
  return path.relative(path.dirname(SRC), file);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = findProblems();
  if (problems.length > 0) {
    console.error(`Import boundaries: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log('Import boundaries: every import runs down the layer table; no cycles.');
}
