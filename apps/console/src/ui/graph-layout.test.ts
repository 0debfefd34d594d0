import { layoutSteps, type GraphLayout, type LaidOutNode } from './graph-layout';

const node = (layout: GraphLayout, key: string): LaidOutNode => {
  const found = layout.nodes.find((n) => n.key === key);
  if (!found) throw new Error(`no node ${key}`);
  return found;
};
const centreX = (n: LaidOutNode) => n.x + n.width / 2;
const overlap = (a: LaidOutNode, b: LaidOutNode) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const chain = [
  { key: 'fetch', dependencies: [] },
  { key: 'parse', dependencies: ['fetch'] },
  { key: 'store', dependencies: ['parse'] },
  { key: 'report', dependencies: ['store'] },
];
const diamond = [
  { key: 'a', dependencies: [] },
  { key: 'b', dependencies: ['a'] },
  { key: 'c', dependencies: ['a'] },
  { key: 'd', dependencies: ['b', 'c'] },
];

describe('layoutSteps', () => {
  it('lays a chain out left to right, each step right of the one it waits for', () => {
    const layout = layoutSteps(chain);
    const xs = ['fetch', 'parse', 'store', 'report'].map((k) => node(layout, k).x);
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1]);
    expect(layout.edges.map((e) => `${e.from}→${e.to}`)).toEqual([
      'fetch→parse',
      'parse→store',
      'store→report',
    ]);
  });

  it('puts the two middle steps of a diamond in one column between its ends, one above the other', () => {
    const layout = layoutSteps(diamond);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((k) => node(layout, k));
    expect(centreX(b)).toBe(centreX(c));
    expect(centreX(b)).toBeGreaterThan(centreX(a));
    expect(centreX(d)).toBeGreaterThan(centreX(b));
    expect(b.y).not.toBe(c.y);
    expect(overlap(b, c)).toBe(false);
  });

  it('places steps that depend on nothing without overlapping', () => {
    const layout = layoutSteps(['x', 'y', 'z', 'w'].map((key) => ({ key, dependencies: [] })));
    expect(layout.nodes).toHaveLength(4);
    for (const a of layout.nodes)
      for (const b of layout.nodes) if (a !== b) expect(overlap(a, b)).toBe(false);
    expect(layout.edges).toEqual([]);
  });

  it('gives every edge a line from its dependency to its step', () => {
    const layout = layoutSteps(diamond);
    expect(layout.edges).toHaveLength(4);
    for (const edge of layout.edges) {
      expect(edge.points.length).toBeGreaterThanOrEqual(2);
      const first = edge.points[0];
      const last = edge.points[edge.points.length - 1];
      // it leaves the dependency's column and ends at the step's
      expect(last.x).toBeGreaterThan(first.x);
      expect(first.x).toBeGreaterThanOrEqual(node(layout, edge.from).x);
      expect(last.x).toBeLessThanOrEqual(node(layout, edge.to).x + node(layout, edge.to).width);
    }
  });

  it('is as large as everything it draws', () => {
    for (const steps of [chain, diamond]) {
      const layout = layoutSteps(steps, { margin: 10 });
      for (const n of layout.nodes) {
        expect(n.x).toBeGreaterThanOrEqual(0);
        expect(n.y).toBeGreaterThanOrEqual(0);
        expect(n.x + n.width).toBeLessThanOrEqual(layout.width);
        expect(n.y + n.height).toBeLessThanOrEqual(layout.height);
      }
      for (const p of layout.edges.flatMap((e) => e.points)) {
        expect(p.x).toBeLessThanOrEqual(layout.width);
        expect(p.y).toBeLessThanOrEqual(layout.height);
      }
    }
  });

  it('uses the node size it is given', () => {
    const layout = layoutSteps(chain, { nodeWidth: 100, nodeHeight: 30 });
    for (const n of layout.nodes) expect([n.width, n.height]).toEqual([100, 30]);
  });

  it('ignores dependencies on unknown steps, on the step itself and repeated ones', () => {
    const layout = layoutSteps([
      { key: 'a', dependencies: ['ghost', 'a'] },
      { key: 'b', dependencies: ['a', 'a', 'nobody'] },
    ]);
    expect(layout.nodes.map((n) => n.key)).toEqual(['a', 'b']);
    expect(layout.edges.map((e) => `${e.from}→${e.to}`)).toEqual(['a→b']);
  });

  it('draws a cycle instead of failing', () => {
    const layout = layoutSteps([
      { key: 'start', dependencies: [] },
      { key: 'a', dependencies: ['start', 'c'] },
      { key: 'b', dependencies: ['a'] },
      { key: 'c', dependencies: ['b'] },
    ]);
    expect(layout.nodes).toHaveLength(4);
    expect(layout.edges).toHaveLength(4);
    for (const edge of layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
    for (const a of layout.nodes)
      for (const b of layout.nodes) if (a !== b) expect(overlap(a, b)).toBe(false);
  });

  it('keeps the first of two steps with the same key', () => {
    const layout = layoutSteps([
      { key: 'a', dependencies: [] },
      { key: 'a', dependencies: [] },
    ]);
    expect(layout.nodes).toHaveLength(1);
  });

  it('draws nothing for no steps', () => {
    expect(layoutSteps([])).toEqual({ nodes: [], edges: [], width: 0, height: 0 });
  });
});
