import {
  createTestDatabase,
  expectProblem,
  PASSWORD,
  query,
  registerAndLogin,
  TestApp,
  TestDatabase,
} from '@agenthub/testing';
import { createApiTestApp, useApiTestApp } from './create-api-test-app';

const ADMIN = {
  AGENTHUB_ADMIN_EMAIL: 'Root@Example.com',
  AGENTHUB_ADMIN_PASSWORD: 'admin password 1',
};

describe('admin bootstrap (AGENTHUB_ADMIN_EMAIL / AGENTHUB_ADMIN_PASSWORD)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const users = () =>
    query<{ email: string; is_superuser: boolean; is_active: boolean }>(
      db.url,
      `SELECT email, is_superuser, is_active FROM users WHERE email = 'root@example.com'`,
    );
  const loginStatus = async (t: TestApp, password: string) => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'root@example.com', password },
    });
    return res.statusCode;
  };

  it('creates the superuser at start, once, however often (and however many processes) start', async () => {
    const first = await createApiTestApp(db.url, ADMIN);
    expect(await users()).toEqual([
      { email: 'root@example.com', is_superuser: true, is_active: true },
    ]);
    expect(await loginStatus(first, ADMIN.AGENTHUB_ADMIN_PASSWORD)).toBe(200);
    await first.close();

    // A restart, then two processes starting at the same moment.
    await (await createApiTestApp(db.url, ADMIN)).close();
    const apps = await Promise.all([
      createApiTestApp(db.url, ADMIN),
      createApiTestApp(db.url, ADMIN),
    ]);
    await Promise.all(apps.map((t) => t.close()));
    expect(await users()).toHaveLength(1);
    // Created once, audited once (actor: system).
    expect(
      await query(
        db.url,
        `SELECT actor_type, action FROM audit_log WHERE action LIKE 'user.%_admin'`,
      ),
    ).toEqual([{ actor_type: 'system', action: 'user.create_admin' }]);
  });

  it('makes an existing user superuser and active again, but never resets their password', async () => {
    // Someone demoted and deactivated the admin, who had meanwhile chosen their own password.
    const plain = await createApiTestApp(db.url);
    const other = await registerAndLogin(plain, 'someone@example.com', 'their own password');
    await plain.close();
    await query(
      db.url,
      `UPDATE users SET is_superuser = false, is_active = false, password_hash = (SELECT password_hash FROM users WHERE id = $1) WHERE email = 'root@example.com'`,
      [other.id],
    );

    const t = await createApiTestApp(db.url, ADMIN);
    try {
      expect(await users()).toEqual([
        { email: 'root@example.com', is_superuser: true, is_active: true },
      ]);
      expect(await loginStatus(t, 'their own password')).toBe(200);
      expect(await loginStatus(t, ADMIN.AGENTHUB_ADMIN_PASSWORD)).toBe(401);
      expect(
        await query(db.url, `SELECT action FROM audit_log WHERE action = 'user.promote_admin'`),
      ).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});

describe('admin bootstrap before the schema is migrated', () => {
  it('does not stop the API from starting (it retries in the background)', async () => {
    const db = await createTestDatabase({ migrated: false });
    const t = await createApiTestApp(db.url, ADMIN);
    try {
      expect((await t.request({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      expect((await t.request({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    } finally {
      await t.close();
      await db.drop();
    }
  });
});

describe('registration switch (AGENTHUB_ALLOW_REGISTRATION)', () => {
  const ctx = useApiTestApp({ env: { AGENTHUB_ALLOW_REGISTRATION: 'false', ...ADMIN } });

  it('closes POST /auth/register with 403, before looking at the body', async () => {
    const res = await ctx.t.request({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'new@example.com', password: PASSWORD, name: 'New' },
    });
    expectProblem(res, 403, 'AUTH.REGISTRATION_CLOSED');
    expectProblem(
      await ctx.t.request({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { junk: true },
      }),
      403,
      'AUTH.REGISTRATION_CLOSED',
    );
    expect(await query(ctx.db.url, `SELECT 1 FROM users WHERE email = 'new@example.com'`)).toEqual(
      [],
    );
  });

  it('still lets existing users (here the bootstrapped admin) log in', async () => {
    const res = await ctx.t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'root@example.com', password: ADMIN.AGENTHUB_ADMIN_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
  });
});
