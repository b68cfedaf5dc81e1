import type { RestoreDriver } from './restore-types.js';
export const mysqlRestore: RestoreDriver = {
  inspectTarget: async () => { throw new Error('todo'); },
  restoreAndSwap: async () => { throw new Error('todo'); },
};
