import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { EventStreams, SubscribeRequest } from '@agenthub/events';
import type { Principal } from '@agenthub/auth';
import type { McpSessionRepository } from './mcp-session.repository';
import { McpStreams } from './mcp-streams';

const principal: Principal = { kind: 'agent', agentId: 'a', projectId: 'p', keyId: 'k' };
const TASK = '00000000-0000-4000-8000-000000000001';

async function openStream(uris: string[]) {
  const held: { request?: SubscribeRequest } = {};
  const events = {
    subscribe: async (request: SubscribeRequest) => {
      held.request = request;
      return { position: () => '0-0', close: () => undefined };
    },
  } as unknown as EventStreams;
  const sessions = {
    subscriptionsOf: async (ids: string[]) => new Map(ids.map((id) => [id, uris])),
  } as unknown as McpSessionRepository;
  const updated: string[] = [];
  const server = {
    sendResourceUpdated: async ({ uri }: { uri: string }) => void updated.push(uri),
  } as unknown as Server;
  const streams = new McpStreams(events, sessions);
  const stop = await streams.start({ sessionId: 's', principal, server, end: () => undefined });
  const emit = (event: Parameters<SubscribeRequest['onEvent']>[0]) => held.request?.onEvent(event);
  return { updated, emit, stop };
}

describe('McpStreams', () => {
  it("notifies a subscribed task's change, and nothing for another task", async () => {
    const { updated, emit, stop } = await openStream([`agenthub://tasks/${TASK}`]);
    const change = (id: string) => ({
      id: '1-1',
      type: 'task.updated',
      project_id: 'p',
      occurred_at: '2026-12-01T00:00:00.000Z',
      data: { id, workflow_execution_id: null },
    });
    await emit(change('00000000-0000-4000-8000-000000000002'));
    await emit(change(TASK));
    expect(updated).toEqual([`agenthub://tasks/${TASK}`]);
    stop();
  });

  it('notifies every subscribed resource when the log lost changes the stream had not read (a gap)', async () => {
    const uris = [
      `agenthub://tasks/${TASK}`,
      'agenthub://agents/00000000-0000-4000-8000-00000000000a',
    ];
    const { updated, emit, stop } = await openStream(uris);
    await emit({
      id: '9-9',
      type: 'gap',
      last_event_id: '1-1',
      purged_through: '9-9',
      message: 'purged',
    });
    expect(updated).toEqual(uris);
    stop();
  });
});
