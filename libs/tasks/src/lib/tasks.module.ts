import { Module } from '@nestjs/common';
import { AuthModule } from '@agenthub/auth';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';
import { TaskRepository } from './task.repository';
import { TaskLeaseSweeper } from './task-lease.sweeper';
import { TaskEvents } from './task-events';

/**
 * Tasks: CRUD, dependency graph, lifecycle, assignment, claiming with leases, search; every
 * change is a `task.*` event on the event log (the global EventsModule).
 */
@Module({
  imports: [AuthModule],
  controllers: [TasksController],
  providers: [TasksService, TaskRepository, TaskLeaseSweeper, TaskEvents],
})
export class TasksModule {}
