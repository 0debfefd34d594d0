import {
  createTestDatabase,
  expectProblem,
  PASSWORD,
  query,
  registerAndLogin,
  TestApp,
  TestDatabase,
} from '@agenthub/testing';
import { createApiTestApp } from './create-api-test-app';

describe('login throttling: 10 failures per email per 15 minutes', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Two API processes sharing one database.
    [a, b] = await Promise.all([createApiTestApp(db.url), createApiTestApp(db.url)]);
    for (const email of [
      'victim@example.com',
      'shared@example.com',
      'reset@example.com',
      'window@example.com',
      'race@example.com',
    ]) {
      await registerAndLogin(a, email);
    }
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await db.drop();
  });

  const login = (t: TestApp, email: string, password: string) =>
    t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  const fail = async (t: TestApp, email: string, times: number) => {
    for (let i = 0; i < times; i++)
      expect((await login(t, email, `wrong-${i}`)).statusCode).toBe(401);
  };

  it('answers 429 with Retry-After after 10 failures, counted case-insensitively, even for the right password', async () => {
    const cases = [
      'victim@example.com',
      'VICTIM@example.com',
      'Victim@Example.Com',
      ' victim@EXAMPLE.com ',
    ];
    for (let i = 0; i < 10; i++)
      expect((await login(a, cases[i % cases.length], 'wrong')).statusCode).toBe(401);

    const locked = await login(a, 'VICTIM@EXAMPLE.COM', PASSWORD);
    expectProblem(locked, 429, 'AUTH.TOO_MANY_ATTEMPTS');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(880);
    expect(retryAfter).toBeLessThanOrEqual(900);

    // Other emails are not affected.
    expect((await login(a, 'shared@example.com', PASSWORD)).statusCode).toBe(200);
  });

  it('counts failures across API processes that share the database', async () => {
    await fail(a, 'shared@example.com', 5);
    await fail(b, 'shared@example.com', 5);
    expectProblem(await login(a, 'shared@example.com', PASSWORD), 429);
    expectProblem(await login(b, 'shared@example.com', PASSWORD), 429);
  });

  it('throttles unknown emails the same way (the 429 reveals nothing about accounts)', async () => {
    await fail(a, 'nobody@example.com', 10);
    expectProblem(await login(a, 'nobody@example.com', PASSWORD), 429, 'AUTH.TOO_MANY_ATTEMPTS');
  });

  it('forgets earlier failures after a successful login', async () => {
    await fail(a, 'reset@example.com', 9);
    expect((await login(a, 'reset@example.com', PASSWORD)).statusCode).toBe(200);
    await fail(a, 'reset@example.com', 9);
    expect((await login(a, 'reset@example.com', PASSWORD)).statusCode).toBe(200);
  });

  it('lets the email in again once the oldest failures leave the window, with a Retry-After that says when', async () => {
    await fail(a, 'window@example.com', 10);
    // Pretend the failures happened 14 minutes ago: one more minute to wait.
    await query(
      db.url,
      `UPDATE login_attempts SET attempted_at = attempted_at - interval '14 minutes' WHERE email = 'window@example.com'`,
    );
    const locked = await login(a, 'window@example.com', PASSWORD);
    expectProblem(locked, 429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(40);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);

    await query(
      db.url,
      `UPDATE login_attempts SET attempted_at = attempted_at - interval '61 seconds' WHERE email = 'window@example.com'`,
    );
    expect((await login(a, 'window@example.com', PASSWORD)).statusCode).toBe(200);
    // Expired attempts are swept, not kept forever.
    expect(
      await query(
        db.url,
        `SELECT 1 FROM login_attempts WHERE attempted_at < now() - interval '15 minutes'`,
      ),
    ).toEqual([]);
  });

  it('lets no more than 10 of many simultaneous guesses through, even across processes', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => login(i % 2 ? a : b, 'race@example.com', `guess-${i}`)),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 401)).toHaveLength(10);
    expect(codes.filter((c) => c === 429)).toHaveLength(6);
  });
});
