/**
 * Where configuration is searched, in cosmiconfig's order. Its own module so the hooks' cached-config
 * fast path (config/cached.ts) can share it without loading cosmiconfig or zod.
 */
export const CONFIG_SEARCH_PLACES = [
  'package.json',
  '.dbsaferc',
  '.dbsaferc.json',
  '.dbsaferc.yaml',
  '.dbsaferc.yml',
  '.dbsaferc.js',
  '.dbsaferc.cjs',
  '.dbsaferc.mjs',
  'dbsafe.config.js',
  'dbsafe.config.cjs',
  'dbsafe.config.mjs',
  'dbsafe.config.json',
] as const;
