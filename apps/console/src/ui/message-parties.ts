import { useSession } from '../api/session';
import { useAgentNames } from './agent-queries';
import type { Party } from './conversations';
import { shortId } from './workflow-model';

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
