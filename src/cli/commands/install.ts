import { DbsafeError } from '../../errors.js';

// Placeholder until this command is implemented; it fails loudly, never passes.
export async function run(..._args: unknown[]): Promise<number> {
  throw new DbsafeError('the "install" command is not available in this build yet');
}
