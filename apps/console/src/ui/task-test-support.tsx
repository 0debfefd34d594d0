/**
 * For page tests: a fake API (routes answering JSON) behind the console's real session, and a
 * page rendered signed in, inside a router, as the app renders it.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { useEffect, type ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { vi } from 'vitest';
import { SessionProvider, useSessionState } from '../api/session';
import type { Agent } from './agent-liveness';
import type { Task } from './task-queries';

export interface FakeRequest {
  method: string;
  path: string;
  url: URL;
  body: unknown;
  params: Record<string, string>;
}

/** A route's answer: a body (200 JSON), or a Response as it is. */
type Handler = (request: FakeRequest) => unknown;

export interface FakeApi {
  fetch: typeof globalThis.fetch;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** Adds or replaces a route: `on('GET /api/v1/tasks/:id', ...)`. */
  on(route: string, handler: Handler): void;
}

export const problem = (status: number, code: string, detail: string): Response =>
  new Response(JSON.stringify({ status, code, detail, title: 'Conflict' }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

export function fakeApi(routes: Record<string, Handler> = {}): FakeApi {
  const table = new Map<string, Handler>(Object.entries(routes));
  table.set('POST /api/v1/auth/login', () => ({
    access_token: 'token',
    expires_in: 3600,
    token_type: 'Bearer',
  }));
  table.set('GET /api/v1/auth/me', () => ({
    kind: 'user',
    id: 'user-1',
    name: 'Olga Ops',
    email: 'ops@example.com',
    is_superuser: false,
    is_active: true,
    created_at: '2026-01-01T00:00:00Z',
  }));
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

  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.text();
    const found = match(request.method, url.pathname);
    const fake: FakeRequest = {
      method: request.method,
      path: url.pathname,
      url,
      body: text ? JSON.parse(text) : undefined,
      params: found?.params ?? {},
    };
    requests.push(fake);
    if (!found)
      return problem(
        404,
        'RESOURCE.NOT_FOUND',
        `No fake route for ${request.method} ${url.pathname}`,
      );
    const answer = found.handler(fake);
    if (answer instanceof Response) return answer;
    if (answer === undefined) return new Response(null, { status: 204 });
    return new Response(JSON.stringify(answer), {
      status: request.method === 'POST' && url.pathname === '/api/v1/tasks' ? 201 : 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return {
    fetch,
    requests,
    on: (route, handler) => table.set(route, handler),
  };
}

/** `{items, total, limit, offset}` of all of them. */
export const page = <T,>(items: T[]) => ({ items, total: items.length, limit: 500, offset: 0 });

function SignedIn({ children }: { children: ReactNode }) {
  const { session, signIn } = useSessionState();
  useEffect(() => {
    // A test that ends before the sign-in has answered has nothing to report about it.
    signIn('ops@example.com', 'secret').catch(() => undefined);
  }, [signIn]);
  return session ? children : null;
}

/** Shows where the router is, for tests that follow a navigation. */
function WhereAmI() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/**
 * Renders `element` at `path` (matched by `route`), signed in against `api`. The session's
 * client is made with the global fetch, so it is replaced for the test.
 */
export function renderPage(
  element: ReactNode,
  { api, path, route }: { api: FakeApi; path: string; route: string },
) {
  vi.stubGlobal('fetch', api.fetch);
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
