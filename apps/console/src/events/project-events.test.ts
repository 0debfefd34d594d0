import { staleRoots } from './project-events';

describe('what an event makes stale', () => {
  it('refreshes a task list, the task, and the executions whose steps are tasks', () => {
    expect(staleRoots('task.updated')).toEqual(
      expect.arrayContaining(['tasks', 'task', 'executions', 'execution']),
    );
  });

  it('refreshes the fleet on agent changes and the threads on message changes', () => {
    expect(staleRoots('agent.updated')).toEqual(expect.arrayContaining(['agents', 'agent']));
    expect(staleRoots('message.updated')).toEqual(['messages', 'stats', 'metrics', 'audit']);
    expect(staleRoots('workflow_execution.completed')).toEqual(
      expect.arrayContaining(['executions', 'execution']),
    );
  });

  it('refreshes nothing for a type it does not know', () => {
    expect(staleRoots('something.new')).toEqual([]);
  });
});
