export { TasksModule } from './lib/tasks.module';
export { TASK_ENTITIES } from './lib/entities';
export { TaskLeaseSweeper } from './lib/task-lease.sweeper';
export { TASK_STATUSES, TASK_TRANSITIONS } from './lib/task-lifecycle';
export type { TaskStatus } from './lib/task-lifecycle';
export { TASK_PRIORITIES, PRIORITY_RANK } from './lib/task-priority';
