import { describe, expect, it } from 'vitest';
import { displayName, quoteIdentifier, segmentMatches, splitName } from '../../src/model/names.js';

describe('splitName', () => {
  it.each([
    ['users', [['users', false]]],
    ['public.users', [['public', false], ['users', false]]],
    ['public."Users"', [['public', false], ['Users', true]]],
    ['"a.b".c', [['a.b', true], ['c', false]]],
    ['`shop`.`order items`', [['shop', true], ['order items', true]]],
    ['"say ""hi"""', [['say "hi"', true]]],
    ['auth.*', [['auth', false], ['*', false]]],
    [' orders . total ', [['orders', false], ['total', false]]],
  ])('%s', (input, expected) => {
    expect(splitName(input)?.map((s) => [s.text, s.quoted])).toEqual(expected);
  });

  it.each(['', 'a..b', '.a', 'a.', '"open', '""', 'a"b'])('rejects %j', (input) => {
    expect(splitName(input)).toBeUndefined();
  });
});

describe('segmentMatches', () => {
  const seg = (text: string, quoted = false) => ({ text, quoted });
  it('follows each dialect', () => {
    expect(segmentMatches(seg('users'), 'users', 'postgres', true)).toBe(true);
    expect(segmentMatches(seg('users'), 'Users', 'postgres', true)).toBe(false);
    expect(segmentMatches(seg('Users', true), 'users', 'postgres', true)).toBe(false);
    expect(segmentMatches(seg('Users'), 'users', 'postgres', true)).toBe(true);
    expect(segmentMatches(seg('USERS'), 'users', 'mysql', true)).toBe(true);
    expect(segmentMatches(seg('*_AUDIT'), 'orders_audit', 'postgres', true)).toBe(true);
    expect(segmentMatches(seg('*_audit'), 'Orders_Audit', 'sqlite', true)).toBe(true);
  });

  it('takes globs only when asked (config), never in markers', () => {
    expect(segmentMatches(seg('*'), 'users', 'postgres', true)).toBe(true);
    expect(segmentMatches(seg('*'), 'users', 'postgres', false)).toBe(false);
    expect(segmentMatches(seg('*', true), 'users', 'postgres', true)).toBe(false);
  });
});

describe('display names', () => {
  it('quote what would not read back as the same name', () => {
    expect(quoteIdentifier('users', 'postgres')).toBe('users');
    expect(quoteIdentifier('User', 'postgres')).toBe('"User"');
    expect(quoteIdentifier('User', 'mysql')).toBe('User');
    expect(quoteIdentifier('order items', 'mysql')).toBe('`order items`');
    expect(quoteIdentifier('a"b', 'sqlite')).toBe('"a""b"');
  });

  it('qualify columns by table and indexes by table only where index names are per table', () => {
    expect(displayName({ type: 'column', schema: 'billing', table: 'orders', name: 'total', written: 'total' }, 'postgres')).toBe(
      'billing.orders.total',
    );
    expect(displayName({ type: 'index', table: 'users', name: 'idx', written: 'idx' }, 'postgres')).toBe('idx');
    expect(displayName({ type: 'index', table: 'users', name: 'idx', written: 'idx' }, 'mysql')).toBe('users.idx');
  });
});
