import { PRIORITY_RANK, TASK_PRIORITIES } from './task-priority';

describe('priority ranking', () => {
  it('ranks urgent > high > medium > low', () => {
    const ranked = [...TASK_PRIORITIES].sort((a, b) => PRIORITY_RANK[b] - PRIORITY_RANK[a]);
    expect(ranked).toEqual(['urgent', 'high', 'medium', 'low']);
  });
});
