import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Audit, AuditNote, AuditNoteData, CurrentPrincipal, Principal } from '@agenthub/auth';
import {
  ApiAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  Page,
  PaginationQueryDto,
  UuidParam,
} from '@agenthub/http';
import { WorkflowsService } from './workflows.service';
import {
  CreateWorkflowDto,
  GetWorkflowQueryDto,
  ListWorkflowsQueryDto,
  UpdateWorkflowDto,
} from './dto/workflow-request.dto';
import { WorkflowResponseDto, WorkflowVersionResponseDto } from './dto/workflow-response.dto';

/** Refused by the project policy: no such project, or not this caller's. */
const PROJECT_403 = 'PROJECT.FORBIDDEN';
const PROJECT_404 = 'PROJECT.NOT_FOUND';
const AGENT_403 = 'WORKFLOW.AGENT_FORBIDDEN';

@ApiTags('workflows')
@ApiAuth()
@Controller('workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  @Audit('workflow.create', 'workflow')
  @ApiOp(
    'createWorkflow',
    'Create a workflow',
    'Users who manage the project; agents get 403 `WORKFLOW.AGENT_FORBIDDEN`. The definition becomes version 1. The name is unique within the project.',
  )
  @ApiCreatedResponse({ type: WorkflowResponseDto, description: 'The new workflow.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    400: ['REQUEST.VALIDATION_FAILED', 'WORKFLOW.INVALID_DEFINITION'],
    403: [AGENT_403, PROJECT_403],
    404: PROJECT_404,
    409: 'WORKFLOW.NAME_TAKEN',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateWorkflowDto,
  ): Promise<WorkflowResponseDto> {
    return this.workflows.create(principal, dto);
  }

  @Get()
  @ApiOp(
    'listWorkflows',
    'List workflows',
    'Newest first (best matches first with `q`); without `project_id`, the workflows of every project the caller may read.',
  )
  @ApiPage(WorkflowResponseDto)
  @ApiProblems([400, 401, 403, 404], {
    400: 'REQUEST.VALIDATION_FAILED',
    403: PROJECT_403,
    404: PROJECT_404,
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListWorkflowsQueryDto,
  ): Promise<Page<WorkflowResponseDto>> {
    return this.workflows.list(principal, query);
  }

  @Get(':id')
  @ApiOp(
    'getWorkflow',
    'Get a workflow',
    "The project's owner, superusers and the project's agents. With `?version=N`, `definition` and `version` are those of version N.",
  )
  @ApiUuidParam('id', 'The workflow.')
  @ApiOkResponse({ type: WorkflowResponseDto, description: 'The workflow.' })
  @ApiProblems([400, 401, 403, 404], {
    400: ['REQUEST.VALIDATION_FAILED', 'REQUEST.INVALID_ID'],
    403: PROJECT_403,
    404: ['WORKFLOW.NOT_FOUND', 'WORKFLOW.VERSION_NOT_FOUND'],
  })
  get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: GetWorkflowQueryDto,
  ): Promise<WorkflowResponseDto> {
    return this.workflows.get(principal, id, query.version);
  }

  @Get(':id/versions')
  @ApiOp(
    'listWorkflowVersions',
    'List the versions of a workflow',
    'Newest first. A version never changes once written; executions run the version they started with.',
  )
  @ApiUuidParam('id', 'The workflow.')
  @ApiPage(WorkflowVersionResponseDto)
  @ApiProblems([400, 401, 403, 404], {
    400: ['REQUEST.VALIDATION_FAILED', 'REQUEST.INVALID_ID'],
    403: PROJECT_403,
    404: 'WORKFLOW.NOT_FOUND',
  })
  listVersions(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: PaginationQueryDto,
  ): Promise<Page<WorkflowVersionResponseDto>> {
    return this.workflows.listVersions(principal, id, query);
  }

  @Patch(':id')
  @Audit('workflow.update', 'workflow')
  @ApiOp(
    'updateWorkflow',
    'Update a workflow',
    'Users who manage the project. A `definition` that differs from the current one makes a new version (`version` + 1); the same definition again changes nothing. The other fields change in place; `null` clears the description.',
  )
  @ApiUuidParam('id', 'The workflow.')
  @ApiOkResponse({ type: WorkflowResponseDto, description: 'The workflow as changed.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    400: ['REQUEST.VALIDATION_FAILED', 'REQUEST.INVALID_ID', 'WORKFLOW.INVALID_DEFINITION'],
    403: [AGENT_403, PROJECT_403],
    404: 'WORKFLOW.NOT_FOUND',
    409: 'WORKFLOW.NAME_TAKEN',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateWorkflowDto,
  ): Promise<WorkflowResponseDto> {
    return this.workflows.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audit('workflow.delete', 'workflow')
  @ApiOp(
    'deleteWorkflow',
    'Delete a workflow',
    'Users who manage the project. Its versions, its executions and their tasks are deleted with it.',
  )
  @ApiUuidParam('id', 'The workflow.')
  @ApiNoContentResponse({ description: 'Deleted.' })
  // No body is expected, but Fastify still parses one that is sent: hence 413 and 415.
  @ApiProblems([400, 401, 403, 404, 413, 415], {
    400: 'REQUEST.INVALID_ID',
    403: [AGENT_403, PROJECT_403],
    404: 'WORKFLOW.NOT_FOUND',
  })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @AuditNote() note: AuditNoteData,
  ): Promise<void> {
    note.projectId = (await this.workflows.remove(principal, id)).projectId;
  }
}
