/**
 * Offsets → 1-based line/column, and UTF-8 byte offsets → string offsets.
 * libpg-query reports byte offsets; everything else in the SQL readers works in string offsets.
 */

export interface Position {
  line: number;
  column: number;
}

/** Line starts of a text, built once (one indexOf pass), looked up by binary search. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    let i = text.indexOf('\n');
    while (i !== -1) {
      this.starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
  }

  /** 1-based line and column (in UTF-16 code units) of a string offset. */
  position(offset: number): Position {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }

  /** String offset where a 1-based line starts (clamped to the text). */
  lineStart(line: number): number {
    if (line <= 1) return 0;
    if (line > this.starts.length) return this.text.length;
    return this.starts[line - 1];
  }
}

function utf8Length(code: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  // a surrogate pair is 2 code units for 4 bytes: each half counts 2
  if (code >= 0xd800 && code <= 0xdfff) return 2;
  return 3;
}

/**
 * Converts increasing UTF-8 byte offsets into string offsets in one forward pass
 * (so a whole file costs O(n), not O(n) per statement). Seeking backwards restarts.
 */
export class ByteCursor {
  private byte = 0;
  private char = 0;
  private readonly ascii: boolean;

  constructor(private readonly text: string) {
    this.ascii = Buffer.byteLength(text, 'utf8') === text.length;
  }

  toChar(byteOffset: number): number {
    if (this.ascii) return Math.min(byteOffset, this.text.length);
    if (byteOffset < this.byte) {
      this.byte = 0;
      this.char = 0;
    }
    const text = this.text;
    while (this.byte < byteOffset && this.char < text.length) {
      this.byte += utf8Length(text.charCodeAt(this.char));
      this.char++;
    }
    return this.char;
  }
}
