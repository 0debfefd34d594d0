export {
  TEST_ENV,
  assertTestDatabase,
  withAdminClient,
  createTestDatabase,
} from './lib/test-database';
export type { TestDatabase } from './lib/test-database';
export { createTestApp, responseCheckingEnabled } from './lib/create-test-app';
export type { TestApp, TestAppOptions } from './lib/create-test-app';
export { responseContract } from './lib/response-contract';
export type { ObservedResponse, OpenApiDocument, ResponseContract } from './lib/response-contract';
export { sharedFixture } from './lib/shared-fixtures';
export { query } from './lib/query';
export { slowMigration, waitForSlowMigration } from './lib/slow-migration';
export { expectProblem } from './lib/expect-problem';
export { eventually } from './lib/eventually';
export {
  PASSWORD,
  bearer,
  claimTask,
  createAgent,
  createAgentKey,
  createAgentsWithKeys,
  createProject,
  createRoom,
  createSuperuser,
  createTask,
  deactivateUser,
  getTask,
  getTaskRequest,
  login,
  makeSuperuser,
  messageCall,
  receiveInbox,
  receiveInboxRequest,
  sendMessage,
  sendMessageRequest,
  moveTask,
  patchTask,
  registerAndLogin,
} from './lib/factories';
export type {
  AgentJson,
  AgentKeyJson,
  AuthHeaders,
  MessageJson,
  ProjectJson,
  RoomJson,
  TaskJson,
  TestUser,
} from './lib/factories';
export {
  chainDefinition,
  createWorkflow,
  diamondDefinition,
  getWorkflow,
  patchWorkflow,
  workflowStep,
} from './lib/workflow-factories';
export type {
  WorkflowDefinitionJson,
  WorkflowJson,
  WorkflowStepJson,
} from './lib/workflow-factories';
export {
  agentMetricSummary,
  listAgentMetrics,
  metricPoint,
  metricsGetRequest,
  projectMetricSummary,
  recordMetrics,
  recordMetricsRequest,
} from './lib/metric-factories';
export type {
  GroupedMetricSummaryJson,
  MetricBucketJson,
  MetricPointInput,
  MetricPointJson,
  MetricSummaryJson,
} from './lib/metric-factories';
