import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
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
  PaginationQueryDto,
  UuidParam,
} from '@agenthub/http';
import { AgentApiKeysService } from './agent-api-keys.service';
import { CreateAgentApiKeyDto } from './dto/create-agent-api-key.dto';
import {
  AgentApiKeyResponseDto,
  CreatedAgentApiKeyResponseDto,
} from './dto/agent-api-key-response.dto';

const FORBIDDEN = 'PROJECT.FORBIDDEN';
const AGENT_NOT_FOUND = 'AGENT.NOT_FOUND';
const WHO = "Needs `manage` on the agent's project; an agent key may not, its own included.";

@ApiTags('agents')
@ApiAuth()
@ApiUuidParam('id', 'The agent.')
@Controller('agents/:id/api-keys')
export class AgentApiKeysController {
  constructor(private readonly keys: AgentApiKeysService) {}

  @Post()
  @Audit('agent_api_key.create', 'api_key')
  @ApiOp('createAgentApiKey', 'Issue an API key for an agent', WHO)
  @ApiCreatedResponse({
    type: CreatedAgentApiKeyResponseDto,
    description: 'The key, with `api_key`: the secret, shown this once.',
  })
  @ApiProblems([400, 401, 403, 404, 413, 415], {
    400: 'AGENT_KEY.EXPIRY_IN_PAST',
    403: FORBIDDEN,
    404: AGENT_NOT_FOUND,
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') agentId: string,
    @Body() dto: CreateAgentApiKeyDto,
    @AuditNote() note: AuditNoteData,
  ): Promise<CreatedAgentApiKeyResponseDto> {
    const { key, projectId } = await this.keys.create(principal, agentId, dto);
    note.projectId = projectId;
    return key;
  }

  @Get()
  @ApiOp(
    'listAgentApiKeys',
    "List an agent's API keys",
    `Newest first, revoked and expired ones included; never the secret. ${WHO}`,
  )
  @ApiPage(AgentApiKeyResponseDto)
  @ApiProblems([400, 401, 403, 404], { 403: FORBIDDEN, 404: AGENT_NOT_FOUND })
  list(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') agentId: string,
    @Query() query: PaginationQueryDto,
  ): Promise<Page<AgentApiKeyResponseDto>> {
    return this.keys.list(principal, agentId, query);
  }

  @Delete(':key_id')
  @HttpCode(204)
  @Audit('agent_api_key.revoke', 'api_key')
  @ChangesAccess()
  @ApiOp(
    'revokeAgentApiKey',
    "Revoke an agent's API key",
    `From the next request on the key is refused (by the other API processes within a second); revoking a revoked key changes nothing. ${WHO}`,
  )
  @ApiUuidParam('key_id', 'The key.')
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems([400, 401, 403, 404], {
    403: FORBIDDEN,
    404: [AGENT_NOT_FOUND, 'AGENT_KEY.NOT_FOUND'],
  })
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
