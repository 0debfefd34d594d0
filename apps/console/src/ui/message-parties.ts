import { useQuery } from '@tanstack/react-query';
import { unwrap } from '../api/problem';
import { useClient, useSession } from '../api/session';
import type { Party } from './conversations';

/** How many agents one read of the names takes (the API's largest page). */
const NAMES_PAGE = 500;

/** The project's agents by id, for naming senders, recipients and actors. */
export function useAgentNames(projectId: string) {
  const client = useClient();
  return useQuery({
    queryKey: ['agents', projectId, 'names'],
    queryFn: async ({ signal }) => {
      const page = await unwrap(
        client.GET('/api/v1/agents', {
          params: { query: { project_id: projectId, limit: NAMES_PAGE } },
          signal,
        }),
      );
      return new Map(page.items.map((agent) => [agent.id, agent.name]));
    },
    staleTime: 60_000,
  });
}

export const shortId = (id: string): string => id.slice(0, 8);

/**
 * A party as people read it: the agent's name, "you" for the signed-in user, else the kind and
 * the start of the id (the whole id is the title).
 */
export function partyLabel(
  party: Party,
  agents: ReadonlyMap<string, string> | undefined,
  me: { id: string; name: string } | undefined,
): string {
  if (party.id === null) return party.type === 'agent' ? 'deleted agent' : 'deleted user';
  if (party.type === 'agent') return agents?.get(party.id) ?? `agent ${shortId(party.id)}`;
  if (me && party.id === me.id) return `${me.name} (you)`;
  return `user ${shortId(party.id)}`;
}

/** `partyLabel` bound to the project's agents and the signed-in user. */
export function usePartyLabel(projectId: string): (party: Party) => string {
  const agents = useAgentNames(projectId).data;
  const { user } = useSession();
  return (party) => partyLabel(party, agents, { id: user.id, name: user.name });
}
