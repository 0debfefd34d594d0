import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  mayAccessProject,
  Principal,
  ProjectAccessDeniedError,
  ProjectAccessLevel,
  ProjectAccessPolicy,
} from '@agenthub/auth';
import { Page, page } from '@agenthub/http';
import { HEARTBEAT_DEFAULT_STATUS } from './agent-status';
import { AgentRepository, AgentRowWithOwner } from './agent.repository';
import { AgentEvents } from './agent-events';
import { AgentNameTakenError, AgentNotFoundError } from './agents.errors';
import { Agent } from './entities/agent.entity';
import { AgentCapability, DEFAULT_CAPABILITY_CONFIDENCE } from './entities/agent-capability.entity';
import type { AgentFieldsDto } from './dto/agent-fields.dto';
import type { CreateAgentDto } from './dto/create-agent.dto';
import type { UpdateAgentDto } from './dto/update-agent.dto';
import type { ListAgentsQueryDto } from './dto/list-agents-query.dto';
import type { HeartbeatDto } from './dto/heartbeat.dto';
import type { PutCapabilitiesDto } from './dto/agent-capabilities.dto';
import type {
  BatchDeployDto,
  BatchDeployErrorDto,
  BatchDeployResultDto,
} from './dto/batch-deploy.dto';
import { AgentResponseDto, toAgentResponse } from './dto/agent-response.dto';
import {
  AgentCapabilitiesResponseDto,
  toAgentCapabilitiesResponse,
} from './dto/agent-capability-response.dto';
import { validateBatchItems } from './batch-items';

const NAME_CONSTRAINT = 'uq_agents_project_name';

function isNameClash(error: unknown): boolean {
  return (
    error instanceof UniqueConstraintViolationException &&
    (error as { constraint?: string }).constraint === NAME_CONSTRAINT
  );
}

/** Copies the fields a request gave (undefined = left as is) onto the entity. */
function applyAgentFields(agent: Agent, fields: Partial<AgentFieldsDto>): void {
  if (fields.name !== undefined) agent.name = fields.name;
  if (fields.nickname !== undefined) agent.nickname = fields.nickname;
  if (fields.agent_type !== undefined) agent.agentType = fields.agent_type;
  if (fields.status !== undefined) agent.status = fields.status;
  if (fields.capabilities !== undefined) agent.capabilities = fields.capabilities;
  if (fields.config !== undefined) agent.config = fields.config;
  if (fields.system_prompt !== undefined) agent.systemPrompt = fields.system_prompt;
  if (fields.model_provider !== undefined) agent.modelProvider = fields.model_provider;
  if (fields.model_name !== undefined) agent.modelName = fields.model_name;
  if (fields.is_active !== undefined) agent.isActive = fields.is_active;
}

/** How often a batch deploy retries after losing a race for a name to a concurrent create. */
const BATCH_ATTEMPTS = 3;

/**
 * The agent registry. Who may do what is the shared project policy ('read' to look,
 * 'manage' to change); the only agent-specific rule is that an agent may report its own
 * heartbeat. Every change of what `GET /agents/:id` shows is an `agent.*` event (AgentEvents),
 * written in the request's transaction; a write that leaves the agent as it was is none.
 */
@Injectable()
export class AgentsService {
  constructor(
    private readonly em: EntityManager,
    private readonly agents: AgentRepository,
    private readonly policy: ProjectAccessPolicy,
    private readonly events: AgentEvents,
  ) {}

  async create(principal: Principal, dto: CreateAgentDto): Promise<AgentResponseDto> {
    await this.policy.assertCanAccess(principal, dto.project_id, 'manage');
    const agent = new Agent();
    agent.projectId = dto.project_id;
    applyAgentFields(agent, dto);
    this.em.persist(agent);
    try {
      await this.em.flush();
    } catch (error) {
      if (isNameClash(error)) throw new AgentNameTakenError(dto.name);
      throw error;
    }
    const created = await this.read(agent.id);
    await this.events.emit('agent.created', created);
    return created;
  }

  async list(principal: Principal, query: ListAgentsQueryDto): Promise<Page<AgentResponseDto>> {
    const scope = await this.policy.listScope(principal, query.project_id);
    const { rows, total } = await this.agents.list({
      scope,
      status: query.status,
      isActive: query.is_active,
      agentType: query.agent_type,
      capability: query.capability,
      q: query.q,
      limit: query.limit,
      offset: query.offset,
    });
    return page(rows, total, query);
  }

