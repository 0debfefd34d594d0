/**
 * Wire limits of task fields: huge values are a 400, never a 500. Capability lists follow the
 * agents lib's CapabilityNames(), so a task never requires what no agent could have.
 */
export const TASK_LIMITS = {
  title: 500,
  description: 100_000,
  dependencies: 1_000,
  maxAttempts: 100,
  stepOrder: 1_000_000,
  /** Serialized size of `result`. */
  resultBytes: 256 * 1024,
  /** Parts a task is created with: how many, and their serialized size together. */
  parts: 100,
  partsBytes: 256 * 1024,
  search: 200,
  /** Leases: at least 10 s, at most a day. */
  leaseSecondsMin: 10,
  leaseSecondsMax: 86_400,
} as const;
