/**
 * Offsets → 1-based line/column, and UTF-8 byte offsets → string offsets.
 * libpg-query reports byte offsets; everything else in the SQL readers works in string offsets.
 */

export interface Position {
  line: number;
  column: number;
}

/** A line ends at LF, CRLF or a lone CR, as editors, git diffs and the override markers count lines. */
export const LINE_BREAK = /\r\n?|\n/g;

/** Line starts of a text, built once (one indexOf pass), looked up by binary search. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    if (text.includes('\r')) {
      for (const m of text.matchAll(LINE_BREAK)) this.starts.push(m.index + m[0].length);
      return;
    }
    let i = text.indexOf('\n');
    while (i !== -1) {
      this.starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
  }

  /** 1-based line of a string offset. */
  lineOf(offset: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** 1-based line and column (in UTF-16 code units) of a string offset. */
  position(offset: number): Position {
    const line = this.lineOf(offset);
    return { line, column: offset - this.starts[line - 1] + 1 };
  }

  /** String offset where a 1-based line starts (clamped to the text). */
  lineStart(line: number): number {
    if (line <= 1) return 0;
    if (line > this.starts.length) return this.text.length;
    return this.starts[line - 1];
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The text of one line, without its line end ('' past the last line). */
  lineText(line: number): string {
    if (line < 1 || line > this.starts.length) return '';
    const end = line < this.starts.length ? this.starts[line] - 1 : this.text.length;
    return this.text.slice(this.starts[line - 1], end).replace(/\r$/, '');
  }
}

/**
 * Converts UTF-8 byte offsets into string offsets. Only the non-ASCII characters matter: each adds
 * 1–2 bytes (a surrogate pair: 4 bytes for 2 code units). They are found once with a regex (usually a
 * handful, in comments), and increasing lookups walk them forward, so a whole file costs O(n).
 */
export class ByteCursor {
  /** String offsets of non-ASCII code units, and the bytes each adds beyond its one code unit. */
  private readonly at: number[] = [];
  private readonly extra: number[] = [];
  private k = 0;
  private extraBefore = 0;

  constructor(private readonly text: string) {
    const wide = /[^\x00-\x7f]/g;
    for (let m = wide.exec(text); m; m = wide.exec(text)) {
      const code = m[0].charCodeAt(0);
      this.at.push(m.index);
      this.extra.push(code < 0x800 ? 1 : code >= 0xd800 && code <= 0xdfff ? 1 : 2);
    }
  }

  toChar(byteOffset: number): number {
    if (this.at.length === 0) return Math.min(byteOffset, this.text.length);
    if (this.k > 0 && this.at[this.k - 1] + this.extraBefore - this.extra[this.k - 1] >= byteOffset) {
      // seeking backwards: start over
      this.k = 0;
      this.extraBefore = 0;
    }
    // advance over the wide characters that start before this byte offset
    while (this.k < this.at.length && this.at[this.k] + this.extraBefore < byteOffset) {
      this.extraBefore += this.extra[this.k];
      this.k++;
    }
    return Math.min(byteOffset - this.extraBefore, this.text.length);
  }
}
