import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { FieldErrors } from '@agenthub/errors';
import { isJsonObject } from '@agenthub/http';
import {
  DEPENDENCY_FAILURE_POLICIES,
  type DependencyFailurePolicy,
  type TASK_PRIORITIES,
} from '@agenthub/tasks';
import { InvalidWorkflowDefinitionError } from './workflows.errors';
import { WORKFLOW_LIMITS, WorkflowStepDto } from './dto/workflow-definition.dto';

export { DEPENDENCY_FAILURE_POLICIES, WORKFLOW_LIMITS };
export type { DependencyFailurePolicy };

export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** One step of a canonical definition: it becomes one task of each execution. */
export interface WorkflowStep {
  key: string;
  title: string;
  description?: string | null;
  priority?: TaskPriority;
  required_capabilities?: string[];
  depends_on?: string[];
  on_dependency_failure?: DependencyFailurePolicy;
  max_attempts?: number;
}

export interface WorkflowDefinition {
  steps: WorkflowStep[];
}

/**
 * The key a step may not have: a task's `inputs` holds its parents' results by key, and
 * `inputs.context` the execution's context_data.
 */
export const RESERVED_STEP_KEY = 'context';

/** The fields of a step in their canonical order. */
const STEP_FIELDS = [
  'key',
  'title',
  'description',
  'priority',
  'required_capabilities',
  'depends_on',
  'on_dependency_failure',
  'max_attempts',
] as const satisfies readonly (keyof WorkflowStep)[];

/**
 * The canonical step: fields in STEP_FIELDS order; a field left out, a null description and
 * an empty list are all "not set" and omitted, so that equal meanings compare equal.
 */
function canonicalStep(step: WorkflowStep): WorkflowStep {
  const out: Record<string, unknown> = {};
  for (const field of STEP_FIELDS) {
    const value = step[field];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[field] = Array.isArray(value) ? [...value] : value;
  }
  return out as unknown as WorkflowStep;
}

/** The step's own field rules (WorkflowStepDto), as messages keyed by `steps[i].<field>`. */
function validateStepFields(
  raw: Record<string, unknown>,
  path: string,
  errors: FieldErrors,
): WorkflowStepDto | null {
  const step = plainToInstance(WorkflowStepDto, raw);
  const failures = validateSync(step, {
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
  });
  if (failures.length === 0) return step;
  for (const failure of failures) addFailure(failure, path, errors);
  return null;
}

function addFailure(failure: ValidationError, path: string, errors: FieldErrors): void {
  const field = `${path}.${failure.property}`;
  for (const [rule, message] of Object.entries(failure.constraints ?? {})) {
    add(
      errors,
      field,
      rule === 'whitelistValidation'
        ? `unknown field "${failure.property}"; a step has only ${STEP_FIELDS.join(', ')}`
        : message,
    );
  }
}

function add(errors: FieldErrors, path: string, message: string): void {
  (errors[path] ??= []).push(message);
}

/**
 * Validates a definition and returns its canonical form (fields in a fixed order, optional
 * fields that are not set omitted, titles and capability names trimmed). Every problem is
 * listed, keyed by where it is (`definition`, `steps`, `steps[3]`, `steps[3].depends_on`),
 * in one InvalidWorkflowDefinitionError. The cycle check runs once the keys and references
 * are sound, and names the first cycle it finds.
 */
