/**
 * For tests: a fake API (routes answering JSON) behind the console's real session, a page
 * rendered signed in, inside a router, as the app renders it, and the API's records as
 * fixtures (agents, tasks, workflows, executions).
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { useEffect, type ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { vi } from 'vitest';
import { SessionProvider, useSessionState } from './api/session';
import type { Agent } from './ui/agent-liveness';
import type { Task } from './ui/task-queries';
import type { Execution, Workflow, WorkflowDefinition } from './ui/workflow-model';

/** The signed-in user, as `GET /api/v1/auth/me` answers. */
export const TEST_USER = {
  kind: 'user',
  id: 'user-1',
  name: 'Olga Ops',
  email: 'ops@example.com',
  is_superuser: false,
  is_active: true,
  created_at: '2026-01-01T00:00:00Z',
};

export interface FakeRequest {
  method: string;
  path: string;
  url: URL;
  /** The URL's query (`url.searchParams`). */
  query: URLSearchParams;
  body: unknown;
  params: Record<string, string>;
}

/**
 * A route's answer: a body (200 JSON; nothing is 204), a `Status` (that status, that body),
 * or a Response as it is.
 */
type Handler = (request: FakeRequest) => unknown;

export interface FakeApi {
  fetch: typeof globalThis.fetch;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** Adds or replaces a route: `on('GET /api/v1/tasks/:id', ...)`. */
  on(route: string, handler: Handler): void;
}

/** An answer with this status and JSON body (a problem's content type from 400 on). */
export class Status {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export const problem = (status: number, code: string, detail: string): Response =>
  new Response(JSON.stringify({ status, code, detail, title: 'Conflict' }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' },
  });

/**
 * A fake of the REST API, made the global fetch (the session's client is made with it).
 * Sign-in answers for `TEST_USER`. `routes` is a table (`'GET /api/v1/tasks/:id'` → handler)
 * or one handler for every other request, where answering nothing is a 404; a request no
 * route matches is a 404.
 */
export function fakeApi(routes: Record<string, Handler> | Handler = {}): FakeApi {
  const fallback = typeof routes === 'function' ? routes : null;
  const table = new Map<string, Handler>(
    typeof routes === 'function' ? [] : Object.entries(routes),
  );
  table.set('POST /api/v1/auth/login', () => ({
    access_token: 'token',
    expires_in: 3600,
    token_type: 'Bearer',
  }));
  table.set('GET /api/v1/auth/me', () => TEST_USER);
  const requests: FakeRequest[] = [];

  const match = (method: string, path: string) => {
    for (const [route, handler] of table) {
      const [routeMethod, routePath] = route.split(' ');
      if (routeMethod !== method) continue;
      const want = routePath.split('/');
      const got = path.split('/');
      if (want.length !== got.length) continue;
      const params: Record<string, string> = {};
      if (
        want.every((part, i) => {
          if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(got[i]);
          return part.startsWith(':') || part === got[i];
        })
      )
        return { handler, params };
    }
    return null;
  };

  const notFound = (method: string, path: string) =>
    problem(404, 'RESOURCE.NOT_FOUND', `No fake route for ${method} ${path}`);

  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.text();
    const found = match(request.method, url.pathname);
    const fake: FakeRequest = {
      method: request.method,
      path: url.pathname,
      url,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
      params: found?.params ?? {},
    };
    requests.push(fake);
    let answer: unknown;
    if (found) answer = found.handler(fake);
    else if (fallback) {
      answer = fallback(fake);
      if (answer === undefined) return notFound(request.method, url.pathname);
    } else return notFound(request.method, url.pathname);
    if (answer instanceof Response) return answer;
    if (answer instanceof Status) return json(answer.status, answer.body);
    if (answer === undefined) return new Response(null, { status: 204 });
    return json(request.method === 'POST' && url.pathname === '/api/v1/tasks' ? 201 : 200, answer);
  };
  vi.stubGlobal('fetch', fetch);
  return {
    fetch,
    requests,
    on: (route, handler) => table.set(route, handler),
  };
}

/** `{items, total, limit, offset}`: all of them, unless told otherwise. */
export const page = <T,>(items: T[], offset = 0, limit = 500, total = items.length) => ({
  items,
  total,
  limit,
  offset,
});

