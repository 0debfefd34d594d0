import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { useEffect, type ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { SessionProvider, useSessionState } from '../api/session';
import { vi } from 'vitest';

/** One request the fake API answered: method, path and query. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

/** What the fake API answers: a JSON body (200), or `[status, body]`. */
export type FakeAnswer = unknown;
export type FakeRoute = (request: SeenRequest) => FakeAnswer | undefined;

export const TEST_USER = {
  kind: 'user',
  id: '3b065a02-a40f-4e0f-90c4-e1eafa287a96',
  email: 'ops@example.com',
  name: 'Olga Ops',
  is_active: true,
  is_superuser: false,
  created_at: '2026-12-01T00:00:00.000Z',
  updated_at: '2026-12-01T00:00:00.000Z',
};

export class Status {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/**
 * A fake of the REST API as the global fetch (the signed-in client is made with it): sign-in
 * answers for the test user, every other request goes to `route`; what it does not answer is
 * 404. Returns the requests seen, in order.
 */
export function fakeApi(route: FakeRoute): SeenRequest[] {
  const seen: SeenRequest[] = [];
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), {
      status,
      headers: {
        'content-type': status < 400 ? 'application/json' : 'application/problem+json',
      },
    });
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    if (url.pathname === '/api/v1/auth/login')
      return Promise.resolve(
        json(200, { access_token: 't', token_type: 'Bearer', expires_in: 3600 }),
      );
    if (url.pathname === '/api/v1/auth/me') return Promise.resolve(json(200, TEST_USER));
    const seenRequest = { method: request.method, path: url.pathname, query: url.searchParams };
    seen.push(seenRequest);
    const answer = route(seenRequest);
    if (answer === undefined)
      return Promise.resolve(json(404, { status: 404, title: 'Not Found', detail: 'No route' }));
    if (answer instanceof Status) return Promise.resolve(json(answer.status, answer.body));
    return Promise.resolve(json(200, answer));
  });
  return seen;
}

function SignedIn({ children }: { children: ReactNode }) {
  const { session, signIn } = useSessionState();
  useEffect(() => {
    void signIn('ops@example.com', 'secret');
  }, [signIn]);
  return session ? children : null;
}

/** Renders `element` at `path` (matched by `pattern`), signed in, with a fresh query cache. */
export function renderPage(
  element: ReactNode,
  { path, pattern }: { path: string; pattern: string },
) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <SignedIn>
          <MemoryRouter initialEntries={[path]}>
            <Routes>
              <Route path={pattern} element={element} />
            </Routes>
          </MemoryRouter>
        </SignedIn>
      </SessionProvider>
    </QueryClientProvider>,
  );
}

export const page = <T,>(items: T[], offset = 0, limit = 50, total = items.length) => ({
  items,
  total,
  limit,
  offset,
});
