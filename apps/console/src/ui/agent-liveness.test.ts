import { act, renderHook } from '@testing-library/react';
import { vi } from 'vitest';
import {
  countByStatus,
  effectiveStatus,
  nextWakeUp,
  REFRESH_LEAD_MS,
  relativeTime,
  useLivenessClock,
  type Agent,
} from './agent-liveness';
import { anAgent } from '../test-support';

const T0 = Date.parse('2026-12-02T12:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

describe('the status an agent reads as', () => {
  it('is the status the API answered while its heartbeat holds', () => {
    const agent = anAgent({ status: 'busy', heartbeat_expires_at: at(30_000) });
    expect(effectiveStatus(agent, T0)).toBe('busy');
    expect(effectiveStatus(agent, T0 + 29_999)).toBe('busy');
  });

  it('is offline from the moment its heartbeat runs out, whatever it last reported', () => {
    expect(
      effectiveStatus(anAgent({ status: 'busy', heartbeat_expires_at: at(30_000) }), T0 + 30_000),
    ).toBe('offline');
    expect(
      effectiveStatus(anAgent({ status: 'error', heartbeat_expires_at: at(1) }), T0 + 5_000),
    ).toBe('offline');
  });

  it('is the status it was given when it never sent a heartbeat (no expiry)', () => {
    expect(effectiveStatus(anAgent({ status: 'idle', heartbeat_expires_at: null }), T0 + 1e9)).toBe(
      'idle',
    );
  });

  it('counts the fleet by the status each reads as now', () => {
    const agents = [
      anAgent({ id: 'a', status: 'online', heartbeat_expires_at: at(10_000) }),
      anAgent({ id: 'b', status: 'online', heartbeat_expires_at: at(60_000) }),
      anAgent({ id: 'c', status: 'busy', heartbeat_expires_at: at(60_000) }),
    ];
    expect(countByStatus(agents, T0)).toMatchObject({ online: 2, busy: 1, offline: 0, idle: 0 });
    expect(countByStatus(agents, T0 + 10_000)).toMatchObject({ online: 1, busy: 1, offline: 1 });
  });
});

describe('when the fleet is looked at again', () => {
  it('wakes just before the soonest expiry ahead (to re-read) and at it', () => {
    const expiries = [T0 + 60_000, T0 + 20_000, null, T0 - 5_000];
    expect(nextWakeUp(expiries, T0)).toBe(T0 + 20_000 - REFRESH_LEAD_MS);
    expect(nextWakeUp(expiries, T0 + 20_000 - REFRESH_LEAD_MS)).toBe(T0 + 20_000);
    expect(nextWakeUp(expiries, T0 + 20_000)).toBe(T0 + 60_000 - REFRESH_LEAD_MS);
  });

  it('never wakes for expiries behind it, or agents without one', () => {
    expect(nextWakeUp([T0 - 1, null], T0)).toBeNull();
  });
});

describe('the liveness clock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('moves at the soonest expiry, with no timer running between', async () => {
    const agents: Agent[] = [anAgent({ heartbeat_expires_at: at(30_000) })];
    const refresh = vi.fn();
    const { result } = renderHook(() => useLivenessClock(agents, refresh));
    expect(effectiveStatus(agents[0], result.current)).toBe('online');

    await advance(30_000 - REFRESH_LEAD_MS - 1);
    expect(refresh).not.toHaveBeenCalled();
    await advance(1);
    expect(refresh).toHaveBeenCalledTimes(1); // a re-read, in case a heartbeat came meanwhile
    expect(effectiveStatus(agents[0], result.current)).toBe('online');

    await advance(REFRESH_LEAD_MS);
    expect(effectiveStatus(agents[0], result.current)).toBe('offline');
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0); // nothing ahead: no timer at all
  });

  it('follows a new heartbeat: the expiry moves and the agent stays online', async () => {
    const refresh = vi.fn();
    let agents: Agent[] = [anAgent({ heartbeat_expires_at: at(30_000) })];
    const { result, rerender } = renderHook(() => useLivenessClock(agents, refresh));
    await advance(20_000);
    agents = [anAgent({ heartbeat_expires_at: at(80_000) })];
    rerender();
    await advance(40_000);
    expect(effectiveStatus(agents[0], result.current)).toBe('online');
    await advance(20_000 - REFRESH_LEAD_MS); // the re-read before it
    await advance(REFRESH_LEAD_MS);
    expect(effectiveStatus(agents[0], result.current)).toBe('offline');
  });

  it('catches up at once on data whose expiry already passed, without re-reading for it', async () => {
    const refresh = vi.fn();
    let agents: Agent[] = [];
    const { result, rerender } = renderHook(() => useLivenessClock(agents, refresh));
    await advance(120_000);
    agents = [anAgent({ heartbeat_expires_at: at(60_000) })];
    rerender();
    await advance(0);
    expect(effectiveStatus(agents[0], result.current)).toBe('offline');
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe('relative times', () => {
  it('says how long ago, or how long until', () => {
    expect(relativeTime(at(0), T0 + 12_400)).toBe('12 s ago');
    expect(relativeTime(at(0), T0 + 185_000)).toBe('3 min 5 s ago');
    expect(relativeTime(at(0), T0 + 25 * 60_000)).toBe('25 min ago');
    expect(relativeTime(at(0), T0 + 2 * 3_600_000)).toBe('2 h ago');
    expect(relativeTime(at(0), T0 + 3 * 86_400_000)).toBe('3 d ago');
    expect(relativeTime(at(240_000), T0)).toBe('in 4 min');
    expect(relativeTime(at(300), T0)).toBe('now');
  });
});
