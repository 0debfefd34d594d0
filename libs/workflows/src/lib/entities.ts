import type { EntityClass } from '@mikro-orm/core';
import { Workflow } from './entities/workflow.entity';
import { WorkflowVersion } from './entities/workflow-version.entity';
import { WorkflowExecution } from './entities/workflow-execution.entity';

/** Every entity this lib owns, for the ORM configuration (no globs). */
export const WORKFLOW_ENTITIES: EntityClass<unknown>[] = [
  Workflow,
  WorkflowVersion,
  WorkflowExecution,
];
