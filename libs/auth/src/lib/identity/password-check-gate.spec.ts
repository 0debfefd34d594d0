import { LoginsBusyError } from './auth.errors';
import { passwordCheckConcurrency, PasswordCheckGate } from './password-check-gate';

/** A promise the test resolves when it wants. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('passwordCheckConcurrency', () => {
  it.each([
    [1, 4, 1],
    [2, 4, 1],
    [4, 4, 3],
    [16, 4, 3],
    [16, 16, 15],
  ])('%d cores, a pool of %d threads: %d at once', (cores, pool, expected) =>
    expect(passwordCheckConcurrency(cores, pool)).toBe(expected),
  );
});

describe('PasswordCheckGate', () => {
  it('runs at most `concurrency` checks at once, the others in arrival order', async () => {
    const gate = new PasswordCheckGate(2, 4);
    const releases = Array.from({ length: 5 }, deferred);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const logins = releases.map((release, i) =>
      gate.admit((check) =>
        check(async () => {
          started.push(i);
          running++;
          most = Math.max(most, running);
          await release.promise;
          running--;
          return i;
        }),
      ),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    releases[1].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const r of releases) r.resolve();
    expect(await Promise.all(logins)).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a login beyond concurrency + queue at once, without running it', async () => {
    const gate = new PasswordCheckGate(1, 2);
    const release = deferred();
    const admitted = Array.from({ length: 3 }, () =>
      gate.admit((check) => check(() => release.promise)),
    );
    expect(gate.inProgress).toBe(3);
    let ran = false;
    await expect(
      gate.admit(async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(LoginsBusyError);
    expect(ran).toBe(false);
    release.resolve();
    await Promise.all(admitted);
    expect(gate.inProgress).toBe(0);
    // Room again.
    await expect(gate.admit(async () => 'in')).resolves.toBe('in');
  });

  it('frees the place and the slot when a login fails', async () => {
    const gate = new PasswordCheckGate(1, 0);
    await expect(
      gate.admit((check) => check(() => Promise.reject(new Error('boom')))),
    ).rejects.toThrow('boom');
    expect(gate.inProgress).toBe(0);
    await expect(gate.admit((check) => check(async () => 'next'))).resolves.toBe('next');
  });

  it('says 429 AUTH.TOO_MANY_ATTEMPTS with a Retry-After', () => {
    const error = new LoginsBusyError();
    expect(error).toMatchObject({ status: 429, code: 'AUTH.TOO_MANY_ATTEMPTS' });
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });
});
