import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { apiOrigin, useSessionState } from '../api/session';
import { openEventStream, type StreamEvent, type StreamState } from './event-stream';

type Listener = (event: StreamEvent) => void;

interface ProjectEvents {
  state: StreamState;
  detail?: string;
  subscribe(listener: Listener): () => void;
}

const ProjectEventsContext = createContext<ProjectEvents | null>(null);

/**
 * Which cached reads an event makes stale, by the first element of their query keys (see
 * api/queries.ts). A workflow step is a task, so task events refresh executions too; every
 * change leaves an audit row, so every event refreshes the audit log when it is shown.
 */
export const STALE_BY_EVENT: Record<string, string[]> = {
  agent: ['agents', 'agent', 'capabilities', 'audit'],
  // A task that ends moves its agent's capability confidence and the platform's metrics too.
  task: ['tasks', 'task', 'executions', 'execution', 'stats', 'capabilities', 'metrics', 'audit'],
  workflow_execution: ['executions', 'execution', 'stats', 'audit'],
  message: ['messages', 'stats', 'metrics', 'audit'],
  room: ['rooms', 'audit'],
};

/** The query-key roots an event type makes stale (`task.updated` → tasks, task, …). */
export function staleRoots(type: string): string[] {
  return STALE_BY_EVENT[type.split('.')[0]] ?? [];
}

/**
 * Marks stale what a burst of events touched, at most every `everyMs`: fifty task updates
 * in a second re-read the list once or twice, not fifty times.
 */
function coalescingInvalidator(queryClient: QueryClient, everyMs = 250) {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const roots = [...pending];
    pending.clear();
    void queryClient.invalidateQueries({
      predicate: (query) => roots.includes(String(query.queryKey[0])),
    });
  };
  return {
    add(roots: string[]) {
      for (const root of roots) pending.add(root);
      if (!timer && pending.size > 0) timer = setTimeout(flush, everyMs);
    },
    cancel() {
      if (timer) clearTimeout(timer);
    },
  };
}

/**
 * One event stream per open project, for every page: cached reads go stale as events
 * arrive (and are re-read while shown); pages that want the events themselves subscribe.
 */
export function ProjectEventsProvider({
  projectId,
  children,
}: {
  projectId: string;
  children: ReactNode;
}) {
  const { session, signOut } = useSessionState();
  const queryClient = useQueryClient();
  const listeners = useRef(new Set<Listener>());
  const [status, setStatus] = useState<{ state: StreamState; detail?: string }>({
    state: 'connecting',
  });
  const token = session?.token;

  useEffect(() => {
    if (!token) return;
    const stale = coalescingInvalidator(queryClient);
    const stream = openEventStream({
      baseUrl: apiOrigin(),
      token,
      projectId,
      onEvent(event) {
        stale.add(staleRoots(event.type));
        for (const listener of listeners.current) listener(event);
      },
      onResync() {
        void queryClient.invalidateQueries();
      },
      onState(state, detail) {
        setStatus({ state, detail });
      },
      onUnauthorized() {
        signOut('Your session has ended (the API refused its token): sign in again.');
      },
    });
    return () => {
      stale.cancel();
      stream.close();
    };
  }, [token, projectId, queryClient, signOut]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo<ProjectEvents>(() => ({ ...status, subscribe }), [status, subscribe]);
  return <ProjectEventsContext.Provider value={value}>{children}</ProjectEventsContext.Provider>;
}

function useProjectEvents(): ProjectEvents {
  const events = useContext(ProjectEventsContext);
  if (!events) throw new Error('useProjectEvents outside <ProjectEventsProvider>');
  return events;
}

/** The stream's state, for the header's indicator. */
export function useStreamState(): { state: StreamState; detail?: string } {
  const { state, detail } = useProjectEvents();
  return { state, detail };
}

/** Calls `listener` with each event of the project's stream while the component is shown. */
export function useProjectEvent(listener: Listener): void {
  const { subscribe } = useProjectEvents();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => subscribe((event) => latest.current(event)), [subscribe]);
}
