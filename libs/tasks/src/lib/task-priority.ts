export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/**
 * urgent > high > medium > low. The database has the same ranking as the generated column
 * `tasks.priority_rank` (see the tasks migration), which claim and `?sort=priority` use;
 * a test holds the two together.
 */
export const PRIORITY_RANK: Readonly<Record<TaskPriority, number>> = {
  urgent: 4,
  high: 3,
  medium: 2,
  low: 1,
};

export interface ClaimOrderKey {
  id: string;
  priority: TaskPriority;
  createdAt: Date;
}

/**
 * The order in which claim hands tasks out: higher priority first, then older first, then
 * by id so that equal timestamps still give one order.
 */
export function compareClaimOrder(a: ClaimOrderKey, b: ClaimOrderKey): number {
  return (
    PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