  /** The hot path: one select, then the policy. */
  async get(principal: Principal, id: string): Promise<AgentResponseDto> {
    return toAgentResponse(await this.findRowFor(principal, id, 'read'));
  }

  async update(principal: Principal, id: string, dto: UpdateAgentDto): Promise<AgentResponseDto> {
    return this.em.transactional(async (em) => {
      const agent = await this.findForManage(em, principal, id);
      const stamp = agent.updatedAt;
      applyAgentFields(agent, dto);
      try {
        await em.flush();
      } catch (error) {
        if (isNameClash(error)) throw new AgentNameTakenError(dto.name);
        throw error;
      }
      if (dto.capabilities !== undefined) await this.agents.pruneCapabilityDetails([id]);
      const updated = await this.read(id);
      // The ORM stamps updated_at only when a field changed: a PATCH that changes nothing is
      // no event.
      if (agent.updatedAt !== stamp) await this.events.emit('agent.updated', updated);
      return updated;
    });
  }

  /** Keys, capability details and room participations go with it (ON DELETE CASCADE). */
  async remove(principal: Principal, id: string): Promise<{ projectId: string }> {
    const row = await this.findRowFor(principal, id, 'manage');
    // A concurrent delete won: this one deleted nothing, so it says so and writes no event.
    if ((await this.em.nativeDelete(Agent, { id })) === 0) throw new AgentNotFoundError();
    await this.events.emit('agent.deleted', toAgentResponse(row));
    return { projectId: row.project_id };
  }

  /**
   * By the agent itself (its own key) or by whoever may manage its project. Heartbeats are
   * frequent, and `last_heartbeat` (with `updated_at`) moves on each: that alone is no event.
   * One is `agent.updated` only when it changes the status the agent reads as, i.e. the status
   * it reports differs from the one it read as just before (`offline` too once its previous
   * heartbeat is older than the timeout): an agent coming back online, going busy, reporting an
   * error.
   */
  async heartbeat(principal: Principal, id: string, dto: HeartbeatDto): Promise<AgentResponseDto> {
    const isSelf = principal.kind === 'agent' && principal.agentId === id;
    if (!isSelf) await this.findRowFor(principal, id, 'manage');
    const beat = await this.agents.heartbeat(id, dto.status ?? HEARTBEAT_DEFAULT_STATUS);
    if (!beat) throw new AgentNotFoundError();
    const agent = toAgentResponse(beat.agent);
    if (agent.status !== beat.statusBefore) await this.events.emit('agent.updated', agent);
    return agent;
  }

  async getCapabilities(principal: Principal, id: string): Promise<AgentCapabilitiesResponseDto> {
    const row = await this.findRowFor(principal, id, 'read');
    const details = await this.em.find(AgentCapability, { agent: id });
    return toAgentCapabilitiesResponse(
      { id, projectId: row.project_id },
      row.capabilities,
      details,
    );
  }

  /**
   * Replaces the agent's capabilities: the list becomes exactly these names, each with the
   * details given (defaults for the rest). Usage counters of names it keeps survive.
   */
  async putCapabilities(
    principal: Principal,
    id: string,
    dto: PutCapabilitiesDto,
  ): Promise<AgentCapabilitiesResponseDto> {
    const { names, details, projectId } = await this.em.transactional(async (em) => {
      const agent = await this.findForManage(em, principal, id);
      const stamp = agent.updatedAt;
      agent.capabilities = dto.capabilities.map((c) => c.capability_name);
      const existing = new Map(
        (await em.find(AgentCapability, { agent })).map((d) => [d.capabilityName, d]),
      );
      const kept: AgentCapability[] = [];
      for (const given of dto.capabilities) {
        let detail = existing.get(given.capability_name);
        existing.delete(given.capability_name);
        if (!detail) {
          detail = new AgentCapability();
          detail.agent = agent;
          detail.capabilityName = given.capability_name;
          em.persist(detail);
        }
        detail.confidenceScore = given.confidence_score ?? DEFAULT_CAPABILITY_CONFIDENCE;
        detail.description = given.description ?? null;
        detail.inputSchema = given.input_schema ?? null;
        detail.outputSchema = given.output_schema ?? null;
        kept.push(detail);
      }
      for (const dropped of existing.values()) em.remove(dropped);
      await em.flush();
      // The agent's JSON shows the names only: new details of the same names are no event.
      if (agent.updatedAt !== stamp) await this.events.emit('agent.updated', await this.read(id));
      return { names: agent.capabilities, details: kept, projectId: agent.projectId };
    });
    return toAgentCapabilitiesResponse({ id, projectId }, names, details);
  }

