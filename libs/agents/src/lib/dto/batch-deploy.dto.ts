import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsUUID } from 'class-validator';
import { AgentFieldsDto } from './agent-fields.dto';
import { AGENT_LIMITS as L } from './agent-limits';

/**
 * `POST /agents/batch`. Only the envelope is validated by the pipe; each item is validated on
 * its own (as an AgentFieldsDto) so one bad item is reported instead of failing the batch.
 */
export class BatchDeployDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  project_id!: string;

  @ApiProperty({
    type: [AgentFieldsDto],
    maxItems: L.batch,
    description:
      'Agents to create or update by `name`: a new one gets the defaults of `createAgent`, an existing one keeps the fields left out. An item that breaks a rule is reported in `errors`, not written; the others still are.',
  })
  @IsArray()
  @ArrayMaxSize(L.batch, { message: `agents must contain at most ${L.batch} items` })
  agents!: unknown[];
}

export class BatchDeployErrorDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Position of the item in `agents`.' })
  index!: number;

  @ApiProperty({ type: String, nullable: true, description: "The item's name, when it has one." })
  name!: string | null;

  @ApiProperty({ description: 'Why the item was not written.' })
  error!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    description: 'Field → messages, when the item failed validation.',
  })
  fields?: Record<string, string[]>;
}

export class DeployedAgentDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Position of the item in `agents`.' })
  index!: number;

  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'True when the agent is new, false when it was updated.' })
  created!: boolean;
}

export class BatchDeployResultDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Items written.' })
  success!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Items refused.' })
  failed!: number;

  @ApiProperty({ type: [BatchDeployErrorDto], description: 'The refused items, by index.' })
  errors!: BatchDeployErrorDto[];

  @ApiProperty({
    type: [DeployedAgentDto],
    description: 'What happened to each item that succeeded.',
  })
  deployed!: DeployedAgentDto[];
}
