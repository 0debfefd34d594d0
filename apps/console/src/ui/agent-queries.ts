import type { AgentHubClient, components } from '@agenthub/client';
import { useQueries, useQuery } from '@tanstack/react-query';
import { unwrap } from '../api/problem';
import { useClient } from '../api/session';
import type { Agent } from './agent-liveness';

export type AgentCapabilities = components['schemas']['AgentCapabilitiesResponseDto'];

/** The API's longest page. */
const PAGE = 500;

/** Every agent of the project matching `q` (all of them without), read page by page. */
export async function readAllAgents(
  client: AgentHubClient,
  projectId: string,
  q: string | undefined,
  signal?: AbortSignal,
): Promise<Agent[]> {
  const agents: Agent[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await unwrap(
      client.GET('/api/v1/agents', {
        params: { query: { project_id: projectId, q: q || undefined, limit: PAGE, offset } },
        signal,
      }),
    );
    agents.push(...page.items);
    if (page.items.length < PAGE || agents.length >= page.total) return agents;
  }
}

/** The read of the project's agents matching `q` (all of them without). */
const agentsQuery = (client: AgentHubClient, projectId: string, q?: string) => ({
  queryKey: ['agents', projectId, { q: q ?? '' }],
  queryFn: ({ signal }: { signal: AbortSignal }) => readAllAgents(client, projectId, q, signal),
});

/** The project's agents (those matching `q` when given), newest first. */
export function useAgents(projectId: string, q?: string) {
  const client = useClient();
  return useQuery({
    ...agentsQuery(client, projectId, q),
    // While another search of the same project loads, the last one stays shown.
    placeholderData: (previous, previousQuery) =>
      previousQuery?.queryKey[1] === projectId ? previous : undefined,
  });
}

/** Each agent's capabilities with their confidence, by agent id (one read per agent). */
export function useAgentCapabilities(agentIds: readonly string[]) {
  const client = useClient();
  return useQueries({
    queries: agentIds.map((id) => ({
      queryKey: ['capabilities', id],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        unwrap(
          client.GET('/api/v1/agents/{id}/capabilities', { params: { path: { id } }, signal }),
        ),
    })),
    combine: (results) => {
      const byAgent = new Map<string, AgentCapabilities>();
      for (const result of results) if (result.data) byAgent.set(result.data.agent_id, result.data);
      return { byAgent, error: results.find((r) => r.error)?.error ?? null };
    },
  });
}

const namesById = (agents: Agent[]) => new Map(agents.map((agent) => [agent.id, agent.name]));

/**
 * The project's agents' names by id, for naming senders, recipients and actors (the same read
 * as `useAgents`).
 */
export function useAgentNames(projectId: string) {
  const client = useClient();
  return useQuery({ ...agentsQuery(client, projectId), select: namesById, staleTime: 60_000 });
}

/** An agent's name (its nickname when it has one), for a step's assignee. */
export function useAgentName(id: string | null | undefined) {
  const client = useClient();
  return useQuery({
    queryKey: ['agent', id],
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/v1/agents/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: Boolean(id),
    retry: false,
    select: (agent) => agent.nickname || agent.name,
  });
}
