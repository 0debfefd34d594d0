import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { ApiError } from './api/problem';
import { SessionProvider, useSessionState } from './api/session';
import { ProjectLayout } from './ui/layout';
import { AuditPage } from './pages/audit';
import { FleetPage } from './pages/fleet';
import { MessagesPage } from './pages/messages';
import { MetricsPage } from './pages/metrics';
import { ProjectsPage } from './pages/projects';
import { QueuePage } from './pages/queue';
import { SignInPage } from './pages/sign-in';
import { TaskPage } from './pages/task';
import { ExecutionPage } from './pages/execution';
import { WorkflowPage } from './pages/workflow';
import { WorkflowsPage } from './pages/workflows';

function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Live data comes from the event stream; a re-read on focus is cheap insurance.
        staleTime: 5_000,
        // A refusal (4xx) will not change by asking again.
        retry: (count, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      },
    },
  });
}

/** Every page but the sign-in needs a session; without one, sign in and come back. */
function Routed() {
  const { session } = useSessionState();
  const location = useLocation();
  if (!session) return <SignInPage returnTo={location.pathname + location.search} />;
  return (
    <Routes>
      <Route path="/" element={<ProjectsPage />} />
      <Route path="/projects/:projectId" element={<ProjectLayout />}>
        <Route index element={<Navigate to="fleet" replace />} />
        <Route path="fleet" element={<FleetPage />} />
        <Route path="queue" element={<QueuePage />} />
        <Route path="queue/:taskId" element={<TaskPage />} />
        <Route path="workflows" element={<WorkflowsPage />} />
        <Route path="workflows/:workflowId" element={<WorkflowPage />} />
        <Route path="executions/:executionId" element={<ExecutionPage />} />
        <Route path="messages" element={<MessagesPage />} />
        <Route path="metrics" element={<MetricsPage />} />
        <Route path="audit" element={<AuditPage />} />
      </Route>
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}

export function App() {
  const [queryClient] = useState(newQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <BrowserRouter basename="/console">
          <Routed />
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  );
}
