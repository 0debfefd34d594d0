import { useState } from 'react';
import { Link } from 'react-router';
import { useProjects } from '../api/queries';
import { Empty, ErrorNotice, Loading, Pager, Time } from '../ui/components';
import { UserMenu } from '../ui/layout';

/** The projects the user may see: pick one. */
export function ProjectsPage() {
  const [offset, setOffset] = useState(0);
  const projects = useProjects(offset);
  return (
    <>
      <header className="top">
        <div className="brand">
          <strong>AgentHub</strong>
        </div>
        <UserMenu />
      </header>
      <main id="main">
        <h1>Projects</h1>
        <ErrorNotice error={projects.error} />
        {projects.isPending && <Loading what="projects" />}
        {projects.data && projects.data.items.length === 0 && (
          <Empty>No projects yet: create one with POST /api/v1/projects.</Empty>
        )}
        {projects.data && projects.data.items.length > 0 && (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {projects.data.items.map((project) => (
                  <tr key={project.id}>
                    <td>
                      <Link to={`/projects/${project.id}/fleet`}>{project.name}</Link>
                    </td>
                    <td>{project.description ?? ''}</td>
                    <td>
                      <Time value={project.created_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              offset={offset}
              limit={projects.data.limit}
              total={projects.data.total}
              onOffset={setOffset}
            />
          </>
        )}
      </main>
    </>
  );
}
