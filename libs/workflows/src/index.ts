export { WorkflowsModule } from './lib/workflows.module';
export { WORKFLOW_ENTITIES } from './lib/entities';
export {
  parseWorkflowDefinition,
  sameDefinition,
  topologicalOrder,
  WORKFLOW_LIMITS,
} from './lib/workflow-definition';
export type { WorkflowDefinition, WorkflowStep } from './lib/workflow-definition';
export { WorkflowResponseDto, WorkflowVersionResponseDto } from './lib/dto/workflow-response.dto';
