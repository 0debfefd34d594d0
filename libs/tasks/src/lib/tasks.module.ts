import { Module } from '@nestjs/common';
import { AuthModule } from '@agenthub/auth';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';
import { TaskRepository } from './task.repository';
import { TaskLeaseSweeper } from './task-lease.sweeper';
import { TaskEvents } from './task-events';
import { TaskStepHooks } from './task-step-hooks';
import { StepTaskRepository } from './step-task.repository';

/**
 * Tasks: CRUD, dependency graph, lifecycle, assignment, claiming with leases, search; every
 * change is a `task.*` event on the event log (the global EventsModule). Workflow steps are
 * tasks too: the workflows lib creates and advances them through the exports.
 */
@Module({
  imports: [AuthModule],
  controllers: [TasksController],
  providers: [
    TasksService,
    TaskRepository,
    TaskLeaseSweeper,
    TaskEvents,
    TaskStepHooks,
    StepTaskRepository,
  ],
  // For the workflows lib, which runs its steps as tasks.
  exports: [TaskEvents, TaskStepHooks, StepTaskRepository],
})
export class TasksModule {}
