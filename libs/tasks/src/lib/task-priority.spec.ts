import { ClaimOrderKey, compareClaimOrder, PRIORITY_RANK, TASK_PRIORITIES } from './task-priority';

describe('priority ranking', () => {
  it('ranks urgent > high > medium > low', () => {
    const ranked = [...TASK_PRIORITIES].sort((a, b) => PRIORITY_RANK[b] - PRIORITY_RANK[a]);
    expect(ranked).toEqual(['urgent', 'high', 'medium', 'low']);
  });

  it('claims by priority first, then oldest first, then by id', () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
    const tasks: ClaimOrderKey[] = [
      { id: 'low-old', priority: 'low', createdAt: at(0) },
      { id: 'medium-new', priority: 'medium', createdAt: at(9) },
      { id: 'urgent-new', priority: 'urgent', createdAt: at(8) },
      { id: 'medium-old', priority: 'medium', createdAt: at(1) },
      { id: 'high-b', priority: 'high', createdAt: at(5) },
      { id: 'high-a', priority: 'high', createdAt: at(5) },
    ];
    expect(tasks.sort(compareClaimOrder).map((t) => t.id)).toEqual([
      'urgent-new',
      'high-a',
      'high-b',
      'medium-old',
      'medium-new',
      'low-old',
    ]);
  });
});
