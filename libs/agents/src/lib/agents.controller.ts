import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  Audit,
  AuditNote,
  AuditNoteData,
  ChangesAccess,
  CurrentPrincipal,
  Principal,
} from '@agenthub/auth';
import {
  ApiAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  Page,
  UuidParam,
} from '@agenthub/http';
import { AgentsService } from './agents.service';
import { CreateAgentDto } from './dto/create-agent.dto';
import { UpdateAgentDto } from './dto/update-agent.dto';
import { ListAgentsQueryDto } from './dto/list-agents-query.dto';
import { HeartbeatDto } from './dto/heartbeat.dto';
import { PutCapabilitiesDto } from './dto/agent-capabilities.dto';
import { BatchDeployDto, BatchDeployResultDto } from './dto/batch-deploy.dto';
import { AgentResponseDto } from './dto/agent-response.dto';
import { AgentCapabilitiesResponseDto } from './dto/agent-capability-response.dto';

const FORBIDDEN = 'PROJECT.FORBIDDEN';
const AGENT_NOT_FOUND = 'AGENT.NOT_FOUND';
const PROJECT_NOT_FOUND = 'PROJECT.NOT_FOUND';

@ApiTags('agents')
@ApiAuth()
@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post()
  @Audit('agent.create', 'agent')
  @ApiOp('createAgent', 'Register an agent in a project', 'Needs `manage` on the project.')
  @ApiCreatedResponse({ type: AgentResponseDto, description: 'The agent as stored.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    403: FORBIDDEN,
    404: PROJECT_NOT_FOUND,
    409: 'AGENT.NAME_TAKEN',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateAgentDto,
  ): Promise<AgentResponseDto> {
    return this.agents.create(principal, dto);
  }

  @Get()
  @ApiOp(
    'listAgents',
    'List agents',
    'Agents of every project the caller may read, or of `project_id` only; newest first.',
  )
  @ApiPage(AgentResponseDto)
  @ApiProblems([400, 401, 403, 404], { 403: FORBIDDEN, 404: PROJECT_NOT_FOUND })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListAgentsQueryDto,
  ): Promise<Page<AgentResponseDto>> {
    return this.agents.list(principal, query);
  }

  @Post('batch')
  @HttpCode(200)
  @Audit('agent.batch_deploy', 'agent')
  @ChangesAccess()
  @ApiOp(
    'deployAgents',
    'Create or update many agents by name',
    'Upserts the valid items in one transaction; an invalid item is reported in `errors` and not written, and the answer is still 200. Needs `manage` on the project.',
  )
  @ApiOkResponse({ type: BatchDeployResultDto, description: 'What happened to each item.' })
  @ApiProblems([400, 401, 403, 404, 413, 415], { 403: FORBIDDEN, 404: PROJECT_NOT_FOUND })
  deployBatch(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: BatchDeployDto,
    @AuditNote() note: AuditNoteData,
  ): Promise<BatchDeployResultDto> {
    note.projectId = dto.project_id;
    return this.agents.deployBatch(principal, dto);
  }

  @Get(':id')
  @ApiOp('getAgent', 'Get an agent')
  @ApiUuidParam('id')
  @ApiOkResponse({ type: AgentResponseDto })
  @ApiProblems([400, 401, 403, 404], { 403: FORBIDDEN, 404: AGENT_NOT_FOUND })
  get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<AgentResponseDto> {
    return this.agents.get(principal, id);
  }

  @Patch(':id')
  @Audit('agent.update', 'agent')
  @ChangesAccess()
  @ApiOp(
    'updateAgent',
    'Change some fields of an agent',
    'Fields left out stay as they are; `null` clears a nullable field. Needs `manage` on the project.',
  )
  @ApiUuidParam('id')
  @ApiOkResponse({ type: AgentResponseDto, description: 'The agent as stored.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    403: FORBIDDEN,
    404: AGENT_NOT_FOUND,
    409: 'AGENT.NAME_TAKEN',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateAgentDto,
  ): Promise<AgentResponseDto> {
    return this.agents.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audit('agent.delete', 'agent')
  @ChangesAccess()
  @ApiOp(
    'deleteAgent',
    'Delete an agent',
    'Its API keys, capability details and room participations go with it. Needs `manage` on the project.',
  )
  @ApiUuidParam('id')
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems([400, 401, 403, 404], { 403: FORBIDDEN, 404: AGENT_NOT_FOUND })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @AuditNote() note: AuditNoteData,
  ): Promise<void> {
    note.projectId = (await this.agents.remove(principal, id)).projectId;
  }

  @Post(':id/heartbeat')
  @HttpCode(200)
  @Audit('agent.heartbeat', 'agent')
  @ApiOp(
    'heartbeatAgent',
    "Report an agent's heartbeat",
    'Stamps `last_heartbeat` (which moves `heartbeat_expires_at` to AGENT_HEARTBEAT_TIMEOUT from now) and sets `status` (`online` when no body is sent). By the agent itself (its own key) or by whoever may manage its project.',
  )
  @ApiUuidParam('id')
  @ApiBody({ type: HeartbeatDto, required: false })
  @ApiOkResponse({ type: AgentResponseDto, description: 'The agent after the heartbeat.' })
  @ApiProblems([400, 401, 403, 404, 413, 415], { 403: FORBIDDEN, 404: AGENT_NOT_FOUND })
  heartbeat(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: HeartbeatDto,
  ): Promise<AgentResponseDto> {
    return this.agents.heartbeat(principal, id, dto);
  }

  @Get(':id/capabilities')
  @ApiOp(
    'getAgentCapabilities',
    "Get an agent's capabilities with their details",
    'A capability nobody described reads with the defaults (confidence 0.5, never used).',
  )
  @ApiUuidParam('id')
  @ApiOkResponse({ type: AgentCapabilitiesResponseDto })
  @ApiProblems([400, 401, 403, 404], { 403: FORBIDDEN, 404: AGENT_NOT_FOUND })
  getCapabilities(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<AgentCapabilitiesResponseDto> {
    return this.agents.getCapabilities(principal, id);
  }

  @Put(':id/capabilities')
  @Audit('agent.capabilities_replace', 'agent')
  @ApiOp(
    'replaceAgentCapabilities',
    "Replace an agent's capabilities",
    "The agent's `capabilities` become exactly these names, with the details given; usage counters of the names it keeps survive. Needs `manage` on the project.",
  )
  @ApiUuidParam('id')
  @ApiOkResponse({ type: AgentCapabilitiesResponseDto, description: 'The capabilities as stored.' })
  @ApiProblems([400, 401, 403, 404, 413, 415], { 403: FORBIDDEN, 404: AGENT_NOT_FOUND })
  putCapabilities(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: PutCapabilitiesDto,
  ): Promise<AgentCapabilitiesResponseDto> {
    return this.agents.putCapabilities(principal, id, dto);
  }
}
