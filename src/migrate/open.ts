import type { ScratchTarget } from '../backup/engines/types.js';
import type { ResolvedInstance } from '../backup/instances.js';
import type { MigrationDatabase } from './database.js';

/** Open the real database of an instance, or a scratch copy; each engine's module loads only for its engine. */

export type DatabaseLocation = ScratchTarget;

export function realLocation(instance: ResolvedInstance): DatabaseLocation {
  return instance.family === 'sqlite' ? { family: 'sqlite', path: instance.sqlitePath! } : { family: instance.family, server: instance.server! };
}

export async function openDatabase(location: DatabaseLocation, label: string): Promise<MigrationDatabase> {
  switch (location.family) {
    case 'sqlite':
      return (await import('./db-sqlite.js')).openSqlite(location.path, label);
    case 'postgres':
      return (await import('./db-postgres.js')).openPostgres(location.server, label);
    case 'mysql':
      return (await import('./db-mysql.js')).openMysql(location.server, label);
  }
}

