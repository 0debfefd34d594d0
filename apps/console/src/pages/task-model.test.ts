import { aTask } from '../test-support';
import { openDependencies, taskActions } from './task-model';

const shown = (fields: Parameters<typeof aTask>[0]) =>
  Object.entries(taskActions(aTask(fields)))
    .filter(([, allowed]) => allowed)
    .map(([action]) => action);

describe('what may be done with a task', () => {
  it('follows the lifecycle: work ahead may be assigned or cancelled', () => {
    expect(shown({ status: 'pending' })).toEqual(['assign', 'cancel', 'delete']);
    expect(shown({ status: 'pending', assigned_to: 'a', assigned_to_type: 'agent' })).toEqual([
      'assign',
      'unassign',
      'cancel',
      'delete',
    ]);
    expect(shown({ status: 'in_progress', assigned_to: 'a', assigned_to_type: 'agent' })).toEqual([
      'assign',
      'cancel',
      'delete',
    ]);
  });

  it('reopens a failed or cancelled task; a completed one only goes', () => {
    expect(shown({ status: 'failed' })).toEqual(['reopen', 'delete']);
    expect(shown({ status: 'cancelled' })).toEqual(['reopen', 'delete']);
    expect(shown({ status: 'completed' })).toEqual(['delete']);
  });

  it('sends a failed workflow step to its execution instead of reopening it', () => {
    expect(shown({ status: 'failed', workflow_execution_id: 'e1', step_key: 'b' })).toEqual([
      'retryExecution',
      'delete',
    ]);
  });
});

describe('what keeps a task from starting', () => {
  it('is each dependency not completed', () => {
    expect(
      openDependencies([{ status: 'completed' }, { status: 'failed' }, { status: 'pending' }]),
    ).toBe(2);
  });

  it('for a step that continues on failure, only those not finished', () => {
    expect(
      openDependencies(
        [{ status: 'completed' }, { status: 'failed' }, { status: 'pending' }],
        'continue',
      ),
    ).toBe(1);
  });
});
