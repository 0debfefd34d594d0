import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Audit, AuditNote, AuditNoteData, CurrentPrincipal, Principal } from '@agenthub/auth';
import { Page, UuidParam } from '@agenthub/http';
import { AgentsService } from './agents.service';
import { CreateAgentDto } from './dto/create-agent.dto';
import { UpdateAgentDto } from './dto/update-agent.dto';
import { ListAgentsQueryDto } from './dto/list-agents-query.dto';
import { HeartbeatDto } from './dto/heartbeat.dto';
import { PutCapabilitiesDto } from './dto/agent-capabilities.dto';
import { BatchDeployDto, BatchDeployResult } from './dto/batch-deploy.dto';
import type { AgentResponse } from './dto/agent-response.dto';
import type { AgentCapabilitiesResponse } from './dto/agent-capability-response.dto';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post()
  @Audit('agent.create', 'agent')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateAgentDto,
  ): Promise<AgentResponse> {
    return this.agents.create(principal, dto);
  }

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListAgentsQueryDto,
  ): Promise<Page<AgentResponse>> {
    return this.agents.list(principal, query);
  }

  /** Upsert by name; 200 even when some items failed (they are listed in `errors`). */
  @Post('batch')
  @HttpCode(200)
  @Audit('agent.batch_deploy', 'agent')
  deployBatch(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: BatchDeployDto,
    @AuditNote() note: AuditNoteData,
  ): Promise<BatchDeployResult> {
    note.projectId = dto.project_id;
    return this.agents.deployBatch(principal, dto);
  }

  @Get(':id')
  get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<AgentResponse> {
    return this.agents.get(principal, id);
  }

  @Patch(':id')
  @Audit('agent.update', 'agent')
  update(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateAgentDto,
  ): Promise<AgentResponse> {
    return this.agents.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audit('agent.delete', 'agent')
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
  heartbeat(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: HeartbeatDto,
  ): Promise<AgentResponse> {
    return this.agents.heartbeat(principal, id, dto);
  }

  @Get(':id/capabilities')
  getCapabilities(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<AgentCapabilitiesResponse> {
    return this.agents.getCapabilities(principal, id);
  }

  @Put(':id/capabilities')
  @Audit('agent.capabilities_replace', 'agent')
  putCapabilities(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: PutCapabilitiesDto,
  ): Promise<AgentCapabilitiesResponse> {
    return this.agents.putCapabilities(principal, id, dto);
  }
}
