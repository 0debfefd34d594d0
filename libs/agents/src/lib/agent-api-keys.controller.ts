import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Audit, AuditNote, AuditNoteData, CurrentPrincipal, Principal } from '@agenthub/auth';
import { Page, PaginationQueryDto, UuidParam } from '@agenthub/http';
import { AgentApiKeysService } from './agent-api-keys.service';
import { CreateAgentApiKeyDto } from './dto/create-agent-api-key.dto';
import type {
  AgentApiKeyResponse,
  CreatedAgentApiKeyResponse,
} from './dto/agent-api-key-response.dto';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('agents/:id/api-keys')
export class AgentApiKeysController {
  constructor(private readonly keys: AgentApiKeysService) {}

  /** 201 with `api_key`: the secret, shown this once. */
  @Post()
  @Audit('agent_api_key.create', 'api_key')
  async create(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') agentId: string,
    @Body() dto: CreateAgentApiKeyDto,
    @AuditNote() note: AuditNoteData,
  ): Promise<CreatedAgentApiKeyResponse> {
    const { key, projectId } = await this.keys.create(principal, agentId, dto);
    note.projectId = projectId;
    return key;
  }

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') agentId: string,
    @Query() query: PaginationQueryDto,
  ): Promise<Page<AgentApiKeyResponse>> {
    return this.keys.list(principal, agentId, query);
  }

  @Delete(':key_id')
  @HttpCode(204)
  @Audit('agent_api_key.revoke', 'api_key')
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') agentId: string,
    @UuidParam('key_id') keyId: string,
    @AuditNote() note: AuditNoteData,
  ): Promise<void> {
    note.resourceId = keyId;
    note.projectId = (await this.keys.revoke(principal, agentId, keyId)).projectId;
  }
}
