import { queueViewFromParams, taskListQuery } from './queue-params';
import { withParam } from './search-params';

describe("the queue's view in the URL", () => {
  it('reads filters, search, sort and page from the parameters', () => {
    const view = queueViewFromParams(
      new URLSearchParams('status=failed&priority=urgent&q=%20deploy%20&sort=priority&offset=100'),
    );
    expect(view).toEqual({
      status: 'failed',
      priority: 'urgent',
      q: 'deploy',
      sort: 'priority',
      offset: 100,
    });
  });

  it('leaves out what the API would refuse: unknown values, a bad page, blank search', () => {
    expect(
      queueViewFromParams(new URLSearchParams('status=lost&priority=x&sort=name&offset=-5&q=%20')),
    ).toEqual({ offset: 0 });
    expect(queueViewFromParams(new URLSearchParams('offset=abc')).offset).toBe(0);
  });

  it('asks the API for exactly the view (no sort given: relevance for a search)', () => {
    expect(taskListQuery('p1', { q: 'deploy', offset: 50 })).toEqual({
      project_id: 'p1',
      q: 'deploy',
      limit: 50,
      offset: 50,
    });
    expect(taskListQuery('p1', { status: 'pending', sort: 'priority', offset: 0 })).toMatchObject({
      status: 'pending',
      sort: 'priority',
    });
  });

  it('starts again at the first page when a filter changes, not when the page does', () => {
    const params = new URLSearchParams('status=pending&offset=100');
    expect(withParam(params, 'priority', 'high').toString()).toBe('status=pending&priority=high');
    expect(withParam(params, 'offset', 150).toString()).toBe('status=pending&offset=150');
    expect(withParam(params, 'status', null).toString()).toBe('');
    expect(withParam(params, 'offset', 0).toString()).toBe('status=pending');
  });
});
