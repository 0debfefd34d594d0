import {
  activeFilters,
  auditQuery,
  readAuditFilters,
  resourceHref,
  resourceTypeLabel,
  writeAuditFilters,
} from './audit-filters';

describe('audit filters in the URL', () => {
  it('reads the five filters, trimmed, leaving out empty ones and anything else', () => {
    const params = new URLSearchParams(
      'actor_type=agent&actor_id=%20a1%20&action=&resource_type=task&resource_id=t1&offset=50&other=x',
    );
    expect(readAuditFilters(params)).toEqual({
      actor_type: 'agent',
      actor_id: 'a1',
      resource_type: 'task',
      resource_id: 't1',
    });
    expect(activeFilters(readAuditFilters(params))).toBe(4);
    expect(readAuditFilters(new URLSearchParams('actor_type=robot'))).toEqual({});
  });

  it('writes filters back on the first page, keeping other parameters', () => {
    const params = new URLSearchParams('offset=100&action=task.update&other=x');
    const next = writeAuditFilters(params, { action: ' task.claim ', actor_type: '' });
    expect(Object.fromEntries(next)).toEqual({ action: 'task.claim', other: 'x' });
    expect(writeAuditFilters(next, {}).toString()).toBe('other=x');
  });

  it('asks for the page and only the filters that are set', () => {
    expect(auditQuery({ action: 'task.update', actor_id: '' }, 50, 50)).toEqual({
      limit: 50,
      offset: 50,
      action: 'task.update',
    });
    expect(auditQuery({}, 0, 50)).toEqual({ limit: 50, offset: 0 });
  });
});

describe('links to what a row changed', () => {
  it('opens tasks in the queue, executions, workflows and a message in its conversation', () => {
    expect(resourceHref('task', 't1')).toBe('queue/t1');
    expect(resourceHref('workflow_execution', 'e1')).toBe('executions/e1');
    expect(resourceHref('workflow', 'w1')).toBe('workflows/w1');
    expect(resourceHref('message', 'm1')).toBe('messages?message=m1');
  });

  it('links nothing that has no page, or no id', () => {
    expect(resourceHref('api_key', 'k1')).toBeNull();
    expect(resourceHref('project', 'p1')).toBeNull();
    expect(resourceHref('task', null)).toBeNull();
  });

  it('reads resource types as words', () => {
    expect(resourceTypeLabel('workflow_execution')).toBe('workflow execution');
  });
});
