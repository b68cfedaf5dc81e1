import { describe, expect, it } from 'vitest';
import { ByteCursor, LineIndex } from '../../src/sql/text-index.js';

describe('ByteCursor: UTF-8 byte offsets (libpg-query) to string offsets', () => {
  it.each([
    ['plain ASCII', 'DROP TABLE x;'],
    ['2-, 3- and 4-byte characters', 'aé€😀b\nx'],
    ['only wide characters', '😀😀ü€'],
  ])('%s: every character start maps back to its string offset', (_name, text) => {
    const cursor = new ByteCursor(text);
    let byte = 0;
    for (let i = 0; i < text.length; i++) {
      expect(cursor.toChar(byte)).toBe(i);
      const cp = text.codePointAt(i)!;
      byte += Buffer.byteLength(String.fromCodePoint(cp));
      if (cp > 0xffff) i++;
    }
    expect(cursor.toChar(byte)).toBe(text.length);
  });

  it('seeks backwards too', () => {
    const cursor = new ByteCursor('aé€😀b');
    expect([10, 1, 3, 6, 10, 0].map((b) => cursor.toChar(b))).toEqual([5, 1, 2, 3, 5, 0]);
  });
});

describe('LineIndex', () => {
  it('gives 1-based lines and columns, CRLF counted in the line', () => {
    const index = new LineIndex('a\r\nbc\n\nd');
    expect([0, 3, 4, 6, 7].map((o) => index.position(o))).toEqual([
      { line: 1, column: 1 }, { line: 2, column: 1 }, { line: 2, column: 2 }, { line: 3, column: 1 }, { line: 4, column: 1 },
    ]);
  });
});
