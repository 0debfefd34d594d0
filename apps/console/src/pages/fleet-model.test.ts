import { aTask, anAgent } from '../test-support';
import {
  agentsWithFinishedWork,
  holders,
  modelLabel,
  percent,
  tasksByAgent,
  visibleAgents,
} from './fleet-model';

const T0 = Date.parse('2026-12-02T12:00:00Z');

describe('the agents shown', () => {
  const agents = [
    anAgent({
      id: '2',
      name: 'zeta',
      status: 'online',
      heartbeat_expires_at: new Date(T0 + 1000).toISOString(),
    }),
    anAgent({
      id: '1',
      name: 'alpha',
      status: 'online',
      heartbeat_expires_at: new Date(T0 - 1000).toISOString(),
    }),
  ];

  it('are in name order, steady whatever their statuses', () => {
    expect(visibleAgents(agents, null, T0).map((a) => a.name)).toEqual(['alpha', 'zeta']);
  });

  it('are those reading as the chosen status, an aged-out heartbeat reading offline', () => {
    expect(visibleAgents(agents, 'offline', T0).map((a) => a.name)).toEqual(['alpha']);
    expect(visibleAgents(agents, 'online', T0).map((a) => a.name)).toEqual(['zeta']);
  });
});

describe('work in progress by agent', () => {
  it('groups tasks by the agent they are assigned to, leaving out users and no one', () => {
    const grouped = tasksByAgent([
      aTask({ id: 't1', assigned_to: 'a', assigned_to_type: 'agent' }),
      aTask({ id: 't2', assigned_to: 'a', assigned_to_type: 'agent' }),
      aTask({ id: 't3', assigned_to: 'u', assigned_to_type: 'user' }),
      aTask({ id: 't4' }),
    ]);
    expect([...grouped.keys()]).toEqual(['a']);
    expect(grouped.get('a')?.map((t) => t.id)).toEqual(['t1', 't2']);
  });

  it('names the agents whose work ended since the last reading (their confidence learned)', () => {
    const before = holders([
      aTask({ id: 't1', assigned_to: 'a', assigned_to_type: 'agent' }),
      aTask({ id: 't2', assigned_to: 'b', assigned_to_type: 'agent' }),
    ]);
    const now = [aTask({ id: 't2', assigned_to: 'b', assigned_to_type: 'agent' })];
    expect(agentsWithFinishedWork(before, now)).toEqual(['a']);
  });
});

describe('labels', () => {
  it('shows confidence as a percentage and the model as provider / name', () => {
    expect(percent(0.8234)).toBe('82%');
    expect(modelLabel({ model_provider: 'anthropic', model_name: 'claude' })).toBe(
      'anthropic / claude',
    );
    expect(modelLabel({ model_provider: null, model_name: 'gpt' })).toBe('gpt');
  });
});
