import {
  EXECUTIONS_PAGE_SIZE,
  WORKFLOWS_PAGE_SIZE,
  executionListQuery,
  withListParam,
  workflowListQuery,
  workflowsViewFromParams,
} from './workflow-params';

const view = (search: string) => workflowsViewFromParams(new URLSearchParams(search));

describe('the workflows view in the URL', () => {
  it('reads the filters of both lists', () => {
    expect(view('q=report&status=active&tag=nightly&offset=25&estatus=failed&eoffset=40')).toEqual({
      q: 'report',
      status: 'active',
      tag: 'nightly',
      offset: 25,
      executionStatus: 'failed',
      executionOffset: 40,
    });
  });

  it('leaves out what it does not understand', () => {
    expect(view('q=%20%20&status=archived&tag=&offset=-3&estatus=done&eoffset=x')).toEqual({
      q: undefined,
      status: undefined,
      tag: undefined,
      offset: 0,
      executionStatus: undefined,
      executionOffset: 0,
    });
  });

  it('asks the API for the definitions it filters', () => {
    expect(workflowListQuery('p-1', view('q=report&status=paused&tag=nightly&offset=25'))).toEqual({
      project_id: 'p-1',
      q: 'report',
      status: 'paused',
      tag: 'nightly',
      limit: WORKFLOWS_PAGE_SIZE,
      offset: 25,
    });
    expect(workflowListQuery('p-1', view(''))).toEqual({
      project_id: 'p-1',
      limit: WORKFLOWS_PAGE_SIZE,
      offset: 0,
    });
  });

  it('asks the API for the executions of a status', () => {
    expect(executionListQuery('p-1', 'running', 20)).toEqual({
      project_id: 'p-1',
      status: 'running',
      limit: EXECUTIONS_PAGE_SIZE,
      offset: 20,
    });
    expect(executionListQuery('p-1', undefined, 0)).toEqual({
      project_id: 'p-1',
      limit: EXECUTIONS_PAGE_SIZE,
      offset: 0,
    });
  });

  it("starts a list again at its first page when its filter changes, keeping the other list's page", () => {
    const params = new URLSearchParams('status=active&offset=25&eoffset=40');
    expect(withListParam(params, 'estatus', 'failed').toString()).toBe(
      'status=active&offset=25&estatus=failed',
    );
    expect(withListParam(params, 'status', 'paused').toString()).toBe('status=paused&eoffset=40');
    expect(withListParam(params, 'eoffset', 60).toString()).toBe(
      'status=active&offset=25&eoffset=60',
    );
  });

  it('removes a parameter set to nothing, or an offset back to 0', () => {
    const params = new URLSearchParams('status=active&offset=25&step=fetch');
    expect(withListParam(params, 'status', null).toString()).toBe('step=fetch');
    expect(withListParam(params, 'offset', 0).toString()).toBe('status=active&step=fetch');
    expect(withListParam(params, 'step', '').toString()).toBe('status=active&offset=25');
  });
});
