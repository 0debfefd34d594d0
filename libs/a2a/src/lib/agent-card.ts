import { createHash } from 'node:crypto';
import { A2A_PROTOCOL_VERSION } from '@a2a-js/sdk';
import type { AgentCard, AgentSkill } from '@a2a-js/sdk';

/** The agent as GET /agents/:id shows it (the fields the card uses). */
export interface AgentJson {
  id: string;
  project_id: string;
  name: string;
  nickname: string | null;
  agent_type: string;
  status: string;
  system_prompt: string | null;
  updated_at: string;
}

/** One capability as GET /agents/:id/capabilities shows it. */
export interface CapabilityJson {
  capability_name: string;
  description: string | null;
  input_schema: Record<string, unknown> | null;
  output_schema: Record<string, unknown> | null;
}

export const BEARER_SCHEME = 'bearer';
/** A schema longer than this is left out of a skill's examples (a card stays readable). */
const EXAMPLE_MAX = 4_000;
const TEXT = 'text/plain';
const JSON_MODE = 'application/json';

/** A system prompt longer than this is cut, as the card's description. */
const DESCRIPTION_MAX = 1_000;

/**
 * The card's version: a digest of everything else on it, so it changes exactly when the card
 * does (not with every heartbeat, which moves the agent's `updated_at`).
 */
function versionOf(card: AgentCard): string {
  return createHash('sha256').update(JSON.stringify(card)).digest('hex').slice(0, 16);
}

function descriptionOf(agent: AgentJson, name: string): string {
  const prompt = agent.system_prompt?.trim();
  if (!prompt)
    return `AgentHub agent "${name}" (${agent.agent_type}). A message sent to it becomes an AgentHub task assigned to it; the task's result comes back as an artifact.`;
  return prompt.length <= DESCRIPTION_MAX ? prompt : `${prompt.slice(0, DESCRIPTION_MAX - 1)}…`;
}

function example(label: string, schema: Record<string, unknown> | null): string[] {
  if (!schema) return [];
  const text = `${label} (JSON Schema): ${JSON.stringify(schema)}`;
  return text.length <= EXAMPLE_MAX ? [text] : [];
}

/**
 * A capability as a skill: its name, description and, as examples, the input and output
 * schemas it declared. A declared input schema means JSON input is understood besides text
 * (a data part); the result always comes back as JSON (a data part), text when it has one.
 */
function skillOf(capability: CapabilityJson): AgentSkill {
  const name = capability.capability_name;
  return {
    id: name,
    name,
    description: capability.description ?? `The "${name}" capability.`,
    tags: [name],
    examples: [
      ...example('Input', capability.input_schema),
      ...example('Output', capability.output_schema),
    ],
    inputModes: capability.input_schema ? [TEXT, JSON_MODE] : [TEXT],
    outputModes: capability.output_schema ? [JSON_MODE] : [JSON_MODE, TEXT],
    securityRequirements: [],
  };
}

/**
 * The A2A agent card of an AgentHub agent, served at `<url>/.well-known/agent-card.json`:
 * JSON-RPC at `url` (absolute), streaming on, push notifications and the extended card off
 * (their methods answer the protocol's own errors), bearer authentication (an agent API key
 * of the project or a user JWT), one skill per capability.
 */
export function agentCardOf(
  agent: AgentJson,
  capabilities: CapabilityJson[],
  url: string,
): AgentCard {
  const name = agent.nickname ?? agent.name;
  const card: AgentCard = {
    name,
    description: descriptionOf(agent, name),
    supportedInterfaces: [
      { url, protocolBinding: 'JSONRPC', protocolVersion: A2A_PROTOCOL_VERSION, tenant: '' },
    ],
    provider: { organization: 'AgentHub', url: new URL('/', url).toString() },
    version: '',
    capabilities: {
      streaming: true,
      pushNotifications: false,
      extendedAgentCard: false,
      extensions: [],
    },
    securitySchemes: {
      [BEARER_SCHEME]: {
        scheme: {
          $case: 'httpAuthSecurityScheme',
          value: {
            scheme: 'Bearer',
            bearerFormat: 'AgentHub agent API key or user JWT',
            description:
              "An API key of an agent of the agent's project, or the JWT of a user who may read the agent.",
          },
        },
      },
    },
    securityRequirements: [{ schemes: { [BEARER_SCHEME]: { list: [] } } }],
    defaultInputModes: [TEXT, JSON_MODE],
    defaultOutputModes: [JSON_MODE, TEXT],
    skills: capabilities.map(skillOf),
    signatures: [],
  };
  card.version = versionOf(card);
  return card;
}