function SignedIn({ children }: { children: ReactNode }) {
  const { session, signIn } = useSessionState();
  useEffect(() => {
    // A test that ends before the sign-in has answered has nothing to report about it.
    signIn(TEST_USER.email, 'secret').catch(() => undefined);
  }, [signIn]);
  return session ? children : null;
}

/** Shows where the router is, for tests that follow a navigation. */
function WhereAmI() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/**
 * Renders `element` at `path` (matched by `route`), signed in, with a fresh query cache. The
 * session's client is made with the global fetch: `api` (the last `fakeApi` made without it).
 */
export function renderPage(
  element: ReactNode,
  { api, path, route }: { api?: FakeApi; path: string; route: string },
) {
  if (api) vi.stubGlobal('fetch', api.fetch);
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: 5_000 }, mutations: { retry: false } },
  });
  return {
    queryClient,
    ...render(
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <SignedIn>
            <MemoryRouter initialEntries={[path]}>
              <Routes>
                <Route path={route} element={element} />
                <Route path="*" element={<p>elsewhere</p>} />
              </Routes>
              <WhereAmI />
            </MemoryRouter>
          </SignedIn>
        </SessionProvider>
      </QueryClientProvider>,
    ),
  };
}

export function anAgent(fields: Partial<Agent> = {}): Agent {
  return {
    id: 'agent-1',
    project_id: 'project-1',
    name: 'atlas',
    nickname: null,
    agent_type: 'coder',
    status: 'online',
    capabilities: [],
    config: null,
    system_prompt: null,
    model_provider: null,
    model_name: null,
    is_active: true,
    last_heartbeat: null,
    heartbeat_expires_at: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...fields,
  };
}

export function aTask(fields: Partial<Task> = {}): Task {
  return {
    id: 'task-1',
    project_id: 'project-1',
    room_id: null,
    title: 'Build the release',
    description: null,
    status: 'pending',
    priority: 'medium',
    assigned_to: null,
    assigned_to_type: null,
    created_by: 'user-1',
    created_by_type: 'user',
    dependencies: [],
    required_capabilities: [],
    attempts: 0,
    max_attempts: 3,
    lease_expires_at: null,
    started_at: null,
    completed_at: null,
    due_date: null,
    result: null,
    parts: null,
    inputs: null,
    version: 1,
    workflow_id: null,
    workflow_execution_id: null,
    step_key: null,
    step_order: null,
    on_dependency_failure: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...fields,
  };
}

export const DIAMOND: WorkflowDefinition = {
  steps: [
    { key: 'fetch', title: 'Fetch the pages' },
    { key: 'parse', title: 'Parse them', depends_on: ['fetch'] },
    {
      key: 'count',
      title: 'Count words',
      depends_on: ['fetch'],
      on_dependency_failure: 'continue',
    },
    { key: 'report', title: 'Write the report', depends_on: ['parse', 'count'] },
  ],
};

export function aWorkflow(fields: Partial<Workflow> = {}): Workflow {
  return {
    id: 'wf-1',
    project_id: 'project-1',
    name: 'Nightly report',
    description: 'Fetches, parses, counts and reports.',
    definition: DIAMOND,
    status: 'active',
    version: 2,
    tags: ['nightly'],
    created_by: 'user-1',
    created_by_type: 'user',
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-02T10:00:00Z',
    ...fields,
  };
}

export function anExecution(fields: Partial<Execution> = {}): Execution {
  return {
    id: 'ex-1',
    project_id: 'project-1',
    workflow_id: 'wf-1',
    workflow_version: 2,
    status: 'running',
    current_step: 1,
    context_data: { site: 'https://docs.example.com' },
    result_data: {},
    started_by: 'user-1',
    started_by_type: 'user',
    started_at: '2026-12-02T12:00:00Z',
    completed_at: null,
    error_message: null,
    steps: [
      { key: 'fetch', task_id: 't-fetch', status: 'completed' },
      { key: 'parse', task_id: 't-parse', status: 'in_progress' },
      { key: 'count', task_id: 't-count', status: 'failed' },
      { key: 'report', task_id: 't-report', status: 'pending' },
    ],
    ...fields,
  };
}
