import type { components } from '@agenthub/client';
import type { TaskPriority } from '../ui/task-queries';

export type CreateTask = components['schemas']['CreateTaskDto'];

/** What the new-task form holds, as typed. */
export interface NewTaskForm {
  title: string;
  description: string;
  priority: TaskPriority;
  /** Comma (or space, or line) separated capability names. */
  capabilities: string;
  /** Dependencies picked from the list. */
  dependencies: string[];
  /** Task ids pasted in, separated by commas, spaces or lines. */
  pastedDependencies: string;
  maxAttempts: string;
  autoAssign: boolean;
}

export const EMPTY_NEW_TASK: NewTaskForm = {
  title: '',
  description: '',
  priority: 'medium',
  capabilities: '',
  dependencies: [],
  pastedDependencies: '',
  maxAttempts: '3',
  autoAssign: false,
};

/** The items of a typed list (commas, spaces or lines between them), each once, in order. */
export function parseList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The request for the form, or what is wrong with it (the API checks the rest and its answer
 * is shown as it says it).
 */
export function newTaskRequest(
  projectId: string,
  form: NewTaskForm,
): { body: CreateTask; problem?: undefined } | { body?: undefined; problem: string } {
  const title = form.title.trim();
  if (!title) return { problem: 'A task needs a title.' };
  const pasted = parseList(form.pastedDependencies);
  const notIds = pasted.filter((id) => !UUID.test(id));
  if (notIds.length > 0)
    return { problem: `Not a task id: ${notIds.join(', ')}. Dependencies are task ids (UUIDs).` };
  const attempts = Number(form.maxAttempts);
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100)
    return { problem: 'Max attempts is a whole number from 1 to 100.' };
  const dependencies = [
    ...new Set([...form.dependencies, ...pasted.map((id) => id.toLowerCase())]),
  ];
  const capabilities = parseList(form.capabilities);
  const description = form.description.trim();
  return {
    body: {
      project_id: projectId,
      title,
      ...(description && { description }),
      priority: form.priority,
      ...(capabilities.length > 0 && { required_capabilities: capabilities }),
      ...(dependencies.length > 0 && { dependencies }),
      max_attempts: attempts,
      ...(form.autoAssign && { auto_assign: true as const }),
    },
  };
}
