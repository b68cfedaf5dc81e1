import { afterAll, describe, expect, it } from 'vitest';
import { CatFileBatchParser, readBlobs } from '../../src/git/blobs.js';
import { makeRepo } from '../helpers/repo.js';

describe('CatFileBatchParser', () => {
  const output = Buffer.concat([
    Buffer.from('aaaa blob 5\nhello\n'),
    Buffer.from('bbbb missing\n'),
    Buffer.from('cccc blob 0\n\n'),
    Buffer.from('dddd blob 12\nline1\nline2\n\n'),
  ]);
  const expected = [
    { oid: 'aaaa', content: 'hello' },
    { oid: 'bbbb', missing: true },
    { oid: 'cccc', content: '' },
    { oid: 'dddd', content: 'line1\nline2\n' },
  ];
  const simplify = (objects: ReturnType<CatFileBatchParser['end']>) =>
    objects.map((o) =>
      'missing' in o ? { oid: o.oid, missing: true } : 'skipped' in o ? { oid: o.oid, skipped: o.size } : { oid: o.oid, content: o.content.toString('utf8') },
    );

  it.each([1, 2, 3, 7, 1000])('parses the output fed in chunks of %i bytes', (size) => {
    const parser = new CatFileBatchParser();
    for (let i = 0; i < output.length; i += size) parser.push(output.subarray(i, i + size));
    expect(simplify(parser.end())).toEqual(expected);
  });

  it.each([1, 5, 1000])('skips objects over the size limit without keeping them (chunks of %i)', (size) => {
    const parser = new CatFileBatchParser(6);
    for (let i = 0; i < output.length; i += size) parser.push(output.subarray(i, i + size));
    expect(simplify(parser.end())).toEqual([expected[0], expected[1], expected[2], { oid: 'dddd', skipped: 12 }]);
  });

  it('refuses output that ends inside an object', () => {
    const parser = new CatFileBatchParser();
    parser.push(Buffer.from('aaaa blob 10\nabc'));
    expect(() => parser.end()).toThrow(/ended early/);
  });
});

describe('readBlobs (real git)', () => {
  const repo = makeRepo();
  afterAll(() => repo.cleanup());

  it('reads many blobs with one process, binary-safe, and reports missing objects', async () => {
    repo.write('a.sql', 'DROP TABLE a;\n');
    repo.write('b.bin', Buffer.from([0, 1, 2, 10, 255]));
    const a = repo.git('hash-object', '-w', 'a.sql');
    const b = repo.git('hash-object', '-w', 'b.bin');
    const missing = 'f'.repeat(40);
    const blobs = await readBlobs(repo.dir, [a, b, missing, a]);
    expect(blobs.get(a)?.toString('utf8')).toBe('DROP TABLE a;\n');
    expect([...(blobs.get(b) as Buffer)]).toEqual([0, 1, 2, 10, 255]);
    expect(blobs.has(missing)).toBe(true);
    expect(blobs.get(missing)).toBeUndefined();
    const capped = await readBlobs(repo.dir, [a, b], 10);
    expect(capped.get(a)).toEqual({ size: 14 });
    expect(Buffer.isBuffer(capped.get(b))).toBe(true);
  });
});
