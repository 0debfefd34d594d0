export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/**
 * urgent > high > medium > low. The database has the same ranking as the generated column
 * `tasks.priority_rank` (see the tasks migration), which claim and `?sort=priority` use;
 * a test holds the two together. The claim order itself lives in the claim's SQL (see
 * task.repository.ts).
 */
export const PRIORITY_RANK: Readonly<Record<TaskPriority, number>> = {
  urgent: 4,
  high: 3,
  medium: 2,
  low: 1,
};
