// Public API for configuration files and programmatic use.
export { defineConfig, configSchema } from './config/schema.js';
export type { UserConfig, Config } from './config/schema.js';
export type { Operation, OperationKind, ObjectRef, Dialect, Direction } from './model/operation.js';
export type { Finding, CheckResult, UsedOverride, Severity } from './model/finding.js';
// The policy: judge operations (from any reader) against the rules, protected objects and markers.
export { evaluate } from './policy/evaluate.js';
export type { SourceFile } from './policy/evaluate.js';
export { RULES, RULE_IDS } from './rules/index.js';
export type { RuleMeta, RuleId } from './rules/index.js';
// The SQL readers: SQL text (PostgreSQL, MySQL/MariaDB, SQLite) → operations.
export { readSql } from './sql/index.js';
export type { SqlReadOptions } from './sql/index.js';
// The command guard: is a command destructive for a database, and may it run now? (docs/guard.md)
export { checkCommand } from './guard/check.js';
export type { GuardCheck, GuardCheckOptions } from './guard/check.js';
export type { GuardDecision, Actor, Approval, BackupState } from './guard/decide.js';
export { DESTRUCTIVE_COMMANDS } from './guard/commands.js';
export type { CommandRow } from './guard/commands.js';
