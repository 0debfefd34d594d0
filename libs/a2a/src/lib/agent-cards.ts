import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AgentCard } from '@a2a-js/sdk';
import { NotFoundError, toProblem } from '@agenthub/errors';
import { isUuid, RestDispatcher, RestProblem } from '@agenthub/http';
import { agentCardOf, AgentJson, CapabilityJson } from './agent-card';

const AGENT_NOT_FOUND = new NotFoundError('AGENT.NOT_FOUND', 'Agent not found');

/**
 * An agent's card for one caller: the agent and its capabilities read over REST as the caller
 * (so a caller who may not read the agent gets REST's refusal, a RestProblem), the card's URL
 * absolute, from the request's protocol and host (behind a proxy: its X-Forwarded-* headers,
 * which the app trusts). Without `skills`, the card has none (one read fewer).
 */
@Injectable()
export class AgentCards {
  constructor(private readonly rest: RestDispatcher) {}

  async cardFor(
    id: string,
    request: FastifyRequest,
    options: { skills: boolean } = { skills: true },
  ): Promise<{ card: AgentCard; agent: AgentJson }> {
    // Every agent id is a UUID. Anything else names no agent, and never goes into a REST path
    // (a `.` or `..` there would be resolved into another route).
    if (!isUuid(id)) throw new RestProblem(404, { ...toProblem(AGENT_NOT_FOUND) });
    const call = {
      authorization: request.headers.authorization ?? '',
      via: 'a2a',
      requestId: String(request.id),
    };
    const path = `/agents/${encodeURIComponent(id)}`;
    const agent = (await this.rest.call<AgentJson>({ ...call, method: 'GET', path }))
      .body as AgentJson;
    const capabilities = options.skills
      ? (
          (
            await this.rest.call<{ capabilities: CapabilityJson[] }>({
              ...call,
              method: 'GET',
              path: `${path}/capabilities`,
            })
          ).body as { capabilities: CapabilityJson[] }
        ).capabilities
      : [];
    const url = `${request.protocol}://${request.host}/a2a/agents/${encodeURIComponent(agent.id)}`;
    return { card: agentCardOf(agent, capabilities, url), agent };
  }
}
