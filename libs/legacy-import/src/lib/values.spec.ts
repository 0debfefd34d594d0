import { API_KEY_STATUS, mapEnum, TASK_STATUS, textOf } from './values';

describe('textOf', () => {
  it('keeps text, writes scalars as String() does and reads a BLOB as UTF-8', () => {
    expect(textOf('  as is ')).toBe('  as is ');
    expect(textOf(42)).toBe('42');
    expect(textOf(10n)).toBe('10');
    expect(textOf(false)).toBe('false');
    expect(textOf(Buffer.from('blob text', 'utf8'))).toBe('blob text');
  });

  it('gives an object or a list as JSON text, not "[object Object]"', () => {
    expect(textOf({ id: 'x', n: 1 })).toBe('{"id":"x","n":1}');
    expect(textOf(['a', 'b'])).toBe('["a","b"]');
  });

  it('answers null for no value', () => {
    expect(textOf(null)).toBeNull();
    expect(textOf(undefined)).toBeNull();
  });
});

describe('mapEnum', () => {
  it('maps case-insensitively and says when the stored value differs from the original', () => {
    expect(mapEnum(TASK_STATUS, 'Done')).toEqual({
      value: 'completed',
      changed: true,
      original: 'Done',
    });
    expect(mapEnum(TASK_STATUS, 'pending')).toEqual({
      value: 'pending',
      changed: false,
      original: 'pending',
    });
    expect(mapEnum(TASK_STATUS, 'PENDING')).toMatchObject({ value: 'pending', changed: true });
  });

  it('takes the fallback for an unknown value (a change) and for none (not one)', () => {
    expect(mapEnum(API_KEY_STATUS, 'weird')).toEqual({
      value: 'revoked',
      changed: true,
      original: 'weird',
    });
    for (const missing of [null, undefined, ''])
      expect(mapEnum(API_KEY_STATUS, missing)).toEqual({
        value: 'revoked',
        changed: false,
        original: null,
      });
  });
});
