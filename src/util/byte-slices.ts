/**
 * Strings cut from a Buffer by Buffer's own slicers, what `toString(encoding, start, end)` calls after
 * normalizing its arguments: half its cost when a hook cuts thousands of short strings (the index's paths
 * and blob ids, the names cache's blob ids; bench/RESULTS.md, "Hooks"). toString where a runtime lacks them.
 */
type Slicers = {
  utf8Slice?: (start: number, end: number) => string;
  latin1Slice?: (start: number, end: number) => string;
  hexSlice?: (start: number, end: number) => string;
};

export const utf8Slice = (bytes: Buffer, start: number, end: number): string => (bytes as Slicers).utf8Slice?.(start, end) ?? bytes.toString('utf8', start, end);
export const latin1Slice = (bytes: Buffer, start: number, end: number): string => (bytes as Slicers).latin1Slice?.(start, end) ?? bytes.toString('latin1', start, end);
export const hexSlice = (bytes: Buffer, start: number, end: number): string => (bytes as Slicers).hexSlice?.(start, end) ?? bytes.toString('hex', start, end);
