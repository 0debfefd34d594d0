import type { EventStreams, SubscribeRequest } from '@agenthub/events';
import type { Principal } from '@agenthub/auth';
import { TaskUpdates } from './task-updates';

const principal: Principal = { kind: 'agent', agentId: 'a', projectId: 'p', keyId: 'k' };

/** An event stream whose events the test hands over. */
function fakeStreams() {
  const held: { request?: SubscribeRequest } = {};
  const streams = {
    subscribe: async (request: SubscribeRequest) => {
      held.request = request;
      return { position: () => '0-0', close: () => undefined };
    },
  } as unknown as EventStreams;
  const emit = (event: Parameters<SubscribeRequest['onEvent']>[0]) => held.request?.onEvent(event);
  return { streams, emit };
}

const taskEvent = (id: string, version: number) => ({
  id: `1-${version}`,
  type: 'task.updated',
  project_id: 'p',
  occurred_at: '2026-12-01T00:00:00.000Z',
  data: { id, version },
});

describe('TaskUpdates', () => {
  it("hands a reader its task's changes and skips the others'", async () => {
    const { streams, emit } = fakeStreams();
    const updates = await TaskUpdates.open(streams, principal, 'p');
    await emit(taskEvent('other', 1));
    await emit(taskEvent('mine', 2));
    expect(await updates.next('mine')).toEqual({
      kind: 'updated',
      task: { id: 'mine', version: 2 },
    });
  });

  it('tells a reader to read its task again when the log lost changes it had not seen (a gap)', async () => {
    const { streams, emit } = fakeStreams();
    const updates = await TaskUpdates.open(streams, principal, 'p');
    const next = updates.next('mine');
    await emit({
      id: '9-9',
      type: 'gap',
      last_event_id: '1-1',
      purged_through: '9-9',
      message: 'purged',
    });
    expect(await next).toEqual({ kind: 'resync' });
  });

  it('answers null once the subscription ended, with the reason', async () => {
    const held: { request?: SubscribeRequest } = {};
    const streams = {
      subscribe: async (request: SubscribeRequest) => {
        held.request = request;
        return { position: () => '0-0', close: () => undefined };
      },
    } as unknown as EventStreams;
    const updates = await TaskUpdates.open(streams, principal, 'p');
    held.request?.onClose?.('credentials no longer valid');
    expect(await updates.next('mine')).toBeNull();
    expect(updates.reason).toBe('credentials no longer valid');
  });
});
