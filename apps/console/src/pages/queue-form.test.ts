import { EMPTY_NEW_TASK, newTaskRequest, parseList } from './queue-form';

const ID_A = '0f45122f-5075-4edf-bce2-23001fbf7bdf';
const ID_B = 'D59C662A-A32A-4760-B251-2F691E430245';

describe('typed lists', () => {
  it('split on commas, spaces and lines, each item once', () => {
    expect(parseList(' build, deploy\nbuild  kubernetes,, ')).toEqual([
      'build',
      'deploy',
      'kubernetes',
    ]);
    expect(parseList('')).toEqual([]);
  });
});

describe('the new-task request', () => {
  it('sends what the form holds, leaving out what is empty', () => {
    expect(newTaskRequest('p1', { ...EMPTY_NEW_TASK, title: '  Build 2.4 ' })).toEqual({
      body: { project_id: 'p1', title: 'Build 2.4', priority: 'medium', max_attempts: 3 },
    });
  });

  it('carries capabilities, picked and pasted dependencies, attempts and automatic assignment', () => {
    const { body } = newTaskRequest('p1', {
      ...EMPTY_NEW_TASK,
      title: 'Deploy',
      description: 'to prod',
      priority: 'urgent',
      capabilities: 'deploy, kubernetes',
      dependencies: [ID_A],
      pastedDependencies: `${ID_B}, ${ID_A}`,
      maxAttempts: '5',
      autoAssign: true,
    });
    expect(body).toEqual({
      project_id: 'p1',
      title: 'Deploy',
      description: 'to prod',
      priority: 'urgent',
      required_capabilities: ['deploy', 'kubernetes'],
      dependencies: [ID_A, ID_B.toLowerCase()],
      max_attempts: 5,
      auto_assign: true,
    });
  });

  it('says what is wrong before asking the API', () => {
    expect(newTaskRequest('p1', EMPTY_NEW_TASK).problem).toMatch(/title/);
    expect(
      newTaskRequest('p1', { ...EMPTY_NEW_TASK, title: 't', pastedDependencies: 'build-2' })
        .problem,
    ).toMatch(/Not a task id: build-2/);
    expect(
      newTaskRequest('p1', { ...EMPTY_NEW_TASK, title: 't', maxAttempts: '0' }).problem,
    ).toMatch(/1 to 100/);
  });
});
