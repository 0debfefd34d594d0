import { Module } from '@nestjs/common';
import { AuthModule } from '@agenthub/auth';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';
import { TaskRepository } from './task.repository';
import { TaskLeaseSweeper } from './task-lease.sweeper';

/** Tasks: CRUD, dependency graph, lifecycle, assignment, claiming with leases, search. */
@Module({
  imports: [AuthModule],
  controllers: [TasksController],
  providers: [TasksService, TaskRepository, TaskLeaseSweeper],
})
export class TasksModule {}
