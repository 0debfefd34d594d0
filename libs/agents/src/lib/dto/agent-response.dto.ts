import { ApiProperty } from '@nestjs/swagger';
import { isoTimestamp } from '@agenthub/http';
import { AGENT_STATUSES, type AgentStatus } from '../agent-status';
import type { AgentRow } from '../agent.repository';

/**
 * An agent on the wire: the broker's AgentDB fields, plus system_prompt and model_* from the
 * phase-1 SQLite platform and last_heartbeat from its phase-2 PostgreSQL design.
 */
export class AgentResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty({ description: 'Unique within the project.' })
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  nickname!: string | null;

  @ApiProperty({ example: 'generic' })
  agent_type!: string;

  @ApiProperty({
    enum: AGENT_STATUSES,
    description:
      'As the agent reads now: `offline` once its heartbeat is older than AGENT_HEARTBEAT_TIMEOUT ' +
      '(past `heartbeat_expires_at`).',
  })
  status!: AgentStatus;

  @ApiProperty({ type: [String], description: 'Capability names, in the order given.' })
  capabilities!: string[];

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  config!: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true })
  system_prompt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  model_provider!: string | null;

  @ApiProperty({ type: String, nullable: true })
  model_name!: string | null;

  @ApiProperty()
  is_active!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_heartbeat!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'When the agent reads as `offline` unless it sends another heartbeat: `last_heartbeat` plus ' +
      'AGENT_HEARTBEAT_TIMEOUT, by the server’s clock. Past this moment `status` is `offline`, ' +
      'whatever the agent last reported, and no event says so: a client can show the agent ' +
      'offline at this moment without asking again. `null` when it never sent a heartbeat.',
  })
  heartbeat_expires_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

/** Exactly the wire's fields (a row may carry more, such as its project's owner), timestamps in ISO-8601. */
export function toAgentResponse(row: AgentRow): AgentResponseDto {
  return {
    id: row.id,
    project_id: row.project_id,
    name: row.name,
    nickname: row.nickname,
    agent_type: row.agent_type,
    status: row.status,
    capabilities: row.capabilities,
    config: row.config,
    system_prompt: row.system_prompt,
    model_provider: row.model_provider,
    model_name: row.model_name,
    is_active: row.is_active,
    last_heartbeat: row.last_heartbeat ? isoTimestamp(row.last_heartbeat) : null,
    heartbeat_expires_at: row.heartbeat_expires_at ? isoTimestamp(row.heartbeat_expires_at) : null,
    created_at: isoTimestamp(row.created_at),
    updated_at: isoTimestamp(row.updated_at),
  };
}
