/**
 * `JSON.stringify(value, null, 2)` written in pieces, so a report of thousands of findings is never one
 * string of many megabytes (the whole corpus: 9.5 MB of JSON, ~30 MB of peak memory to build and write it).
 * The pieces join to exactly the bytes `JSON.stringify` gives for the whole document.
 */

/** `value` as it appears `depth` levels deep in a document indented by two spaces. */
export function nestedJson(value: unknown, depth: number): string {
  // JSON escapes newlines inside strings: every newline in the output is the layout's own
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/** An array `depth` levels deep, one piece per element (`[]` when empty, as JSON.stringify writes it). */
export function* arrayPieces<T>(items: Iterable<T>, depth: number, toJson: (item: T) => unknown): Generator<string> {
  const indent = `\n${'  '.repeat(depth + 1)}`;
  let first = true;
  for (const item of items) {
    yield `${first ? '[' : ','}${indent}${nestedJson(toJson(item), depth + 1)}`;
    first = false;
  }
  yield first ? '[]' : `\n${'  '.repeat(depth)}]`;
}
