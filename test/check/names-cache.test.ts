import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NamesCache } from '../../src/check/names-cache.js';
import type { NameDefinition } from '../../src/check/schema-names.js';
import { tempDir } from '../helpers/repo.js';

/** The history's name cache: lookups by name after a round trip through the file, damage, and compaction. */

const oid = (n: number) => n.toString(16).padStart(40, '0');
const def = (name: string, table: string, extra: Partial<NameDefinition> = {}): NameDefinition => ({ kind: 'index', name, table, line: 1, ...extra });

function written(defsByBlob: Array<[string, NameDefinition[]]>, keep = defsByBlob.map(([id]) => id)) {
  const file = path.join(tempDir(), 'schema-names.txt');
  const cache = NamesCache.read(file);
  for (const [id, defs] of defsByBlob) cache.add(id, defs);
  cache.write(new Set(keep));
  return { file, cache: NamesCache.read(file) };
}

describe('names cache', () => {
  it.each([
    { name: 'plain name', defs: [def('pay_idx', 'payments')], lookup: 'pay_idx', tables: ['payments'] },
    { name: 'case-insensitive', defs: [def('Pay_Idx', 'payments')], lookup: 'PAY_IDX', tables: ['payments'] },
    { name: 'a quoted name with a quote, a tab and a line break', defs: [def('we"ird\tna\nme', 'payments')], lookup: 'we"ird\tna\nme', tables: ['payments'] },
    { name: 'unicode', defs: [def('índice_ü', 'zahlungen')], lookup: 'ÍNDICE_Ü', tables: ['zahlungen'] },
    { name: 'a schema', defs: [def('pay_idx', 'payments', { schema: 'billing' })], lookup: 'pay_idx', tables: ['billing.payments'] },
    { name: 'a name that is a prefix of another is not it', defs: [def('pay_idx_old', 'old_payments')], lookup: 'pay_idx', tables: [] },
    { name: 'a name that ends another is not it', defs: [def('x_pay_idx', 'other')], lookup: 'pay_idx', tables: [] },
    { name: 'a table named like the index is not a definition of it', defs: [def('other_idx', 'pay_idx')], lookup: 'pay_idx', tables: [] },
    { name: 'every definition of the name, in every blob', defs: [def('pay_idx', 'a'), def('pay_idx', 'b', { kind: 'constraint', line: 7 })], lookup: 'pay_idx', tables: ['a', 'b'] },
  ])('$name', ({ defs, lookup, tables }) => {
    const { cache } = written([[oid(1), defs]]);
    expect(cache.has(oid(1))).toBe(true);
    expect(cache.lookup(lookup).map(({ def: d }) => (d.schema ? `${d.schema}.${d.table}` : d.table))).toEqual(tables);
  });

  it('keeps kind, line and the blob id of each definition', () => {
    const { cache } = written([[oid(1), [def('t_trg', 't', { kind: 'trigger', line: 12 })]], [oid(2), []]]);
    expect(cache.lookup('t_trg')).toEqual([{ oid: oid(1), def: { kind: 'trigger', name: 't_trg', table: 't', line: 12 } }]);
    expect(cache.has(oid(2))).toBe(true);
    expect(cache.has(oid(3))).toBe(false);
  });

  it('a new blob is appended to what was there', () => {
    const { file } = written([[oid(1), [def('a_idx', 'a')]]]);
    const cache = NamesCache.read(file);
    cache.add(oid(2), [def('b_idx', 'b')]);
    cache.write(new Set([oid(1), oid(2)]));
    const again = NamesCache.read(file);
    expect(again.lookup('a_idx').map((f) => f.oid)).toEqual([oid(1)]);
    expect(again.lookup('b_idx').map((f) => f.oid)).toEqual([oid(2)]);
  });

  it('a commit appends its blob: the lines already there are not rewritten', () => {
    const { file } = written([[oid(1), [def('a_idx', 'a')]]]);
    const before = readFileSync(file, 'utf8');
    const inode = statSync(file).ino;
    const cache = NamesCache.read(file);
    cache.add(oid(2), [def('b_idx', 'b')]);
    cache.write(new Set([oid(1), oid(2)]));
    expect(statSync(file).ino).toBe(inode);
    expect(readFileSync(file, 'utf8').startsWith(before)).toBe(true);
  });

  it('an append cut short (a crash, a full disk) leaves its blob unread, read again, and counted once', () => {
    const { file } = written([[oid(1), [def('a_idx', 'a')]]]);
    // blob 2's first definition made it, its second was cut mid-line, its `#` line never came
    appendFileSync(file, `${JSON.stringify(['b_idx', oid(2), 'index', 'b_idx', 'b', null, 1])}\n["c_idx","${oid(2)}","ind`);
    const after = NamesCache.read(file);
    expect(after.has(oid(2))).toBe(false);
    expect(after.lookup('b_idx')).toEqual([]);
    expect(after.lookup('a_idx').map((f) => f.def.table)).toEqual(['a']);
    after.add(oid(2), [def('b_idx', 'b'), def('c_idx', 'c', { line: 2 })]);
    after.add(oid(3), [def('d_idx', 'd')]);
    after.write(new Set([oid(1), oid(2), oid(3)]));
    const again = NamesCache.read(file);
    expect(again.lookup('b_idx').map((f) => f.def.table)).toEqual(['b']);
    expect(again.lookup('c_idx').map((f) => f.def.table)).toEqual(['c']);
    expect(again.lookup('d_idx').map((f) => f.def.table)).toEqual(['d']);
  });

  it('two hooks at once (worktrees share the cache): both appends stay, a blob both added counts once', () => {
    const { file } = written([[oid(1), [def('a_idx', 'a')]]]);
    const first = NamesCache.read(file);
    const second = NamesCache.read(file);
    first.add(oid(2), [def('b_idx', 'b')]);
    second.add(oid(3), [def('c_idx', 'c')]);
    second.add(oid(2), [def('b_idx', 'b')]);
    first.write(new Set([oid(1), oid(2)]));
    second.write(new Set([oid(1), oid(2), oid(3)]));
    const both = NamesCache.read(file);
    expect([oid(1), oid(2), oid(3)].map((id) => both.has(id))).toEqual([true, true, true]);
    expect(both.lookup('b_idx')).toHaveLength(1);
    expect(both.lookup('c_idx').map((f) => f.def.table)).toEqual(['c']);
  });

  it('a blob added and looked up in the same run, before the write', () => {
    const { file } = written([[oid(1), [def('a_idx', 'a')]]]);
    const cache = NamesCache.read(file);
    cache.add(oid(2), [def('a_idx', 'other')]);
    expect(cache.lookup('a_idx').map((f) => f.def.table)).toEqual(['a', 'other']);
  });

  it('drops the blobs a listing no longer holds once they are many, and only then', () => {
    const blobs: Array<[string, NameDefinition[]]> = Array.from({ length: 300 }, (_, i) => [oid(i + 1), [def(`i${i + 1}`, `t${i + 1}`)]]);
    const few = written(blobs, blobs.slice(0, 250).map(([id]) => id));
    expect(few.cache.has(oid(300))).toBe(true);
    const many = written(blobs, blobs.slice(0, 100).map(([id]) => id));
    expect(many.cache.has(oid(300))).toBe(false);
    expect(many.cache.lookup('i300')).toEqual([]);
    expect(many.cache.lookup('i100').map((f) => f.def.table)).toEqual(['t100']);
  });

  it.each([
    ['an empty file', ''],
    ['another version', 'dbsafe schema-names 1\nabc\n'],
    ['the JSON cache of version 1', '{"version":1,"blobs":{}}'],
    ['a header only', 'dbsafe schema-names 3'],
    ['version 2 (blob ids on one line)', `dbsafe schema-names 2\n${oid(1)}\n["x","${oid(1)}","index","x","t",null,1]\n`],
  ])('%s is an empty cache, rebuilt', (_name, text) => {
    const file = path.join(tempDir(), 'schema-names.txt');
    writeFileSync(file, text);
    const cache = NamesCache.read(file);
    expect(cache.has(oid(1))).toBe(false);
    expect(cache.lookup('x')).toEqual([]);
  });

  it('a damaged line defines nothing; the other lines still answer', () => {
    const { file } = written([[oid(1), [def('a_idx', 'a'), def('b_idx', 'b')]]]);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\["a_idx".*\n/, '["a_idx","broken\n'));
    const cache = NamesCache.read(file);
    expect(cache.lookup('a_idx')).toEqual([]);
    expect(cache.lookup('b_idx').map((f) => f.def.table)).toEqual(['b']);
  });

  it('removes the JSON cache of version 1 when it writes', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'schema-names.json'), '{"version":1,"blobs":{}}');
    const cache = NamesCache.read(path.join(dir, 'schema-names.txt'));
    cache.add(oid(1), []);
    cache.write(new Set([oid(1)]));
    expect(existsSync(path.join(dir, 'schema-names.json'))).toBe(false);
  });
});
