import { findProblems } from './migration-validation';

const known = [
  { name: 'M1_a', checksum: 'c1' },
  { name: 'M2_b', checksum: 'c2' },
  { name: 'M3_c', checksum: 'c3' },
];

describe('findProblems', () => {
  it('finds nothing when the applied migrations are an unchanged prefix', () => {
    expect(findProblems(known, [])).toEqual([]);
    expect(
      findProblems(known, [
        { name: 'M1_a', checksum: 'c1' },
        { name: 'M2_b', checksum: 'c2' },
      ]),
    ).toEqual([]);
  });

  it('accepts migrations applied before checksums were kept', () => {
    expect(findProblems(known, [{ name: 'M1_a', checksum: null }])).toEqual([]);
  });

  it('reports an applied migration whose SQL changed', () => {
    expect(findProblems(known, [{ name: 'M1_a', checksum: 'old' }])).toEqual([
      expect.objectContaining({ kind: 'checksum_mismatch', migration: 'M1_a' }),
    ]);
  });

  it('reports an applied migration that is gone from the build', () => {
    expect(findProblems(known, [{ name: 'M0_gone', checksum: 'x' }])).toEqual([
      expect.objectContaining({ kind: 'missing', migration: 'M0_gone' }),
    ]);
  });

  it('reports a pending migration that sorts before an applied one', () => {
    const problems = findProblems(known, [
      { name: 'M1_a', checksum: 'c1' },
      { name: 'M3_c', checksum: 'c3' },
    ]);
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'out_of_order', migration: 'M2_b' }),
    ]);
    expect(problems[0].message).toContain('M3_c');
  });

  it('reports duplicate names and a list out of name order', () => {
    const problems = findProblems([...known, { name: 'M2_b', checksum: 'c2' }], []);
    expect(problems.map((p) => p.kind)).toEqual(['duplicate', 'unsorted']);
    expect(findProblems([known[1], known[0]], []).map((p) => p.kind)).toEqual(['unsorted']);
  });
});
