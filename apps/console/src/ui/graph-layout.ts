import { graphlib, layout } from '@dagrejs/dagre';

/** A step as the layout sees it: its key and the keys of the steps it waits for. */
export interface LayoutStep {
  key: string;
  dependencies: readonly string[];
}

export interface LayoutOptions {
  /** Each node's box (default 184 × 58). */
  nodeWidth?: number;
  nodeHeight?: number;
  /** Space between columns (dependency depths), default 56. */
  rankSep?: number;
  /** Space between nodes of one column, default 20. */
  nodeSep?: number;
  /** Space around the drawing, default 12. */
  margin?: number;
}

/** A node's box: `x`, `y` its top-left corner. */
export interface LaidOutNode {
  key: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** An edge from a dependency to the step that waits for it, as a polyline. */
export interface LaidOutEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface GraphLayout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  /** The drawing's size: every node and edge lies within 0…width, 0…height. */
  width: number;
  height: number;
}

const DEFAULTS: Required<LayoutOptions> = {
  nodeWidth: 184,
  nodeHeight: 58,
  rankSep: 56,
  nodeSep: 20,
  margin: 12,
};

/**
 * Lays the steps out left to right by dependency depth (dagre's layered layout): a step
 * stands in a column right of every step it depends on, and the steps of one column are
 * stacked without overlapping. Dependencies on keys that are not among the steps, a step
 * that depends on itself and repeated keys are ignored; a cycle is drawn (one of its edges
 * pointing backwards) rather than refused.
 */
export function layoutSteps(
  steps: readonly LayoutStep[],
  options: LayoutOptions = {},
): GraphLayout {
  const o = { ...DEFAULTS, ...options };
  const keys = new Set<string>();
  const unique = steps.filter((step) => !keys.has(step.key) && keys.add(step.key));

  const graph = new graphlib.Graph({ directed: true, multigraph: false });
  graph.setGraph({
    rankdir: 'LR',
    ranksep: o.rankSep,
    nodesep: o.nodeSep,
    marginx: o.margin,
    marginy: o.margin,
    ranker: 'network-simplex',
  });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const step of unique) graph.setNode(step.key, { width: o.nodeWidth, height: o.nodeHeight });
  const edges: { from: string; to: string }[] = [];
  for (const step of unique)
    for (const dependency of new Set(step.dependencies)) {
      if (dependency === step.key || !keys.has(dependency)) continue;
      graph.setEdge(dependency, step.key);
      edges.push({ from: dependency, to: step.key });
    }

  if (unique.length === 0) return { nodes: [], edges: [], width: 0, height: 0 };
  layout(graph);

  const nodes = unique.map((step): LaidOutNode => {
    const node = graph.node(step.key);
    return {
      key: step.key,
      x: node.x - o.nodeWidth / 2,
      y: node.y - o.nodeHeight / 2,
      width: o.nodeWidth,
      height: o.nodeHeight,
    };
  });
  const laidEdges = edges.map(({ from, to }): LaidOutEdge => {
    const points = (graph.edge(from, to)?.points ?? []).map((p) => ({ x: p.x, y: p.y }));
    return { from, to, points: points.length >= 2 ? points : straight(nodes, from, to) };
  });

  // dagre's own size, widened to whatever it left outside (never the case for a DAG).
  const label = graph.graph();
  let width = label.width ?? 0;
  let height = label.height ?? 0;
  for (const n of nodes) {
    width = Math.max(width, n.x + n.width + o.margin);
    height = Math.max(height, n.y + n.height + o.margin);
  }
  for (const e of laidEdges)
    for (const p of e.points) {
      width = Math.max(width, p.x + o.margin);
      height = Math.max(height, p.y + o.margin);
    }
  return { nodes, edges: laidEdges, width: Math.ceil(width), height: Math.ceil(height) };
}

/** From the right side of one box to the left side of the other. */
function straight(nodes: readonly LaidOutNode[], from: string, to: string) {
  const a = nodes.find((n) => n.key === from);
  const b = nodes.find((n) => n.key === to);
  if (!a || !b) return [];
  return [
    { x: a.x + a.width, y: a.y + a.height / 2 },
    { x: b.x, y: b.y + b.height / 2 },
  ];
}
