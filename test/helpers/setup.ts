import { afterAll } from 'vitest';
import { removeTempDirs, tempDir } from './repo.js';

// Runs before every test file (vitest.config.ts setupFiles). Registered first, so it runs after the
// file's own afterAll hooks (servers stopped, repositories used) and removes what tempDir() created.
afterAll(removeTempDirs);

// The log's witness copy lives outside the repository ($XDG_STATE_HOME, src/backup/log-witness.ts):
// tests (and every CLI they spawn, which inherits this environment) keep theirs in a temp dir, never in
// the developer's ~/.local/state. A test that needs its own sets XDG_STATE_HOME explicitly.
process.env.XDG_STATE_HOME = tempDir('dbsafe-state-');
