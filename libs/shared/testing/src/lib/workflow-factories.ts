import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './create-test-app';
import type { AuthHeaders } from './factories';

/**
 * One-line factories for workflow definitions and workflows, through the API as a user would
 * make them; they throw, naming the request, if the API refuses.
 */

export type WorkflowStepJson = {
  key: string;
  title: string;
  depends_on?: string[];
} & Record<string, unknown>;

export type WorkflowDefinitionJson = { steps: WorkflowStepJson[] };

export type WorkflowJson = {
  id: string;
  project_id: string;
  name: string;
  description: string | null;
  definition: WorkflowDefinitionJson;
  status: string;
  version: number;
  tags: string[];
  created_by: string | null;
  created_by_type: string | null;
  created_at: string;
  updated_at: string;
};

/** A step with a title made from its key: `step('b', ['a'], { max_attempts: 1 })`. */
export const workflowStep = (
  key: string,
  dependsOn?: string[],
  fields: Record<string, unknown> = {},
): WorkflowStepJson => ({
  key,
  title: `Step ${key}`,
  ...(dependsOn && dependsOn.length > 0 ? { depends_on: dependsOn } : {}),
  ...fields,
});

/** a → b, a → c, b + c → d. */
export const diamondDefinition = (): WorkflowDefinitionJson => ({
  steps: [
    workflowStep('a'),
    workflowStep('b', ['a']),
    workflowStep('c', ['a']),
    workflowStep('d', ['b', 'c']),
  ],
});

/** `keys[0]` → `keys[1]` → …: each step depends on the one before. */
export const chainDefinition = (...keys: string[]): WorkflowDefinitionJson => ({
  steps: keys.map((key, i) => workflowStep(key, i > 0 ? [keys[i - 1]] : undefined)),
});

let counter = 0;

/**
 * `POST /workflows` in project `projectId`: a unique name and a one-step definition unless
 * `fields` say otherwise (status: the API's default, draft; pass `status: 'active'` to run it).
 */
export async function createWorkflow(
  t: TestApp,
  as: AuthHeaders,
  projectId: string,
  fields: Record<string, unknown> = {},
): Promise<WorkflowJson> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/workflows',
    headers: as,
    payload: {
      name: `workflow-${++counter}`,
      definition: { steps: [workflowStep('only')] },
      ...fields,
      project_id: projectId,
    },
  });
  if (res.statusCode !== 201) {
    throw new Error(`create workflow: expected 201, got ${res.statusCode}: ${res.body}`);
  }
  return res.json();
}

/** `PATCH /workflows/:id`, answered as is: tests of refusals read the response. */
export const patchWorkflow = (
  t: TestApp,
  as: AuthHeaders,
  id: string,
  payload: Record<string, unknown>,
): Promise<LightMyRequestResponse> =>
  t.request({ method: 'PATCH', url: `/api/v1/workflows/${id}`, headers: as, payload });

/** The workflow as `as` reads it (which must be allowed); with `version`, that version's definition. */
export async function getWorkflow(
  t: TestApp,
  as: AuthHeaders,
  id: string,
  version?: number,
): Promise<WorkflowJson> {
  const res = await t.request({
    method: 'GET',
    url: `/api/v1/workflows/${id}${version === undefined ? '' : `?version=${version}`}`,
    headers: as,
  });
  if (res.statusCode !== 200) {
    throw new Error(`get workflow ${id}: expected 200, got ${res.statusCode}: ${res.body}`);
  }
  return res.json();
}
