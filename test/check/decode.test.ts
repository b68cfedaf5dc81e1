import { describe, expect, it } from 'vitest';
import { decodeMigration, firstInvalidUtf8, MAX_FILE_BYTES } from '../../src/check/decode.js';

const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string) => {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
};

describe('decodeMigration', () => {
  it('an empty file is empty text, not an error', () => {
    expect(decodeMigration(Buffer.alloc(0))).toEqual({ ok: true, text: '' });
  });

  it('strips a UTF-8 byte order mark', () => {
    const result = decodeMigration(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('DROP TABLE users;')]));
    expect(result).toMatchObject({ ok: true, text: 'DROP TABLE users;' });
  });

  it('decodes UTF-16 LE and BE by their byte order mark', () => {
    expect(decodeMigration(utf16le('DROP TABLE "ünï";\n'))).toMatchObject({ ok: true, text: 'DROP TABLE "ünï";\n' });
    expect(decodeMigration(utf16be('DROP TABLE users;'))).toMatchObject({ ok: true, text: 'DROP TABLE users;' });
  });

  it('refuses binary content, naming the line and what to do instead of a marker', () => {
    const result = decodeMigration(Buffer.from('SELECT 1;\n\0\x01\x02'));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toMatch(/binary.*line 2/);
      expect(result.problem).toMatch(/convert the file to UTF-8/);
      expect(result.problem).toMatch(/ignore/);
    }
  });

  it('refuses invalid UTF-8 and says where', () => {
    const result = decodeMigration(Buffer.concat([Buffer.from('-- ok\n-- caf'), Buffer.from([0xe9]), Buffer.from('\nDROP TABLE t;')]));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(/not valid UTF-8 \(invalid byte 0xe9 at line 2\)/);
  });

  it('recognises Git LFS pointers and git-crypt files', () => {
    const lfs = decodeMigration(Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n'));
    expect(lfs.ok === false && lfs.problem).toMatch(/Git LFS pointer/);
    const crypt = decodeMigration(Buffer.concat([Buffer.from('\0GITCRYPT\0'), Buffer.from([1, 2, 3])]));
    expect(crypt.ok === false && crypt.problem).toMatch(/git-crypt/);
  });

  it('refuses files over the size limit without reading them', () => {
    const result = decodeMigration(Buffer.alloc(MAX_FILE_BYTES + 1, 0x20));
    expect(result.ok === false && result.problem).toMatch(/too large/);
  });
});

describe('firstInvalidUtf8', () => {
  it.each([
    [[0x41, 0xc3, 0xa9, 0x42], 4],
    [[0x41, 0xc0, 0x80], 1], // overlong
    [[0x41, 0xed, 0xa0, 0x80], 1], // surrogate
    [[0xf0, 0x9f, 0x98], 0], // truncated
    [[0xe2, 0x82, 0xac, 0xff], 3],
  ])('%j → %i', (bytes, offset) => {
    expect(firstInvalidUtf8(Buffer.from(bytes))).toBe(offset);
  });
});
