import { Injectable } from '@nestjs/common';
import { EventLog } from '@agenthub/events';
import type { TaskResponseDto } from './dto/task-response.dto';
import { TaskStepHooks } from './task-step-hooks';

export type TaskEventType = 'task.created' | 'task.updated' | 'task.deleted';

/**
 * The tasks' events on the event log: every agent of the project (and its managers) sees
 * them. Call in the transaction of the change (the request's, or the sweeper's), with the
 * task as REST returns it after the change (deleted: as it was), so the event commits with
 * the change or not at all.
 *
 * Every change of a task passes here, so this is also where the workflow engine hears of
 * changed workflow steps (TaskStepHooks.stepsChanged), in the same transaction.
 */
@Injectable()
export class TaskEvents {
  constructor(
    private readonly log: EventLog,
    private readonly steps: TaskStepHooks,
  ) {}

  async emit(type: TaskEventType, ...tasks: TaskResponseDto[]): Promise<void> {
    await this.announce(type, ...tasks);
    if (type === 'task.updated') await this.steps.stepsChanged(tasks);
  }

  /** The events only: for the workflow engine's own changes to steps (it advanced their executions itself). */
  async announce(type: TaskEventType, ...tasks: TaskResponseDto[]): Promise<void> {
    await this.log.append(
      ...tasks.map((task) => ({
        type,
        projectId: task.project_id,
        audience: { kind: 'project' as const },
        data: task,
      })),
    );
  }
}
