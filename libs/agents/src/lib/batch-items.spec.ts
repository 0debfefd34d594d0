import { AGENT_LIMITS } from './dto/agent-limits';
import { validateBatchItems } from './batch-items';

describe('validateBatchItems', () => {
  it('keeps valid items with their index, trimmed like a single create', async () => {
    const { valid, errors } = await validateBatchItems([
      { name: ' a ', capabilities: [' x '] },
      { name: 'b', status: 'busy' },
    ]);
    expect(errors).toEqual([]);
    expect(valid.map((v) => [v.index, v.fields.name, v.fields.capabilities])).toEqual([
      [0, 'a', ['x']],
      [1, 'b', undefined],
    ]);
  });

  it('reports each invalid item by index and name, with the failing fields', async () => {
    const { valid, errors } = await validateBatchItems([
      { name: 'ok' },
      { name: 'bad', status: 'sleeping' },
      { name: 'extra', unknown: 1 },
      { name: 'n'.repeat(AGENT_LIMITS.name + 1) },
      { nickname: 'no name' },
    ]);
    expect(valid.map((v) => v.index)).toEqual([0]);
    expect(errors).toEqual([
      {
        index: 1,
        name: 'bad',
        error: expect.stringMatching(/^Invalid agent: status: /),
        fields: { status: [expect.any(String)] },
      },
      {
        index: 2,
        name: 'extra',
        error: expect.stringContaining('unknown'),
        fields: { unknown: [expect.stringContaining('unknown field')] },
      },
      {
        index: 3,
        name: 'n'.repeat(AGENT_LIMITS.name),
        error: expect.any(String),
        fields: { name: expect.any(Array) },
      },
      { index: 4, name: null, error: expect.any(String), fields: { name: expect.any(Array) } },
    ]);
  });

  it('refuses items that are not objects', async () => {
    const { valid, errors } = await validateBatchItems(['a', 1, null, [], true]);
    expect(valid).toEqual([]);
    expect(errors.map((e) => [e.index, e.error])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [i, 'Each agent must be a JSON object']),
    );
  });

  it('refuses a later item that repeats a name, after trimming', async () => {
    const { valid, errors } = await validateBatchItems([
      { name: 'same' },
      { name: 'same ' },
      { name: 'other' },
    ]);
    expect(valid.map((v) => v.index)).toEqual([0, 2]);
    expect(errors).toEqual([
      { index: 1, name: 'same', error: 'Duplicate name in batch: item 0 already deploys "same"' },
    ]);
  });
});
