import { ApiProperty } from '@nestjs/swagger';
import { isoTimestamp } from '@agenthub/http';
import { WORKFLOW_STATUSES, type Workflow, type WorkflowStatus } from '../entities/workflow.entity';
import type { WorkflowVersion } from '../entities/workflow-version.entity';
import { canonicalDefinition, type WorkflowDefinition } from '../workflow-definition';
import { WorkflowDefinitionDto } from './workflow-definition.dto';

export const CREATOR_TYPES = ['user', 'agent'] as const;
export type CreatorType = (typeof CREATOR_TYPES)[number];

const CREATED_BY = {
  type: String,
  format: 'uuid',
  nullable: true,
  description: 'The user or agent that created it; null once that one is deleted.',
} as const;
const CREATED_BY_TYPE = { type: String, enum: [...CREATOR_TYPES, null], nullable: true } as const;

/** A workflow on the wire: the phase-2 design's `workflows`, with its project and tags. */
export class WorkflowResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty({ description: 'Unique within the project.' })
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({
    type: WorkflowDefinitionDto,
    description: 'The definition of `version`, in canonical form.',
  })
  definition!: WorkflowDefinition;

  @ApiProperty({ enum: WORKFLOW_STATUSES })
  status!: WorkflowStatus;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description:
      'The current version (or the one asked for with `?version=`); a changed definition makes the next one.',
  })
  version!: number;

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty(CREATED_BY)
  created_by!: string | null;

  @ApiProperty(CREATED_BY_TYPE)
  created_by_type!: CreatorType | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

/** One version of a workflow's definition: written once, never changed. */
export class WorkflowVersionResponseDto {
  @ApiProperty({ format: 'uuid' })
  workflow_id!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  version!: number;

  @ApiProperty({ type: WorkflowDefinitionDto })
  definition!: WorkflowDefinition;

  @ApiProperty(CREATED_BY)
  created_by!: string | null;

  @ApiProperty(CREATED_BY_TYPE)
  created_by_type!: CreatorType | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

function creator(row: { createdByUserId: string | null; createdByAgentId: string | null }): {
  created_by: string | null;
  created_by_type: CreatorType | null;
} {
  if (row.createdByUserId) return { created_by: row.createdByUserId, created_by_type: 'user' };
  if (row.createdByAgentId) return { created_by: row.createdByAgentId, created_by_type: 'agent' };
  return { created_by: null, created_by_type: null };
}

/** The workflow as it is, or showing `shown` (another version) in place of the current one. */
export function toWorkflowResponse(
  workflow: Workflow,
  shown?: { version: number; definition: Record<string, unknown> },
): WorkflowResponseDto {
  return {
    id: workflow.id,
    project_id: workflow.projectId,
    name: workflow.name,
    description: workflow.description,
    definition: canonicalDefinition(
      (shown?.definition ?? workflow.definition) as unknown as WorkflowDefinition,
    ),
    status: workflow.status,
    version: shown?.version ?? workflow.version,
    tags: workflow.tags,
    ...creator(workflow),
    created_at: isoTimestamp(workflow.createdAt),
    updated_at: isoTimestamp(workflow.updatedAt),
  };
}

export function toWorkflowVersionResponse(version: WorkflowVersion): WorkflowVersionResponseDto {
  return {
    workflow_id: version.workflowId,
    version: version.version,
    definition: canonicalDefinition(version.definition as unknown as WorkflowDefinition),
    ...creator(version),
    created_at: isoTimestamp(version.createdAt),
  };
}
