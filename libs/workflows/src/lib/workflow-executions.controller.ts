import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Audit, CurrentPrincipal, Principal } from '@agenthub/auth';
import {
  ApiAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  Page,
  UuidParam,
} from '@agenthub/http';
import { WorkflowExecutionsService } from './workflow-executions.service';
import { ExecutionResponseDto } from './dto/execution-response.dto';
import {
  ListExecutionsQueryDto,
  ListWorkflowExecutionsQueryDto,
  StartExecutionDto,
} from './dto/execution-requests.dto';

const PROJECT_403 = 'PROJECT.FORBIDDEN';

/** Starting and listing the executions of one workflow: `/workflows/:id/executions`. */
@ApiTags('workflows')
@ApiAuth()
@Controller('workflows/:id/executions')
export class WorkflowRunsController {
  constructor(private readonly executions: WorkflowExecutionsService) {}

  @Post()
  @Audit('workflow_execution.start', 'workflow_execution')
  @ApiOp(
    'startWorkflowExecution',
    'Start an execution of a workflow',
    "Users who manage the project, or its agents. The workflow must be `active`. In one transaction, creates one task per step of the version (default: the current one), in a topological order (`step_order`), with the step's fields and dependency edges; agents then claim them like any task, each seeing `inputs` (the execution's `context_data`, and its dependencies' results once they are final). The body is optional.",
  )
  @ApiUuidParam('id', 'The workflow.')
  @ApiBody({ type: StartExecutionDto, required: false })
  @ApiCreatedResponse({ type: ExecutionResponseDto, description: 'The new execution, running.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    400: ['REQUEST.INVALID_ID', 'REQUEST.VALIDATION_FAILED'],
    403: PROJECT_403,
    404: ['WORKFLOW.NOT_FOUND', 'WORKFLOW.VERSION_NOT_FOUND'],
    409: 'WORKFLOW.NOT_ACTIVE',
  })
  start(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: StartExecutionDto,
  ): Promise<ExecutionResponseDto> {
    return this.executions.start(principal, id, dto ?? {});
  }

  @Get()
  @ApiOp('listWorkflowExecutions', "List a workflow's executions", 'Newest first.')
  @ApiUuidParam('id', 'The workflow.')
  @ApiPage(ExecutionResponseDto)
  @ApiProblems([400, 401, 403, 404], {
    400: ['REQUEST.INVALID_ID', 'REQUEST.VALIDATION_FAILED'],
    403: PROJECT_403,
    404: 'WORKFLOW.NOT_FOUND',
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: ListWorkflowExecutionsQueryDto,
  ): Promise<Page<ExecutionResponseDto>> {
    return this.executions.listOfWorkflow(principal, id, query);
  }
}

/** Executions by their own id: `/workflow-executions`. */
@ApiTags('workflows')
@ApiAuth()
@Controller('workflow-executions')
export class WorkflowExecutionsController {
  constructor(private readonly executions: WorkflowExecutionsService) {}

  @Get()
  @ApiOp(
    'listExecutions',
    'List workflow executions',
    'Newest first; without `project_id`, the executions of every project the caller may read.',
  )
  @ApiPage(ExecutionResponseDto)
  @ApiProblems([400, 401, 403, 404], {
    400: 'REQUEST.VALIDATION_FAILED',
    403: PROJECT_403,
    404: 'PROJECT.NOT_FOUND',
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListExecutionsQueryDto,
  ): Promise<Page<ExecutionResponseDto>> {
    return this.executions.listAll(principal, query);
  }

  @Get(':id')
  @ApiOp('getExecution', 'Get a workflow execution')
  @ApiUuidParam('id', 'The execution.')
  @ApiOkResponse({ type: ExecutionResponseDto, description: 'The execution and its steps.' })
  @ApiProblems([400, 401, 403, 404], {
    400: 'REQUEST.INVALID_ID',
    403: PROJECT_403,
    404: 'WORKFLOW_EXECUTION.NOT_FOUND',
  })
  get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<ExecutionResponseDto> {
    return this.executions.get(principal, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Audit('workflow_execution.cancel', 'workflow_execution')
  @ApiOp(
    'cancelExecution',
    'Cancel a workflow execution',
    'Users who manage the project. Its pending steps and those in progress are cancelled (an agent still working on one gets 409 on its next update).',
  )
  @ApiUuidParam('id', 'The execution.')
  @ApiOkResponse({ type: ExecutionResponseDto, description: 'The execution, cancelled.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    400: 'REQUEST.INVALID_ID',
    403: ['WORKFLOW.AGENT_FORBIDDEN', PROJECT_403],
    404: 'WORKFLOW_EXECUTION.NOT_FOUND',
    409: 'WORKFLOW_EXECUTION.NOT_RUNNING',
  })
  cancel(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<ExecutionResponseDto> {
    return this.executions.cancel(principal, id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Audit('workflow_execution.retry', 'workflow_execution')
  @ApiOp(
    'retryExecution',
    'Retry a failed or cancelled workflow execution',
    'Users who manage the project. Its failed and cancelled steps go back to `pending` with their attempts reset; completed steps keep their results and are not run again; the execution is `running` again.',
  )
  @ApiUuidParam('id', 'The execution.')
  @ApiOkResponse({ type: ExecutionResponseDto, description: 'The execution, running again.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    400: 'REQUEST.INVALID_ID',
    403: ['WORKFLOW.AGENT_FORBIDDEN', PROJECT_403],
    404: 'WORKFLOW_EXECUTION.NOT_FOUND',
    409: 'WORKFLOW_EXECUTION.NOT_RETRYABLE',
  })
  retry(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<ExecutionResponseDto> {
    return this.executions.retry(principal, id);
  }
}
