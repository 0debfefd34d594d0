import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CapabilityNames } from '@agenthub/agents';
import {
  DEPENDENCY_FAILURE_POLICIES,
  type DependencyFailurePolicy,
  TASK_LIMITS,
  TASK_PRIORITIES,
} from '@agenthub/tasks';
import { OptionalNotNull, Trim } from '@agenthub/http';

export const STEP_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Limits of a definition. Each step becomes a task, so its fields keep the task's limits.
 * `steps` is the default of WORKFLOW_MAX_STEPS (AppConfig.workflowMaxSteps), which the
 * service passes to parseWorkflowDefinition.
 */
export const WORKFLOW_LIMITS = {
  steps: 500,
  title: TASK_LIMITS.title,
  description: TASK_LIMITS.description,
  maxAttempts: TASK_LIMITS.maxAttempts,
} as const;

/**
 * One step as given on the wire, and the rules of its own fields. What needs the whole
 * definition (unique keys, references, cycles, the reserved key) is checked by
 * parseWorkflowDefinition, which validates each step against this class.
 */
export class WorkflowStepDto {
  @ApiProperty({
    pattern: STEP_KEY_PATTERN.source,
    description:
      "Unique within the definition; names the step in `depends_on`, in `inputs` and in results. `context` is reserved (a task's `inputs.context` holds the execution's context).",
    example: 'fetch_data',
  })
  @IsString({ message: 'key must be a string' })
  @Matches(STEP_KEY_PATTERN, {
    message: `key must match ${STEP_KEY_PATTERN.source} (a lowercase letter, then up to 62 lowercase letters, digits or _)`,
  })
  key!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: WORKFLOW_LIMITS.title,
    description: 'Trimmed; not blank.',
  })
  @Trim()
  @IsString({ message: 'title must be a string' })
  @Length(1, WORKFLOW_LIMITS.title, {
    message: `title must be 1 to ${WORKFLOW_LIMITS.title} characters long (after trimming)`,
  })
  title!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: WORKFLOW_LIMITS.description })
  @IsOptional()
  @IsString({ message: 'description must be a string or null' })
  @MaxLength(WORKFLOW_LIMITS.description, {
    message: `description must be at most ${WORKFLOW_LIMITS.description} characters long`,
  })
  description?: string | null;

  @ApiPropertyOptional({
    enum: TASK_PRIORITIES,
    description: "The step task's priority (default medium).",
  })
  @OptionalNotNull()
  @IsIn(TASK_PRIORITIES, { message: `priority must be one of ${TASK_PRIORITIES.join(', ')}` })
  priority?: (typeof TASK_PRIORITIES)[number];

  @ApiPropertyOptional({
    uniqueItems: true,
    description: "Capabilities an agent must all have to claim the step's task.",
  })
  @OptionalNotNull()
  @CapabilityNames({ unique: true })
  required_capabilities?: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: STEP_KEY_PATTERN.source },
    uniqueItems: true,
    description:
      'Keys of the steps this one waits for (each another step of the definition); their results are its `inputs`.',
  })
  @OptionalNotNull()
  @IsArray({ message: 'depends_on must be an array of step keys' })
  @IsString({ each: true, message: 'depends_on must contain only step keys (strings)' })
  @ArrayUnique({ message: 'depends_on must not name a step twice' })
  depends_on?: string[];

  @ApiPropertyOptional({
    enum: DEPENDENCY_FAILURE_POLICIES,
    description:
      'When a dependency fails for good: `cancel` (default) cancels this step (and what depends on it); `continue` runs it anyway once its other dependencies are done.',
  })
  @OptionalNotNull()
  @IsIn(DEPENDENCY_FAILURE_POLICIES, {
    message: `on_dependency_failure must be one of ${DEPENDENCY_FAILURE_POLICIES.join(', ')}`,
  })
  on_dependency_failure?: DependencyFailurePolicy;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: WORKFLOW_LIMITS.maxAttempts,
    description: "The step task's max_attempts (the task default when left out).",
  })
  @OptionalNotNull()
  @IsInt({ message: 'max_attempts must be an integer' })
  @Min(1, { message: `max_attempts must be at least 1` })
  @Max(WORKFLOW_LIMITS.maxAttempts, {
    message: `max_attempts must be at most ${WORKFLOW_LIMITS.maxAttempts}`,
  })
  max_attempts?: number;
}

/** The documented shape of a definition (the service parses what is sent; see workflow-definition.ts). */
export class WorkflowDefinitionDto {
  @ApiProperty({
    type: [WorkflowStepDto],
    minItems: 1,
    maxItems: WORKFLOW_LIMITS.steps,
    description:
      'The steps, in the order they are listed; `depends_on` makes them a DAG (no cycle). At most 500 unless the server sets `WORKFLOW_MAX_STEPS`.',
  })
  steps!: WorkflowStepDto[];
}
