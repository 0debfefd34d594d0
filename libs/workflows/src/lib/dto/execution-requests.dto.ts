import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { MaxJsonSize, OptionalNotNull, PaginationQueryDto } from '@agenthub/http';
import { EXECUTION_STATUSES, ExecutionStatus } from '../entities/workflow-execution.entity';

/** How large (serialised) an execution's context may be: it is copied into every step's inputs. */
export const MAX_CONTEXT_BYTES = 64 * 1024;

export class StartExecutionDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Handed to every step as \`inputs.context\` (at most ${MAX_CONTEXT_BYTES} bytes as JSON). Default \`{}\`.`,
  })
  @OptionalNotNull()
  @IsObject()
  @MaxJsonSize(MAX_CONTEXT_BYTES)
  context_data?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: "The definition's version to run; default the current one.",
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version?: number;
}

const statusRule = () =>
  IsIn(EXECUTION_STATUSES, { message: `status must be one of ${EXECUTION_STATUSES.join(', ')}` });

/** `GET /workflows/:id/executions`: newest first. */
export class ListWorkflowExecutionsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: EXECUTION_STATUSES })
  @IsOptional()
  @statusRule()
  status?: ExecutionStatus;
}

/** `GET /workflow-executions`: without `project_id`, every project the caller may read. */
export class ListExecutionsQueryDto extends ListWorkflowExecutionsQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only this project (else every project the caller may read).',
  })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only executions of this workflow.' })
  @IsOptional()
  @IsUUID()
  workflow_id?: string;
}
