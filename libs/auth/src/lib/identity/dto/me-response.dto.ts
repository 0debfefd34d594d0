import { ApiProperty } from '@nestjs/swagger';
import type { AgentPrincipal } from '../principal';
import { UserResponseDto } from './user-response.dto';

/** `GET /auth/me` with a user JWT: the signed-in user. */
export class UserMeResponseDto extends UserResponseDto {
  @ApiProperty({ enum: ['user'] })
  kind!: 'user';
}

/** `GET /auth/me` with an agent API key: the agent, its project and the key. */
export class AgentMeResponseDto {
  @ApiProperty({ enum: ['agent'] })
  kind!: 'agent';

  @ApiProperty({ format: 'uuid' })
  agent_id!: string;

  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty({ format: 'uuid' })
  key_id!: string;
}

/** `GET /auth/me`: who the bearer token belongs to, told apart by `kind`. */
export type MeResponse = UserMeResponseDto | AgentMeResponseDto;

export function toAgentMeResponse(agent: AgentPrincipal): AgentMeResponseDto {
  return {
    kind: 'agent',
    agent_id: agent.agentId,
    project_id: agent.projectId,
    key_id: agent.keyId,
  };
}
