/** "task depends on dependsOn". */
export type DependencyEdge = readonly [task: string, dependsOn: string];

/**
 * The cycle that giving `taskId` exactly `dependencies` would close, or `null`.
 *
 * `edges` are the other edges of the graph ("task depends on dependsOn"); edges of `taskId`
 * itself are ignored, since `dependencies` replaces them. It is enough to pass the edges
 * reachable from `dependencies` (the repository reads just those). The cycle is a shortest
 * one (breadth-first), written from the task back to itself: `[t, a, b, t]` means t depends
 * on a, a on b, b on t.
 */
export function findCycle(
  taskId: string,
  dependencies: readonly string[],
  edges: Iterable<DependencyEdge>,
): string[] | null {
  if (dependencies.includes(taskId)) return [taskId, taskId];
  const dependsOn = new Map<string, string[]>();
  for (const [task, target] of edges) {
    if (task === taskId) continue;
    const list = dependsOn.get(task);
    if (list) list.push(target);
    else dependsOn.set(task, [target]);
  }

  // Breadth-first from the new dependencies; `cameFrom` doubles as the visited set.
  const cameFrom = new Map<string, string>();
  const queue: string[] = [];
  for (const d of dependencies) {
    if (!cameFrom.has(d)) {
      cameFrom.set(d, taskId);
      queue.push(d);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    for (const next of dependsOn.get(node) ?? []) {
      if (next === taskId) {
        const back: string[] = [];
        for (let at = node; at !== taskId; at = cameFrom.get(at) as string) back.push(at);
        return [taskId, ...back.reverse(), taskId];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return null;
}
