import { NavLink, Outlet, useParams } from 'react-router';
import { useProject } from '../api/queries';
import { useSession, useSessionState } from '../api/session';
import { ProjectEventsProvider, useStreamState } from '../events/project-events';
import { ErrorNotice } from './components';

const PAGES = [
  ['fleet', 'Fleet'],
  ['queue', 'Queue'],
  ['workflows', 'Workflows'],
  ['messages', 'Messages'],
  ['metrics', 'Metrics'],
  ['audit', 'Audit'],
] as const;

function StreamIndicator() {
  const { state, detail } = useStreamState();
  const label = state === 'open' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Offline';
  return (
    <span className={`stream stream-${state}`} role="status" title={detail ?? label}>
      <span className="dot" aria-hidden="true" /> {label}
    </span>
  );
}

/** The signed-in user and the sign-out button, on every page. */
export function UserMenu() {
  const { user } = useSession();
  const { signOut } = useSessionState();
  return (
    <div className="user-menu">
      <span className="muted" title={user.email}>
        {user.name}
      </span>
      <button type="button" onClick={() => signOut()}>
        Sign out
      </button>
    </div>
  );
}

/** A project's pages: header with its name, the stream's state and the navigation. */
export function ProjectLayout() {
  const { projectId = '' } = useParams();
  const project = useProject(projectId);
  return (
    <ProjectEventsProvider projectId={projectId}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <NavLink to="/" title="All projects">
            AgentHub
          </NavLink>
          <span aria-hidden="true">/</span>
          <strong>{project.data?.name ?? '…'}</strong>
        </div>
        <StreamIndicator />
        <UserMenu />
      </header>
      <nav className="tabs" aria-label="Console pages">
        {PAGES.map(([path, label]) => (
          <NavLink key={path} to={path}>
            {label}
          </NavLink>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        <ErrorNotice error={project.error} />
        <Outlet />
      </main>
    </ProjectEventsProvider>
  );
}
