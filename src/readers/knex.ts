import type { Operation } from '../model/operation.js';
import { makeContext, unparseableOp } from './common.js';
import type { FormatInput } from './types.js';

/** Placeholder until this reader lands: fail closed. */
export async function readKnex(input: FormatInput): Promise<Operation[]> {
  const ctx = makeContext(input.path, input.text, input.dialect);
  return [unparseableOp(ctx, 0, 'up', ctx.lines.lineText(1), 'this migration format is not read yet')];
}
