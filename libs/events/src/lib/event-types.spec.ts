import { MAX_TYPE_PATTERNS, parseTypeFilter, typeMatches } from './event-types';

describe('?types= filters', () => {
  it('without the parameter, or with *, lets every type through', () => {
    expect(parseTypeFilter(undefined)).toBeNull();
    expect(parseTypeFilter('task.updated,*')).toBeNull();
    expect(typeMatches(null, 'anything.at_all')).toBe(true);
  });

  it('splits exact types from prefixes and ignores blanks', () => {
    const filter = parseTypeFilter(' message.* , task.updated,,');
    expect(filter).toEqual({ exact: ['task.updated'], prefixes: ['message.'] });
    expect(typeMatches(filter, 'message.received')).toBe(true);
    expect(typeMatches(filter, 'message.updated')).toBe(true);
    expect(typeMatches(filter, 'task.updated')).toBe(true);
    expect(typeMatches(filter, 'task.created')).toBe(false);
    // A prefix ends at a dot: message.* is not messages.*
    expect(typeMatches(filter, 'messages.x')).toBe(false);
  });

  it.each([
    '',
    ',',
    'task.',
    'Task.updated',
    'task.*.x',
    '*.updated',
    'task updated',
    'task.upd%',
    'ü.x',
  ])('refuses %j', (types) => {
    expect(() => parseTypeFilter(types)).toThrow(TypeError);
  });

  it(`refuses more than ${MAX_TYPE_PATTERNS} patterns`, () => {
    const many = Array.from({ length: MAX_TYPE_PATTERNS + 1 }, (_, i) => `t.p${'x'.repeat(i)}`);
    expect(() => parseTypeFilter(many.join(','))).toThrow(/at most/);
    expect(parseTypeFilter(many.slice(1).join(','))?.exact).toHaveLength(MAX_TYPE_PATTERNS);
  });
});
