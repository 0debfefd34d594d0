import { resolveAuditTarget } from './audit-target';

const P = '8d7f3c1e-2b4a-4c6d-9e0f-1a2b3c4d5e6f';
const A = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

describe('resolveAuditTarget', () => {
  it('takes a created resource id from the response, and a project resource is its own project', () => {
    expect(
      resolveAuditTarget({
        meta: { action: 'project.create', resourceType: 'project' },
        method: 'POST',
        routeUrl: '/api/v1/projects',
        params: {},
        body: { id: P, name: 'x' },
      }),
    ).toEqual({ action: 'project.create', resourceType: 'project', resourceId: P, projectId: P });
  });

  it('falls back to the :id path parameter when there is no body (204)', () => {
    expect(
      resolveAuditTarget({
        meta: { action: 'project.delete', resourceType: 'project' },
        method: 'DELETE',
        routeUrl: '/api/v1/projects/:id',
        params: { id: P },
        body: undefined,
      }),
    ).toMatchObject({ resourceId: P, projectId: P });
  });

  it('reads the project of a changed resource from the response', () => {
    expect(
      resolveAuditTarget({
        meta: { action: 'agent.update', resourceType: 'agent' },
        method: 'PATCH',
        routeUrl: '/api/v1/agents/:id',
        params: { id: A },
        body: { id: A, project_id: P },
      }),
    ).toMatchObject({ resourceId: A, projectId: P });
  });

  it('lets the handler note win over every default', () => {
    expect(
      resolveAuditTarget({
        meta: { action: 'api_key.revoke', resourceType: 'api_key' },
        method: 'DELETE',
        routeUrl: '/api/v1/agents/:id/api-keys/:key_id',
        params: { id: A, key_id: 'k' },
        body: undefined,
        note: { resourceId: 'k', projectId: P },
      }),
    ).toMatchObject({ resourceId: 'k', projectId: P });
  });

  it('derives a name for routes without @Audit', () => {
    expect(
      resolveAuditTarget({
        method: 'POST',
        routeUrl: '/api/v1/agents/:id/heartbeat',
        params: { id: A },
        body: {},
      }),
    ).toEqual({
      action: 'POST /api/v1/agents/:id/heartbeat',
      resourceType: 'agents',
      resourceId: A,
      projectId: null,
    });
  });

  it('never passes on a project id that is not a UUID', () => {
    expect(
      resolveAuditTarget({
        meta: { action: 'x.y', resourceType: 'x' },
        method: 'POST',
        routeUrl: '/api/v1/x',
        params: {},
        body: { id: 'x1', project_id: 'nope' },
      }).projectId,
    ).toBeNull();
  });
});
