import { ApiProperty } from '@nestjs/swagger';
import type { AgentApiKey } from '../entities/agent-api-key.entity';

export const AGENT_API_KEY_DISPLAY_STATUSES = ['active', 'revoked', 'expired'] as const;
export type AgentApiKeyDisplayStatus = (typeof AGENT_API_KEY_DISPLAY_STATUSES)[number];

/** A key as listed: never the secret, never the hash. */
export class AgentApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  agent_id!: string;

  @ApiProperty({ type: String, nullable: true })
  name!: string | null;

  @ApiProperty({ description: 'The start of the secret, to tell keys apart.' })
  key_prefix!: string;

  @ApiProperty({
    enum: AGENT_API_KEY_DISPLAY_STATUSES,
    description: '`expired` once `expires_at` has passed.',
  })
  status!: AgentApiKeyDisplayStatus;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The user who made the key.',
  })
  created_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Null: the key does not expire.',
  })
  expires_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_used_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revoked_at!: string | null;
}

/** The answer to creating a key: the only time the secret is shown. */
export class CreatedAgentApiKeyResponseDto extends AgentApiKeyResponseDto {
  @ApiProperty({
    description: 'The secret, shown this once: send it as `Authorization: Bearer <api_key>`.',
  })
  api_key!: string;
}

export function toAgentApiKeyResponse(key: AgentApiKey, now = new Date()): AgentApiKeyResponseDto {
  const status: AgentApiKeyDisplayStatus =
    key.status === 'revoked'
      ? 'revoked'
      : key.expiresAt && key.expiresAt.getTime() <= now.getTime()
        ? 'expired'
        : 'active';
  return {
    id: key.id,
    agent_id: key.agent.id,
    name: key.name ?? null,
    key_prefix: key.keyPrefix,
    status,
    created_by: key.createdBy ?? null,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt ? key.expiresAt.toISOString() : null,
    last_used_at: key.lastUsedAt ? key.lastUsedAt.toISOString() : null,
    revoked_at: key.revokedAt ? key.revokedAt.toISOString() : null,
  };
}
