/** Wire limits of agent fields (the columns allow as much; huge strings are a 400, not a 500). */
export const AGENT_LIMITS = {
  name: 255,
  nickname: 255,
  agentType: 100,
  modelProvider: 100,
  modelName: 255,
  systemPrompt: 100_000,
  capabilities: 100,
  capabilityName: 100,
  capabilityDescription: 2_000,
  /** Serialized size of `config` and capability schemas. */
  jsonBytes: 64 * 1024,
  keyName: 255,
  search: 200,
  /** Items of one POST /agents/batch. */
  batch: 500,
} as const;
