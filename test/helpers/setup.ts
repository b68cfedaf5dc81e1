import { afterAll } from 'vitest';
import { removeTempDirs } from './repo.js';

// Runs before every test file (vitest.config.ts setupFiles). Registered first, so it runs after the
// file's own afterAll hooks (servers stopped, repositories used) and removes what tempDir() created.
afterAll(removeTempDirs);
