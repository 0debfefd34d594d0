import { Reflector } from '@nestjs/core';
import { RequestTransactionHooks } from '@agenthub/database';
import { ACCESS_CACHE_TTL_MS, AccessCache, AccessChanges, CheckedPrincipal } from './access-cache';
import type { AgentPrincipal } from './principal';

/** The LISTEN connection as the cache sees it: live or not, and its access notifications. */
class FakeChanges implements AccessChanges {
  live = true;
  private readonly listeners = new Set<() => void>();
  isLive = () => this.live;
  onAccessChange(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  notify() {
    for (const l of this.listeners) l();
  }
}

const agent: AgentPrincipal = { kind: 'agent', agentId: 'a', projectId: 'p', keyId: 'k' };

describe('AccessCache', () => {
  let changes: FakeChanges;
  let cache: AccessCache;
  let checks: number;
  const check =
    (expiresAt: number | null = null) =>
    async (): Promise<CheckedPrincipal> => {
      checks++;
      return { principal: agent, expiresAt };
    };

  beforeEach(() => {
    changes = new FakeChanges();
    cache = new AccessCache(new Reflector(), new RequestTransactionHooks(), changes);
    checks = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('answers a token checked a moment ago from memory', async () => {
    expect(await cache.principal('ahk_1', check())).toBe(agent);
    expect(await cache.principal('ahk_1', check())).toBe(agent);
    expect(checks).toBe(1);
    await cache.principal('ahk_2', check());
    expect(checks).toBe(2);
  });

  it('asks the database every time while the LISTEN connection is not live (fail closed)', async () => {
    changes.live = false;
    await cache.principal('ahk_1', check());
    await cache.principal('ahk_1', check());
    expect(checks).toBe(2);
    // What was remembered before the connection went quiet is not trusted after it.
    changes.live = true;
    await cache.principal('ahk_1', check());
    changes.live = false;
    await cache.principal('ahk_1', check());
    changes.live = true;
    await cache.principal('ahk_1', check());
    expect(checks).toBe(5);
  });

  it('forgets everything on an access change', async () => {
    await cache.principal('ahk_1', check());
    changes.notify();
    await cache.principal('ahk_1', check());
    expect(checks).toBe(2);
  });

  it('does not store what a check read before an access change that arrived while it ran', async () => {
    const racing = async (): Promise<CheckedPrincipal> => {
      checks++;
      changes.notify(); // e.g. the key was revoked after this check read it
      return { principal: agent, expiresAt: null };
    };
    await cache.principal('ahk_1', racing);
    await cache.principal('ahk_1', check());
    expect(checks).toBe(2);
  });

  it('never serves a token past its expiry, nor an entry older than the TTL', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    await cache.principal('jwt', check(1_000_000 + 5_000));
    jest.setSystemTime(1_000_000 + 4_999);
    await cache.principal('jwt', check(1_000_000 + 5_000));
    expect(checks).toBe(1);
    jest.setSystemTime(1_000_000 + 5_000);
    await cache.principal('jwt', check(1_000_000 + 5_000));
    expect(checks).toBe(2);

    await cache.principal('ahk_1', check());
    jest.setSystemTime(Date.now() + ACCESS_CACHE_TTL_MS);
    await cache.principal('ahk_1', check());
    expect(checks).toBe(4);
  });

  it('never remembers a refusal', async () => {
    const refuse = async (): Promise<CheckedPrincipal> => {
      checks++;
      throw new Error('401');
    };
    await expect(cache.principal('ahk_bad', refuse)).rejects.toThrow('401');
    await expect(cache.principal('ahk_bad', refuse)).rejects.toThrow('401');
    expect(checks).toBe(2);
  });

  it('caches nothing without a provider of access changes', async () => {
    const bare = new AccessCache(new Reflector(), new RequestTransactionHooks());
    await bare.principal('ahk_1', check());
    await bare.principal('ahk_1', check());
    expect(checks).toBe(2);
  });
});
