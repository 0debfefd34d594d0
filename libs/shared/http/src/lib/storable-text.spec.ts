import { MAX_JSON_DEPTH, unstorableText } from './storable-text';

describe('unstorableText', () => {
  it('names every string and key PostgreSQL cannot store, by path', () => {
    expect(
      unstorableText({ title: 'a\u0000', meta: { list: ['ok', '\ud800'], ['k\u0000']: 1 } }),
    ).toEqual({
      title: [expect.stringContaining('NUL')],
      'meta.list.1': [expect.stringContaining('surrogate')],
      'meta.k\\u0000': [expect.stringContaining('key')],
    });
  });

  it('keeps well-formed text, astral characters and control characters other than NUL', () => {
    expect(unstorableText({ a: '🚀 déjà\t\u0001', b: [1, null, true] })).toEqual({});
  });

  it('refuses nesting deeper than the limit without recursing', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    const errors = unstorableText({ a: deep });
    expect(Object.values(errors)).toEqual([[expect.stringContaining(String(MAX_JSON_DEPTH))]]);
  });
});
