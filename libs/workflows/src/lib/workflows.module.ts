import { Module } from '@nestjs/common';
import { AuthModule } from '@agenthub/auth';
import { TasksModule } from '@agenthub/tasks';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowExecutionEvents } from './workflow-execution-events';
import { WorkflowExecutionRepository } from './workflow-execution.repository';
import { WorkflowExecutionsService } from './workflow-executions.service';
import {
  WorkflowExecutionsController,
  WorkflowRunsController,
} from './workflow-executions.controller';
import { WorkflowRepository } from './workflow.repository';
import { WorkflowsService } from './workflows.service';
import { WorkflowsController } from './workflows.controller';

/**
 * Workflows: versioned definitions of steps, and executions that run a version as a DAG of
 * tasks on the task queue (any agent that can claim a task can run a step).
 */
@Module({
  imports: [AuthModule, TasksModule],
  controllers: [WorkflowsController, WorkflowRunsController, WorkflowExecutionsController],
  providers: [
    WorkflowRepository,
    WorkflowsService,
    WorkflowEngine,
    WorkflowExecutionEvents,
    WorkflowExecutionRepository,
    WorkflowExecutionsService,
  ],
})
export class WorkflowsModule {}
