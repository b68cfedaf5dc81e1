/**
 * The operations a PostgreSQL statement performs, as read from its syntax (libpg-query's tree, or the
 * parser-free subset in pg-subset.ts), before they are placed in the text. Both readers build them
 * with these helpers so that they report the same object the same way.
 */
import type { ObjectRef, ObjectType, OperationFlags, OperationKind } from '../model/operation.js';

export interface AstOp {
  kind: OperationKind;
  target: ObjectRef;
  flags: OperationFlags;
  detail?: string;
}

/**
 * Functions that delete rows when called (`SELECT drop_chunks('metrics', …)`), or that run SQL or a procedure
 * later (a scheduled job may delete anything), by the last part of their name; what each does, for the
 * finding. Which rows depends on the arguments and the data: opaque, on the table named by the first
 * argument when it is a literal and names one (TABLE_FIRST_ARGUMENT), else on the function.
 */
export const DELETING_FUNCTIONS: Record<string, string> = {
  drop_chunks: 'TimescaleDB drop_chunks deletes the chunks (and their rows) older or newer than the given bound',
  add_retention_policy: 'TimescaleDB add_retention_policy schedules drop_chunks: rows older than the interval are deleted from now on',
  add_job: 'TimescaleDB add_job runs the given procedure on a schedule from now on (it may delete anything)',
  drop_partition_time: 'pg_partman drop_partition_time drops the partitions (and their rows) older than the retention',
  drop_partition_id: 'pg_partman drop_partition_id drops the partitions (and their rows) below the retention',
  run_maintenance: 'pg_partman run_maintenance drops the partitions (and their rows) past each table\'s configured retention',
  run_maintenance_proc: 'pg_partman run_maintenance_proc drops the partitions (and their rows) past each table\'s configured retention',
  undo_partition: 'pg_partman undo_partition drops the child tables it empties unless told to keep them',
  undo_partition_proc: 'pg_partman undo_partition_proc drops the child tables it empties unless told to keep them',
  schedule: 'pg_cron cron.schedule runs the given SQL command on a schedule from now on (it may delete anything)',
  schedule_in_database: 'pg_cron cron.schedule_in_database runs the given SQL command on a schedule from now on (it may delete anything)',
  alter_job: 'pg_cron / TimescaleDB alter_job changes what a scheduled job runs, or when',
  lo_unlink: 'lo_unlink deletes a large object and its data',
  lo_truncate: 'lo_truncate cuts a large object\'s data to the given length',
  lo_truncate64: 'lo_truncate64 cuts a large object\'s data to the given length',
};
export const DELETING_NAMES = Object.keys(DELETING_FUNCTIONS).join('|');
/** Those whose first argument names the table they delete from (the others take a job, a command or a large object). */
export const TABLE_FIRST_ARGUMENT = new Set(['drop_chunks', 'add_retention_policy', 'drop_partition_time', 'drop_partition_id', 'run_maintenance', 'run_maintenance_proc', 'undo_partition', 'undo_partition_proc']);

/** dblink's functions that run SQL on another database: what they run cannot be judged here (opaque). */
export const REMOTE_FUNCTIONS = ['dblink_exec', 'dblink', 'dblink_send_query', 'dblink_open'];
/**
 * A call that acts wherever it is written (it deletes data, or runs SQL elsewhere): in a routine body not
 * only PERFORM but an assignment, a condition, RETURN… evaluates it, so each expression holding one is read.
 */
export const ACTING_CALL = new RegExp(`\\b(?:${DELETING_NAMES}|${REMOTE_FUNCTIONS.join('|')})\\b`, 'i');

/** A sql / plpgsql routine body is read for operations only when it holds one of these words (`program`: COPY … PROGRAM). */
export const MAY_DESTROY = new RegExp(`\\b(?:drop|truncate|delete|update|alter|rename|execute|call|program|${DELETING_NAMES}|${REMOTE_FUNCTIONS.join('|')})\\b`, 'i');

/** Quote a name for display when it would not survive unquoted. */
export function show(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** `[schema.]name` (a longer name keeps its last two parts): the object, its schema, how to show it. */
export function refFromParts(type: ObjectType, parts: string[]): ObjectRef {
  const ref: ObjectRef = { type, name: parts[parts.length - 1] ?? '', written: parts.map(show).join('.') };
  if (parts.length > 1) ref.schema = parts[parts.length - 2];
  return ref;
}

/** A column, constraint… of `table` (an ALTER TABLE sub-command's object). */
export function memberOf(table: ObjectRef, type: ObjectType, name: string): ObjectRef {
  return { type, name, table: table.name, ...(table.schema ? { schema: table.schema } : {}), written: show(name) };
}
