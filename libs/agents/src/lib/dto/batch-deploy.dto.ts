import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsUUID } from 'class-validator';
import { AGENT_LIMITS as L } from './agent-limits';

/**
 * `POST /agents/batch`. Only the envelope is validated by the pipe; each item is validated on
 * its own (as an AgentFieldsDto) so one bad item is reported instead of failing the batch.
 */
export class BatchDeployDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  project_id!: string;

  @ApiProperty({ type: 'array', items: { type: 'object' }, maxItems: L.batch })
  @IsArray()
  @ArrayMaxSize(L.batch, { message: `agents must contain at most ${L.batch} items` })
  agents!: unknown[];
}

export interface BatchDeployError {
  index: number;
  name: string | null;
  error: string;
  /** Field → messages, when the item failed validation. */
  fields?: Record<string, string[]>;
}

export interface BatchDeployResult {
  success: number;
  failed: number;
  errors: BatchDeployError[];
  /** What happened to each item that succeeded. */
  deployed: { index: number; id: string; name: string; created: boolean }[];
}
