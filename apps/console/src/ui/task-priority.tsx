import './task-priority.css';
import type { TaskPriority } from './task-queries';

/** A task's priority as a small tag: urgent and high stand out, low recedes. */
export function PriorityTag({ priority }: { priority: TaskPriority }) {
  return (
    <span className={`priority priority-${priority}`} data-priority={priority}>
      {priority}
    </span>
  );
}
