import {
  deactivateUser,
  eventually,
  expectProblem,
  login,
  makeSuperuser,
  PASSWORD,
  query,
  registerAndLogin,
} from '@agenthub/testing';
import { useApiTestApp } from './create-api-test-app';

describe('auth: register, login, me', () => {
  const ctx = useApiTestApp({ env: { JWT_TTL: '20m' } });

  const register = (payload: Record<string, unknown>) =>
    ctx.t.request({ method: 'POST', url: '/api/v1/auth/register', payload });
  const loginRequest = (email: string, password: string) =>
    ctx.t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  const usersWithEmail = (email: string) =>
    query(ctx.db.url, 'SELECT 1 FROM users WHERE email = $1', [email]);

  describe('POST /auth/register', () => {
    it('creates an active, ordinary user (201) with a normalised email and no password in sight', async () => {
      const res = await register({
        email: '  Grace.Hopper@Example.COM ',
        password: PASSWORD,
        name: ' Grace Hopper ',
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: 'grace.hopper@example.com',
        name: 'Grace Hopper',
        is_superuser: false,
        is_active: true,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(res.body).not.toMatch(/password|argon2|hash/i);

      const [row] = await query<{ password_hash: string }>(
        ctx.db.url,
        'SELECT password_hash FROM users WHERE id = $1',
        [body.id],
      );
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(row.password_hash).not.toContain(PASSWORD);
    });

    it('refuses an email that exists in another letter case (409)', async () => {
      await register({ email: 'ada@example.com', password: PASSWORD, name: 'Ada' });
      const res = await register({
        email: 'ADA@Example.com',
        password: 'another password',
        name: 'Ada 2',
      });
      expectProblem(res, 409, 'AUTH.EMAIL_TAKEN');
      expect(await usersWithEmail('ada@example.com')).toHaveLength(1);
    });

    it('keeps emails unique case-insensitively in the database too', async () => {
      const insert = `INSERT INTO users (email, password_hash, name) VALUES ($1, '$x', 'x')`;
      const insertUser = (email: string) => query(ctx.db.url, insert, [email]);
      await expect(insertUser('ADA@example.com')).rejects.toThrow(/users_email_normalised/);
      await expect(insertUser('ada@example.com')).rejects.toThrow(/users_email_key/);
    });

    it.each([
      ['7 characters', 'x'.repeat(7)],
      ['129 characters', 'x'.repeat(129)],
    ])('refuses a password of %s (400 naming password)', async (_what, password) => {
      const res = await register({
        email: `short-${password.length}@example.com`,
        password,
        name: 'X',
      });
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      expect(Object.keys(res.json().errors)).toEqual(['password']);
    });

    it('accepts passwords of exactly 8 and 128 characters', async () => {
      const eight = await register({
        email: 'eight@example.com',
        password: 'x'.repeat(8),
        name: 'E',
      });
      expect(eight.statusCode).toBe(201);
      const max = await register({
        email: 'max@example.com',
        password: 'y'.repeat(128),
        name: 'M',
      });
      expect(max.statusCode).toBe(201);
      expect((await loginRequest('max@example.com', 'y'.repeat(128))).statusCode).toBe(200);
    });

    it('refuses an unknown field by name, a bad email, a blank name and a missing body', async () => {
      const unknown = await register({
        email: 'u@example.com',
        password: PASSWORD,
        name: 'U',
        is_superuser: true,
      });
      expectProblem(unknown, 400, 'REQUEST.VALIDATION_FAILED');
      expect(unknown.json().errors).toEqual({
        is_superuser: ['unknown field "is_superuser" is not allowed'],
      });

      const bad = await register({ email: 'not-an-email', password: PASSWORD, name: '   ' });
      expectProblem(bad, 400);
      expect(Object.keys(bad.json().errors).sort()).toEqual(['email', 'name']);

      expectProblem(await ctx.t.request({ method: 'POST', url: '/api/v1/auth/register' }), 400);
      expect(await usersWithEmail('u@example.com')).toHaveLength(0);
    });
  });

  describe('POST /auth/login', () => {
    beforeAll(() => register({ email: 'linus@example.com', password: PASSWORD, name: 'Linus' }));

    it('answers a bearer token with its lifetime (200)', async () => {
      const res = await loginRequest('Linus@Example.com', PASSWORD);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        token_type: 'Bearer',
        expires_in: 1200,
      });
      const token = res.json<{ access_token: string }>().access_token;
      const [header, claims] = token
        .split('.')
        .slice(0, 2)
        .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
      expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(claims).toEqual({
        sub: expect.any(String),
        iat: expect.any(Number),
        exp: expect.any(Number),
        iss: 'agenthub',
        aud: 'agenthub-api',
      });
      expect(claims.exp - claims.iat).toBe(1200);
    });

    it('answers a wrong password and an unknown email with the same 401', async () => {
      const wrong = await loginRequest('linus@example.com', 'wrong password');
      const unknown = await loginRequest('nobody@example.com', 'wrong password');
      expectProblem(wrong, 401, 'AUTH.INVALID_CREDENTIALS');
      const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined });
      expect(strip(unknown.json())).toEqual(strip(wrong.json()));
      expect(unknown.statusCode).toBe(401);
    });

    it('spends an argon2 verification on unknown emails too (no timing shortcut)', async () => {
      const time = async (email: string) => {
        const started = process.hrtime.bigint();
        await loginRequest(email, 'wrong password');
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      // Warm up the dummy hash, then take the median of a few runs of each.
      await time('warmup@example.com');
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 3; i++) {
        known.push(await time('linus@example.com'));
        unknown.push(await time(`ghost${i}@example.com`));
      }
      // A verification costs tens of milliseconds; skipping it would make unknown emails
      // several times faster. Generous bounds: CI machines are noisy.
      expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
      await query(ctx.db.url, 'DELETE FROM login_attempts');
    });

    it('refuses an inactive user with the same 401, even with the right password', async () => {
      await register({ email: 'gone@example.com', password: PASSWORD, name: 'Gone' });
      await deactivateUser(ctx.db.url, 'gone@example.com');
      expectProblem(
        await loginRequest('gone@example.com', PASSWORD),
        401,
        'AUTH.INVALID_CREDENTIALS',
      );
    });

    it('upgrades a hash made elsewhere (argon2-cffi, other parameters) the first time the password is used', async () => {
      const foreign =
        '$argon2id$v=19$m=65536,t=3,p=4$MIIRqgvgQbgj220jfp0MPA$YfwJSVjtjSU0zzV/P3S9nnQ/USre2wvJMjfCIjrTQbg';
      await query(
        ctx.db.url,
        `INSERT INTO users (email, password_hash, name) VALUES ('legacy@example.com', $1, 'Legacy')`,
        [foreign],
      );
      const legacyLogin = () => loginRequest('legacy@example.com', 'correct horse battery staple');
      expect((await legacyLogin()).statusCode).toBe(200);
      const [row] = await query<{ password_hash: string }>(
        ctx.db.url,
        `SELECT password_hash FROM users WHERE email = 'legacy@example.com'`,
      );
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect((await legacyLogin()).statusCode).toBe(200);
    });

    it('refuses malformed bodies with 400', async () => {
      expectProblem(
        await ctx.t.request({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'linus@example.com' },
        }),
        400,
      );
      expectProblem(
        await ctx.t.request({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 1, password: 2 },
        }),
        400,
      );
      const extra = await ctx.t.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'a@b.co', password: 'x', remember: true },
      });
      expectProblem(extra, 400);
      expect(Object.keys(extra.json().errors)).toEqual(['remember']);
    });
  });

  describe('GET /auth/me', () => {
    it('answers the signed-in user, without a hash', async () => {
      const user = await registerAndLogin(ctx.t, 'me@example.com');
      const res = await ctx.t.request({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: user.auth,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        kind: 'user',
        id: user.id,
        email: 'me@example.com',
        is_superuser: false,
        is_active: true,
      });
      expect(res.body).not.toMatch(/password|argon2|hash/i);
    });

    it('sees a promotion to superuser within a second', async () => {
      const user = await login(ctx.t, 'me@example.com');
      const me = () => ctx.t.request({ method: 'GET', url: '/api/v1/auth/me', headers: user.auth });
      expect((await me()).json().is_superuser).toBe(false);
      await makeSuperuser(ctx.db.url, user.email);
      await eventually(
        async () => (await me()).json().is_superuser === true,
        'the promotion to show',
        1_000,
      );
    });

    it('answers 401 without a token, and names the Bearer scheme', async () => {
      const res = await ctx.t.request({ method: 'GET', url: '/api/v1/auth/me' });
      expectProblem(res, 401, 'AUTH.UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });
  });
});
