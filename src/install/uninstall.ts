import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execGit } from '../git/exec-git.js';
import { readText, sha256, writeAtomic } from '../util/files.js';
import { locate } from './locate.js';
import { readManifest, removeManifest, type InstallAction } from './manifest.js';
import { STAMP_NAME } from './prefilter.js';
import { CLI_RECORD, hasBlock, removeBlock } from './shim.js';

/**
 * Reverse exactly what install.json recorded, nothing else: our shims go and moved-aside hooks come
 * back, our marked blocks and config entries are removed, a config file we created is removed only
 * while unchanged. core.hooksPath is never touched (install never sets it).
 */
export async function uninstall(cwd: string): Promise<{ lines: string[] }> {
  const located = await locate(cwd);
  if (!located.ok) return { lines: [`dbsafe-hooks: ${located.reason}; nothing to uninstall.`] };
  const { commonDir, root } = located.location;
  const manifest = readManifest(commonDir);
  if (!manifest) return { lines: ['dbsafe-hooks: nothing recorded in install.json; nothing to uninstall.'] };
  const lines: string[] = [];
  for (const action of [...manifest.actions].reverse()) {
    const line = await undo(action, root);
    if (line) lines.push(line);
  }
  removeManifest(commonDir);
  rmSync(path.join(commonDir, 'dbsafe', 'config-cache.json'), { force: true }); // the hooks' validated-config cache
  rmSync(path.join(located.location.gitDir, STAMP_NAME), { force: true }); // the pre-filter's stamp (install/prefilter.ts)
  rmSync(path.join(commonDir, CLI_RECORD), { force: true }); // where install found the CLI (install/shim.ts)
  lines.push('dbsafe-hooks: uninstalled.');
  return { lines };
}

async function undo(action: InstallAction, root: string): Promise<string | undefined> {
  switch (action.type) {
    case 'hook-file': {
      const text = readText(action.path);
      if (text !== undefined && hasBlock(text)) rmSync(action.path);
      else if (text !== undefined) return `${action.path} is no longer ours; left alone`;
      if (action.movedAside && existsSync(action.movedAside)) {
        renameSync(action.movedAside, action.path);
        return `restored ${action.path}`;
      }
      return `removed ${action.path}`;
    }
    case 'block': {
      const text = readText(action.path);
      if (text === undefined) return undefined;
      const rest = removeBlock(text);
      const empty = rest.split('\n').every((line) => line.trim() === '' || line.startsWith('#!') || /husky\.sh/.test(line));
      if (action.createdFile && empty) rmSync(action.path);
      else writeAtomic(action.path, rest);
      return `removed the dbsafe-hooks block from ${action.path}`;
    }
    case 'yaml-entries': {
      const text = readText(action.path);
      if (text === undefined) return undefined;
      const YAML = await import('yaml');
      const doc = YAML.parseDocument(text);
      for (const entry of action.entries) {
        if (entry[0] === 'repos') {
          const repos = doc.get('repos') as import('yaml').YAMLSeq | undefined;
          if (repos) repos.items = repos.items.filter((item) => !JSON.stringify((item as { toJSON(): unknown }).toJSON()).includes('dbsafe-hooks hook'));
          continue;
        }
        doc.deleteIn(entry);
        // drop containers we emptied (`pre-push: commands: {}`)
        for (let depth = entry.length - 1; depth > 0; depth--) {
          const parent = doc.getIn(entry.slice(0, depth)) as { items?: unknown[] } | undefined;
          if (parent && Array.isArray(parent.items) && parent.items.length === 0) doc.deleteIn(entry.slice(0, depth));
        }
      }
      writeAtomic(action.path, doc.toString());
      return `removed dbsafe-hooks entries from ${action.path}`;
    }
    case 'json-command': {
      const text = readText(action.path);
      if (text === undefined) return undefined;
      const json = JSON.parse(text) as Record<string, unknown>;
      let holder: Record<string, unknown> | undefined = json;
      for (const part of action.key.slice(0, -1)) holder = holder?.[part] as Record<string, unknown> | undefined;
      const hook = action.key[action.key.length - 1]!;
      if (!holder || holder[hook] !== action.after) return `${action.path}: "${action.key.join('.')}" was changed since install; left alone`;
      if (action.before === null) delete holder[hook];
      else holder[hook] = action.before;
      const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
      writeAtomic(action.path, `${JSON.stringify(json, null, indent)}\n`);
      return `restored "${action.key.join('.')}" in ${action.path}`;
    }
    case 'config-file': {
      const text = readText(action.path);
      if (text === undefined) return undefined;
      if (sha256(text) !== action.sha256) return `${action.path} was edited since install; kept`;
      const tracked = await execGit(['ls-files', '--error-unmatch', '--', action.path], { cwd: root, okCodes: [1] });
      if (tracked.code === 0) return `${action.path} is committed; kept`;
      rmSync(action.path);
      return `removed ${action.path}`;
    }
    case 'gitignore':
    case 'gitattributes': {
      const text = readText(action.path);
      if (text === undefined) return undefined;
      const ours = new Set(action.lines);
      const rest = text.split('\n').filter((line) => !ours.has(line));
      const next = rest.join('\n');
      if (action.createdFile && next.trim() === '') rmSync(action.path);
      else writeAtomic(action.path, next);
      return `removed ${action.lines.join(', ')} from ${action.path}`;
    }
  }
}
