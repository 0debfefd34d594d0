import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '@agenthub/auth';
import type { AppConfig } from '@agenthub/config';
import type { DatabaseNotifications } from './database-notifications';
import { EventCursor, parseCursor } from './event-cursor';
import { EventPushHooks } from './event-push-hooks';
import type { EventAddress, EventBatch, EventReader, EventScope } from './event-reader';
import { EventStreams, EventSubscription, POLL_ADDRESSES_MAX } from './event-streams';
import type { StreamCredentialsRepository } from './stream-credentials.repository';

/**
 * The process's safety poll: one read of whom the new events are for wakes the streams that
 * may want one, and lets the others skip them, so an idle stream reads nothing.
 */

type Found = Awaited<ReturnType<EventReader['addressesAfter']>>;

const cursor = (text: string) => parseCursor(text) as EventCursor;
const agent = (agentId: string): Principal => ({
  kind: 'agent',
  agentId,
  projectId: 'p',
  keyId: `key-${agentId}`,
});
const toAgent = (at: string, agentId: string): EventAddress => ({
  cursor: cursor(at),
  type: 'message.received',
  projectId: 'p',
  audience: 'agent',
  agentId,
});

function setUp() {
  /** Each stream read, by the reading agent. */
  const reads: string[] = [];
  /** The head of the log the fake's reads report having scanned through. */
  let head = cursor('10-1');
  /** Where each safety poll read from ('head': the first poll, which reads only the head). */
  const polls: (EventCursor | 'head')[] = [];
  const answers: Found[] = [];
  const answer = () => {
    const found = answers.shift();
    if (!found) throw new Error('no answer scripted');
    return found;
  };
  const reader = {
    read: async (scope: EventScope): Promise<EventBatch> => {
      reads.push(scope.kind === 'agent' ? scope.agentId : scope.userId);
      return { events: [], heldBack: false, scannedThrough: head };
    },
    head: async (): Promise<EventCursor> => {
      polls.push('head');
      return answer().through;
    },
    addressesAfter: async (after: EventCursor, limit: number): Promise<Found> => {
      expect(limit).toBe(POLL_ADDRESSES_MAX);
      polls.push(after);
      return answer();
    },
  } as unknown as EventReader;
  const em = { name: 'default', fork: () => em } as unknown as EntityManager;
  const streams = new EventStreams(
    { eventStreamsPerPrincipal: 10 } as AppConfig,
    em,
    {} as DatabaseNotifications,
    reader,
    new EventPushHooks(),
    {} as StreamCredentialsRepository,
  );
  const subscriptions: EventSubscription[] = [];
  const subscribe = async (agentId: string, at: string) => {
    const subscription = await streams.subscribe({
      principal: agent(agentId),
      types: null,
      cursor: cursor(at),
      onEvent: () => undefined,
    });
    subscriptions.push(subscription);
    await settle();
    return subscription;
  };
  const poll = async (found: Partial<Omit<Found, 'through'>> & { through: string }) => {
    head = cursor(found.through);
    answers.push({
      addresses: [],
      overflow: false,
      purged: false,
      ...found,
      through: cursor(found.through),
    });
    await streams.poll();
    await settle();
  };
  const close = () => subscriptions.forEach((s) => s.close());
  return { streams, reads, polls, subscribe, poll, close };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('EventStreams.poll (the safety poll)', () => {
  it('reads nothing while no stream is open', async () => {
    const { streams, polls } = setUp();
    await streams.poll();
    expect(polls).toEqual([]);
  });

  it('wakes only the streams that may want an event, and moves the others past the events without a read', async () => {
    const { reads, polls, subscribe, poll, close } = setUp();
    const a = await subscribe('a', '10-1');
    await subscribe('b', '10-1');
    expect(reads).toEqual(['a', 'b']); // each stream's first read, at its start
    // The first poll does not know where the streams stood: it reads only the head of the
    // log, and every stream reads.
    await poll({ through: '12-3' });
    expect(polls).toEqual(['head']);
    expect(reads).toEqual(['a', 'b', 'a', 'b']);

    await poll({ addresses: [toAgent('13-1', 'b')], through: '14-2' });
    expect(polls[1]).toEqual(cursor('12-3'));
    expect(reads).toEqual(['a', 'b', 'a', 'b', 'b']);
    expect(a.position()).toBe('14-2');

    await poll({ through: '15-1' });
    expect(reads).toHaveLength(5);
    expect(a.position()).toBe('15-1');
    close();
  });

  it('wakes every stream when more events came than one poll reads', async () => {
    const { reads, subscribe, poll, close } = setUp();
    await subscribe('a', '10-1');
    await subscribe('b', '10-1');
    await poll({ through: '12-3' });
    await poll({ addresses: [toAgent('13-1', 'b')], overflow: true, through: '99-1' });
    expect(reads).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    close();
  });

  it('wakes every stream when the retention purge deleted events the poll could not see', async () => {
    const { reads, subscribe, poll, close } = setUp();
    await subscribe('a', '10-1');
    await poll({ through: '12-3' });
    await poll({ purged: true, through: '14-2' });
    expect(reads).toEqual(['a', 'a', 'a']);
    close();
  });
});
