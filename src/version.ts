// Kept in sync with package.json by scripts/write-schema.mjs at build time.
export const VERSION = '0.1.0';