export function parseWorkflowDefinition(
  raw: unknown,
  maxSteps: number = WORKFLOW_LIMITS.steps,
): WorkflowDefinition {
  const errors: FieldErrors = {};
  if (!isJsonObject(raw)) {
    throw new InvalidWorkflowDefinitionError({
      definition: ['definition must be an object with steps'],
    });
  }
  for (const member of Object.keys(raw)) {
    if (member !== 'steps') {
      add(errors, 'definition', `unknown member "${member}"; a definition has only steps`);
    }
  }
  const rawSteps = raw['steps'];
  if (rawSteps === undefined || rawSteps === null) {
    add(errors, 'steps', 'steps is required');
  } else if (!Array.isArray(rawSteps)) {
    add(errors, 'steps', 'steps must be an array of steps');
  } else if (rawSteps.length === 0) {
    add(errors, 'steps', 'steps must list at least one step');
  } else if (rawSteps.length > maxSteps) {
    add(errors, 'steps', `steps must list at most ${maxSteps} steps (got ${rawSteps.length})`);
  }
  if (errors['steps']) throw new InvalidWorkflowDefinitionError(errors);
  const given = rawSteps as unknown[];

  // Each step on its own; then what the steps say of each other.
  const steps: (WorkflowStepDto | null)[] = given.map((item, i) => {
    const path = `steps[${i}]`;
    if (!isJsonObject(item)) {
      add(errors, path, `${path} must be an object`);
      return null;
    }
    return validateStepFields(item, path, errors);
  });

  // The graph: keys and references are judged on every step whose key and depends_on are
  // sound on their own, even if its other fields are not, so that one bad title does not
  // hide a dangling reference or a cycle.
  const indexOfKey = new Map<string, number>();
  const named = new Set<string>();
  const graph: { key: string; depends_on: string[] }[] = [];
  let graphSound = true;
  given.forEach((item, i) => {
    const step = isJsonObject(item) ? item : {};
    const key = step['key'];
    const dependsOn = step['depends_on'] ?? [];
    const keyPath = `steps[${i}].key`;
    if (typeof key === 'string') named.add(key);
    if (!isJsonObject(item) || typeof key !== 'string' || errors[keyPath]) {
      graphSound = false;
      return;
    }
    if (errors[`steps[${i}].depends_on`]) graphSound = false;
    if (key === RESERVED_STEP_KEY) {
      add(
        errors,
        keyPath,
        `key "${RESERVED_STEP_KEY}" is reserved (a task's inputs.context holds the execution's context)`,
      );
      graphSound = false;
      return;
    }
    const first = indexOfKey.get(key);
    if (first !== undefined) {
      add(errors, keyPath, `key "${key}" is already the key of steps[${first}]`);
      graphSound = false;
      return;
    }
    indexOfKey.set(key, i);
    graph.push({
      key,
      depends_on: errors[`steps[${i}].depends_on`] ? [] : (dependsOn as string[]),
    });
  });

  given.forEach((item, i) => {
    const path = `steps[${i}].depends_on`;
    if (!isJsonObject(item) || errors[path]) return;
    const dependsOn = (item['depends_on'] ?? []) as string[];
    for (const dependency of dependsOn) {
      if (dependency === item['key']) {
        add(errors, path, `depends_on must not name the step itself ("${dependency}")`);
        graphSound = false;
      } else if (!named.has(dependency)) {
        add(errors, path, `depends_on names no step of this definition: "${dependency}"`);
        graphSound = false;
      }
    }
  });

  if (graphSound) {
    const cycle = findCycle({ steps: graph.map((s) => ({ ...s, title: s.key })) });
    if (cycle) {
      const closing = cycle[0];
      add(
        errors,
        `steps[${indexOfKey.get(closing)}].depends_on`,
        `depends_on closes a cycle: ${cycle.join(' → ')}`,
      );
      throw new InvalidWorkflowDefinitionError(errors, cycle);
    }
  }
  if (Object.keys(errors).length > 0) throw new InvalidWorkflowDefinitionError(errors);
  return { steps: (steps as WorkflowStepDto[]).map(canonicalStep) };
}

/**
 * The first cycle of "depends on" edges a depth-first walk in definition order meets, as
 * keys from where it closes back to there: `[a, b, c, a]` means a depends on b, b on c and
 * c on a, and it is c's depends_on that closes it. `null` for a DAG.
 */
