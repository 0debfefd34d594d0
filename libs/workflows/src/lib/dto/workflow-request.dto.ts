import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { OptionalNotNull, PaginationQueryDto, Trim, TrimEach } from '@agenthub/http';
import { WORKFLOW_STATUSES, WorkflowStatus } from '../entities/workflow.entity';
import { WorkflowDefinitionDto } from './workflow-definition.dto';

/** Wire limits of a workflow's own fields (the definition has its own, WORKFLOW_LIMITS). */
export const WORKFLOW_FIELD_LIMITS = {
  name: 255,
  description: 10_000,
  tags: 32,
  tag: 64,
  search: 200,
  /** Versions are integers (int4); a larger one is a 400, not a 500. */
  version: 2_147_483_647,
} as const;

const L = WORKFLOW_FIELD_LIMITS;

export class CreateWorkflowDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  project_id!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: L.name,
    description: 'Trimmed; not blank; unique within the project.',
  })
  @Trim()
  @IsString()
  @Length(1, L.name)
  name!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.description })
  @IsOptional()
  @IsString()
  @MaxLength(L.description)
  description?: string | null;

  /**
   * Checked as a whole by the service (parseWorkflowDefinition), so that every problem is
   * reported with its path in one WORKFLOW.INVALID_DEFINITION.
   */
  @ApiProperty({
    type: WorkflowDefinitionDto,
    description:
      'The steps. Stored (and answered) in canonical form: fields in a fixed order, titles and capability names trimmed, unset fields (null description, empty lists) left out. Any problem: 400 `WORKFLOW.INVALID_DEFINITION`, with `errors` keyed by path (`steps[3].depends_on`); a cycle is named.',
  })
  @IsDefined({ message: 'definition is required' })
  definition!: unknown;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: L.tag },
    maxItems: L.tags,
    uniqueItems: true,
    description: 'Labels to filter by (`GET /workflows?tag=`); trimmed, each once.',
  })
  @OptionalNotNull()
  @TrimEach()
  @IsArray()
  @ArrayMaxSize(L.tags)
  @IsString({ each: true })
  @Length(1, L.tag, { each: true })
  @ArrayUnique({ message: 'tags must not list a tag twice' })
  tags?: string[];

  @ApiPropertyOptional({
    enum: WORKFLOW_STATUSES,
    default: 'draft',
    description: 'Only `active` workflows can be executed.',
  })
  @OptionalNotNull()
  @IsIn(WORKFLOW_STATUSES, { message: `status must be one of ${WORKFLOW_STATUSES.join(', ')}` })
  status?: WorkflowStatus;
}

/**
 * Every field optional; `null` clears only the description. A `definition` that differs
 * from the current one makes a new version; the other fields change in place.
 */
export class UpdateWorkflowDto extends PartialType(
  OmitType(CreateWorkflowDto, ['project_id'] as const),
  { skipNullProperties: false },
) {}

/** `GET /workflows` filters; without `project_id`, every project the caller may read. */
export class ListWorkflowsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only this project (else every project the caller may read).',
  })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiPropertyOptional({ enum: WORKFLOW_STATUSES })
  @IsOptional()
  @IsIn(WORKFLOW_STATUSES, { message: `status must be one of ${WORKFLOW_STATUSES.join(', ')}` })
  status?: WorkflowStatus;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: L.tag,
    description: 'Only workflows with this tag.',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, L.tag)
  tag?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: L.search,
    description:
      'Full-text search over name and description (English stemming; web-search syntax: `"exact phrase"`, `or`, `-excluded`). Best matches first.',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, L.search)
  q?: string;
}

/** `GET /workflows/:id?version=N`. */
export class GetWorkflowQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: L.version,
    description:
      "Show this version's definition (and `version` = N) instead of the current one; the other fields are current.",
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(L.version)
  version?: number;
}
