// In a clone of this repository, make `npx dbsafe-hooks …` run this checkout's CLI, as it does in a
// project that installed the package: npm links the bins of dependencies into node_modules/.bin but
// never the root package's own bin.
import { existsSync, mkdirSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const binDir = path.join(root, 'node_modules', '.bin');
if (existsSync(path.join(root, 'node_modules'))) {
  mkdirSync(binDir, { recursive: true });
  const link = path.join(binDir, 'dbsafe-hooks');
  rmSync(link, { force: true });
  symlinkSync(path.join('..', '..', 'bin', 'dbsafe-hooks.js'), link);
  chmodSync(path.join(root, 'bin', 'dbsafe-hooks.js'), 0o755);
}
