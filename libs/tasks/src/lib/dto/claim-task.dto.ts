import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { CapabilityNames } from '@agenthub/agents';
import { TASK_LIMITS as L } from './task-limits';

export const DEFAULT_LEASE_SECONDS = 300;

/** How long a lease lasts; the same rule for claim and for extending a lease. */
export class LeaseDto {
  @ApiPropertyOptional({
    type: 'integer',
    default: DEFAULT_LEASE_SECONDS,
    description: 'How long the lease lasts from now, in seconds.',
    minimum: L.leaseSecondsMin,
    maximum: L.leaseSecondsMax,
  })
  @IsOptional()
  @IsInt()
  @Min(L.leaseSecondsMin)
  @Max(L.leaseSecondsMax)
  lease_seconds?: number;
}

/** `POST /tasks/claim` (agents only). Everything optional: `{}` or no body at all. */
export class ClaimTaskDto extends LeaseDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "The agent's own project (the only one it may claim from); the default.",
  })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiPropertyOptional({
    description:
      "Claim only tasks these capabilities cover (each must be one of the agent's). By default, all of the agent's capabilities.",
  })
  @IsOptional()
  @CapabilityNames()
  capabilities?: string[];
}
