export { TasksModule } from './lib/tasks.module';
export { TASK_ENTITIES } from './lib/entities';
export { TaskLeaseSweeper } from './lib/task-lease.sweeper';
export {
  DEPENDENCY_FAILURE_POLICIES,
  FINAL_TASK_STATUSES,
  isFinalTaskStatus,
  TASK_STATUSES,
  TASK_TRANSITIONS,
} from './lib/task-lifecycle';
export type { DependencyFailurePolicy, TaskStatus } from './lib/task-lifecycle';
export { TaskEvents } from './lib/task-events';
export { TaskStepHooks } from './lib/task-step-hooks';
export type { WorkflowStepObserver } from './lib/task-step-hooks';
export { StepTaskRepository } from './lib/step-task.repository';
export type { ExecutionScope, NewStepTask, StepState } from './lib/step-task.repository';
export { Task } from './lib/entities/task.entity';
export { DEFAULT_MAX_ATTEMPTS } from './lib/entities/task.entity';
export { TaskResponseDto } from './lib/dto/task-response.dto';
export { WorkflowStepLockedError } from './lib/tasks.errors';
export { TASK_PRIORITIES, PRIORITY_RANK } from './lib/task-priority';
export { TASK_LIMITS } from './lib/dto/task-limits';
