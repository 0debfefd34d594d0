import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal, ProjectAccessPolicy } from '@agenthub/auth';
import { Page, page, PaginationQueryDto } from '@agenthub/http';
import { generateAgentKey } from './agent-api-key';
import {
  AgentApiKeyExpiryInPastError,
  AgentApiKeyNotFoundError,
  AgentNotFoundError,
} from './agents.errors';
import { Agent } from './entities/agent.entity';
import { AgentApiKey } from './entities/agent-api-key.entity';
import type { CreateAgentApiKeyDto } from './dto/create-agent-api-key.dto';
import {
  AgentApiKeyResponseDto,
  CreatedAgentApiKeyResponseDto,
  toAgentApiKeyResponse,
} from './dto/agent-api-key-response.dto';

/**
 * An agent's API keys. Keys are administered by whoever manages the agent's project; an
 * agent (signed in with a key) may not list, create or revoke keys, its own included.
 */
@Injectable()
export class AgentApiKeysService {
  constructor(
    private readonly em: EntityManager,
    private readonly policy: ProjectAccessPolicy,
  ) {}

  /** The new key (with its secret) and the project it was made in (for the audit record). */
  async create(
    principal: Principal,
    agentId: string,
    dto: CreateAgentApiKeyDto,
  ): Promise<{ key: CreatedAgentApiKeyResponseDto; projectId: string }> {
    const agent = await this.agentForManage(principal, agentId);
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new AgentApiKeyExpiryInPastError();

    const { secret, hash, prefix } = generateAgentKey();
    const key = new AgentApiKey();
    key.agent = agent;
    key.createdBy = principal.kind === 'user' ? principal.userId : null;
    key.name = dto.name ?? null;
    key.keyHash = hash;
    key.keyPrefix = prefix;
    key.expiresAt = expiresAt;
    this.em.persist(key);
    await this.em.flush();
    return { key: { ...toAgentApiKeyResponse(key), api_key: secret }, projectId: agent.projectId };
  }

  async list(
    principal: Principal,
    agentId: string,
    query: PaginationQueryDto,
  ): Promise<Page<AgentApiKeyResponseDto>> {
    await this.agentForManage(principal, agentId);
    const [keys, total] = await this.em.findAndCount(
      AgentApiKey,
      { agent: agentId },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.limit, offset: query.offset },
    );
    const now = new Date();
    return page(
      keys.map((k) => toAgentApiKeyResponse(k, now)),
      total,
      query,
    );
  }

  /**
   * Revokes a key; from the next request on it is refused (every request checks the
   * database, whichever API process serves it). Revoking a revoked key changes nothing.
   */
  async revoke(
    principal: Principal,
    agentId: string,
    keyId: string,
  ): Promise<{ projectId: string }> {
    const agent = await this.agentForManage(principal, agentId);
    const key = await this.em.findOne(AgentApiKey, { id: keyId, agent: agentId });
    if (!key) throw new AgentApiKeyNotFoundError();
    if (key.status !== 'revoked') {
      key.status = 'revoked';
      key.revokedAt = new Date();
      await this.em.flush();
    }
    return { projectId: agent.projectId };
  }

  private async agentForManage(principal: Principal, agentId: string): Promise<Agent> {
    const agent = await this.em.findOne(Agent, { id: agentId });
    if (!agent) throw new AgentNotFoundError();
    await this.policy.assertCanAccess(principal, agent.projectId, 'manage');
    return agent;
  }
}