function findCycle(definition: WorkflowDefinition): string[] | null {
  const dependsOn = new Map(definition.steps.map((s) => [s.key, s.depends_on ?? []]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];

  // Iterative, so that a 500-step chain needs no deep recursion.
  for (const root of definition.steps) {
    if (state.has(root.key)) continue;
    const frames: { key: string; next: number }[] = [{ key: root.key, next: 0 }];
    state.set(root.key, 'open');
    stack.push(root.key);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const deps = dependsOn.get(frame.key) ?? [];
      if (frame.next >= deps.length) {
        state.set(frame.key, 'done');
        stack.pop();
        frames.pop();
        continue;
      }
      const dep = deps[frame.next++];
      const seen = state.get(dep);
      if (seen === 'open') {
        // The edge frame.key → dep closes the cycle dep → … → frame.key → dep.
        const from = stack.indexOf(dep);
        const loop = stack.slice(from);
        // Written from the step whose depends_on closes it.
        return [frame.key, ...loop.slice(0, -1), frame.key];
      }
      if (seen === undefined && dependsOn.has(dep)) {
        state.set(dep, 'open');
        stack.push(dep);
        frames.push({ key: dep, next: 0 });
      }
    }
  }
  return null;
}

/**
 * The steps in a topological order (every step after its dependencies), in waves: first the
 * steps that depend on nothing, then those whose dependencies are all in earlier waves, and
 * so on; within a wave, in definition order. A step's position here is its task's
 * `step_order`.
 */
export function topologicalOrder(definition: WorkflowDefinition): WorkflowStep[] {
  const byKey = new Map(definition.steps.map((s) => [s.key, s]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const step of definition.steps) {
    const deps = (step.depends_on ?? []).filter((d) => byKey.has(d));
    waiting.set(step.key, deps.length);
    for (const dep of deps) {
      const list = dependents.get(dep);
      if (list) list.push(step.key);
      else dependents.set(dep, [step.key]);
    }
  }
  const position = new Map(definition.steps.map((s, i) => [s.key, i]));
  const order: WorkflowStep[] = [];
  let wave = definition.steps.filter((s) => waiting.get(s.key) === 0);
  while (wave.length > 0) {
    order.push(...wave);
    const next: WorkflowStep[] = [];
    for (const step of wave) {
      for (const dependent of dependents.get(step.key) ?? []) {
        const left = (waiting.get(dependent) as number) - 1;
        waiting.set(dependent, left);
        if (left === 0) next.push(byKey.get(dependent) as WorkflowStep);
      }
    }
    next.sort((a, b) => (position.get(a.key) as number) - (position.get(b.key) as number));
    wave = next;
  }
  if (order.length !== definition.steps.length) {
    // parseWorkflowDefinition refuses cycles, so only an unparsed definition gets here.
    const cycle = findCycle(definition);
    throw new InvalidWorkflowDefinitionError(
      { steps: [`the steps form a cycle${cycle ? `: ${cycle.join(' → ')}` : ''}`] },
      cycle ?? undefined,
    );
  }
  return order;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => item === b[i])
    );
  }
  return a === b;
}

/**
 * Whether two definitions say the same: the same steps in the same order with the same
 * fields (a stored definition may come back from jsonb with its members reordered, so this
 * compares fields, not text). Not-set fields compare equal however they were written.
 */
export function sameDefinition(a: WorkflowDefinition, b: WorkflowDefinition): boolean {
  if (a.steps.length !== b.steps.length) return false;
  return a.steps.every((stepA, i) => {
    const x = canonicalStep(stepA);
    const y = canonicalStep(b.steps[i]);
    return STEP_FIELDS.every((field) => sameValue(x[field], y[field]));
  });
}

/**
 * A stored (already valid) definition in canonical member order, for answers: jsonb keeps
 * object members in an order of its own.
 */
export function canonicalDefinition(definition: WorkflowDefinition): WorkflowDefinition {
  return { steps: definition.steps.map(canonicalStep) };
}