  /**
   * The in-memory registry's deployBatch, done right: every item is validated on its own; the valid ones
   * are upserted by name in one transaction (all or none of them), the invalid ones are
   * reported by index and never written.
   */
  async deployBatch(principal: Principal, dto: BatchDeployDto): Promise<BatchDeployResultDto> {
    await this.policy.assertCanAccess(principal, dto.project_id, 'manage');
    const { valid, errors } = await validateBatchItems(dto.agents);

    let deployed: BatchDeployResultDto['deployed'] = [];
    if (valid.length > 0) {
      for (let attempt = 1; ; attempt++) {
        try {
          deployed = await this.em.transactional((em) =>
            this.upsertByName(em, dto.project_id, valid),
          );
          break;
        } catch (error) {
          // A concurrent request created one of these names after our select: the next
          // attempt finds it and updates it instead.
          if (!isNameClash(error) || attempt >= BATCH_ATTEMPTS) throw error;
        }
      }
    }
    const failed: BatchDeployErrorDto[] = errors.sort((a, b) => a.index - b.index);
    return { success: deployed.length, failed: failed.length, errors: failed, deployed };
  }

  private async upsertByName(
    em: EntityManager,
    projectId: string,
    items: { index: number; fields: AgentFieldsDto }[],
  ): Promise<BatchDeployResultDto['deployed']> {
    // Locked so a concurrent deploy of the same names waits for this one, then updates.
    const existing = await em.find(
      Agent,
      { projectId, name: { $in: items.map((i) => i.fields.name) } },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    const byName = new Map(existing.map((a) => [a.name, a]));
    const outcome = items.map(({ index, fields }) => {
      let agent = byName.get(fields.name);
      const created = !agent;
      if (!agent) {
        agent = new Agent();
        agent.projectId = projectId;
        em.persist(agent);
      }
      const stamp = agent.updatedAt;
      applyAgentFields(agent, fields);
      return {
        index,
        agent,
        created,
        stamp,
        capabilitiesChanged: !created && fields.capabilities !== undefined,
      };
    });
    await em.flush();
    await this.agents.pruneCapabilityDetails(
      outcome.filter((o) => o.capabilitiesChanged).map((o) => o.agent.id),
    );
    // In the items' order; an existing agent deployed as it already was is no event.
    const changed = outcome.filter((o) => o.created || o.agent.updatedAt !== o.stamp);
    const read = new Map(
      (await this.agents.findRows(changed.map((o) => o.agent.id))).map((r) => [
        r.id,
        toAgentResponse(r),
      ]),
    );
    await this.events.emitEach(
      changed.flatMap((o) => {
        const agent = read.get(o.agent.id);
        return agent ? [{ type: o.created ? 'agent.created' : 'agent.updated', agent }] : [];
      }),
    );
    return outcome.map(({ index, agent, created }) => ({
      index,
      id: agent.id,
      name: agent.name,
      created,
    }));
  }

  /**
   * The agent as read, when it exists (404) and `principal` may access its project at
   * `level` (403). The row carries its project's owner, so the shared rule
   * ({@link mayAccessProject}, what ProjectAccessPolicy applies) needs no second query.
   */
  private async findRowFor(
    principal: Principal,
    id: string,
    level: ProjectAccessLevel,
  ): Promise<AgentRowWithOwner> {
    const row = await this.agents.findRow(id);
    if (!row) throw new AgentNotFoundError();
    if (
      !mayAccessProject(principal, { id: row.project_id, ownerId: row.project_owner_id }, level)
    ) {
      throw new ProjectAccessDeniedError(level);
    }
    return row;
  }

  /** The agent, when it exists (404) and `principal` may manage its project (403). */
  private async findForManage(em: EntityManager, principal: Principal, id: string): Promise<Agent> {
    const agent = await em.findOne(Agent, { id });
    if (!agent) throw new AgentNotFoundError();
    await this.policy.assertCanAccess(principal, agent.projectId, 'manage');
    return agent;
  }

  private async read(id: string): Promise<AgentResponseDto> {
    const row = await this.agents.findRow(id);
    if (!row) throw new AgentNotFoundError();
    return toAgentResponse(row);
  }
}
