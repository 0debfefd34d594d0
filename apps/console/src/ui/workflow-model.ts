import type { components } from '@agenthub/client';
import { everyValue } from './every-value';

export type Workflow = components['schemas']['WorkflowResponseDto'];
export type WorkflowStatus = Workflow['status'];
export type WorkflowVersion = components['schemas']['WorkflowVersionResponseDto'];
export type WorkflowDefinition = components['schemas']['WorkflowDefinitionDto'];
export type DefinitionStep = components['schemas']['WorkflowStepDto'];
export type Execution = components['schemas']['ExecutionResponseDto'];
export type ExecutionStatus = Execution['status'];
export type ExecutionStep = components['schemas']['ExecutionStepDto'];
export type StepStatus = ExecutionStep['status'];

export const WORKFLOW_STATUSES = everyValue<WorkflowStatus>()(['draft', 'active', 'paused']);
export const EXECUTION_STATUSES = everyValue<ExecutionStatus>()([
  'running',
  'completed',
  'failed',
  'cancelled',
]);
export const STEP_STATUSES = everyValue<StepStatus>()([
  'pending',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
]);

/** A step as the graph draws it. */
export interface GraphStep {
  key: string;
  /** Keys of the steps it waits for. */
  dependencies: readonly string[];
  title?: string;
  /** An execution's step has one; a definition's has none. */
  status?: StepStatus;
  /** The task that runs it, in an execution. */
  taskId?: string;
}

/** A definition's steps, in the order it lists them. */
export function definitionGraphSteps(definition: WorkflowDefinition | undefined): GraphStep[] {
  return (definition?.steps ?? []).map((step) => ({
    key: step.key,
    title: step.title,
    dependencies: step.depends_on ?? [],
  }));
}

/**
 * An execution's steps for the graph: its own list (key, task, status, in step order) gives
 * the nodes; the dependencies are the `depends_on` keys of the definition version it runs
 * (the execution lists no edges). A step the definition does not know (not loaded yet) is
 * drawn without edges.
 */
export function executionGraphSteps(
  steps: readonly ExecutionStep[],
  definition: WorkflowDefinition | undefined,
): GraphStep[] {
  const byKey = new Map((definition?.steps ?? []).map((s) => [s.key, s]));
  return steps.map((step) => {
    const defined = byKey.get(step.key);
    return {
      key: step.key,
      title: defined?.title,
      status: step.status,
      taskId: step.task_id,
      dependencies: defined?.depends_on ?? [],
    };
  });
}

/** How many steps have each status. */
export function countSteps(steps: readonly { status: StepStatus }[]): Record<StepStatus, number> {
  const counts = Object.fromEntries(STEP_STATUSES.map((s) => [s, 0])) as Record<StepStatus, number>;
  for (const step of steps) counts[step.status] += 1;
  return counts;
}

/** `3 of 4 completed · 1 failed`: an execution's progress in words. */
export function progressLabel(steps: readonly { status: StepStatus }[]): string {
  const counts = countSteps(steps);
  const parts = [`${counts.completed} of ${steps.length} completed`];
  for (const status of ['in_progress', 'failed', 'cancelled'] as const)
    if (counts[status] > 0) parts.push(`${counts[status]} ${status.replace('_', ' ')}`);
  return parts.join(' · ');
}

/**
 * The step `current_step` names: it is a `step_order`, and the execution lists its steps in
 * step order, so it is the step at that position.
 */
export function currentStep(execution: Pick<Execution, 'current_step' | 'steps'>) {
  if (execution.current_step === null) return null;
  return execution.steps[execution.current_step] ?? null;
}

/** Only a running execution can be cancelled. */
export const canCancel = (status: ExecutionStatus): boolean => status === 'running';
/** Only a failed or cancelled one can be retried. */
export const canRetry = (status: ExecutionStatus): boolean =>
  status === 'failed' || status === 'cancelled';

/** The API's bound on `context_data`, as JSON. */
export const MAX_CONTEXT_BYTES = 65_536;

export type ParsedContext =
  { ok: true; value: Record<string, unknown> | undefined } | { ok: false; message: string };

/**
 * The "Context (JSON)" box of a start: empty is no context (the API's `{}`); otherwise a JSON
 * object of at most 64 KiB. The message says what is wrong, in the box's own name.
 */
export function parseContext(text: string): ParsedContext {
  if (text.trim() === '') return { ok: true, value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `Context (JSON) is not valid JSON: ${why}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return {
      ok: false,
      message: `Context (JSON) must be a JSON object, like {"url": "https://example.com"} (got ${got}).`,
    };
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > MAX_CONTEXT_BYTES)
    return {
      ok: false,
      message: `Context (JSON) is ${bytes} bytes; the API takes at most ${MAX_CONTEXT_BYTES}.`,
    };
  return { ok: true, value: value as Record<string, unknown> };
}

/** From one time to another (or now), in words: `4 s`, `2 min 5 s`, `1 h 3 min`. */
export function durationLabel(from: string, to: string | null, now = Date.now()): string {
  const ms = Math.max(0, (to ? Date.parse(to) : now) - Date.parse(from));
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** The first characters of an id, enough to tell executions apart in a list. */
export const shortId = (id: string): string => id.slice(0, 8);
