// Generates schema.json (shipped with the package) from the zod schema, the single source of truth.
import { writeFileSync, readFileSync, renameSync } from 'node:fs';
import { z } from 'zod';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const { configSchema } = await import(pathToFileURL(path.join(root, 'dist', 'index.js')).href);
const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
json.title = 'dbsafe-hooks configuration';
const tmp = path.join(root, 'schema.json.tmp');
writeFileSync(tmp, JSON.stringify(json, null, 2) + '\n');
renameSync(tmp, path.join(root, 'schema.json'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const versionFile = path.join(root, 'src', 'version.ts');
const current = readFileSync(versionFile, 'utf8');
const wanted = `// Kept in sync with package.json by scripts/write-schema.mjs at build time.\nexport const VERSION = '${pkg.version}';\n`;
if (current !== wanted) writeFileSync(versionFile, wanted);

// the one line the build prints (tsup is silent unless something fails)
console.log(`dbsafe-hooks ${pkg.version}: built dist/ and schema.json`);
