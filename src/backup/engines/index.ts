import type { EngineFamily } from '../instances.js';
import type { EngineDriver } from './types.js';

/** Engine drivers are loaded lazily: the pg / mysql2 drivers load only for their engine. */
export async function engineFor(family: EngineFamily): Promise<EngineDriver> {
  switch (family) {
    case 'postgres':
      return (await import('./postgres.js')).postgresEngine;
    case 'mysql':
      return (await import('./mysql.js')).mysqlEngine;
    case 'sqlite':
      return (await import('./sqlite.js')).sqliteEngine;
  }
}
