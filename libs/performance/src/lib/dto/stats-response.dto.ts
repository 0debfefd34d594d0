import { ApiProperty } from '@nestjs/swagger';

/*
 * The statuses and priorities the stats count, one key each (0 when nothing has it). The
 * libs that own these tables (tasks, messaging, workflows) record into this one, so it cannot
 * import their lists; the database's CHECK constraints are the source of truth, and
 * stats.repository.spec.ts fails when a list here and its constraint disagree.
 */
export const AGENT_STATUS_KEYS = ['offline', 'online', 'idle', 'active', 'busy', 'error'] as const;
export const TASK_STATUS_KEYS = [
  'pending',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
] as const;
export const TASK_PRIORITY_KEYS = ['low', 'medium', 'high', 'urgent'] as const;
export const MESSAGE_STATUS_KEYS = [
  'pending',
  'sent',
  'delivered',
  'acknowledged',
  'failed',
  'expired',
] as const;
export const EXECUTION_STATUS_KEYS = ['running', 'completed', 'failed', 'cancelled'] as const;

/** `{key: count}` with every key of the list present. */
export type Counts<K extends string> = Record<K, number>;

/** The schema of a {@link Counts}: each key a required non-negative integer, nothing else. */
function countsSchema(keys: readonly string[], description: string) {
  return {
    type: 'object' as const,
    description,
    properties: Object.fromEntries(keys.map((k) => [k, { type: 'integer' as const, minimum: 0 }])),
    required: [...keys],
    additionalProperties: false,
  };
}

export class AgentStatsDto {
  @ApiProperty(
    countsSchema(
      AGENT_STATUS_KEYS,
      'Agents per status, as `GET /agents` shows it: an agent whose last heartbeat is older than the heartbeat timeout counts as `offline`.',
    ),
  )
  by_status!: Counts<(typeof AGENT_STATUS_KEYS)[number]>;

  @ApiProperty({ type: 'integer', minimum: 0 })
  total!: number;
}

export class TaskStatsDto {
  @ApiProperty(countsSchema(TASK_STATUS_KEYS, 'Tasks per status.'))
  by_status!: Counts<(typeof TASK_STATUS_KEYS)[number]>;

  @ApiProperty(countsSchema(TASK_PRIORITY_KEYS, 'Tasks per priority (whatever their status).'))
  by_priority!: Counts<(typeof TASK_PRIORITY_KEYS)[number]>;

  @ApiProperty({ type: 'integer', minimum: 0 })
  total!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Tasks now `completed` whose `completed_at` is within the last hour.',
  })
  completed_last_hour!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description:
      'Tasks now `failed` that ended within the last hour (attempts used up, a lease that ran out, or an agent reporting failure).',
  })
  failed_last_hour!: number;
}

export class MessageStatsDto {
  @ApiProperty(countsSchema(MESSAGE_STATUS_KEYS, 'Agent messages per status.'))
  by_status!: Counts<(typeof MESSAGE_STATUS_KEYS)[number]>;

  @ApiProperty({ type: 'integer', minimum: 0 })
  total!: number;
}

export class ExecutionStatsDto {
  @ApiProperty(countsSchema(EXECUTION_STATUS_KEYS, 'Workflow executions per status.'))
  by_status!: Counts<(typeof EXECUTION_STATUS_KEYS)[number]>;

  @ApiProperty({ type: 'integer', minimum: 0 })
  total!: number;
}

/** A project at a glance: what its agents, tasks, messages and executions are doing now. */
export class ProjectStatsResponseDto {
  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty({ type: AgentStatsDto })
  agents!: AgentStatsDto;

  @ApiProperty({ type: TaskStatsDto })
  tasks!: TaskStatsDto;

  @ApiProperty({ type: MessageStatsDto })
  messages!: MessageStatsDto;

  @ApiProperty({ type: ExecutionStatsDto })
  executions!: ExecutionStatsDto;

  @ApiProperty({
    format: 'date-time',
    description:
      'When the figures were read (the database\'s clock, which also decides what "the last hour" and a stale heartbeat are).',
  })
  generated_at!: string;
}
