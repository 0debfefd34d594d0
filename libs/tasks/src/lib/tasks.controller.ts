import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audit, AuditNote, AuditNoteData, CurrentPrincipal, Principal } from '@agenthub/auth';
import {
  ApiAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  Page,
  UuidParam,
} from '@agenthub/http';
import { TasksService } from './tasks.service';
import { AssignTaskDto } from './dto/assign-task.dto';
import { ClaimTaskDto, LeaseDto } from './dto/claim-task.dto';
import { CreateTaskDto } from './dto/create-task.dto';
import { DeleteTaskQueryDto } from './dto/delete-task-query.dto';
import { ListTasksQueryDto } from './dto/list-tasks-query.dto';
import { UpdateTaskDto } from './dto/update-task.dto';
import { TaskResponseDto } from './dto/task-response.dto';

/** Refused by the project policy: no such project, or not this caller's. */
const PROJECT_403 = 'PROJECT.FORBIDDEN';
const PROJECT_404 = 'PROJECT.NOT_FOUND';

@ApiTags('tasks')
@ApiAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  @Audit('task.create', 'task')
  @ApiOp(
    'createTask',
    'Create a task',
    'Users who manage the project, or an agent of the project (then `created_by` names the agent).',
  )
  @ApiCreatedResponse({ type: TaskResponseDto, description: 'The new task.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    400: ['REQUEST.VALIDATION_FAILED', 'TASK.INVALID_DEPENDENCY', 'TASK.INVALID_ASSIGNEE'],
    403: PROJECT_403,
    404: PROJECT_404,
    409: ['RESOURCE.REFERENCE_VIOLATION', 'TASK.NO_ELIGIBLE_AGENT'],
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateTaskDto,
  ): Promise<TaskResponseDto> {
    return this.tasks.create(principal, dto);
  }

  @Get()
  @ApiOp(
    'listTasks',
    'List tasks',
    'Filtered, searched and sorted; without `project_id`, the tasks of every project the caller may read.',
  )
  @ApiPage(TaskResponseDto)
  @ApiProblems([400, 401, 403, 404], {
    400: 'REQUEST.VALIDATION_FAILED',
    403: PROJECT_403,
    404: PROJECT_404,
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListTasksQueryDto,
  ): Promise<Page<TaskResponseDto>> {
    return this.tasks.list(principal, query);
  }

  /**
   * Agents only: the next task for the calling agent, or 204 when nothing is claimable.
   * An empty claim changed nothing, so it leaves no audit row (agents poll this).
   */
  @Post('claim')
  @HttpCode(200)
  @Audit('task.claim', 'task')
  @ApiOp(
    'claimTask',
    'Claim the next task',
    'Agents only. Takes the most urgent (then oldest) pending task of the project that is unassigned or assigned to this agent, whose dependencies are all completed and whose required capabilities the agent has; moves it to `in_progress`, assigns it to the agent and leases it. The body is optional.',
  )
  @ApiBody({ type: ClaimTaskDto, required: false })
  @ApiOkResponse({ type: TaskResponseDto, description: 'The claimed task, now leased.' })
  @ApiNoContentResponse({ description: 'Nothing is claimable right now; no body.' })
  @ApiProblems([400, 401, 403, 404, 413, 415], {
    400: ['REQUEST.VALIDATION_FAILED', 'TASK.UNKNOWN_CAPABILITY'],
    403: ['TASK.AGENT_REQUIRED', PROJECT_403],
    404: PROJECT_404,
  })
  async claim(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: ClaimTaskDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @AuditNote() note: AuditNoteData,
  ): Promise<TaskResponseDto | undefined> {
    const task = await this.tasks.claim(principal, dto);
    if (task) return task;
    note.nothingChanged = true;
    reply.status(204);
    return undefined;
  }

  @Get(':id')
  @ApiOp('getTask', 'Get a task')
  @ApiUuidParam('id', 'The task.')
  @ApiOkResponse({ type: TaskResponseDto, description: 'The task.' })
  @ApiProblems([400, 401, 403, 404], {
    400: 'REQUEST.INVALID_ID',
    403: PROJECT_403,
    404: 'TASK.NOT_FOUND',
  })
  get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<TaskResponseDto> {
    return this.tasks.get(principal, id);
  }

  @Patch(':id')
  @Audit('task.update', 'task')
  @ApiOp(
    'updateTask',
    'Update a task',
    'Changes fields, dependencies and status in one transaction, all or nothing; `null` clears a nullable field. Users who manage the project change anything; the assigned agent only `status`, `result` and `version`; the agent that created the task may cancel it (`status: cancelled`).',
  )
  @ApiUuidParam('id', 'The task.')
  @ApiOkResponse({ type: TaskResponseDto, description: 'The task as changed.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    400: [
      'REQUEST.VALIDATION_FAILED',
      'REQUEST.INVALID_ID',
      'TASK.INVALID_DEPENDENCY',
      'TASK.SELF_DEPENDENCY',
      'TASK.DEPENDENCY_CYCLE',
    ],
    403: [PROJECT_403, 'TASK.NOT_ASSIGNEE', 'TASK.AGENT_FIELD_FORBIDDEN'],
    404: 'TASK.NOT_FOUND',
    409: [
      'TASK.VERSION_CONFLICT',
      'TASK.ILLEGAL_TRANSITION',
      'TASK.BLOCKED',
      'RESOURCE.REFERENCE_VIOLATION',
      'TASK.WORKFLOW_STEP_LOCKED',
      'TASK.WORKFLOW_STEP_REOPEN',
    ],
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateTaskDto,
  ): Promise<TaskResponseDto> {
    return this.tasks.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audit('task.delete', 'task')
  @ApiOp(
    'deleteTask',
    'Delete a task',
    'Users who manage the project. Refused while other tasks depend on it, unless `force=true`.',
  )
  @ApiUuidParam('id', 'The task.')
  @ApiNoContentResponse({ description: 'Deleted.' })
  // No body is expected, but Fastify still parses one that is sent: hence 413 and 415.
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    400: ['REQUEST.VALIDATION_FAILED', 'REQUEST.INVALID_ID'],
    403: ['TASK.AGENT_FORBIDDEN', PROJECT_403],
    404: 'TASK.NOT_FOUND',
    409: ['TASK.HAS_DEPENDENTS', 'TASK.WORKFLOW_STEP_LOCKED'],
  })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: DeleteTaskQueryDto,
    @AuditNote() note: AuditNoteData,
  ): Promise<void> {
    note.projectId = (await this.tasks.remove(principal, id, query.force ?? false)).projectId;
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Audit('task.assign', 'task')
  @ApiOp(
    'assignTask',
    'Assign or unassign a task',
    'Users who manage the project. The assignee is an active agent or a user of the project; a task in progress keeps a lease only while an agent holds it. With `{auto: true}` AgentHub picks the agent: among the available agents (active, a heartbeat within the timeout, not offline or in error) that have every required capability, the highest mean confidence over those capabilities, then the fewest tasks in progress, then the name.',
  )
  @ApiUuidParam('id', 'The task.')
  @ApiOkResponse({ type: TaskResponseDto, description: 'The task as assigned.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    400: ['REQUEST.VALIDATION_FAILED', 'REQUEST.INVALID_ID', 'TASK.INVALID_ASSIGNEE'],
    403: ['TASK.AGENT_FORBIDDEN', PROJECT_403],
    404: 'TASK.NOT_FOUND',
    409: ['TASK.VERSION_CONFLICT', 'TASK.NO_ELIGIBLE_AGENT'],
  })
  assign(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AssignTaskDto,
  ): Promise<TaskResponseDto> {
    return this.tasks.assign(principal, id, dto);
  }

  /** The lease holder pushes its lease out (default: 5 minutes from now). */
  @Post(':id/lease')
  @HttpCode(200)
  @Audit('task.lease_extend', 'task')
  @ApiOp(
    'extendTaskLease',
    'Extend the lease of a task',
    'Agents only: the agent working on the task (in progress, assigned to it) pushes its lease out to `lease_seconds` from now. The body is optional.',
  )
  @ApiUuidParam('id', 'The task.')
  @ApiBody({ type: LeaseDto, required: false })
  @ApiOkResponse({ type: TaskResponseDto, description: 'The task with its new lease.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    400: ['REQUEST.VALIDATION_FAILED', 'REQUEST.INVALID_ID'],
    403: ['TASK.AGENT_REQUIRED', 'TASK.NOT_ASSIGNEE', PROJECT_403],
    404: 'TASK.NOT_FOUND',
    409: 'TASK.NOT_LEASED',
  })
  extendLease(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: LeaseDto,
  ): Promise<TaskResponseDto> {
    return this.tasks.extendLease(principal, id, dto);
  }
}
