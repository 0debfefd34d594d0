import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { OptionalNotNull } from '@agenthub/http';
import { AGENT_STATUSES, AgentStatus, HEARTBEAT_DEFAULT_STATUS } from '../agent-status';

export class HeartbeatDto {
  @ApiPropertyOptional({ enum: AGENT_STATUSES, default: HEARTBEAT_DEFAULT_STATUS })
  @OptionalNotNull()
  @IsIn(AGENT_STATUSES, { message: `status must be one of ${AGENT_STATUSES.join(', ')}` })
  status?: AgentStatus;
}
