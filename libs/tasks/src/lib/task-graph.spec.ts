import { DependencyEdge, findCycle } from './task-graph';

describe('findCycle', () => {
  it('accepts a graph that stays acyclic, diamonds included', () => {
    // d depends on b and c, both depend on a; now a gets a new dependency e.
    const edges: DependencyEdge[] = [
      ['d', 'b'],
      ['d', 'c'],
      ['b', 'a'],
      ['c', 'a'],
    ];
    expect(findCycle('a', ['e'], edges)).toBeNull();
    expect(findCycle('e', ['d', 'a'], edges)).toBeNull();
  });

  it('names a task that would depend on itself', () => {
    expect(findCycle('a', ['b', 'a'], [])).toEqual(['a', 'a']);
  });

  it('names a two-node cycle', () => {
    expect(findCycle('a', ['b'], [['b', 'a']])).toEqual(['a', 'b', 'a']);
  });

  it('names a three-node cycle from the task back to itself', () => {
    const edges: DependencyEdge[] = [
      ['b', 'c'],
      ['c', 'a'],
    ];
    expect(findCycle('a', ['b'], edges)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('reports a shortest cycle when there are several', () => {
    const edges: DependencyEdge[] = [
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'a'],
      ['x', 'a'],
    ];
    expect(findCycle('a', ['b', 'x'], edges)).toEqual(['a', 'x', 'a']);
  });

  it("ignores the task's own current edges, which the new list replaces", () => {
    // a used to depend on b; now a depends on nothing but c, and b depends on a: no cycle.
    const edges: DependencyEdge[] = [
      ['a', 'b'],
      ['b', 'a'],
    ];
    expect(findCycle('a', ['c'], edges)).toBeNull();
  });

  it('terminates on a large layered graph', () => {
    const edges: DependencyEdge[] = [];
    const layers = 50;
    const width = 40;
    for (let l = 1; l < layers; l++) {
      for (let i = 0; i < width; i++)
        for (let j = 0; j < width; j++) edges.push([`${l}-${i}`, `${l - 1}-${j}`]);
    }
    expect(findCycle('0-0', [`${layers - 1}-0`], edges)).toHaveLength(layers + 1);
    expect(findCycle(`${layers - 1}-0`, ['0-0'], edges)).toBeNull();
  });
});
