// Public API for configuration files and programmatic use.
export { defineConfig, configSchema } from './config/schema.js';
export type { UserConfig, Config } from './config/schema.js';
export type { Operation, OperationKind, ObjectRef, Dialect, Direction } from './model/operation.js';
export type { Finding, CheckResult, UsedOverride, Severity } from './model/finding.js';
